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
// service and the program and keeps the logs, unless PURGE=1. Wine has no delayed start
// and no recovery after an error exit: `service configure` notes both and
// the test does not look for them. The service runs the test world's
// config only, so nothing leaves the machine.
func TestWineMSI(t *testing.T) {
	t.Parallel()
	for tool, pkg := range map[string]string{"wixl": "wixl", "msibuild": "msitools", "faketime": "faketime"} {
		if _, err := exec.LookPath(tool); err != nil {
			probetest.Unavailable(t, "%s not found (Debian package %s)", tool, pkg)
		}
	}
	wn := newWine(t)
	older, newer := wineMSI(t, wn, "v0.1.0"), wineMSI(t, wn, "v0.1.1")

	w := newTestWorld(t)
	ok := w.Add("ok.pb.test", probetest.OK)
	want := map[string]probes.Reason{ok.Host: probetest.OK.Reason()}
	cfg := winPath(w.config(t, 3*time.Second, ok))
	addr := freeLoopbackAddr(t)
	prog := filepath.Join(wn.prefix, "drive_c", "Program Files", "pbprobe", "pbprobe.exe")
	logDir := filepath.Join(wn.prefix, "drive_c", "ProgramData", "pbprobe", "logs")
	msiexec := func(t *testing.T, args ...string) {
		t.Helper()
		log := filepath.Join(wn.dir, "msiexec.log")
		res := wn.wine(t, nil, append([]string{"msiexec"}, append(args, "/qn", "/l*v", winPath(log))...)...)
		if res.code != 0 {
			b, _ := os.ReadFile(log)
			t.Fatalf("msiexec %s: exit %d\n%s\n%s", strings.Join(args, " "), res.code, res.stderr, tail(string(b), 3000))
		}
	}
	imagePath := func(t *testing.T) string {
		return wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`, "/v", "ImagePath").stdout
	}
	wantService := func(t *testing.T) {
		t.Helper()
		img := imagePath(t)
		for _, s := range []string{`pbprobe.exe service run --config.file "` + cfg + `"`, "--web.listen-address=" + addr} {
			if !strings.Contains(img, s) {
				t.Errorf("the service's command line lacks %q:\n%s", s, img)
			}
		}
		checkReasons(t, waitWineStatus(t, "http://"+addr+"/status", len(want)), want)
	}

	t.Run("install", func(t *testing.T) {
		msiexec(t, "/i", winPath(older), "LISTEN_ADDRESS="+addr, "CONFIG_FILE="+cfg, "SITE=acme-berlin", "CUSTOMER=acme")
		wantService(t)
		saved := wn.wine(t, nil, "reg", "query", `HKLM\SOFTWARE\pbprobe`).stdout
		for _, s := range []string{"SITE    REG_SZ    acme-berlin", "CUSTOMER    REG_SZ    acme", "Version    REG_SZ    0.1.0.0"} {
			if !strings.Contains(saved, s) {
				t.Errorf("HKLM\\SOFTWARE\\pbprobe lacks %q:\n%s", s, saved)
			}
		}
	})
	// configure ran: only its Prepare makes the data folder.
	t.Run("configured", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(filepath.Dir(logDir), "data")); err != nil {
			t.Errorf("no data folder: service configure did not run (%v)", err)
		}
		svc := wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`).stdout
		if !strings.Contains(svc, "FailureActions") && !strings.Contains(svc, "DelayedAutostart") {
			t.Skip("Wine accepts recovery actions without storing them and has no delayed start; configure notes both (on Windows the SCM keeps them)")
		}
		if !strings.Contains(svc, "DelayedAutostart    REG_DWORD    0x1") {
			t.Errorf("the service is not set to delayed start:\n%s", svc)
		}
	})
	t.Run("upgrade_keeps_properties", func(t *testing.T) {
		msiexec(t, "/i", winPath(newer))
		if saved := wn.wine(t, nil, "reg", "query", `HKLM\SOFTWARE\pbprobe`).stdout; !strings.Contains(saved, "Version    REG_SZ    0.1.1.0") || !strings.Contains(saved, "acme-berlin") {
			t.Errorf("after the upgrade HKLM\\SOFTWARE\\pbprobe is\n%s", saved)
		}
		wantService(t)
	})
	t.Run("uninstall", func(t *testing.T) {
		msiexec(t, "/x", winPath(newer))
		if res := wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`); res.code == 0 {
			t.Errorf("the service is still registered:\n%s", res.stdout)
		}
		if _, err := os.Stat(prog); err == nil {
			t.Errorf("%s is still there", prog)
		}
		if _, err := os.Stat(filepath.Join(logDir, "pbprobe.log")); err != nil {
			t.Errorf("uninstall should keep the log: %v", err)
		}
	})
	t.Run("uninstall_purge", func(t *testing.T) {
		msiexec(t, "/i", winPath(newer), "LISTEN_ADDRESS="+addr, "CONFIG_FILE="+cfg)
		checkReasons(t, waitWineStatus(t, "http://"+addr+"/status", len(want)), want)
		msiexec(t, "/x", winPath(newer), "PURGE=1")
		if _, err := os.Stat(filepath.Dir(logDir)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("PURGE=1 should remove %s: %v", filepath.Dir(logDir), err)
		}
	})
}

// wineMSI builds the MSI of the given version around the Windows build.
func wineMSI(t *testing.T, wn *wine, version string) string {
	t.Helper()
	msi := filepath.Join(wn.dir, version+".msi")
	cmd := exec.Command("../../packaging/dist.sh", "msi", wn.exe, msi)
	cmd.Env = append(os.Environ(), "VERSION="+version)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh msi: %v\n%s", err, out)
	}
	return msi
}

// tail is the end of s, for logs too long to print whole.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
