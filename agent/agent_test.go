package agent_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// worldAgent is an agent whose prober probes a test world.
func worldAgent(t *testing.T, w *probetest.World, targets []probes.Target, hooks ...agent.RunHook) *agent.Agent {
	t.Helper()
	cfg := config.Default()
	cfg.Network = config.Network{ControlURL: probetest.Control(t), ControlExpect: probetest.ControlAnswer}
	cfg.Hosts = nil
	for _, tg := range targets {
		cfg.Hosts = append(cfg.Hosts, config.Host{Host: tg.Host, Port: tg.Port, Required: true, AllowPrivate: tg.AllowPrivate})
	}
	cfg.Interval = time.Hour
	a, err := agent.New(agent.Options{
		Config:    cfg,
		NewProber: func(*config.Config) (agent.Prober, error) { return probes.New(w.Options()), nil },
		Hooks:     hooks,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func gather(t *testing.T, m *agent.Metrics, name string, want string) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), name); err != nil {
		t.Error(err)
	}
}

// TestFaultFlipsMetrics switches a fault on in the world and off again and
// checks that the next runs move pbprobe_host_up and pbprobe_host_reason.
func TestFaultFlipsMetrics(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	var m *agent.Metrics
	a := worldAgent(t, w, []probes.Target{target}, func(ev agent.RunEvent) { m.Observe(ev.Prev, ev.Cur) })
	m = agent.NewMetrics(a, agent.NewReloadStatus())
	port := itoa(target.Port)

	// Before the first run: not ready, host not_checked.
	gather(t, m, "pbprobe_ready", "# HELP pbprobe_ready 1 when every required host is ok in the last run, else 0.\n# TYPE pbprobe_ready gauge\npbprobe_ready 0\n")
	if got := a.Latest().Hosts[0].Reason; got != probes.NotChecked {
		t.Fatalf("before the first run: %s", got)
	}

	steps := []struct {
		fault  func()
		up     float64
		reason probes.Reason
	}{
		{func() {}, 1, probes.ReasonOK},
		{func() { w.DNS.Set("api.pb.test", probetest.Answer{Rcode: 3}) }, 0, probes.DNSNXDomain},
		{func() { w.DNS.Set("api.pb.test", probetest.Answer{A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}) }, 1, probes.ReasonOK},
	}
	for i, s := range steps {
		s.fault()
		a.RunOnce(context.Background())
		up := "pbprobe_host_up{host=\"api.pb.test\",port=\"" + port + "\",required=\"true\"} "
		want := "# HELP pbprobe_host_up 1 when DNS, TCP and TLS to the host succeeded in the last run and nothing tampered with the path.\n# TYPE pbprobe_host_up gauge\n" + up + ftoa(s.up) + "\n"
		gather(t, m, "pbprobe_host_up", want)

		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(m)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		ones := 0
		for _, mf := range mfs {
			if mf.GetName() != "pbprobe_host_reason" {
				continue
			}
			for _, mm := range mf.GetMetric() {
				if mm.GetGauge().GetValue() == 1 {
					ones++
					for _, l := range mm.GetLabel() {
						if l.GetName() == "reason" && l.GetValue() != string(s.reason) {
							t.Errorf("step %d: reason %s is 1, want %s", i, l.GetValue(), s.reason)
						}
					}
				}
			}
		}
		if ones != 1 {
			t.Errorf("step %d: %d reasons set to 1, want exactly 1", i, ones)
		}
	}
	if skew, ok := value(t, m, "pbprobe_clock_skew_seconds", nil); !ok || skew < -2 || skew > 2 {
		t.Errorf("pbprobe_clock_skew_seconds = %v (present %v), want about 0", skew, ok)
	}
	for result, want := range map[string]float64{"ok": 2, "dns_nxdomain": 1} {
		got, _ := value(t, m, "pbprobe_probes_total", map[string]string{"host": "api.pb.test", "port": port, "result": result})
		if got != want {
			t.Errorf("probes_total{result=%s} = %v, want %v", result, got, want)
		}
	}
}

// TestRunLoopProbesAtStartAndStops: the loop probes at once, keeps going on
// its interval and returns promptly when its context ends.
func TestRunLoopProbesAtStartAndStops(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("loop.pb.test", probetest.OK)
	runs := make(chan struct{}, 100)
	a := worldAgent(t, w, []probes.Target{target}, func(agent.RunEvent) { runs <- struct{}{} })
	cfg := *a.Config()
	cfg.Interval = 50 * time.Millisecond
	if err := a.Reload(&cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	for range 3 {
		select {
		case <-runs:
		case <-time.After(5 * time.Second):
			t.Fatal("the loop did not run")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return within 2 s of cancel")
	}
	if ok, why := a.Healthy(time.Now(), time.Now()); !ok {
		t.Errorf("unhealthy right after runs: %s", why)
	}
	if ok, _ := a.Healthy(time.Now().Add(time.Second), time.Now()); ok {
		t.Errorf("healthy with the last run 20 intervals ago")
	}
}
