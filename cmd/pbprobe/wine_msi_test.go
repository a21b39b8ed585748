//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestWineMSI installs the MSI of `make dist` under Wine's msiexec, as an
// RMM would: silently, with properties; the service starts and serves the
// loopback test world's verdict on LISTEN_ADDRESS. A newer MSI given no
// properties upgrades in place and keeps them; msiexec /x removes the
// service and the program and keeps the logs, unless PURGE=1. Wine has no
// delayed start and does not keep recovery actions: `service configure`
// notes both and that step skips. The service runs the test world's config
// only, so nothing leaves the machine.
func TestWineMSI(t *testing.T) {
	t.Parallel()
	for tool, pkg := range map[string]string{"wixl": "wixl", "msibuild": "msitools", "faketime": "faketime"} {
		if _, err := exec.LookPath(tool); err != nil {
			probetest.Unavailable(t, "%s not found (Debian package %s)", tool, pkg)
		}
	}
	m := newWineMSI(t)
	older, newer := m.build(t, "v0.1.0"), m.build(t, "v0.1.1")

	t.Run("install", func(t *testing.T) {
		m.msiexec(t, "/i", winPath(older), "LISTEN_ADDRESS="+m.addr, "CONFIG_FILE="+m.cfg, "SITE=acme-berlin", "CUSTOMER=acme")
		m.wantService(t, `"--label=site=acme-berlin" "--label=customer=acme"`)
		m.wantHistoryFile(t)
		m.wantSaved(t, "SITE    REG_SZ    acme-berlin", "CUSTOMER    REG_SZ    acme", "Version    REG_SZ    0.1.0.0")
	})
	t.Run("configured", m.configured)
	t.Run("upgrade_keeps_properties", func(t *testing.T) {
		m.msiexec(t, "/i", winPath(newer))
		m.wantSaved(t, "Version    REG_SZ    0.1.1.0", "SITE    REG_SZ    acme-berlin")
		m.wantService(t, `"--label=site=acme-berlin" "--label=customer=acme"`)
	})
	t.Run("uninstall", func(t *testing.T) {
		m.msiexec(t, "/x", winPath(newer))
		m.removed(t)
		if _, err := os.Stat(filepath.Join(m.dataDir, "logs", "pbprobe.log")); err != nil {
			t.Errorf("uninstall should keep the log: %v", err)
		}
	})
	t.Run("uninstall_purge", func(t *testing.T) {
		m.msiexec(t, "/i", winPath(newer), "LISTEN_ADDRESS="+m.addr, "CONFIG_FILE="+m.cfg)
		m.wantService(t)
		if img := m.imagePath(t); strings.Contains(img, "--label") {
			t.Errorf("without SITE and CUSTOMER the service should get no --label:\n%s", img)
		}
		m.msiexec(t, "/x", winPath(newer), "PURGE=1")
		m.removed(t)
		if _, err := os.Stat(m.dataDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("PURGE=1 should remove %s: %v", m.dataDir, err)
		}
	})
}

// wineMSI is a Wine prefix with the Windows build, a loopback test world
// for the service to probe and the place it listens on.
type wineMSI struct {
	wn            *wine
	cfg, addr     string
	want          map[string]probes.Reason
	prog, dataDir string
}

func newWineMSI(t *testing.T) *wineMSI {
	wn := newWine(t)
	w := newTestWorld(t)
	ok := w.Add("ok.pb.test", probetest.OK)
	return &wineMSI{
		wn:      wn,
		cfg:     winPath(w.config(t, 3*time.Second, ok)),
		addr:    freeLoopbackAddr(t),
		want:    map[string]probes.Reason{ok.Host: probetest.OK.Reason()},
		prog:    filepath.Join(wn.prefix, "drive_c", "Program Files", "pbprobe", "pbprobe.exe"),
		dataDir: filepath.Join(wn.prefix, "drive_c", "ProgramData", "pbprobe"),
	}
}

// build makes the MSI of the given version around the Windows build.
func (m *wineMSI) build(t *testing.T, version string) string {
	t.Helper()
	msi := filepath.Join(m.wn.dir, version+".msi")
	cmd := exec.Command("../../packaging/dist.sh", "msi", m.wn.exe, msi)
	cmd.Env = append(os.Environ(), "VERSION="+version)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh msi: %v\n%s", err, out)
	}
	return msi
}

// msiexec runs msiexec silently with a verbose log, shown when it fails.
func (m *wineMSI) msiexec(t *testing.T, args ...string) {
	t.Helper()
	log := filepath.Join(m.wn.dir, "msiexec.log")
	res := m.wn.wine(t, nil, append([]string{"msiexec"}, append(args, "/qn", "/l*v", winPath(log))...)...)
	if res.code != 0 {
		b, _ := os.ReadFile(log)
		t.Fatalf("msiexec %s: exit %d\n%s\n%s", strings.Join(args, " "), res.code, res.stderr, tail(string(b), 3000))
	}
}

// wantService checks the service's command line, with the extra parts
// given, and that it serves the test world's verdict.
func (m *wineMSI) wantService(t *testing.T, extra ...string) {
	t.Helper()
	img := m.imagePath(t)
	history := `--history.file "C:\ProgramData\pbprobe\data\history.json"`
	for _, s := range append([]string{`pbprobe.exe service run --config.file "` + m.cfg + `"`, "--web.listen-address=" + m.addr, history}, extra...) {
		if !strings.Contains(img, s) {
			t.Errorf("the service's command line lacks %q:\n%s", s, img)
		}
	}
	checkReasons(t, waitWineStatus(t, "http://"+m.addr+"/status", len(m.want)), m.want)
}

func (m *wineMSI) imagePath(t *testing.T) string {
	t.Helper()
	return m.wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`, "/v", "ImagePath").stdout
}

// wantHistoryFile: the service, as LocalService, wrote its history file
// into the data folder after its first run, so that a restart keeps it.
func (m *wineMSI) wantHistoryFile(t *testing.T) {
	t.Helper()
	file := filepath.Join(m.dataDir, "data", "history.json")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(file)
		if err == nil && strings.Contains(string(b), `"runs"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("no history file written: %v %q", err, b)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// wantSaved checks the properties the MSI saved for the next one.
func (m *wineMSI) wantSaved(t *testing.T, lines ...string) {
	t.Helper()
	saved := m.wn.wine(t, nil, "reg", "query", `HKLM\SOFTWARE\pbprobe`).stdout
	for _, s := range lines {
		if !strings.Contains(saved, s) {
			t.Errorf("HKLM\\SOFTWARE\\pbprobe lacks %q:\n%s", s, saved)
		}
	}
}

// configured: `service configure` ran (only its Prepare makes the data
// folder); delayed start and recovery are checked where the SCM keeps them.
func (m *wineMSI) configured(t *testing.T) {
	if _, err := os.Stat(filepath.Join(m.dataDir, "data")); err != nil {
		t.Errorf("no data folder: service configure did not run (%v)", err)
	}
	svc := m.wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`).stdout
	if !strings.Contains(svc, "FailureActions") && !strings.Contains(svc, "DelayedAutostart") {
		t.Skip("Wine accepts recovery actions without storing them and has no delayed start; configure notes both (on Windows the SCM keeps them)")
	}
	if !strings.Contains(svc, "DelayedAutostart    REG_DWORD    0x1") {
		t.Errorf("the service is not set to delayed start:\n%s", svc)
	}
}

// removed: no service, no program.
func (m *wineMSI) removed(t *testing.T) {
	t.Helper()
	if res := m.wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`); res.code == 0 {
		t.Errorf("the service is still registered:\n%s", res.stdout)
	}
	if _, err := os.Stat(m.prog); err == nil {
		t.Errorf("%s is still there", m.prog)
	}
}

// tail is the end of s, for logs too long to print whole.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
