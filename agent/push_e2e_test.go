package agent_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// realStore is a remote-write receiver started by the test on loopback:
// Debian's prometheus or victoria-metrics.
type realStore struct {
	name, addr, dir string
	cmd             *exec.Cmd
	cancel          context.CancelFunc
}

func (s *realStore) writeURL() string { return "http://" + s.addr + "/api/v1/write" }

// start runs the store's binary on its address and waits until it is ready.
func (s *realStore) start(t *testing.T) {
	t.Helper()
	var args []string
	var bin string
	switch s.name {
	case "prometheus":
		cfg := filepath.Join(s.dir, "prometheus.yml")
		if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		bin, args = "prometheus", []string{"--config.file=" + cfg, "--storage.tsdb.path=" + filepath.Join(s.dir, "data"),
			"--web.listen-address=" + s.addr, "--web.enable-remote-write-receiver", "--log.level=warn"}
	case "victoria-metrics":
		bin, args = "victoria-metrics", []string{"-httpListenAddr=" + s.addr, "-storageDataPath=" + filepath.Join(s.dir, "data"),
			"-search.latencyOffset=0s", "-loggerLevel=ERROR", "-retentionPeriod=1"}
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		probetest.Unavailable(t, "%s not found (Debian package %s)", bin, s.name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cmd = exec.CommandContext(ctx, path, args...)
	s.cancel = cancel
	if err := s.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", s.name, err)
	}
	t.Cleanup(s.stop)
	ready := "/-/ready"
	if s.name == "victoria-metrics" {
		ready = "/health"
	}
	waitUntil(t, s.name+" ready", 60*time.Second, func() bool {
		resp, err := http.Get("http://" + s.addr + ready)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func (s *realStore) stop() {
	if s.cmd != nil {
		s.cancel()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func newRealStore(t *testing.T, name string) *realStore {
	return &realStore{name: name, addr: "127.0.0.1:" + strconv.Itoa(probetest.FreePort(t)), dir: t.TempDir()}
}

// sample is one point of a series as the store returns it.
type sample struct {
	labels map[string]string
	points [][2]any // [unix seconds, "value"]
}

// query runs a PromQL instant query (range selectors return every point).
func (s *realStore) query(t *testing.T, q string) []sample {
	t.Helper()
	if s.name == "victoria-metrics" {
		if resp, err := http.Get("http://" + s.addr + "/internal/force_flush"); err == nil {
			resp.Body.Close()
		}
	}
	resp, err := http.Get("http://" + s.addr + "/api/v1/query?query=" + url.QueryEscape(q) + "&time=" + strconv.FormatInt(time.Now().Unix()+1, 10))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&r) != nil {
		return nil
	}
	var out []sample
	for _, x := range r.Data.Result {
		pts := x.Values
		if pts == nil {
			pts = [][2]any{x.Value}
		}
		out = append(out, sample{labels: x.Metric, points: pts})
	}
	return out
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pushAgent runs the daemon against a test world, pushing to writeURL,
// and records the start of every run.
type pushAgent struct {
	cfgText string
	// load, when set, reads the config instead of cfgText.
	load     func() (*config.Config, error)
	stateDir string
	mu       sync.Mutex
	runs     []time.Time
}

func newPushAgent(t *testing.T, w *probetest.World, writeURL string, targets []probes.Target) *pushAgent {
	t.Helper()
	dir := t.TempDir()
	system, public, err := w.WritePEMs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("interval: 1s\ntimeout: 2s\ndns:\n  servers: [%q]\ntls:\n  system_roots: %q\n  public_roots: %q\n"+
		"push:\n  url: %s\nlabels:\n  customer: acme\n  site: berlin\nhosts:\n", w.DNS.Addr(), system, public, writeURL)
	for _, tg := range targets {
		cfg += fmt.Sprintf("  - host: %s\n    port: %d\n    allow_private: true\n", tg.Host, tg.Port)
	}
	return &pushAgent{cfgText: cfg, stateDir: filepath.Join(dir, "state")}
}

// run starts the daemon; the returned stop ends it and waits.
func (p *pushAgent) run(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	load := p.load
	if load == nil {
		load = func() (*config.Config, error) { return config.Parse([]byte(p.cfgText), "push.yml") }
	}
	go func() {
		done <- agent.RunDaemon(ctx, agent.DaemonOptions{
			LoadConfig:    load,
			ListenAddress: "127.0.0.1:0",
			Version:       "test",
			Machine:       "pc-e2e",
			StateDir:      p.stateDir,
			RenderStatus:  func(*agent.Document) ([]byte, error) { return []byte("{}"), nil },
			Hooks: []agent.RunHook{func(ev agent.RunEvent) {
				p.mu.Lock()
				p.runs = append(p.runs, ev.Cur.CheckedAt)
				p.mu.Unlock()
			}},
		})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("RunDaemon: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (p *pushAgent) runCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.runs)
}

func (p *pushAgent) runTimes() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ms []int64
	for _, r := range p.runs {
		ms = append(ms, r.UnixMilli())
	}
	return ms
}

func pushWorld(t *testing.T) (*probetest.World, []probes.Target) {
	w := probetest.NewWorld(t)
	return w, []probes.Target{w.Add("api.pb.test", probetest.OK), w.Add("portal.pb.test", probetest.OK), w.Add("app.pb.test", probetest.NXDomain)}
}

// TestPushToRealStores: an agent pushes to a real Prometheus (with
// --web.enable-remote-write-receiver) and a real VictoriaMetrics; each
// store holds every expected series with the identity labels, one current
// reason per host, no Go runtime series, and at most 100 series.
func TestPushToRealStores(t *testing.T) {
	for _, name := range []string{"prometheus", "victoria-metrics"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newRealStore(t, name)
			s.start(t)
			w, targets := pushWorld(t)
			a := newPushAgent(t, w, s.writeURL(), targets)
			a.run(t)
			id := `{customer="acme",site="berlin",machine="pc-e2e",instance="pc-e2e",job="pbprobe"}`
			waitUntil(t, "pushed runs", 60*time.Second, func() bool {
				return len(s.query(t, "pbprobe_last_run_timestamp_seconds"+id)) == 1 && len(s.query(t, "pbprobe_push_last_success_timestamp_seconds"+id+" > 0")) == 1
			})
			for q, want := range map[string]int{
				"pbprobe_ready" + id:                       1,
				"pbprobe_host_up" + id:                     3,
				`pbprobe_host_up{host="app.pb.test"} == 0`: 1,
				"pbprobe_host_reason" + id:                 3,
				`pbprobe_host_reason{host="app.pb.test",reason="dns_nxdomain"} == 1`: 1,
				"pbprobe_tls_cert_not_after_timestamp_seconds" + id:                  2,
				"pbprobe_push_backlog_samples" + id:                                  1,
				`{__name__=~"go_.*|process_.*|pbprobe_phase_duration_seconds.*"}`:    0,
			} {
				if got := len(s.query(t, q)); got != want {
					t.Errorf("%s: %d series, want %d", q, got, want)
				}
			}
			total := s.query(t, `count({machine="pc-e2e"})`)
			if len(total) != 1 {
				t.Fatalf("count of the agent's series: %v", total)
			}
			n, _ := strconv.Atoi(fmt.Sprint(total[0].points[0][1]))
			if n == 0 || n > 100 {
				t.Errorf("the agent pushed %d series; want 1..100", n)
			}
			t.Logf("%s holds %d series of the agent", name, n)
		})
	}
}

// TestPushFromFlags: an installer's flags (the MSI's SITE and PUSH_URL)
// reach the store over a config file that has neither: --push.url turns
// push on and --label sets site over the file's labels, while the file's
// customer stays; an empty --label sets nothing.
func TestPushFromFlags(t *testing.T) {
	s := newRealStore(t, "prometheus")
	s.start(t)
	w, targets := pushWorld(t)
	a := newPushAgent(t, w, "https://unused.invalid/", targets)
	file := filepath.Join(t.TempDir(), "pbprobe.yml")
	text := strings.Replace(a.cfgText, "push:\n  url: https://unused.invalid/\n", "", 1)
	if text == a.cfgText {
		t.Fatal("the test config has no push section to remove")
	}
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var f agent.Flags
	f.Register(fs)
	if err := fs.Parse([]string{"--config.file", file, "--push.url", s.writeURL(), "--label", "site=from-msi", "--label", "desk="}); err != nil {
		t.Fatal(err)
	}
	if err := f.Check(fs); err != nil {
		t.Fatal(err)
	}
	a.load = f.LoadConfig
	a.run(t)
	id := `{customer="acme",site="from-msi",machine="pc-e2e",job="pbprobe"}`
	waitUntil(t, "pushed runs", 60*time.Second, func() bool {
		return len(s.query(t, "pbprobe_ready"+id)) == 1
	})
	if got := s.query(t, `{site="berlin"}`); len(got) != 0 {
		t.Errorf("the config's site reached the store beside the flag's: %d series", len(got))
	}
	if got := s.query(t, `{desk!=""}`); len(got) != 0 {
		t.Errorf("an empty --label reached the store: %d series", len(got))
	}
}

// TestPushBacklogAcrossRestart: the store is down while the agent runs,
// the agent is restarted meanwhile, then the store comes up: every run
// arrives, with its original timestamp.
func TestPushBacklogAcrossRestart(t *testing.T) {
	for _, name := range []string{"prometheus", "victoria-metrics"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newRealStore(t, name)
			if _, err := exec.LookPath(name); err != nil {
				probetest.Unavailable(t, "%s not found (Debian package %s)", name, name)
			}
			w, targets := pushWorld(t)
			a := newPushAgent(t, w, s.writeURL(), targets)
			stop := a.run(t)
			waitUntil(t, "3 runs", 30*time.Second, func() bool { return a.runCount() >= 3 })
			stop()
			stop = a.run(t) // the restart: the backlog is read back from disk
			waitUntil(t, "2 more runs", 30*time.Second, func() bool { return a.runCount() >= 5 })
			s.start(t)
			want := a.runTimes()
			waitUntil(t, "every run in the store", 90*time.Second, func() bool {
				got := storedTimes(t, s)
				return len(got) > 0 && !slices.ContainsFunc(want, func(ms int64) bool { return !slices.Contains(got, ms) })
			})
			stop()
			got := storedTimes(t, s)
			all := a.runTimes()
			for _, ms := range got {
				if !slices.Contains(all, ms) {
					t.Errorf("the store has a sample at %d that no run made", ms)
				}
			}
			t.Logf("%s: %d runs made (%d while it was down), %d stored", name, len(all), len(want), len(got))
		})
	}
}

// storedTimes are the timestamps (ms) of the agent's pbprobe_ready samples.
func storedTimes(t *testing.T, s *realStore) []int64 {
	res := s.query(t, `pbprobe_ready{machine="pc-e2e"}[30m]`)
	if len(res) != 1 {
		return nil
	}
	var out []int64
	for _, p := range res[0].points {
		f, _ := p[0].(float64)
		out = append(out, int64(f*1000+0.5))
	}
	return out
}

// TestPushNeverDelaysRuns: a store that accepts the connection and never
// answers holds the sender, not the probe loop: runs go on at their
// interval while the first request still hangs.
func TestPushNeverDelaysRuns(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	w, targets := pushWorld(t)
	a := newPushAgent(t, w, "http://"+ln.Addr().String()+"/api/v1/write", targets)
	stop := a.run(t)
	waitUntil(t, "the first push to hang", 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(conns) == 1 })
	waitUntil(t, "3 more runs while it hangs", 20*time.Second, func() bool { return a.runCount() >= 4 })
	mu.Lock()
	n := len(conns)
	mu.Unlock()
	if n != 1 {
		t.Errorf("%d connections to the hanging store, want the 1 that hangs", n)
	}
	stop()
}

// TestPushBacklogBoundReal: with a backlog too small for the outage, the
// oldest runs are dropped, and the drop counter (as pushed to the store)
// equals exactly what the store is missing.
func TestPushBacklogBoundReal(t *testing.T) {
	for _, name := range []string{"prometheus", "victoria-metrics"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newRealStore(t, name)
			if _, err := exec.LookPath(name); err != nil {
				probetest.Unavailable(t, "%s not found (Debian package %s)", name, name)
			}
			w, targets := pushWorld(t)
			a := newPushAgent(t, w, s.writeURL(), targets)
			a.cfgText = strings.Replace(a.cfgText, "push:\n", "push:\n  backlog:\n    max_bytes: 64KiB\n", 1)
			stop := a.run(t)
			waitUntil(t, "14 runs", 60*time.Second, func() bool { return a.runCount() >= 14 })
			s.start(t)
			id := `{machine="pc-e2e"}`
			waitUntil(t, "an empty backlog in the store", 90*time.Second, func() bool {
				r := s.query(t, "pbprobe_push_backlog_samples"+id+" == 0")
				return len(r) == 1
			})
			stop()
			made, stored := a.runTimes(), storedTimes(t, s)
			missing := 0
			for _, ms := range made {
				if !slices.Contains(stored, ms) && ms < slices.Max(stored) {
					missing++
					if ms > slices.Min(stored) {
						t.Errorf("run at %d is missing but newer than the oldest stored run: not oldest-first", ms)
					}
				}
			}
			dropped := lastValue(t, s, `pbprobe_push_dropped_samples_total{machine="pc-e2e",reason="max_bytes"}`)
			series := lastValue(t, s, "pbprobe_push_series"+id)
			if missing == 0 || dropped != float64(missing)*series {
				t.Errorf("%d runs missing × %v series = %v samples, but the drop counter says %v", missing, series, float64(missing)*series, dropped)
			}
			t.Logf("%s: %d runs made, %d stored, %d dropped past max_bytes (%v samples counted)", name, len(made), len(stored), missing, dropped)
		})
	}
}

func lastValue(t *testing.T, s *realStore, q string) float64 {
	t.Helper()
	r := s.query(t, q)
	if len(r) != 1 {
		t.Fatalf("%s: %d series, want 1", q, len(r))
	}
	v, err := strconv.ParseFloat(fmt.Sprint(r[0].points[0][1]), 64)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// TestPushReasonChange: when a host's reason changes, each store holds one
// current reason for it, for an instant query and for last_over_time (which
// the shipped rules and dashboard use) alike.
func TestPushReasonChange(t *testing.T) {
	for _, name := range []string{"prometheus", "victoria-metrics"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newRealStore(t, name)
			s.start(t)
			w := probetest.NewWorld(t)
			target := w.Add("api.pb.test", probetest.OK)
			a := newPushAgent(t, w, s.writeURL(), []probes.Target{target})
			a.run(t)
			sel := `pbprobe_host_reason{machine="pc-e2e",host="api.pb.test"}`
			waitUntil(t, "reason ok in the store", 60*time.Second, func() bool {
				r := s.query(t, `last_over_time(`+sel+`[10m]) == 1`)
				return len(r) == 1 && r[0].labels["reason"] == "ok"
			})
			w.DNS.Set("api.pb.test", probetest.Answer{Rcode: 3})
			waitUntil(t, "reason dns_nxdomain in the store", 60*time.Second, func() bool {
				r := s.query(t, `last_over_time(`+sel+`[10m]) == 1`)
				return len(r) == 1 && r[0].labels["reason"] == "dns_nxdomain"
			})
			if r := s.query(t, sel); len(r) != 1 || r[0].labels["reason"] != "dns_nxdomain" {
				t.Errorf("instant query: %d reason series (%v), want only dns_nxdomain", len(r), r)
			}
		})
	}
}
