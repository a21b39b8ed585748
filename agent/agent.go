package agent

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbprobe/pbprobe/agent/config"
)

// RunEvent is one finished run as the hooks see it.
type RunEvent struct {
	// Prev is the document before (never nil: before the first run every
	// host is not_checked); Cur is the new one. Both are shared and
	// immutable: read them, never write.
	Prev, Cur *Document
	// Transitions are the hosts that went down, came up or changed their
	// reason, found once for all hooks.
	Transitions []Transition
	// Trigger says why the run started.
	Trigger Trigger
}

// RunHook is told about every finished run. Hooks run on the loop's
// goroutine, one after another; they must be quick.
type RunHook func(RunEvent)

// Options configure an Agent.
type Options struct {
	Config *config.Config
	// Eval carries the version and machine name into every report; the
	// thresholds come from the config.
	Eval EvalOptions
	// NewProber builds the prober for a config; nil means probes.New with
	// the config's probe options. Called again on every reload.
	NewProber func(*config.Config) (Prober, error)
	// Hooks run after every run, in order.
	Hooks []RunHook
	// Jitter spreads runs by ±Jitter×interval, so that a customer's hundred
	// PCs do not probe in lockstep; zero means DefaultJitter.
	Jitter float64
}

// DefaultJitter is ±10 % of the interval.
const DefaultJitter = 0.1

// Agent probes the host table on a schedule and keeps the latest report.
// Scrapes and /status read that report; nothing they do triggers a probe.
type Agent struct {
	opts Options

	mu     sync.Mutex // guards cfg and prober against a reload mid-run
	cfg    *config.Config
	prober Prober

	runMu sync.Mutex // one pass at a time; guards trans
	trans *Transitions

	latest  atomic.Pointer[Document]
	lastRun atomic.Int64 // unix nanoseconds of the last finished run; 0 before
	runs    atomic.Uint64
	wake    chan Trigger // a reload, a network change, a wake from sleep
	manual  *runRequests // POST /-/probe asks for a run now (runnow.go)
}

// New builds an agent; it does not probe until Run.
func New(o Options) (*Agent, error) {
	if o.Config == nil {
		return nil, fmt.Errorf("agent: no config")
	}
	if o.NewProber == nil {
		o.NewProber = defaultProber
	}
	if o.Jitter <= 0 {
		o.Jitter = DefaultJitter
	}
	p, err := o.NewProber(o.Config)
	if err != nil {
		return nil, err
	}
	a := &Agent{opts: o, cfg: o.Config, prober: p, trans: NewTransitions(), wake: make(chan Trigger, 1),
		manual: newRunRequests()}
	a.latest.Store(a.notChecked(o.Config))
	return a, nil
}

func defaultProber(c *config.Config) (Prober, error) {
	return NewProber(c, ProberOptions{ResumeSessions: true})
}

// notChecked is the document before any run: every host not_checked, not ready.
func (a *Agent) notChecked(c *config.Config) *Document {
	rep := Evaluate(c.Hosts, nil, time.Time{}, 0, a.evalOptions(c))
	rep.CheckedAt = time.Time{}
	return &rep
}

func (a *Agent) evalOptions(c *config.Config) EvalOptions {
	o := a.opts.Eval
	o.CertExpiry, o.SlowPhase = c.Warnings.CertExpiry, c.Warnings.SlowPhase
	return o
}

// Latest is the document of the last finished run. It is shared and
// immutable: callers read it and never write to it (report.Localized
// renders into a new document).
func (a *Agent) Latest() *Document { return a.latest.Load() }

// Config is the config in force.
func (a *Agent) Config() *config.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cfg
}

// Runs is the number of finished runs.
func (a *Agent) Runs() uint64 { return a.runs.Load() }

// LastRun is when the last run finished; zero before the first.
func (a *Agent) LastRun() time.Time {
	if ns := a.lastRun.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Healthy reports whether the loop is alive: a run has finished within the
// last three intervals (counting from start until the first run).
func (a *Agent) Healthy(now, started time.Time) (bool, string) {
	limit := 3 * a.Config().Interval
	last := a.LastRun()
	if last.IsZero() {
		if now.Sub(started) > limit {
			return false, fmt.Sprintf("no run has finished since the start %s ago", now.Sub(started).Round(time.Second))
		}
		return true, "first run in progress"
	}
	if age := now.Sub(last); age > limit {
		return false, fmt.Sprintf("last run finished %s ago, more than 3 intervals (%s)", age.Round(time.Second), limit)
	}
	return true, "ok"
}

// Reload puts a new config in force from the next run on, which starts at
// once. A config whose prober cannot be built (a missing PEM file) is
// rejected and the old one stays.
func (a *Agent) Reload(c *config.Config) error {
	p, err := a.opts.NewProber(c)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.cfg, a.prober = c, p
	a.mu.Unlock()
	a.Trigger(TriggerReload)
	return nil
}

// Run probes at once, then every interval (with jitter) until ctx ends.
// Runs never overlap: a run that outlasts the interval delays the next.
// It returns nil when ctx ends; in-flight probes are cancelled with it.
// Trigger (a reload, a network change) starts a run at once; the
// interval then counts from that run.
func (a *Agent) Run(ctx context.Context) error {
	trigger := TriggerStart
	for {
		a.loopPass(ctx, trigger)
		if ctx.Err() != nil {
			return nil
		}
		t := time.NewTimer(a.nextDelay())
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case trigger = <-a.wake:
			t.Stop()
		case <-a.manual.signal:
			t.Stop()
			trigger = TriggerManual
		case <-t.C:
			trigger = TriggerInterval
		}
	}
}

func (a *Agent) nextDelay() time.Duration {
	iv := a.Config().Interval
	j := a.opts.Jitter
	return time.Duration(float64(iv) * (1 + j*(2*rand.Float64()-1)))
}

// RunOnce runs one pass now, outside the schedule (TriggerManual).
func (a *Agent) RunOnce(ctx context.Context) *Document {
	return a.RunTriggered(ctx, TriggerManual)
}

// RunTriggered runs one pass, stores its document and runs the hooks;
// passes never overlap. A pass cut short by ctx is discarded (a
// half-finished pass would report healthy hosts as failed) and the last
// document returned.
func (a *Agent) RunTriggered(ctx context.Context, trigger Trigger) *Document {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	a.mu.Lock()
	cfg, p := a.cfg, a.prober
	a.mu.Unlock()

	doc, err := Pass(ctx, p, cfg, PassOptions{Version: a.opts.Eval.Version, Machine: a.opts.Eval.Machine, Now: a.opts.Eval.Now,
		Route: DefaultRoute})
	if err != nil {
		return a.Latest()
	}
	prev := a.latest.Swap(doc)
	a.lastRun.Store(time.Now().UnixNano())
	a.runs.Add(1)
	ev := RunEvent{Prev: prev, Cur: doc, Transitions: a.trans.Next(prev, doc), Trigger: trigger}
	for _, h := range a.opts.Hooks {
		h(ev)
	}
	return doc
}
