package machine

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestDotNetCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		release uint32
		present bool
		want    Check
	}{
		{"missing", 0, false, Check{CodeDotNetFramework, LevelWarn, ""}},
		{"missing ignores the number", 533320, false, Check{CodeDotNetFramework, LevelWarn, ""}},
		{"present but zero", 0, true, Check{CodeDotNetFramework, LevelWarn, "release 0"}},
		{"below 4.5", 1, true, Check{CodeDotNetFramework, LevelWarn, "release 1"}},
		{"4.5", 378389, true, Check{CodeDotNetFramework, LevelWarn, "4.5 (release 378389)"}},
		{"4.6.2 on Windows 10 1607", 394802, true, Check{CodeDotNetFramework, LevelWarn, "4.6.2 (release 394802)"}},
		{"4.6.2 elsewhere", 394806, true, Check{CodeDotNetFramework, LevelWarn, "4.6.2 (release 394806)"}},
		{"4.7.1", 461310, true, Check{CodeDotNetFramework, LevelWarn, "4.7.1 (release 461310)"}},
		{"one below 4.7.2", MinDotNetRelease - 1, true, Check{CodeDotNetFramework, LevelWarn, "4.7.1 (release 461807)"}},
		{"4.7.2 exactly", 461808, true, Check{CodeDotNetFramework, LevelOK, "4.7.2 (release 461808)"}},
		{"4.7.2 elsewhere", 461814, true, Check{CodeDotNetFramework, LevelOK, "4.7.2 (release 461814)"}},
		{"4.8", 528040, true, Check{CodeDotNetFramework, LevelOK, "4.8 (release 528040)"}},
		{"4.8 on Windows 11", 528449, true, Check{CodeDotNetFramework, LevelOK, "4.8 (release 528449)"}},
		{"4.8.1 on Windows 11", 533320, true, Check{CodeDotNetFramework, LevelOK, "4.8.1 (release 533320)"}},
		{"4.8.1 elsewhere", 533325, true, Check{CodeDotNetFramework, LevelOK, "4.8.1 (release 533325)"}},
		{"a release newer than any known", 600000, true, Check{CodeDotNetFramework, LevelOK, "4.8.1 (release 600000)"}},
		{"the largest DWORD", 4294967295, true, Check{CodeDotNetFramework, LevelOK, "4.8.1 (release 4294967295)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DotNetCheck(tt.release, tt.present); got != tt.want {
				t.Errorf("DotNetCheck(%d, %v) = %+v, want %+v", tt.release, tt.present, got, tt.want)
			}
		})
	}
}

// The table must stay ordered newest first, or "at least" picks the wrong
// version.
func TestDotNetReleasesDescend(t *testing.T) {
	t.Parallel()
	for i := 1; i < len(dotNetReleases); i++ {
		if dotNetReleases[i].release >= dotNetReleases[i-1].release {
			t.Errorf("%s (%d) is not below %s (%d)", dotNetReleases[i].version, dotNetReleases[i].release,
				dotNetReleases[i-1].version, dotNetReleases[i-1].release)
		}
	}
	if DotNetVersion(MinDotNetRelease) != "4.7.2" {
		t.Errorf("MinDotNetRelease is %q, want 4.7.2", DotNetVersion(MinDotNetRelease))
	}
}

func TestElevatedCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		elevated, required bool
		want               Check
	}{
		{true, true, Check{CodeElevated, LevelOK, "yes"}},
		{false, true, Check{CodeElevated, LevelWarn, "no"}},
		{true, false, Check{CodeElevated, LevelInfo, "yes"}},
		{false, false, Check{CodeElevated, LevelInfo, "no"}},
	}
	for _, tt := range tests {
		if got := ElevatedCheck(tt.elevated, tt.required); got != tt.want {
			t.Errorf("ElevatedCheck(%v, %v) = %+v, want %+v", tt.elevated, tt.required, got, tt.want)
		}
	}
}

func TestWindowsVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		product, display    string
		major, minor, build uint32
		want                string
	}{
		{"Windows 11 calls itself 10", "Windows 10 Pro", "23H2", 10, 0, 22631, "Windows 11 Pro 23H2 (10.0.22631)"},
		{"Windows 11 without edition", "Windows 10", "23H2", 10, 0, 22631, "Windows 11 23H2 (10.0.22631)"},
		{"Windows 10", "Windows 10 Enterprise", "22H2", 10, 0, 19045, "Windows 10 Enterprise 22H2 (10.0.19045)"},
		{"Windows 10 LTSC with ReleaseId", "Windows 10 Enterprise LTSC 2019", "1809", 10, 0, 17763, "Windows 10 Enterprise LTSC 2019 1809 (10.0.17763)"},
		{"a server is never renamed", "Windows Server 2025 Datacenter", "24H2", 10, 0, 26100, "Windows Server 2025 Datacenter 24H2 (10.0.26100)"},
		{"a name that only starts alike", "Windows 100 Pro", "", 10, 0, 22631, "Windows 100 Pro (10.0.22631)"},
		{"no display version", "Windows 10 Pro", "", 10, 0, 18363, "Windows 10 Pro (10.0.18363)"},
		{"no names at all", "", "", 10, 0, 22631, "Windows (10.0.22631)"},
		{"stray blanks", "  Windows 10  Pro ", " 24H2 ", 10, 0, 26100, "Windows 11 Pro 24H2 (10.0.26100)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := WindowsVersion(tt.product, tt.display, tt.major, tt.minor, tt.build); got != tt.want {
				t.Errorf("WindowsVersion = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnixVersion(t *testing.T) {
	t.Parallel()
	if got := UnixVersion("linux", "6.1.0-18-amd64\n"); got != "linux 6.1.0-18-amd64" {
		t.Errorf("got %q", got)
	}
	if got := UnixVersion("darwin", ""); got != "darwin" {
		t.Errorf("got %q", got)
	}
}

func TestUnreadable(t *testing.T) {
	t.Parallel()
	got := Unreadable(CodeDotNetFramework, errors.New("Access is denied."))
	if want := (Check{CodeDotNetFramework, LevelInfo, "Access is denied."}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestFactsJSON(t *testing.T) {
	t.Parallel()
	f := Facts{OS: "Windows 11 23H2 (10.0.22631)", Checks: []Check{DotNetCheck(533320, true), ElevatedCheck(true, true)}}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"os":"Windows 11 23H2 (10.0.22631)","checks":[{"code":"dotnet_framework","level":"ok","value":"4.8.1 (release 533320)"},{"code":"elevated","level":"ok","value":"yes"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// Gather runs on the test machine for real: whatever it finds, the answer
// has the shape the renderers rely on.
func TestGather(t *testing.T) {
	t.Parallel()
	f := Gather()
	prefix := runtime.GOOS
	if prefix == "windows" {
		prefix = "Windows"
	}
	if !strings.HasPrefix(f.OS, prefix) {
		t.Errorf("OS %q", f.OS)
	}
	seen := map[string]bool{}
	for _, c := range f.Checks {
		if seen[c.Code] {
			t.Errorf("%s twice", c.Code)
		}
		seen[c.Code] = true
		switch c.Level {
		case LevelOK, LevelWarn, LevelInfo:
		default:
			t.Errorf("%s: level %q", c.Code, c.Level)
		}
	}
	if !seen[CodeElevated] {
		t.Errorf("no %s check: %+v", CodeElevated, f.Checks)
	}
	if runtime.GOOS == "windows" && (!seen[CodeDotNetFramework] || !seen[CodeOSVersion]) {
		t.Errorf("Windows checks missing: %+v", f.Checks)
	}
}
