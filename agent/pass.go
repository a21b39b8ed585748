package agent

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// Prober is what a pass needs from the probe library.
type Prober interface {
	Probe(ctx context.Context, t probes.Target) *probes.Result
}

// ControlChecker is implemented by probers that can run the control probe
// (probes.Prober does).
type ControlChecker interface {
	Control(ctx context.Context, url, expect string) *probes.ControlResult
}

// ProberOptions say how the one prober differs between `check` and the
// agent.
type ProberOptions struct {
	// Getenv reads the proxy environment variables; nil means the
	// process's environment.
	Getenv func(string) string
	// ResumeSessions lets handshakes resume TLS sessions for up to
	// SessionMaxAge: an agent probes the same hosts all day, and resuming
	// keeps the certificate chain off the wire on most runs.
	// probes.Options.SessionCache says why interception is still seen.
	ResumeSessions bool
}

// SessionMaxAge is how long the agent resumes one TLS session before it
// makes a full handshake again, which keeps the chain facts fresh.
const SessionMaxAge = time.Hour

// NewProber builds the prober for a config: the one place where the probe
// options of `check`, `run` and the service are put together.
func NewProber(c *config.Config, o ProberOptions) (*probes.Prober, error) {
	opts, err := c.ProbeOptions()
	if err != nil {
		return nil, err
	}
	if o.ResumeSessions {
		opts.SessionCache = probes.NewSessionCache(64, SessionMaxAge)
	}
	// The apps go through the PC's proxy when one is set; so do we. The
	// setting is read anew for every probe, so that a change counts from
	// the next run.
	getenv := o.Getenv
	opts.Proxies = func(host string, port int) []probes.ProxySetting {
		return probes.SystemProxies(host, port, getenv)
	}
	opts.ProxySources = probes.SystemProxySources
	return probes.New(opts), nil
}

// PassOptions are what a pass adds to the config.
type PassOptions struct {
	Version string
	Machine string
	// OnHost, when not nil, is told of each host as soon as its probe is
	// done and evaluated (one call at a time, from the probing
	// goroutines), so that a terminal can show it at once. The host is
	// the caller's to keep.
	OnHost func(i int, h HostReport)
	// Now is the clock for certificate expiry; nil means time.Now.
	Now func() time.Time
	// Route, when not nil, reads the default route for the network
	// finding (DefaultRoute).
	Route func() *RouteView
}

// Pass runs one pass over the host table of cfg: every host concurrently,
// the control probe alongside, then the evaluation into a new run
// document. `check`, the agent and the service all run this function. A
// pass cut short by ctx returns ctx's error and no document: a
// half-finished pass would report healthy hosts as failed.
func Pass(ctx context.Context, p Prober, cfg *config.Config, o PassOptions) (*Document, error) {
	eval := EvalOptions{Version: o.Version, Machine: o.Machine, Now: o.Now,
		CertExpiry: cfg.Warnings.CertExpiry, SlowPhase: cfg.Warnings.SlowPhase}
	start := time.Now()
	control := make(chan *probes.ControlResult, 1)
	cctx, cutControl := context.WithCancel(ctx)
	defer cutControl()
	go func() { control <- runControl(cctx, p, cfg.Network.ControlURL, cfg.Network.ControlExpect) }()
	var done func(int, *probes.Result)
	if o.OnHost != nil {
		done = func(i int, r *probes.Result) {
			o.OnHost(i, EvaluateHost(cfg.Hosts[i], r, eval.now(), eval))
		}
	}
	results := probeAll(ctx, p, cfg.Targets(), done)
	ctl := awaitControl(control, cutControl, anyOK(results), time.Until(start.Add(ControlGrace)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc := Evaluate(cfg.Hosts, results, start, time.Since(start), eval)
	if ctl != nil {
		doc.CaptivePortal = captiveView(ctl)
	}
	doc.Network = networkView(networkVerdict(ctl, results), ctl)
	if o.Route != nil {
		doc.Network.Route = o.Route()
	}
	doc.ProxySettings = proxySettings(p, cfg.Targets())
	doc.ProxySources = proxySources(p)
	return &doc, nil
}

// MaxConcurrentProbes bounds how many hosts are probed at once. Each probe
// holds a few sockets and goroutines for up to the timeout; the built-in
// table has five hosts, and a config of up to config.MaxHosts must not
// open thousands of sockets at once (and hit the descriptor limit, which
// reads as a network failure).
const MaxConcurrentProbes = 64

// probeAll probes every target, at most MaxConcurrentProbes at once, and
// returns the results in target order. done, when not nil, is called as
// each target finishes, one call at a time. Targets not started when ctx
// ends stay nil.
func probeAll(ctx context.Context, p Prober, targets []probes.Target, done func(i int, r *probes.Result)) []*probes.Result {
	results := make([]*probes.Result, len(targets))
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	sem := make(chan struct{}, MaxConcurrentProbes)
	for i, t := range targets {
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			continue // the check above ends the loop
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
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

// ControlGrace is how long from the start of a pass the control probe
// has at least once the hosts are done and one of them is ok: the PC is
// online then, and a control that only a proxy would let through (a
// proxy-only network) must not hold the check to its timeout. With no
// host ok the control is waited for: it tells a portal or no internet
// from blocked hosts.
const ControlGrace = probes.DefaultFamilyGrace

// awaitControl waits for the control probe: to its end unless a host is
// ok (online), else
// for left at most (what is left of ControlGrace; nothing once it is
// over), after which it is cut and says so.
func awaitControl(control <-chan *probes.ControlResult, cut func(), online bool, left time.Duration) *probes.ControlResult {
	if !online {
		return <-control
	}
	select {
	case c := <-control:
		return c
	default:
	}
	t := time.NewTimer(max(left, 0))
	defer t.Stop()
	select {
	case c := <-control:
		return c
	case <-t.C:
	}
	cut()
	c := <-control
	if c != nil && c.Err != nil {
		c.Err = fmt.Errorf("no answer by the time the hosts were done: %w", c.Err)
	}
	return c
}

// anyOK: some host passed every check.
func anyOK(results []*probes.Result) bool {
	for _, r := range results {
		if r != nil && r.Reason.OK() {
			return true
		}
	}
	return false
}

// runControl runs the control probe when url is set and the prober can;
// nil otherwise.
func runControl(ctx context.Context, p Prober, url, expect string) *probes.ControlResult {
	cc, ok := p.(ControlChecker)
	if url == "" || !ok {
		return nil
	}
	return cc.Control(ctx, url, expect)
}
