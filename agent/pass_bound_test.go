package agent

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// countingProber records the most probes it ever ran at once.
type countingProber struct {
	mu       sync.Mutex
	now, max int
	calls    int
}

func (c *countingProber) Probe(ctx context.Context, t probes.Target) *probes.Result {
	c.mu.Lock()
	c.now++
	c.calls++
	c.max = max(c.max, c.now)
	c.mu.Unlock()
	select {
	case <-time.After(20 * time.Millisecond):
	case <-ctx.Done():
	}
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	return &probes.Result{Target: t, Reason: probes.ReasonOK}
}

func TestProbeAllBound(t *testing.T) {
	t.Parallel()
	targets := make([]probes.Target, 3*MaxConcurrentProbes+5)
	for i := range targets {
		targets[i] = probes.Target{Host: "h" + strconv.Itoa(i) + ".example.com", Port: 443}
	}
	p := &countingProber{}
	var doneCalls int
	results := probeAll(context.Background(), p, targets, func(int, *probes.Result) { doneCalls++ })
	if p.max > MaxConcurrentProbes || p.max < 2 {
		t.Errorf("at most %d probes ran at once, want between 2 and %d", p.max, MaxConcurrentProbes)
	}
	for i, r := range results {
		if r == nil || r.Target.Host != targets[i].Host {
			t.Fatalf("result %d = %+v, want the result of %s", i, r, targets[i].Host)
		}
	}
	if p.calls != len(targets) || doneCalls != len(targets) {
		t.Errorf("%d probes and %d done calls for %d targets", p.calls, doneCalls, len(targets))
	}
}

func TestProbeAllStopsStartingOnCancel(t *testing.T) {
	t.Parallel()
	targets := make([]probes.Target, 10*MaxConcurrentProbes)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := &countingProber{}
	probeAll(ctx, p, targets, nil)
	if p.calls != 0 {
		t.Errorf("%d probes started after the context ended, want none", p.calls)
	}
}
