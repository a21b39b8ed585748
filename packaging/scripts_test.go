//go:build linux

package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestShellScripts: every shell script shipped or run by `make dist` is
// shellcheck-clean (POSIX sh where it says #!/bin/sh, since macOS and
// minimal Linux images have no bash there).
func TestShellScripts(t *testing.T) {
	needTools(t, map[string]string{"shellcheck": "shellcheck"})
	scripts, err := filepath.Glob("*/*.sh")
	if err != nil {
		t.Fatal(err)
	}
	scripts = append(scripts, "dist.sh")
	if len(scripts) < 8 {
		t.Fatalf("only %d scripts found: %q", len(scripts), scripts)
	}
	for _, s := range scripts {
		t.Run(s, func(t *testing.T) {
			if out, err := exec.Command("shellcheck", "--severity=style", s).CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s: %v\n%s", s, err, out)
			}
		})
	}
}

// TestRMMCheck runs the RMM script's check against stand-in binaries that
// answer as pbprobe does: the exit code passes through, the Datto block
// carries the first line, and the flags reach pbprobe.
func TestRMMCheck(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		first string
		code  int
		want  []string
	}{
		{"ready", nil, "READY: 5 of 5 hosts ok", 0, []string{"READY: 5 of 5 hosts ok"}},
		{"not ready, datto", []string{"--datto"}, "NOT READY: portal (tcp_timeout)", 1,
			[]string{"<-Start Result->\nSTATUS=NOT READY: portal (tcp_timeout)\n<-End Result->\n", "--format text"}},
		{"nagios", []string{"--nagios"}, "PBPROBE CRITICAL - 1 of 5 required hosts fail", 2,
			[]string{"PBPROBE CRITICAL", "--exit-codes nagios"}},
		{"json", []string{"--json"}, "{}", 0, []string{"--format json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			// The stand-in prints its line, then the arguments it got.
			script := "#!/bin/sh\nprintf '%s\\n' '" + tc.first + "'\necho \"args: $*\"\nexit " + string(rune('0'+tc.code)) + "\n"
			if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", append([]string{"rmm/pbprobe-rmm.sh", "check"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "PBPROBE="+bin)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit %d, want pbprobe's %d", code, tc.code)
			}
			wantAll(t, "pbprobe-rmm.sh check", string(out), tc.want...)
		})
	}
	t.Run("usage", func(t *testing.T) {
		err := exec.Command("sh", "rmm/pbprobe-rmm.sh", "check", "--bogus").Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("an unknown flag: %v, want exit 2", err)
		}
	})
}
