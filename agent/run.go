package agent

import (
	"context"
	"sync"

	"github.com/pbprobe/pbprobe/probes"
)

// Prober is what a run needs from the probe library.
type Prober interface {
	Probe(ctx context.Context, t probes.Target) *probes.Result
}

// ProbeAll probes every target concurrently and returns the results in
// target order. done, when not nil, is called as each target finishes (from
// the probing goroutines, one call at a time), so a terminal can show a host
// the moment it is known.
func ProbeAll(ctx context.Context, p Prober, targets []probes.Target, done func(i int, r *probes.Result)) []*probes.Result {
	results := make([]*probes.Result, len(targets))
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := p.Probe(ctx, t)
			mu.Lock()
			defer mu.Unlock()
			results[i] = r
			if done != nil {
				done(i, r)
			}
		}()
	}
	wg.Wait()
	return results
}

// CaptiveChecker is implemented by probers that can check for a captive
// portal (probes.Prober does).
type CaptiveChecker interface {
	CaptivePortal(ctx context.Context, url, expect string) *probes.CaptiveResult
}

// CheckCaptive runs the captive-portal check when url is set and the
// prober can; nil otherwise.
func CheckCaptive(ctx context.Context, p Prober, url, expect string) *CaptiveView {
	cc, ok := p.(CaptiveChecker)
	if url == "" || !ok {
		return nil
	}
	r := cc.CaptivePortal(ctx, url, expect)
	v := &CaptiveView{URL: r.URL, Detected: r.Detected, Why: r.Why(), Kind: r.Kind, Status: r.Status, Location: r.Location, MS: ms(r.Duration)}
	if r.Err != nil {
		v.Error = r.Err.Error()
	}
	return v
}
