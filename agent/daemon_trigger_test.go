package agent_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// chanWatcher is a NetworkWatcher a test drives by hand.
type chanWatcher chan agent.Trigger

func (w chanWatcher) Watch(ctx context.Context, changed func(agent.Trigger)) {
	for {
		select {
		case <-ctx.Done():
			return
		case t := <-w:
			changed(t)
		}
	}
}

// TestDaemonRunsOnNetworkChange: with a five-minute interval, a network
// change, a wake and a reload each start a run at once, counted by their
// trigger.
func TestDaemonRunsOnNetworkChange(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	cfg := config.Default()
	cfg.Interval = 5 * time.Minute
	cfg.DNS.Servers = []string{w.DNS.Addr()}
	cfg.Network = config.Network{ControlURL: probetest.Control(t), ControlExpect: probetest.ControlAnswer}
	cfg.Hosts = []config.Host{{Host: target.Host, Port: target.Port, Required: true, AllowPrivate: true}}
	cfg.TLS.SystemRoots, cfg.TLS.PublicRoots = writePEMs(t, w)

	watcher := make(chanWatcher)
	addr := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- agent.RunDaemon(ctx, agent.DaemonOptions{
			LoadConfig:    func() (*config.Config, error) { return cfg, nil },
			ListenAddress: "127.0.0.1:0", Version: "test", Machine: "PC-1",
			RenderStatus:    func(*agent.Document) ([]byte, error) { return []byte("status"), nil },
			Ready:           func(a net.Addr) { addr <- a },
			Watcher:         watcher,
			EnableLifecycle: true,
		})
	}()
	base := "http://" + (<-addr).String()
	waitFor(t, base, `pbprobe_runs_total{trigger="start"} 1`)
	waitFor(t, base, `pbprobe_internet_up 1`)
	watcher <- agent.TriggerNetworkChange
	waitFor(t, base, `pbprobe_runs_total{trigger="network_change"} 1`)
	watcher <- agent.TriggerWake
	waitFor(t, base, `pbprobe_runs_total{trigger="wake"} 1`)
	resp, err := http.Post(base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, base, `pbprobe_runs_total{trigger="reload"} 1`)
	if m := scrape(t, base); !strings.Contains(m, `pbprobe_runs_total{trigger="interval"} 0`) {
		t.Errorf("an interval run within five minutes:\n%s", m)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func writePEMs(t *testing.T, w *probetest.World) (system, public string) {
	t.Helper()
	system, public, err := w.WritePEMs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return system, public
}

func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitFor scrapes until the metrics hold line; the run it waits for
// takes milliseconds on loopback, the limit is for a loaded CI machine.
func waitFor(t *testing.T, base, line string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := scrape(t, base)
		if strings.Contains(m, line+"\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10 s:\n%s", line, m)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
