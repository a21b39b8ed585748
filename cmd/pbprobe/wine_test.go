//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestWine runs the Windows build for real under Wine (Debian's wine 8.0):
// version, check against the loopback test world in JSON (every scenario)
// and in German, and the service commands against Wine's service manager.
// One Wine prefix serves every step; each step Wine cannot do skips alone,
// with the reason.
func TestWine(t *testing.T) {
	t.Parallel()
	wn := newWine(t)

	w := newTestWorld(t)
	hosts := map[probetest.Scenario]probes.Target{}
	for _, s := range probetest.Scenarios() {
		hosts[s] = w.Add(strings.ReplaceAll(string(s), "_", "-")+".pb.test", s)
	}
	// pick returns the targets of scenarios and the reason each host must get.
	pick := func(ss ...probetest.Scenario) ([]probes.Target, map[string]probes.Reason) {
		var targets []probes.Target
		want := map[string]probes.Reason{}
		for _, s := range ss {
			targets = append(targets, hosts[s])
			want[hosts[s].Host] = s.Reason()
		}
		return targets, want
	}

	t.Run("version", func(t *testing.T) {
		t.Parallel()
		res := wn.run(t, nil, "version")
		if res.code != 0 || !strings.Contains(res.stdout, "pbprobe, version") || !strings.Contains(res.stdout, "windows/amd64") {
			t.Errorf("version: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
	})

	t.Run("check_json", func(t *testing.T) {
		t.Parallel()
		targets, want := pick(probetest.Scenarios()...)
		res := wn.run(t, nil, "check", "--format", "json", "--config.file", winPath(w.config(t, 2*time.Second, targets...)))
		if res.code != exitNotReady {
			t.Errorf("exit code %d, want %d; stderr %s", res.code, exitNotReady, res.stderr)
		}
		checkReasons(t, res.stdout, want)
		// The Windows proxy reader runs for real: as the one user Wine
		// runs everything as (not a service account), it reads every
		// source for that user.
		checkProxySourcesRead(t, res.stdout, "env", "wininet", "winhttp")
		// Wine 8.0 fails every Go UDP socket (SIO_UDP_NETRESET is not
		// implemented), so the answers must have come over TCP.
		for host, tr := range dnsTransports(t, res.stdout) {
			if tr != "tcp" {
				t.Errorf("%s: dns.transport %q, want tcp (the fallback from UDP, which Wine 8.0 cannot do)", host, tr)
			}
		}
	})

	t.Run("check_udp_with_netreset_shim", func(t *testing.T) {
		t.Parallel()
		ok := hosts[probetest.OK]
		res := wn.run(t, []string{"PBPROBE_WINE_NETRESET=1"}, "check", "--format", "json", "--config.file", winPath(w.config(t, 3*time.Second, ok)))
		if res.code != exitReady {
			t.Errorf("exit code %d, want %d; stderr %s", res.code, exitReady, res.stderr)
		}
		checkReasons(t, res.stdout, map[string]probes.Reason{ok.Host: probes.ReasonOK})
		if tr := dnsTransports(t, res.stdout)[ok.Host]; tr != "udp" {
			t.Errorf("dns.transport %q, want udp once the shim answers SIO_UDP_NETRESET", tr)
		}
	})

	t.Run("check_text_de", func(t *testing.T) {
		t.Parallel()
		targets, _ := pick(probetest.OK, probetest.Intercepted)
		res := wn.run(t, nil, "check", "--lang", "de", "--config.file", winPath(w.config(t, 3*time.Second, targets...)))
		if res.code != exitNotReady {
			t.Errorf("exit code %d, want %d; stderr %s", res.code, exitNotReady, res.stderr)
		}
		if !utf8.ValidString(res.stdout) {
			t.Errorf("output is not UTF-8:\n%q", res.stdout)
		}
		for _, s := range []string{"NICHT BEREIT", "ok.pb.test", "tls-intercepted.pb.test", "tls_intercepted", "ü"} {
			if !strings.Contains(res.stdout, s) {
				t.Errorf("German output lacks %q:\n%s", s, res.stdout)
			}
		}
	})

	t.Run("service", func(t *testing.T) {
		t.Parallel()
		targets, want := pick(probetest.OK, probetest.Intercepted, probetest.NXDomain, probetest.PortRefused, probetest.Expired)
		wn.service(t, w, targets, want)
	})
}

// service walks install, start, status, restart, stop and uninstall
// through Wine's service manager, one subtest per step; a step whose
// prerequisite did not happen is skipped with that reason.
func (wn *wine) service(t *testing.T, w *testWorld, targets []probes.Target, want map[string]probes.Reason) {
	addr := freeLoopbackAddr(t)
	cfg := w.config(t, 3*time.Second, targets...)
	logFile := filepath.Join(wn.prefix, "drive_c", "ProgramData", "pbprobe", "logs", "pbprobe.log")
	var installed, started bool
	defer func() {
		if t.Failed() {
			if b, err := os.ReadFile(logFile); err == nil {
				t.Logf("service log %s:\n%s", logFile, b)
			}
		}
	}()
	requires := func(t *testing.T, ok bool, what string) {
		t.Helper()
		if !ok {
			t.Skipf("skipped: the service was not %s in an earlier step", what)
		}
	}

	t.Run("install", func(t *testing.T) {
		res := wn.run(t, nil, "service", "install", "--config.file", winPath(cfg), "--web.listen-address", addr)
		if res.code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
		}
		installed = true
		if !strings.Contains(res.stdout, "installed the pbprobe service (windows-service)") {
			t.Errorf("stdout %q", res.stdout)
		}
		// Wine has no delayed automatic start and no flag for recovery
		// after an error exit: install notes both and goes on.
		t.Logf("install: %s%s", res.stdout, res.stderr)

		// What the SCM stored: automatic start, the explicit entry point
		// (Wine's SCM is not detected as one) and the LocalService account,
		// which Wine records but does not switch to.
		reg := wn.wine(t, nil, "reg", "query", `HKLM\System\CurrentControlSet\Services\pbprobe`)
		for _, s := range []string{`NT AUTHORITY\LocalService`, "Start    REG_DWORD    0x2", `pbprobe.exe service run --config.file ` + winPath(cfg)} {
			if !strings.Contains(reg.stdout, s) {
				t.Errorf("the service's registry key lacks %q:\n%s", s, reg.stdout)
			}
		}
	})

	t.Run("start", func(t *testing.T) {
		requires(t, installed, "installed")
		res := wn.run(t, nil, "service", "start")
		if res.code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
		}
		started = true
	})

	t.Run("status_endpoint", func(t *testing.T) {
		requires(t, started, "started")
		doc := waitWineStatus(t, "http://"+addr+"/status", len(want))
		checkReasons(t, doc, want)
		for host, tr := range dnsTransports(t, doc) {
			if tr != "tcp" {
				t.Errorf("%s: dns.transport %q, want tcp", host, tr)
			}
		}
		// The service logs to its file under %ProgramData%, which install
		// created.
		waitLog(t, logFile, "pbprobe agent starting", 1)
	})

	t.Run("status", func(t *testing.T) {
		requires(t, started, "started")
		res := wn.run(t, nil, "service", "status", "--web.listen-address", addr)
		if res.code != exitNotReady || !strings.Contains(res.stdout, "service pbprobe: running (windows-service)") || !strings.Contains(res.stdout, "tls-intercepted.pb.test") {
			t.Errorf("exit %d, want %d (running, not ready)\nstdout: %s\nstderr: %s", res.code, exitNotReady, res.stdout, res.stderr)
		}
	})

	// restart is a stop through the SCM (the agent logs a clean stop) and
	// a second process that probes again.
	t.Run("restart", func(t *testing.T) {
		requires(t, started, "started")
		res := wn.run(t, nil, "service", "restart")
		if res.code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
		}
		waitLog(t, logFile, "pbprobe agent stopped", 1)
		waitLog(t, logFile, "pbprobe agent starting", 2)
		checkReasons(t, waitWineStatus(t, "http://"+addr+"/status", len(want)), want)
	})

	t.Run("stop", func(t *testing.T) {
		requires(t, started, "started")
		res := wn.run(t, nil, "service", "stop")
		if res.code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
		}
		waitLog(t, logFile, "pbprobe agent stopped", 2)
		if resp, err := http.Get("http://" + addr + "/status"); err == nil {
			resp.Body.Close()
			t.Errorf("the agent still answers after stop")
		}
		res = wn.run(t, nil, "service", "status", "--web.listen-address", addr)
		if res.code != exitInternal || !strings.Contains(res.stdout, "stopped") {
			t.Errorf("status after stop: exit %d, stdout %q", res.code, res.stdout)
		}
	})

	t.Run("uninstall", func(t *testing.T) {
		requires(t, installed, "installed")
		res := wn.run(t, nil, "service", "uninstall")
		if res.code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
		}
		// The service manager may finish the deletion after uninstall
		// returns (and Wine's own start-up has failed once, in 10 ms with
		// no output, right after it): ask again for a few seconds.
		deadline := time.Now().Add(5 * time.Second)
		for {
			res = wn.run(t, nil, "service", "status")
			if res.code == exitInternal && strings.Contains(res.stdout, "not installed") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("status after uninstall: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
			}
			time.Sleep(250 * time.Millisecond)
		}
	})
}

// checkProxySourcesRead asserts that doc's proxy_sources are sources, in
// that order, each read.
func checkProxySourcesRead(t *testing.T, doc string, sources ...string) {
	t.Helper()
	var d struct {
		ProxySources []struct {
			Source string `json:"source"`
			Read   bool   `json:"read"`
			Why    string `json:"why"`
		} `json:"proxy_sources"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	var got []string
	for _, s := range d.ProxySources {
		got = append(got, fmt.Sprintf("%s read=%v%s", s.Source, s.Read, s.Why))
	}
	var want []string
	for _, s := range sources {
		want = append(want, s+" read=true")
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("proxy_sources %v, want %v", got, want)
	}
}

// checkReasons asserts that the JSON report doc has exactly the hosts of
// want, each with its reason.
func checkReasons(t *testing.T, doc string, want map[string]probes.Reason) {
	t.Helper()
	d := decode(t, doc)
	if len(d.Hosts) != len(want) {
		t.Errorf("%d hosts, want %d:\n%s", len(d.Hosts), len(want), doc)
	}
	for _, h := range d.Hosts {
		if r, ok := want[h.Host]; !ok || h.Reason != string(r) {
			t.Errorf("%s: reason %s (%s), want %s", h.Host, h.Reason, h.Message, r)
		}
	}
}

// dnsTransports maps each host of a JSON report to its dns.transport.
func dnsTransports(t *testing.T, doc string) map[string]string {
	t.Helper()
	var d struct {
		Hosts []struct {
			Host string `json:"host"`
			DNS  struct {
				Transport string `json:"transport"`
			} `json:"dns"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, doc)
	}
	m := map[string]string{}
	for _, h := range d.Hosts {
		m[h.Host] = h.DNS.Transport
	}
	return m
}

// waitWineStatus polls url until the agent's first run is in (no host is
// not_checked) and returns the document.
func waitWineStatus(t *testing.T, url string, hosts int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			last = b.String()
			var d jsonDoc
			if json.Unmarshal(b.Bytes(), &d) == nil && len(d.Hosts) == hosts && !strings.Contains(last, `"not_checked"`) {
				return last
			}
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("no finished run at %s within 60 s; last: %s", url, last)
	return ""
}

// waitLog waits until the log file has at least n lines with msg.
func waitLog(t *testing.T, file, msg string, n int) {
	t.Helper()
	needle := fmt.Sprintf("%q:%q", "msg", msg)
	var got int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		b, _ := os.ReadFile(file)
		if got = strings.Count(string(b), needle); got >= n {
			return
		}
	}
	t.Errorf("%s: %d lines with %s, want %d", file, got, needle, n)
}

// winPath is a Unix path as Wine's Windows programs see it: Z: is /.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// wine is a Wine prefix with the test shim installed, the Windows build of
// pbprobe and a persistent wineserver, for one test binary run.
type wine struct {
	prefix, exe, dir string
	env              []string
}

// newWine builds everything TestWine needs, concurrently: the Windows
// binary, the shim DLL and the prefix (the slow part, 5 to 30 s).
func newWine(t *testing.T) *wine {
	t.Helper()
	for _, tool := range []string{"wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			probetest.Unavailable(t, "%s not found (Debian packages wine, wine64, gcc-mingw-w64-x86-64-win32)", tool)
		}
	}
	dir := t.TempDir()
	wn := &wine{prefix: filepath.Join(dir, "prefix"), exe: filepath.Join(dir, "pbprobe.exe"), dir: dir}
	if err := os.Mkdir(wn.prefix, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "DISPLAY", "WAYLAND_DISPLAY", "WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES", "WINEARCH", "LANG", "LANGUAGE", "TMPDIR", "PBPROBE_WINE_NETRESET":
		default:
			if !strings.HasPrefix(k, "LC_") {
				wn.env = append(wn.env, kv)
			}
		}
	}
	// No mono or gecko (nothing here uses .NET or HTML), English, quiet;
	// Debian's wineserver makes its socket folder in TMPDIR, which would
	// otherwise leave a /tmp/wine-XXXXXX behind on every run.
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	wn.env = append(wn.env, "WINEPREFIX="+wn.prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "LANG=C.UTF-8", "TMPDIR="+tmp)

	// Runs after the TempDir removal is registered, so before it: a
	// wineserver or service left behind would hold the prefix.
	t.Cleanup(func() {
		_ = wn.tool(30*time.Second, "wineserver", "-k")
		_ = wn.tool(30*time.Second, "wineserver", "-w")
	})
	// A persistent wineserver keeps services.exe and the service alive
	// between the commands; by default it would end them 3 s after the
	// last Wine process. Should the test binary die before its cleanup,
	// the server still ends a minute after that.
	if err := wn.tool(30*time.Second, "wineserver", "-p60"); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() {
		build := exec.Command("go", "build", "-o", wn.exe, ".")
		build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			errs[0] = fmt.Errorf("GOOS=windows go build: %v\n%s", err, out)
		}
	})
	dll := filepath.Join(dir, "bcryptprimitives.dll")
	wg.Go(func() {
		cc := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-Wall", "-o", dll,
			filepath.Join("testdata", "wine", "bcryptprimitives.c"), filepath.Join("testdata", "wine", "bcryptprimitives.def"), "-ladvapi32")
		if out, err := cc.CombinedOutput(); err != nil {
			errs[1] = fmt.Errorf("building the shim: %v\n%s", err, out)
		}
	})
	wg.Go(func() { errs[2] = wn.tool(3*time.Minute, "wineboot", "--init") })
	start := time.Now()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// Booting a new prefix leaves two services.exe behind, each with its
	// own service database: a service installed through one is missing
	// from the other, and consecutive commands see it come and go. Start
	// the prefix again, which starts one.
	for _, args := range [][]string{{"-k"}, {"-w"}, {"-p60"}} {
		if err := wn.tool(30*time.Second, "wineserver", args...); err != nil {
			t.Fatal(err)
		}
	}
	// Wine's null display driver: without it the first program that
	// touches user32 waits 5 s for a desktop that cannot open without X.
	if err := wn.tool(time.Minute, "wine", "reg", "add", `HKCU\Software\Wine\Drivers`, "/v", "Graphics", "/d", "null", "/f"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dll)
	if err == nil {
		err = os.WriteFile(filepath.Join(wn.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Wine prefix, shim and Windows build ready in %s", time.Since(start).Round(100*time.Millisecond))
	return wn
}

// tool runs a Wine tool for the prefix with its output in a file: the
// daemons wineboot and wineserver start inherit it, and a pipe would keep
// the command from ever returning.
func (wn *wine) tool(timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	log, err := os.CreateTemp(wn.dir, name+"-*.log")
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = wn.env, wn.dir, log, log
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// run runs pbprobe.exe under Wine with the extra environment variables.
func (wn *wine) run(t *testing.T, vars []string, args ...string) cmdResult {
	t.Helper()
	return wn.wine(t, vars, append([]string{wn.exe}, args...)...)
}

// wine runs a Windows program (args[0]) under Wine.
func (wn *wine) wine(t *testing.T, vars []string, args ...string) cmdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, "wine", args...)
	name := strings.Join(append([]string{filepath.Base(args[0])}, args[1:]...), " ")
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = append(wn.env[:len(wn.env):len(wn.env)], vars...), wn.dir, &out, &errOut
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	res := cmdResult{code: -1, stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
		res.code = 0
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("wine %s: %v\n%s", name, err, res.stderr)
	}
	t.Logf("wine %s: exit %d in %s", name, res.code, res.took.Round(10*time.Millisecond))
	return res
}
