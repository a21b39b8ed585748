package service

import (
	"path/filepath"
	"testing"
)

// TestLinuxPathsMatchUnit: the folders systemd creates for the unit are the
// ones DefaultPaths (and so install's checks and the README) name, and the
// default service definition passes its own check.
func TestLinuxPathsMatchUnit(t *testing.T) {
	p := DefaultPaths()
	kv := unitValues(renderSystemd(t, Config(Options{}), "/usr/local/bin/pbprobe"))
	for _, tc := range []struct{ key, base, want string }{
		{"ConfigurationDirectory", "/etc", p.ConfigDir},
		{"LogsDirectory", "/var/log", p.LogDir},
		{"StateDirectory", "/var/lib", p.DataDir},
	} {
		if got := kv[tc.key]; len(got) != 1 || filepath.Join(tc.base, got[0]) != tc.want {
			t.Errorf("%s = %q; DefaultPaths says %s", tc.key, got, tc.want)
		}
	}
	if !within(p.LogDir, p.LogFile) {
		t.Errorf("the log file %s is not in the log folder %s", p.LogFile, p.LogDir)
	}
	if notes, err := Check(Options{Executable: "/usr/local/bin/pbprobe"}); err != nil || len(notes) > 0 {
		t.Errorf("Check of the defaults = %q, %v", notes, err)
	}
}
