// Package machine gathers the facts about the PC itself that decide whether
// the Password Boss apps can be installed there, whatever the network does:
// on Windows the .NET Framework release, whether pbprobe runs elevated, and
// the OS version. `pbprobe check` reports them; the agent does not.
//
// Gather is platform code (machine_windows.go, machine_other.go); deciding
// what a fact means is pure and lives here, so that it is tested on every OS.
package machine

import (
	"strconv"
	"strings"
)

// Level says how a check turned out. Unlike a host's reason it never changes
// readiness or the exit code: a PC without .NET 4.7.2 reaches every host.
type Level string

// Levels.
const (
	LevelOK   Level = "ok"   // the prerequisite is met
	LevelWarn Level = "warn" // the prerequisite is not met
	LevelInfo Level = "info" // a fact, or a check that could not be made
)

// Check codes: stable, English tokens, like reason codes.
const (
	CodeDotNetFramework = "dotnet_framework"
	CodeElevated        = "elevated"
	CodeOSVersion       = "os_version"
)

// Check is one prerequisite. Value is the technical fact in English, for
// tickets and scripts; renderers word it per Code and Level:
//
//   - dotnet_framework: ok or warn with the installed version, e.g.
//     "4.8.1 (release 533320)"; warn with "" when no .NET Framework 4.5 or
//     newer is installed; info with the error when the registry could not
//     be read.
//   - elevated: "yes" or "no"; ok/warn on Windows, info elsewhere.
//   - os_version: info, e.g. "Windows 11 Pro 23H2 (10.0.22631)".
type Check struct {
	Code  string `json:"code"`
	Level Level  `json:"level"`
	Value string `json:"value"`
}

// Facts is what Gather found: the OS in a word and the checks in the order
// they are shown.
type Facts struct {
	OS     string  `json:"os"`
	Checks []Check `json:"checks"`
}

// MinDotNetRelease is the registry Release of .NET Framework 4.7.2, the
// oldest the Password Boss desktop app runs on.
const MinDotNetRelease = 461808

// dotNetReleases are the lowest Release values of each .NET Framework 4.x
// (the value differs by Windows version; every later build of a version is
// higher), newest first. From Microsoft's "How to: Determine which .NET
// Framework versions are installed".
var dotNetReleases = []struct {
	release uint32
	version string
}{
	{533320, "4.8.1"},
	{528040, "4.8"},
	{461808, "4.7.2"},
	{461308, "4.7.1"},
	{460798, "4.7"},
	{394802, "4.6.2"},
	{394254, "4.6.1"},
	{393295, "4.6"},
	{379893, "4.5.2"},
	{378675, "4.5.1"},
	{378389, "4.5"},
}

// DotNetVersion names the .NET Framework version a registry Release value
// stands for: the newest version whose first Release it reaches, so that
// 533325 (4.8.1 on Windows 10) is "4.8.1" too. It is "" below 4.5, which
// has no Release value.
func DotNetVersion(release uint32) string {
	for _, r := range dotNetReleases {
		if release >= r.release {
			return r.version
		}
	}
	return ""
}

// DotNetCheck judges the Release value under
// HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full; present is false
// when the value (or the key) does not exist, which means no .NET Framework
// 4.5 or newer.
func DotNetCheck(release uint32, present bool) Check {
	c := Check{Code: CodeDotNetFramework, Level: LevelWarn}
	if !present {
		return c
	}
	c.Value = "release " + strconv.FormatUint(uint64(release), 10)
	if v := DotNetVersion(release); v != "" {
		c.Value = v + " (" + c.Value + ")"
	}
	if release >= MinDotNetRelease {
		c.Level = LevelOK
	}
	return c
}

// Unreadable is the check for a fact that could not be read; the error is
// kept as the value for the ticket.
func Unreadable(code string, err error) Check {
	return Check{Code: code, Level: LevelInfo, Value: err.Error()}
}

// ElevatedCheck reports whether pbprobe runs with administrator (or root)
// rights. required says that their lack is a problem: on Windows the first
// install of the desktop app needs them, elsewhere it is only a fact.
func ElevatedCheck(elevated, required bool) Check {
	c := Check{Code: CodeElevated, Level: LevelInfo, Value: "no"}
	if elevated {
		c.Value = "yes"
	}
	if required {
		c.Level = LevelWarn
		if elevated {
			c.Level = LevelOK
		}
	}
	return c
}

// WindowsVersion names a Windows version for people: ProductName and
// DisplayVersion from the registry (ReleaseId on releases before 20H2,
// which have no DisplayVersion) and the kernel version from RtlGetVersion,
// e.g. "Windows 11 Pro 23H2 (10.0.22631)".
//
// Windows 11 still calls itself "Windows 10" in ProductName, for
// compatibility; build 22000 and later on a client is Windows 11.
func WindowsVersion(productName, displayVersion string, major, minor, build uint32) string {
	name := strings.Join(strings.Fields(productName), " ")
	if name == "" {
		name = "Windows"
	}
	if rest, ok := strings.CutPrefix(name, "Windows 10"); ok && build >= 22000 && (rest == "" || rest[0] == ' ') {
		name = "Windows 11" + rest
	}
	if dv := strings.TrimSpace(displayVersion); dv != "" {
		name += " " + dv
	}
	return name + " (" + strconv.FormatUint(uint64(major), 10) + "." + strconv.FormatUint(uint64(minor), 10) + "." + strconv.FormatUint(uint64(build), 10) + ")"
}

// UnixVersion is the OS of a non-Windows PC: GOOS and, when known, the
// kernel release ("linux 6.1.0-18-amd64").
func UnixVersion(goos, release string) string {
	if r := strings.TrimSpace(release); r != "" {
		return goos + " " + r
	}
	return goos
}
