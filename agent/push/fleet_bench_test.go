package push

import (
	"context"
	"encoding/json"
	"fmt"
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

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// BenchmarkFleetReconnect simulates a fleet (goroutines in one process,
// each a Pusher with its own backlog folder and a registry shaped like an
// agent's of five hosts) pushing to a real Prometheus on loopback that is
// down at first: every agent keeps its runs, backs off, and when the store
// comes up they reconnect spread out by the jitter. It prints the
// histogram of reconnect times and checks that every run arrived.
//
//	PBPROBE_FLEET=1000 go test ./agent/push -run '^$' -bench FleetReconnect -benchtime 1x
func BenchmarkFleetReconnect(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("PBPROBE_FLEET"))
	if n <= 0 {
		b.Skip("set PBPROBE_FLEET to the number of agents (minutes of wall time; not part of make bench)")
	}
	const runs = 3
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		b.Skip("prometheus not found (Debian package prometheus)")
	}
	addr := "127.0.0.1:" + strconv.Itoa(probetest.FreePort(b))
	dir := b.TempDir()
	core, logs := observer.New(zap.DebugLevel)
	pushers := make([]*Pusher, n)
	now := time.Now().Truncate(time.Second)
	for i := range pushers {
		p, err := New(Options{Config: config.Push{URL: "http://" + addr + "/api/v1/write", Backlog: config.Backlog{MaxAge: time.Hour, MaxBytes: 1 << 20}},
			Labels: map[string]string{"site": fmt.Sprintf("site-%d", i%50), "machine": fmt.Sprintf("pc-%04d", i)},
			Dir:    filepath.Join(dir, strconv.Itoa(i)), Gatherer: agentLikeRegistry(), Logger: zap.New(core),
			Backoff: time.Second, Getenv: func(string) string { return "" }})
		if err != nil {
			b.Fatal(err)
		}
		for r := range runs {
			p.Enqueue(now.Add(time.Duration(r-runs) * time.Minute))
		}
		pushers[i] = p
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, p := range pushers {
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	time.Sleep(20 * time.Second) // the outage: backoffs grow to 8-16 s
	before := logs.Len()
	up := time.Now()
	stop := startPrometheus(b, promBin, addr, dir)
	defer stop()
	reconnect := waitDrained(b, pushers, up)
	failures := map[string]int{}
	for _, e := range logs.All()[before:] {
		if e.Message == "push: send failed; the run stays in the backlog" {
			failures[fmt.Sprint(e.ContextMap()["error"])]++
		}
	}
	b.Logf("failed attempts after the store's start, by error: %v", failures)
	b.Logf("%d agents, outage 20 s, first retry cap 1 s doubling: time from the store's return to an empty backlog", n)
	printHistogram(b, reconnect)
	total := queryScalar(b, addr, `sum(count_over_time(pbprobe_ready[1h]))`)
	if total != float64(n*runs) {
		b.Errorf("Prometheus holds %v pbprobe_ready samples, want %d", total, n*runs)
	}
	b.Logf("Prometheus holds %v pbprobe_ready samples of %d runs", total, n*runs)
}

// waitDrained returns, per pusher, the time from up until its backlog was
// empty.
func waitDrained(b *testing.B, pushers []*Pusher, up time.Time) []time.Duration {
	reconnect := make([]time.Duration, len(pushers))
	for pending := len(pushers); pending > 0; time.Sleep(50 * time.Millisecond) {
		if time.Since(up) > maxBackoff+time.Minute {
			b.Fatalf("%d agents still have a backlog %s after the store came back", pending, maxBackoff+time.Minute)
		}
		pending = 0
		for i, p := range pushers {
			if reconnect[i] != 0 {
				continue
			}
			if r, _, _ := p.backlog.stats(); r == 0 {
				reconnect[i] = time.Since(up)
			} else {
				pending++
			}
		}
	}
	return reconnect
}

func agentLikeRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	g := func(name string, labels ...string) *prometheus.GaugeVec {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: name}, labels)
		reg.MustRegister(v)
		return v
	}
	ready := g("pbprobe_ready")
	ready.WithLabelValues().Set(1)
	up, reason := g("pbprobe_host_up", "host", "port", "required"), g("pbprobe_host_reason", "host", "port", "reason")
	phase, cert := g("pbprobe_last_phase_duration_seconds", "host", "port", "phase"), g("pbprobe_tls_cert_not_after_timestamp_seconds", "host", "port")
	icpt, proxy := g("pbprobe_tls_intercepted", "host", "port"), g("pbprobe_proxy_in_use", "host", "port")
	for _, h := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		h += ".passwordboss.com"
		up.WithLabelValues(h, "443", "true").Set(1)
		for _, r := range []string{"ok", "dns_nxdomain", "tcp_timeout", "tls_intercepted"} {
			reason.WithLabelValues(h, "443", r).Set(map[bool]float64{true: 1}[r == "ok"])
		}
		for _, ph := range []string{"dns", "tcp", "tls", "http"} {
			phase.WithLabelValues(h, "443", ph).Set(0.02)
		}
		cert.WithLabelValues(h, "443").Set(1.8e9)
		icpt.WithLabelValues(h, "443").Set(0)
		proxy.WithLabelValues(h, "443").Set(0)
	}
	return reg
}

func startPrometheus(b *testing.B, bin, addr, dir string) func() {
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+addr, "--web.enable-remote-write-receiver", "--log.level=error")
	if err := cmd.Start(); err != nil {
		cancel()
		b.Fatal(err)
	}
	return func() { cancel(); _ = cmd.Wait() }
}

func queryScalar(b *testing.B, addr, q string) float64 {
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Data.Result) != 1 {
		b.Fatalf("query %s: %v %+v", q, err, r)
	}
	v, _ := strconv.ParseFloat(fmt.Sprint(r.Data.Result[0].Value[1]), 64)
	return v
}

// printHistogram logs the durations in doubling buckets with a bar each.
func printHistogram(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	var sb strings.Builder
	lo := time.Duration(0)
	for hi := time.Second; lo <= ds[len(ds)-1]; lo, hi = hi, hi*2 {
		n := 0
		for _, d := range ds {
			if d >= lo && d < hi {
				n++
			}
		}
		fmt.Fprintf(&sb, "\n%5s-%5s %5d %s", lo, hi, n, strings.Repeat("#", n*60/len(ds)))
	}
	pct := func(p int) time.Duration { return ds[(len(ds)-1)*p/100].Round(10 * time.Millisecond) }
	b.Logf("reconnect time histogram:%s\np50 %s, p90 %s, p99 %s, max %s", sb.String(), pct(50), pct(90), pct(99), pct(100))
}
