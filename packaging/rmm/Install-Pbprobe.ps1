<#
.SYNOPSIS
  Installs or upgrades pbprobe silently from its MSI (NinjaOne, Datto RMM,
  N-able, ConnectWise Automate: run as SYSTEM).
.DESCRIPTION
  Runs msiexec /i with the given properties, /qn /norestart and a verbose
  log, and exits with msiexec's code (0 done, 3010 done and a reboot is
  wanted, 1603 failed: the log says why). Properties not given keep the
  values of the installed version.
.EXAMPLE
  .\Install-Pbprobe.ps1 -Msi .\pbprobe-0.1.0-x64.msi -Site acme-berlin -Customer acme
#>
[CmdletBinding()]
param(
  # The MSI; by default the newest pbprobe-*-x64.msi next to this script.
  [string]$Msi,
  [string]$ListenAddress,
  [string]$Interval,
  [string]$ConfigFile,
  [string]$Site,
  [string]$Customer,
  # Push: the remote-write URL, the user and the FILE holding the password
  # (never the password itself).
  [string]$PushUrl,
  [string]$PushUsername,
  [string]$PushPasswordFile,
  [string]$ExtraFlags,
  [string]$Log = (Join-Path $env:TEMP 'pbprobe-install.log')
)
$ErrorActionPreference = 'Stop'

if (-not $Msi) {
  $found = Get-ChildItem -Path $PSScriptRoot -Filter 'pbprobe-*-x64.msi' | Sort-Object LastWriteTime | Select-Object -Last 1
  if (-not $found) { Write-Output "pbprobe: no pbprobe-*-x64.msi next to $PSCommandPath"; exit 2 }
  $Msi = $found.FullName
}
$Msi = (Resolve-Path $Msi).Path

# msiexec reads PROPERTY="value"; a quote inside a value is doubled.
function Format-Property([string]$Name, [string]$Value) {
  '{0}="{1}"' -f $Name, ($Value -replace '"', '""')
}
$arguments = @('/i', "`"$Msi`"", '/qn', '/norestart', '/l*v', "`"$Log`"")
$properties = [ordered]@{
  LISTEN_ADDRESS = $ListenAddress; INTERVAL = $Interval; CONFIG_FILE = $ConfigFile
  SITE = $Site; CUSTOMER = $Customer; PUSH_URL = $PushUrl; PUSH_USERNAME = $PushUsername
  PUSH_PASSWORD_FILE = $PushPasswordFile; EXTRA_FLAGS = $ExtraFlags
}
foreach ($p in $properties.GetEnumerator()) {
  if ($p.Value) { $arguments += Format-Property $p.Key $p.Value }
}

$process = Start-Process -FilePath "$env:SystemRoot\System32\msiexec.exe" -ArgumentList $arguments -Wait -PassThru
$code = $process.ExitCode
switch ($code) {
  0 { Write-Output "pbprobe: installed ($Msi)" }
  3010 { Write-Output "pbprobe: installed; Windows asks for a reboot (not needed by pbprobe)" }
  1618 { Write-Output "pbprobe: another installation is running; try again later" }
  default { Write-Output "pbprobe: msiexec failed with $code; see $Log" }
}
exit $code
