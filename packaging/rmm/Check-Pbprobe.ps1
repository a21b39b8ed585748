<#
.SYNOPSIS
  Onboarding check for an RMM monitor: runs `pbprobe check` on this PC and
  reports in the RMM's terms.
.DESCRIPTION
  Prints one line per host (OK, or the reason code and the hint) and exits
  with pbprobe's own exit code: 0 ready, 1 not ready, 2 bad usage or
  config, 3 internal error. -Nagios uses --exit-codes nagios instead (0 OK,
  1 WARNING, 2 CRITICAL, 3 UNKNOWN) and prints its status line first.
  -Datto wraps the summary in Datto RMM's <-Start Result-> block, read by a
  component monitor. -NinjaField also sets that NinjaOne custom field.
.EXAMPLE
  .\Check-Pbprobe.ps1 -Datto
#>
[CmdletBinding()]
param(
  [string]$Pbprobe = (Join-Path $env:ProgramFiles 'pbprobe\pbprobe.exe'),
  [string]$ConfigFile,
  [switch]$Nagios,
  [switch]$Datto,
  # NinjaOne: the custom field to receive the summary (Ninja-Property-Set).
  [string]$NinjaField
)
$ErrorActionPreference = 'Stop'
if (-not (Test-Path $Pbprobe)) { Write-Output "pbprobe: not installed ($Pbprobe)"; exit 3 }

$arguments = @('check', '--format', 'json')
if ($ConfigFile) { $arguments += @('--config.file', $ConfigFile) }
if ($Nagios) { $arguments += @('--exit-codes', 'nagios') }
$json = & $Pbprobe @arguments 2>&1 | Out-String
$code = $LASTEXITCODE

$lines = @()
try {
  # With --exit-codes nagios the JSON follows the status line.
  $start = $json.IndexOf('{')
  if ($Nagios -and $start -gt 0) { $lines += $json.Substring(0, $start).Trim() }
  $doc = $json.Substring([Math]::Max($start, 0)) | ConvertFrom-Json
  foreach ($h in $doc.hosts) {
    if ($h.ok) { $lines += "OK   $($h.host):$($h.port)" }
    else { $lines += "FAIL $($h.host):$($h.port) $($h.reason) - $($h.hint)" }
  }
  $state = if ($doc.ready) { 'READY' } else { 'NOT READY' }
} catch {
  $state = 'ERROR'
  $lines += ($json.Trim() -split "`r?`n" | Select-Object -First 5)
}
$summary = "pbprobe: $state (exit $code)"

if ($Datto) {
  Write-Output '<-Start Result->'
  Write-Output "STATUS=$summary"
  Write-Output '<-End Result->'
}
Write-Output $summary
$lines | ForEach-Object { Write-Output $_ }
if ($NinjaField -and (Get-Command Ninja-Property-Set -ErrorAction SilentlyContinue)) {
  Ninja-Property-Set $NinjaField $summary
}
exit $code
