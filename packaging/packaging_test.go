//go:build linux

// Package packaging_test builds what `make dist` builds, from stand-in or
// tiny binaries so that it stays fast, and inspects it with the tools an
// administrator would use: dpkg-deb, rpm, systemd-analyze, osslsigncode.
// The real `make dist` runs in .ci/run, twice, to show it is reproducible.
package packaging_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTools skips without the Debian tools a test needs, and fails under
// CI=true, where .ci/run installs them.
func needTools(t *testing.T, tools map[string]string) {
	t.Helper()
	for tool, pkg := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing (Debian package %s; .ci/run installs it)", tool, pkg)
			}
			t.Skipf("%s is missing (apt-get install %s)", tool, pkg)
		}
	}
}

// run runs a command and returns its output; it fails the test when the
// command fails.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// standIn writes an executable shell script that prints what it is and
// exits with code.
func standIn(t *testing.T, path, output string, code int) {
	t.Helper()
	script := "#!/bin/sh\nprintf '%s\\n' '" + output + "'\nexit " + string(rune('0'+code)) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func wantAll(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// buildLinux builds one package around a stand-in binary and returns it.
func buildLinux(t *testing.T, packager string) string {
	t.Helper()
	dist := t.TempDir()
	standIn(t, filepath.Join(dist, "pbprobe-linux-amd64"), "pbprobe stand-in", 0)
	env := []string{"DIST=" + dist, "VERSION=v1.2.3-4-gabcdef0", "SOURCE_DATE_EPOCH=1700000000"}
	return strings.TrimSpace(run(t, env, "./dist.sh", "linux", "amd64", packager))
}

func TestDeb(t *testing.T) {
	needTools(t, map[string]string{"dpkg-deb": "dpkg", "systemd-analyze": "systemd", "go": "golang"})
	deb := buildLinux(t, "deb")
	info := run(t, nil, "dpkg-deb", "-I", deb)
	wantAll(t, "dpkg-deb -I", info, "Package: pbprobe", "Version: 1.2.3-5", "Architecture: amd64",
		"conffiles", "postinst", "prerm", "postrm")
	conffiles := run(t, nil, "dpkg-deb", "-f", deb, "Package") // the control file is readable
	if strings.TrimSpace(conffiles) != "pbprobe" {
		t.Errorf("Package field %q", conffiles)
	}
	list := run(t, nil, "dpkg-deb", "-c", deb)
	wantAll(t, "dpkg-deb -c", list, "-rwxr-xr-x root/root", "./usr/bin/pbprobe",
		"./usr/lib/systemd/system/pbprobe.service", "./etc/pbprobe/pbprobe.yml", "2023-11-14 22:13")

	root := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, root)
	unit, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system/pbprobe.service"))
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile("linux/pbprobe.service")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unit, shipped) {
		t.Error("the packaged unit is not packaging/linux/pbprobe.service")
	}
	// systemd-analyze checks that ExecStart's binary exists: point it at
	// the extracted one.
	dir := t.TempDir()
	moved := strings.ReplaceAll(string(unit), "/usr/bin/pbprobe", filepath.Join(root, "usr/bin/pbprobe"))
	if err := os.WriteFile(filepath.Join(dir, "pbprobe.service"), []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "systemd-analyze", "verify", filepath.Join(dir, "pbprobe.service"))

	t.Run("install", func(t *testing.T) { installDeb(t, deb) })
}

// installDeb installs the package on this machine and purges it again: only
// under CI=true as root (CI's machine is thrown away), and only where
// systemd is not running, since the package starts the service, which
// probes the real Password Boss hosts.
func installDeb(t *testing.T, deb string) {
	switch {
	case os.Getenv("CI") != "true":
		t.Skip("installs on this machine: only under CI=true")
	case os.Geteuid() != 0:
		t.Fatal("dpkg -i needs root; .ci/run runs as root")
	}
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("systemd runs here: installing would start the service, which probes the real hosts")
	}
	if _, err := os.Stat("/usr/bin/pbprobe"); err == nil {
		t.Skip("/usr/bin/pbprobe exists: not overwriting it")
	}
	run(t, nil, "dpkg", "-i", deb)
	defer run(t, nil, "dpkg", "--purge", "pbprobe")
	for _, f := range []string{"/usr/bin/pbprobe", "/usr/lib/systemd/system/pbprobe.service", "/etc/pbprobe/pbprobe.yml"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after dpkg -i: %v", err)
		}
	}
	run(t, nil, "systemd-analyze", "verify", "/usr/lib/systemd/system/pbprobe.service")
	if _, err := exec.LookPath("useradd"); err == nil {
		run(t, nil, "getent", "passwd", "pbprobe")
	}
	// The config is a conffile: an administrator's edit survives a
	// reinstall (the upgrade path of the maintainer scripts).
	const edited = "interval: 10m\n"
	if err := os.WriteFile("/etc/pbprobe/pbprobe.yml", []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, []string{"DEBIAN_FRONTEND=noninteractive"}, "dpkg", "-i", "--force-confold", deb)
	if b, err := os.ReadFile("/etc/pbprobe/pbprobe.yml"); err != nil || string(b) != edited {
		t.Errorf("after reinstalling, the config is %q (%v), want the edit kept", b, err)
	}
	run(t, nil, "dpkg", "--purge", "pbprobe")
	for _, f := range []string{"/usr/bin/pbprobe", "/usr/lib/systemd/system/pbprobe.service", "/etc/pbprobe/pbprobe.yml"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is still there after dpkg --purge", f)
		}
	}
	if err := exec.Command("getent", "passwd", "pbprobe").Run(); err == nil {
		t.Error("the pbprobe user is still there after dpkg --purge")
	}
}

func TestRPM(t *testing.T) {
	needTools(t, map[string]string{"rpm": "rpm", "go": "golang"})
	rpm := buildLinux(t, "rpm")
	info := run(t, nil, "rpm", "-qip", rpm)
	wantAll(t, "rpm -qip", info, "Name        : pbprobe", "Version     : 1.2.3", "Release     : 5",
		"Architecture: x86_64", "Build Host  : pbprobe")
	wantAll(t, "rpm -qlp", run(t, nil, "rpm", "-qlp", rpm),
		"/usr/bin/pbprobe", "/usr/lib/systemd/system/pbprobe.service", "/etc/pbprobe/pbprobe.yml")
	if got := strings.TrimSpace(run(t, nil, "rpm", "-qp", "--configfiles", rpm)); got != "/etc/pbprobe/pbprobe.yml" {
		t.Errorf("config files %q, want the config file only", got)
	}
	wantAll(t, "rpm --scripts", run(t, nil, "rpm", "-qp", "--scripts", rpm),
		"postinstall scriptlet", "preuninstall scriptlet", "postuninstall scriptlet", "useradd --system")
	again := buildLinux(t, "rpm")
	a, _ := os.ReadFile(rpm)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same rpm differ")
	}
}
