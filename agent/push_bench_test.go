package agent_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"go.uber.org/zap"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/push"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// BenchmarkPushRun measures one push of a real run of five hosts, gathered
// from a registry built like the daemon's, through snappy and HTTP to a
// loopback receiver: CPU per push (ns/op) and the bytes on the wire.
//
//	go test ./agent -run '^$' -bench PushRun -benchtime 200x
func BenchmarkPushRun(b *testing.B) {
	benchPushRun(b, fiveHostRegistry(b))
}

// fiveHostRegistry is a registry built like the daemon's after one real
// run over a test world of five healthy hosts.
func fiveHostRegistry(b *testing.B) *prometheus.Registry {
	w := probetest.NewWorld(b)
	var targets []probes.Target
	for _, h := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		targets = append(targets, w.Add(h+".pb.test", probetest.OK))
	}
	cfg := config.Default()
	cfg.Hosts = nil
	for _, tg := range targets {
		cfg.Hosts = append(cfg.Hosts, config.Host{Host: tg.Host, Port: tg.Port, Required: true, AllowPrivate: true})
	}
	var m *agent.Metrics
	a, err := agent.New(agent.Options{Config: cfg,
		NewProber: func(*config.Config) (agent.Prober, error) { return probes.New(w.Options()), nil },
		Hooks:     []agent.RunHook{func(ev agent.RunEvent) { m.Observe(ev.Prev, ev.Cur) }}})
	if err != nil {
		b.Fatal(err)
	}
	m = agent.NewMetrics(a, agent.NewReloadStatus())
	a.RunOnce(context.Background())
	reg := prometheus.NewRegistry()
	reg.MustRegister(m, versioncollector.NewCollector("pbprobe"), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func benchPushRun(b *testing.B, reg *prometheus.Registry) {
	var wireBytes, requests atomic.Int64
	got := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		wireBytes.Add(n)
		requests.Add(1)
		rw.WriteHeader(http.StatusNoContent)
		got <- struct{}{}
	}))
	defer srv.Close()
	p, err := push.New(push.Options{Config: config.Push{URL: srv.URL, Backlog: config.Backlog{MaxAge: 24 * time.Hour, MaxBytes: 16 << 20}},
		Labels: map[string]string{"customer": "acme", "site": "berlin", "machine": "PC-042", "job": "pbprobe", "instance": "PC-042"},
		Dir:    b.TempDir(), Gatherer: reg, Logger: zap.NewNop()})
	if err != nil {
		b.Fatal(err)
	}
	reg.MustRegister(p.Collector())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	start := time.Now().Add(-time.Hour)
	b.ResetTimer()
	for i := range b.N {
		p.Enqueue(start.Add(time.Duration(i) * time.Second))
		<-got
	}
	b.StopTimer()
	perPush := float64(wireBytes.Load()) / float64(requests.Load())
	b.ReportMetric(perPush, "wire-bytes/push")
	b.ReportMetric(perPush*288/1e6, "MB/day@5m")
	mfs, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "pbprobe_push_series" {
			b.ReportMetric(mf.GetMetric()[0].GetGauge().GetValue(), "series/push")
		}
	}
}
