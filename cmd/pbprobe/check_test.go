package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// testWorld is a probetest.World plus a config file that points pbprobe at
// it, the way a technician's --config.file would.
type testWorld struct {
	*probetest.World
	dir, system, public string
	// control is the loopback control site every config points at.
	control string
}

func newTestWorld(t testing.TB) *testWorld {
	t.Helper()
	w := probetest.NewWorld(t)
	dir := t.TempDir()
	system, public, err := w.WritePEMs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &testWorld{World: w, dir: dir, system: system, public: public, control: probetest.Control(t)}
}

// config writes a config file for targets and returns its path.
func (w *testWorld) config(t testing.TB, timeout time.Duration, targets ...probes.Target) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "timeout: %s\ndns:\n  servers: [%q]\ntls:\n  system_roots: %q\n  public_roots: %q\n",
		timeout, w.DNS.Addr(), w.system, w.public)
	fmt.Fprintf(&b, "network:\n  control_url: %q\n  control_expect: %q\nhosts:\n", w.control, probetest.ControlAnswer)
	for _, tg := range targets {
		fmt.Fprintf(&b, "  - host: %s\n    port: %d\n    allow_private: %v\n", tg.Host, tg.Port, tg.AllowPrivate)
	}
	path := filepath.Join(t.TempDir(), "pbprobe.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type cmdResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func runCmd(t *testing.T, args ...string) cmdResult {
	t.Helper()
	return runCmdEnv(t, false, nil, args...)
}

// runCmdEnv runs pbprobe in-process with stdout as a terminal or not and
// the given environment variables.
func runCmdEnv(t *testing.T, tty bool, vars map[string]string, args ...string) cmdResult {
	t.Helper()
	var out, errOut bytes.Buffer
	e := env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }, stdoutTTY: tty}
	start := time.Now()
	code := run(context.Background(), args, e)
	return cmdResult{code: code, stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
}

type jsonDoc struct {
	Ready bool `json:"ready"`
	Hosts []struct {
		Host     string `json:"host"`
		OK       bool   `json:"ok"`
		Reason   string `json:"reason"`
		Stage    string `json:"stage"`
		Message  string `json:"message"`
		Hint     string `json:"hint"`
		Warnings []struct {
			Code string `json:"code"`
		} `json:"warnings"`
	} `json:"hosts"`
}

func decode(t *testing.T, s string) jsonDoc {
	t.Helper()
	var d jsonDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	return d
}

// TestCheckReportsEachReason runs `pbprobe check --format json` against a
// world with one host per scenario and asserts the reason, stage and exit
// code the user sees.
func TestCheckReportsEachReason(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	for _, s := range probetest.Scenarios() {
		host := strings.ReplaceAll(string(s), "_", "-") + ".pb.test"
		target := w.Add(host, s)
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			res := runCmd(t, "check", "--format", "json", "--config.file", w.config(t, 1500*time.Millisecond, target))
			want := s.Reason()
			wantCode := exitNotReady
			if want.OK() {
				wantCode = exitReady
			}
			if res.code != wantCode {
				t.Errorf("exit code %d, want %d; stderr %s", res.code, wantCode, res.stderr)
			}
			d := decode(t, res.stdout)
			if len(d.Hosts) != 1 {
				t.Fatalf("hosts = %d", len(d.Hosts))
			}
			h := d.Hosts[0]
			if h.Reason != string(want) || h.Stage != string(want.Stage()) || h.OK != want.OK() || d.Ready != want.OK() {
				t.Errorf("got reason %s stage %q ok %v ready %v, want %s %q", h.Reason, h.Stage, h.OK, d.Ready, want, want.Stage())
			}
			if h.Message == "" || (!h.OK && h.Hint == "") {
				t.Errorf("message %q hint %q: a person gets no words", h.Message, h.Hint)
			}
		})
	}
}

// TestCheckBlackholeWithinTimeout: five hosts, one behind a real dropped
// SYN; the whole check ends within its timeout plus 0.5 s, names the
// blackholed host tcp_timeout and the others ok.
func TestCheckBlackholeWithinTimeout(t *testing.T) {
	v4, _ := probetest.Blackhole(t)
	w := newTestWorld(t)
	var targets []probes.Target
	for _, name := range []string{"api", "app-updates", "app-updates2", "portal"} {
		targets = append(targets, w.Add(name+".pb.test", probetest.OK))
	}
	w.DNS.Set("app.pb.test", probetest.Answer{A: []netip.Addr{v4}})
	targets = append(targets, probes.Target{Host: "app.pb.test", Port: 443, AllowPrivate: true})

	const timeout = 2 * time.Second
	res := runCmd(t, "check", "--format", "json", "--config.file", w.config(t, timeout, targets...))
	if res.took > timeout+500*time.Millisecond {
		t.Errorf("check took %s, more than timeout %s + 0.5 s", res.took, timeout)
	}
	if res.code != exitNotReady {
		t.Errorf("exit code %d, want %d", res.code, exitNotReady)
	}
	d := decode(t, res.stdout)
	for _, h := range d.Hosts {
		want := "ok"
		if h.Host == "app.pb.test" {
			want = "tcp_timeout"
		}
		if h.Reason != want {
			t.Errorf("%s: reason %s, want %s", h.Host, h.Reason, want)
		}
	}
}

func TestCheckUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("timeout: 10s\nhosts:\n  - host: api.passwordboss.com\n    port: 70000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown format", []string{"check", "--format", "xml"}, exitUsage, "--format"},
		{"unknown flag", []string{"check", "--bogus"}, exitUsage, "bogus"},
		{"bad lang", []string{"check", "--lang", "fr"}, exitUsage, "--lang"},
		{"timeout too long", []string{"check", "--timeout", "10m"}, exitUsage, "--timeout"},
		{"timeout without a unit", []string{"check", "--timeout", "10"}, exitUsage, "use a unit, e.g. 10s"},
		{"stray argument", []string{"check", "api.passwordboss.com"}, exitUsage, "unexpected argument"},
		{"missing config", []string{"check", "--config.file", filepath.Join(dir, "nope.yml")}, exitUsage, "nope.yml"},
		{"bad config names the line", []string{"check", "--config.file", bad}, exitUsage, "bad.yml:4"},
		{"nagios says UNKNOWN", []string{"check", "--exit-codes", "nagios", "--format", "xml"}, 3, "--format"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"no command", nil, exitUsage, "Usage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runCmd(t, tc.args...)
			if res.code != tc.code || !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("code %d stderr %q; want %d and %q", res.code, res.stderr, tc.code, tc.stderr)
			}
		})
	}
}

func TestCheckTextAndNagios(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	ok := w.Add("ok.pb.test", probetest.OK)
	bad := w.Add("intercepted.pb.test", probetest.Intercepted)
	cfg := w.config(t, 2*time.Second, ok, bad)

	res := runCmd(t, "check", "--config.file", cfg, "--lang", "de")
	if res.code != exitNotReady {
		t.Errorf("exit code %d", res.code)
	}
	// Prose wraps between words, also inside a quoted name.
	flat := strings.Join(strings.Fields(res.stdout), " ")
	for _, want := range []string{"ok.pb.test", "OK", "intercepted.pb.test", "FAIL", "tls_intercepted", probetest.InspectionCAName} {
		if !strings.Contains(flat, want) {
			t.Errorf("text output lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "\x1b[") {
		t.Errorf("colour codes in output that is not a terminal:\n%q", res.stdout)
	}

	if res := runCmd(t, "check", "--config.file", cfg, "--exit-codes", "nagios"); res.code != 2 {
		t.Errorf("nagios exit code for not ready = %d, want 2 (CRITICAL)", res.code)
	}
	if res := runCmd(t, "check", "--config.file", w.config(t, 2*time.Second, ok), "--exit-codes", "nagios"); res.code != 0 {
		t.Errorf("nagios exit code for ready = %d, want 0", res.code)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	res := runCmd(t, "version")
	if res.code != 0 || !strings.Contains(res.stdout, "pbprobe, version") {
		t.Errorf("version: %d %q", res.code, res.stdout)
	}
}

// TestCheckOnTerminal: a terminal gets colour (unless NO_COLOR) and the
// hosts as they finish, fast ones before slow ones.
func TestCheckOnTerminal(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	slow := w.AddWith("slow.pb.test", probetest.Answer{Delay: 300 * time.Millisecond}, probetest.ServerOptions{})
	fast := w.Add("fast.pb.test", probetest.OK)
	cfg := w.config(t, 2*time.Second, slow, fast)

	res := runCmdEnv(t, true, nil, "check", "--config.file", cfg)
	if res.code != exitReady {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "\x1b[1;") {
		t.Errorf("no colour on a terminal:\n%s", res.stdout)
	}
	// While the slow host runs it is shown pending, the fast one done;
	// then the progress is erased and the report follows in table order.
	progress, report, ok := strings.Cut(res.stdout, "Machine:")
	if !ok || !strings.Contains(progress, "slow.pb.test:"+itoa(slow.Port)+"        running, ") || !strings.Contains(progress, "\x1b[J") {
		t.Errorf("no pending host in the progress view:\n%q", res.stdout)
	}
	if f, s := strings.Index(report, "fast.pb.test"), strings.Index(report, "slow.pb.test"); f < 0 || s < 0 || s > f {
		t.Errorf("the report is not in table order:\n%s", res.stdout)
	}
	res = runCmdEnv(t, true, map[string]string{"NO_COLOR": "1", "LANG": "de_DE.UTF-8"}, "check", "--config.file", cfg)
	if strings.Contains(res.stdout, "\x1b[1;") {
		t.Errorf("colour despite NO_COLOR:\n%s", res.stdout)
	}
	if !strings.Contains(res.stdout, "BEREIT") {
		t.Errorf("LANG=de_DE.UTF-8 did not give German:\n%s", res.stdout)
	}
}

// TestCheckUsesTheProxy: with HTTPS_PROXY set, check goes through it as the
// apps would; a proxy that is not there is proxy_unreachable, whatever the
// direct path says.
func TestCheckUsesTheProxy(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	dead := "http://127.0.0.1:" + itoa(probetest.ClosedPort(t))
	res := runCmdEnv(t, false, map[string]string{"HTTPS_PROXY": dead}, "check", "--format", "json", "--config.file", w.config(t, 2*time.Second, target))
	d := decode(t, res.stdout)
	if res.code != exitNotReady || len(d.Hosts) != 1 || d.Hosts[0].Reason != "proxy_unreachable" {
		t.Fatalf("exit %d, %+v\n%s", res.code, d.Hosts, res.stderr)
	}
	var raw struct {
		Hosts []struct {
			Proxy  struct{ Source, Address string } `json:"proxy"`
			Direct struct{ Reason string }          `json:"direct"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	if h := raw.Hosts[0]; h.Proxy.Source != "env" || h.Direct.Reason != "ok" {
		t.Errorf("proxy %+v direct %+v", h.Proxy, h.Direct)
	}
}

// TestCheckCaptivePortal: with captive_portal.url configured, a redirect
// from that URL is reported as a machine-level finding.
func TestCheckCaptivePortal(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.RedirectHandler("http://login.hotel.example/", http.StatusFound)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	cfg := w.config(t, 2*time.Second, w.Add("api.pb.test", probetest.OK))
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "captive_portal:\n  url: http://%s/connecttest.txt\n  expect: Microsoft Connect Test\n", ln.Addr())
	f.Close()

	res := runCmd(t, "check", "--format", "json", "--config.file", cfg)
	var doc struct {
		CaptivePortal struct {
			Detected bool   `json:"detected"`
			Location string `json:"location"`
			Message  string `json:"message"`
		} `json:"captive_portal"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	if !doc.CaptivePortal.Detected || doc.CaptivePortal.Location != "http://login.hotel.example/" {
		t.Errorf("captive portal = %+v", doc.CaptivePortal)
	}
	text := runCmd(t, "check", "--config.file", cfg)
	if !strings.Contains(text.stdout, "login.hotel.example") {
		t.Errorf("the text output does not mention the portal:\n%s", text.stdout)
	}
}

// A 5xx from the service itself is a warning: the path works, the PC is
// ready (exit 0), and a Nagios monitor sees WARNING.
func TestCheckServiceError(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	cfg := w.config(t, 3*time.Second, w.AddWith("api.pb.test", probetest.Answer{},
		probetest.ServerOptions{HTTPResponse: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0"}))
	res := runCmd(t, "check", "--format", "json", "--config.file", cfg)
	if res.code != exitReady {
		t.Fatalf("exit %d, want %d (a warning is not a failure)\n%s%s", res.code, exitReady, res.stdout, res.stderr)
	}
	d := decode(t, res.stdout)
	if len(d.Hosts) != 1 || !d.Hosts[0].OK || len(d.Hosts[0].Warnings) != 1 || d.Hosts[0].Warnings[0].Code != "http_server_error" {
		t.Fatalf("hosts %+v; want one ok host with the http_server_error warning", d.Hosts)
	}
	if res := runCmd(t, "check", "--exit-codes", "nagios", "--config.file", cfg); res.code != 1 {
		t.Errorf("nagios exit %d, want 1 (WARNING)", res.code)
	}
}
