package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// testAgent is `pbprobe run` started in-process against a test world.
type testAgent struct {
	base    string // http://127.0.0.1:port
	logFile string
	stop    func() time.Duration // cancels and returns how long the agent took to stop
	console *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startTestAgent(t *testing.T, cfgFile string, extra ...string) *testAgent {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "logs", "pbprobe.log")
	args := append([]string{"--config.file", cfgFile, "--web.listen-address", "127.0.0.1:0",
		"--log.file", logFile, "--log.level", "debug", "--interval", "1s", "--web.enable-lifecycle"}, extra...)
	console := &lockedBuffer{}
	f, err := parseRunFlags(args, env{stderr: console, getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- startAgent(ctx, f, console, func(string) string { return "" }, func(a net.Addr) { addrc <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("agent did not start: %v\n%s", err, console)
	case <-time.After(10 * time.Second):
		t.Fatal("agent did not start within 10 s")
	}
	var once sync.Once
	var took time.Duration
	stop := func() time.Duration {
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("agent stopped with %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("agent did not stop within 10 s")
			}
			took = time.Since(start)
		})
		return took
	}
	t.Cleanup(func() { stop() })
	return &testAgent{base: "http://" + addr.String(), logFile: logFile, stop: stop, console: console}
}

func (a *testAgent) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(a.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitStatus polls /status until every host has the wanted reason.
func (a *testAgent) waitStatus(t *testing.T, want map[string]string) jsonDoc {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		_, body := a.get(t, "/status")
		last = body
		d := decode(t, body)
		match := len(d.Hosts) == len(want)
		for _, h := range d.Hosts {
			match = match && want[h.Host] == h.Reason
		}
		if match {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("status never reached %v; last:\n%s", want, last)
	return jsonDoc{}
}

func (a *testAgent) reload(t *testing.T) int {
	t.Helper()
	resp, err := http.Post(a.base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// logLines returns the messages of the JSON log file for host.
func logLines(t *testing.T, file, host string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct {
			Level, Msg, Host, Reason string
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		if e.Host == host && e.Level != "debug" {
			out = append(out, e.Msg+" "+e.Reason)
		}
	}
	return out
}

// TestAgentFollowsTheWorld: a fault switched on in the world flips the
// metrics and /status on the next run, switched off it comes back, and the
// log file holds one line per transition.
func TestAgentFollowsTheWorld(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	api := w.Add("api.pb.test", probetest.OK)
	portal := w.Add("portal.pb.test", probetest.OK)
	a := startTestAgent(t, w.config(t, 2*time.Second, api, portal))

	a.waitStatus(t, map[string]string{"api.pb.test": "ok", "portal.pb.test": "ok"})
	metric := func(name string) string {
		_, body := a.get(t, "/metrics")
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, name) {
				return l
			}
		}
		return ""
	}
	if got := metric(`pbprobe_host_up{host="api.pb.test"`); !strings.HasSuffix(got, " 1") {
		t.Errorf("host_up before the fault: %q", got)
	}

	w.DNS.Set("api.pb.test", probetest.Answer{Rcode: 3})
	d := a.waitStatus(t, map[string]string{"api.pb.test": "dns_nxdomain", "portal.pb.test": "ok"})
	if d.Ready {
		t.Error("ready with a required host failing")
	}
	if got := metric(`pbprobe_host_up{host="api.pb.test"`); !strings.HasSuffix(got, " 0") {
		t.Errorf("host_up during the fault: %q", got)
	}
	if got := metric(`pbprobe_host_reason{host="api.pb.test",port=` + "\"" + itoa(api.Port) + `",reason="dns_nxdomain"}`); !strings.HasSuffix(got, " 1") {
		t.Errorf("host_reason during the fault: %q", got)
	}
	if got := metric("pbprobe_ready "); got != "pbprobe_ready 0" {
		t.Errorf("ready during the fault: %q", got)
	}

	w.DNS.Set("api.pb.test", probetest.Answer{A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}})
	a.waitStatus(t, map[string]string{"api.pb.test": "ok", "portal.pb.test": "ok"})
	if got := metric(`pbprobe_host_up{host="api.pb.test"`); !strings.HasSuffix(got, " 1") {
		t.Errorf("host_up after the fault: %q", got)
	}
	if took := a.stop(); took > 2*time.Second {
		t.Errorf("stop took %s, want at most 2 s", took)
	}
	got := logLines(t, a.logFile, "api.pb.test")
	want := []string{"host up ", "host down dns_nxdomain", "host up "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("log lines for api.pb.test:\n got %q\nwant %q", got, want)
	}
}

// TestAgentStopsDuringSlowProbes: SIGTERM in the middle of a run that waits
// on a silent resolver still ends the agent within 2 s.
func TestAgentStopsDuringSlowProbes(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	silent := w.Add("silent.pb.test", probetest.DNSSilent)
	a := startTestAgent(t, w.config(t, time.Minute, silent))
	time.Sleep(300 * time.Millisecond) // the first run is now waiting for DNS
	if took := a.stop(); took > 2*time.Second {
		t.Errorf("stop took %s, want at most 2 s", took)
	}
}

func TestAgentHealthAndLanding(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	a := startTestAgent(t, w.config(t, 2*time.Second, w.Add("api.pb.test", probetest.OK)))
	a.waitStatus(t, map[string]string{"api.pb.test": "ok"})
	if code, body := a.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %s", code, body)
	}
	if code, body := a.get(t, "/"); code != http.StatusOK || !strings.Contains(body, "/metrics") || !strings.Contains(body, "/status") {
		t.Errorf("landing page = %d %s", code, body)
	}
	res := runCmd(t, "status", "--web.listen-address", strings.TrimPrefix(a.base, "http://"))
	if res.code != exitReady || !strings.Contains(res.stdout, "api.pb.test") || !strings.Contains(res.stdout, "OK") {
		t.Errorf("pbprobe status: %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// TestAgentReloadKeepsGoodConfig: a broken config file on reload is
// refused, the old config keeps probing, and a fixed one takes effect.
func TestAgentReloadKeepsGoodConfig(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	api := w.Add("api.pb.test", probetest.OK)
	portal := w.Add("portal.pb.test", probetest.OK)
	cfg := w.config(t, 2*time.Second, api)
	a := startTestAgent(t, cfg)
	a.waitStatus(t, map[string]string{"api.pb.test": "ok"})

	good, err := os.ReadFile(w.config(t, 2*time.Second, api, portal))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("hosts:\n  - host: api.pb.test\n    prot: 443\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := a.reload(t); code != http.StatusBadRequest {
		t.Errorf("reload of a bad config answered %d, want 400", code)
	}
	_, body := a.get(t, "/metrics")
	if !strings.Contains(body, "pbprobe_config_last_reload_successful 0") {
		t.Errorf("reload failure not in the metrics")
	}
	a.waitStatus(t, map[string]string{"api.pb.test": "ok"})

	if err := os.WriteFile(cfg, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := a.reload(t); code != http.StatusNoContent {
		t.Errorf("reload of a good config answered %d", code)
	}
	a.waitStatus(t, map[string]string{"api.pb.test": "ok", "portal.pb.test": "ok"})
	a.stop()
	if !strings.Contains(a.console.String(), "prot") {
		t.Errorf("the console log does not say what was wrong with the config:\n%s", a.console)
	}
}

func TestRunBadConfigExits2(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("interval: 5m\nhosts:\n  - host: api.passwordboss.com\n    port: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runCmd(t, "run", "--config.file", bad, "--log.file=", "--web.listen-address", "127.0.0.1:0")
	if res.code != exitUsage || !strings.Contains(res.stderr, "bad.yml:4") {
		t.Errorf("exit %d, stderr %q; want 2 and the line", res.code, res.stderr)
	}
	res = runCmd(t, "run", "--log.level", "loud")
	if res.code != exitUsage || !strings.Contains(res.stderr, "--log.level") {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestWebConfigBasicAuth: with an exporter-toolkit web config that sets
// basic auth, /metrics needs the password.
func TestWebConfigBasicAuth(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(webCfg, []byte("basic_auth_users:\n  prom: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := startTestAgent(t, w.config(t, 2*time.Second, w.Add("api.pb.test", probetest.OK)), "--web.config.file", webCfg)
	if code, _ := a.get(t, "/metrics"); code != http.StatusUnauthorized {
		t.Errorf("/metrics without credentials = %d, want 401", code)
	}
	req, _ := http.NewRequest(http.MethodGet, a.base+"/metrics", nil)
	req.SetBasicAuth("prom", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/metrics with credentials = %d, want 200", resp.StatusCode)
	}
	req.SetBasicAuth("prom", "wrong")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/metrics with a wrong password = %d, want 401", resp.StatusCode)
		}
	}
	a.stop()
	if strings.Contains(a.console.String(), "s3cret") || strings.Contains(a.console.String(), string(hash)) {
		t.Error("the log contains the password or its hash")
	}
}

// TestPromtoolCheckMetrics runs promtool over a real scrape.
func TestPromtoolCheckMetrics(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		probetest.Unavailable(t, "promtool not found (Debian package prometheus)")
	}
	w := newTestWorld(t)
	var targets []probes.Target
	for _, s := range []probetest.Scenario{probetest.OK, probetest.Intercepted, probetest.NXDomain} {
		targets = append(targets, w.Add(strings.ReplaceAll(string(s), "_", "-")+".pb.test", s))
	}
	a := startTestAgent(t, w.config(t, 2*time.Second, targets...))
	a.waitStatus(t, map[string]string{"ok.pb.test": "ok", "tls-intercepted.pb.test": "tls_intercepted", "dns-nxdomain.pb.test": "dns_nxdomain"})
	_, body := a.get(t, "/metrics")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	for _, name := range []string{"pbprobe_ready", "pbprobe_host_up", "pbprobe_host_reason", "pbprobe_last_phase_duration_seconds",
		"pbprobe_phase_duration_seconds_bucket", "pbprobe_probes_total", "pbprobe_tls_cert_not_after_timestamp_seconds",
		"pbprobe_tls_intercepted", "pbprobe_last_run_timestamp_seconds", "pbprobe_build_info", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("scrape lacks %s", name)
		}
	}
	if !strings.Contains(body, `pbprobe_tls_intercepted{host="tls-intercepted.pb.test",port="`+itoa(targets[1].Port)+`"} 1`) {
		t.Errorf("interception not exported")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestAgentUnderConcurrentReads probes every second while 20 clients read
// /status, /metrics and / as fast as they can. Under -race (make test) a
// renderer that writes into the agent's shared document, or a collector
// reading a half-written one, fails it; without -race it still checks that
// every answer is whole and carries its words.
func TestAgentUnderConcurrentReads(t *testing.T) {
	w := newTestWorld(t)
	loop4 := []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	loop6 := []netip.Addr{netip.IPv6Loopback()}
	var targets []probes.Target
	for _, h := range []string{"api.pb.test", "app.pb.test", "portal.pb.test"} {
		// IPv6 answers but nothing listens there: a warning with words.
		targets = append(targets, w.AddWith(h, probetest.Answer{A: loop4, AAAA: loop6}, probetest.ServerOptions{}))
	}
	targets = append(targets, w.Add("app-updates.pb.test", probetest.Intercepted), w.Add("app-updates2.pb.test", probetest.PortRefused))
	a := startTestAgent(t, w.config(t, 2*time.Second, targets...))
	a.waitStatus(t, map[string]string{"api.pb.test": "ok", "app.pb.test": "ok", "portal.pb.test": "ok",
		"app-updates.pb.test": "tls_intercepted", "app-updates2.pb.test": "tcp_refused"})

	const clients, perClient = 20, 150
	paths := []string{"/status", "/metrics", "/"}
	deadline := time.Now().Add(6 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan string, clients)
	runs := map[string]bool{}
	var runsMu sync.Mutex
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perClient && time.Now().Before(deadline); i++ {
				path := paths[(c+i)%len(paths)]
				resp, err := http.Get(a.base + path)
				if err != nil {
					errs <- path + ": " + err.Error()
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- path + ": " + resp.Status
					return
				}
				if path != "/status" {
					continue
				}
				var doc struct {
					CheckedAt string `json:"checked_at"`
					Hosts     []struct {
						Host     string `json:"host"`
						Message  string `json:"message"`
						Warnings []struct {
							Code, Message string
						} `json:"warnings"`
					} `json:"hosts"`
				}
				if err := json.Unmarshal(body, &doc); err != nil {
					errs <- "/status: " + err.Error()
					return
				}
				warned := false
				for _, h := range doc.Hosts {
					warned = warned || len(h.Warnings) > 0
					if h.Message == "" {
						errs <- "/status: no message for " + h.Host
						return
					}
					for _, w := range h.Warnings {
						if w.Message == "" {
							errs <- "/status: warning " + w.Code + " without words on " + h.Host
							return
						}
					}
				}
				if !warned {
					errs <- "/status: no host has a warning; the world should give three"
					return
				}
				runsMu.Lock()
				runs[doc.CheckedAt] = true
				runsMu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if len(runs) < 2 {
		t.Errorf("the readers saw %d run(s); the loop should have finished several while they read", len(runs))
	}
}
