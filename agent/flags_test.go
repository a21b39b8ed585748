package agent_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
)

func TestDurationFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"10s", 10 * time.Second, ""},
		{"1m30s", 90 * time.Second, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{"10", 0, "use a unit, e.g. 10s or 10m"},
		{"2.5", 0, "use a unit, e.g. 2.5s or 2.5m"},
		{"soon", 0, "use a number with a unit"},
		{"", 0, "use a number with a unit"},
	} {
		var d agent.Duration
		err := d.Set(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Set(%q) = %v; want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || time.Duration(d) != tc.want {
			t.Errorf("Set(%q) = %v, %v; want %v", tc.in, time.Duration(d), err, tc.want)
		}
	}
}

// --history.file is absolute once set, so that the service it is passed on
// to finds the same file.
func TestAbsPathFlag(t *testing.T) {
	t.Parallel()
	var p agent.AbsPath
	if err := p.Set("state/history.json"); err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(p.String()) || !strings.HasSuffix(p.String(), filepath.Join("state", "history.json")) {
		t.Errorf("Set(state/history.json) = %q, want it absolute", p.String())
	}
	if err := p.Set(""); err != nil || p.String() != "" {
		t.Errorf("Set(\"\") = %q, %v; want empty", p.String(), err)
	}
}
