package service

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestConfigFileFrom(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"none", []string{"service", "run", "--log.file", `C:\x.log`}, ""},
		{"separate", []string{"service", "run", "--config.file", `C:\ProgramData\pbprobe\pbprobe.yml`, "--log.file", "x"}, `C:\ProgramData\pbprobe\pbprobe.yml`},
		{"equals", []string{"service", "run", "--config.file=/etc/pbprobe/pbprobe.yml"}, "/etc/pbprobe/pbprobe.yml"},
		{"one dash", []string{"-config.file", "a.yml"}, "a.yml"},
		{"last wins", []string{"--config.file", "a.yml", "--config.file=b.yml"}, "b.yml"},
		{"dangling", []string{"service", "run", "--config.file"}, ""},
		{"other flag that ends alike", []string{"--web.config.file", "web.yml"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := configFileFrom(tc.args); got != tc.want {
				t.Errorf("configFileFrom(%q) = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

// TestRecoveryMatchesInstall: configure reads the same recovery actions
// that install gives the Windows service, not defaults of its own.
func TestRecoveryMatchesInstall(t *testing.T) {
	c := configFor(targetWindows, Paths{}, Options{})
	got := recoveryFrom(c.Option)
	if got.delay != 5*time.Second || got.reset != 24*time.Hour {
		t.Errorf("recovery from the Windows config = %+v, want a restart after 5s, reset after 24h", got)
	}
	if r := recoveryFrom(configFor(targetSystemd, Paths{}, Options{}).Option); r.delay != time.Second {
		t.Errorf("without options the delay is %s, want kardianos' default 1s", r.delay)
	}
}

// TestConfigureElsewhereIsANoOp: outside Windows configure changes nothing,
// needs no rights and says why.
func TestConfigureElsewhereIsANoOp(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows configure changes the installed service (the MSI runs it)")
	}
	msg, err := Control("configure")
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	if !strings.HasPrefix(msg, "nothing to configure for pbprobe here") || !strings.Contains(msg, "MSI") {
		t.Errorf("configure said %q", msg)
	}
}
