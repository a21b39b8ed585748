// Package push sends the agent's runs to a central Prometheus-compatible
// store with the remote-write 1.0 protocol, for fleets behind NAT that no
// central Prometheus can scrape. Each run's series are gathered from the
// agent's own registry (so pushed names and labels equal scraped ones),
// cut to a series budget, given the identity labels, and kept in an
// on-disk backlog until the store accepts them, oldest first and with
// their original timestamps.
package push

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/exp/api/remote"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/pbprobe/pbprobe/agent/config"
)

// Backoff after a failed send: exponential from minBackoff, capped at
// maxBackoff, with full jitter (a uniform wait between 0 and the cap), so
// that a thousand agents coming back after a store outage spread their
// retries instead of arriving together.
const (
	minBackoff = 2 * time.Second
	maxBackoff = 5 * time.Minute
)

// Options configure a Pusher.
type Options struct {
	Config config.Push
	// Labels are the identity labels; "machine" should be set (the daemon
	// defaults it to the host name).
	Labels map[string]string
	// Dir is the backlog's folder; it is created when missing.
	Dir      string
	Gatherer prometheus.Gatherer
	Logger   *zap.Logger
	// MaxSeries is the series budget; 0 means DefaultMaxSeries.
	MaxSeries int
	// Getenv reads the proxy variables; nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock for the backlog's age bound; nil means time.Now.
	Now func() time.Time
	// Backoff is the cap of the first retry's wait; 0 means 2s. Tests
	// shorten it.
	Backoff time.Duration
}

// Pusher queues runs and sends them.
type Pusher struct {
	o       Options
	api     *remote.API
	backlog *backlog
	metrics *Metrics
	wake    chan struct{}

	mu       sync.Mutex // guards builder and lastOver: Enqueue may come from several goroutines in tests
	builder  *builder
	lastOver int
}

// New checks the settings (reading the CA and secret files once) and
// opens the backlog; it sends nothing until Run.
func New(o Options) (*Pusher, error) {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff <= 0 {
		o.Backoff = minBackoff
	}
	client, err := newHTTPClient(o.Config, o.Getenv)
	if err != nil {
		return nil, err
	}
	// One attempt per Write (MaxRetries < 0): the sender retries on its
	// own schedule so that a failing store never holds a goroutine in a
	// loop it cannot see, and the backlog stays the one source of truth.
	api, err := remote.NewAPI(o.Config.URL,
		remote.WithAPIHTTPClient(client), remote.WithAPIPath(""),
		remote.WithAPIBackoff(remote.BackoffConfig{MaxRetries: -1}))
	if err != nil {
		return nil, fmt.Errorf("push.url: %w", err)
	}
	bl, err := openBacklog(o.Dir, o.Config.Backlog.MaxAge, o.Config.Backlog.MaxBytes)
	if err != nil {
		return nil, err
	}
	p := &Pusher{o: o, api: api, backlog: bl, metrics: newMetrics(), wake: make(chan struct{}, 1),
		builder: newBuilder(o.Labels, o.MaxSeries)}
	p.metrics.backlog = bl
	p.builder.prev = loadLastSeries(filepath.Join(o.Dir, lastSeriesFile))
	return p, nil
}

// lastSeriesFile keeps the label sets of the last run, so that a series
// that is gone after a restart (a reason that changed meanwhile) still
// gets its end. Its name is not a backlog entry's.
const lastSeriesFile = "last-series.pb"

// loadLastSeries reads the last run's label sets; a missing or damaged
// file means none (the old series then end by the store's lookback).
func loadLastSeries(path string) map[string][]Label {
	data, err := readCapped(path, maxEntryBytes)
	if err != nil {
		return nil
	}
	series, err := DecodeRequest(data)
	if err != nil {
		return nil
	}
	prev := make(map[string][]Label, len(series))
	for _, s := range series {
		prev[seriesKey(s.Labels)] = s.Labels
	}
	return prev
}

// saveLastSeries writes the label sets of the run just built.
func (p *Pusher) saveLastSeries() {
	series := make([]Series, 0, len(p.builder.prev))
	for _, ls := range p.builder.prev {
		series = append(series, Series{Labels: ls})
	}
	if err := writeFile(filepath.Join(p.o.Dir, lastSeriesFile), encodeRequest(series)); err != nil {
		p.o.Logger.Debug("push: cannot keep the last run's series; after a restart, gone series end by the store's lookback", zap.Error(err))
	}
}

// Dir is the backlog folder for a state folder.
func Dir(stateDir string) string { return filepath.Join(stateDir, "push") }

// Collector exports the push metrics; register it on the registry the
// pusher gathers from, so that push health is pushed too.
func (p *Pusher) Collector() prometheus.Collector { return p.metrics }

// Enqueue gathers the registry for the run that started at `at` and adds
// the run to the backlog. It is quick (a gather and a small file write) and
// never waits for the store, so the probe schedule never waits either.
func (p *Pusher) Enqueue(at time.Time) {
	mfs, err := p.o.Gatherer.Gather()
	if err != nil && len(mfs) == 0 {
		p.o.Logger.Error("push: cannot gather the agent's metrics; this run is not pushed", zap.Error(err))
		return
	}
	p.mu.Lock()
	series, kept, over := p.builder.build(mfs, at)
	p.noteBudget(kept, over)
	p.saveLastSeries()
	p.mu.Unlock()
	samples := 0
	for _, s := range series {
		samples += len(s.Samples)
	}
	dropped, err := p.backlog.add(at, samples, encodeRequest(series), p.o.Now())
	if err != nil {
		p.o.Logger.Error("push: cannot store the run in the backlog; it is lost", zap.Error(err))
		p.metrics.dropped.WithLabelValues(DropRejected).Add(float64(samples))
		return
	}
	p.countDropped(dropped)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// noteBudget records the series count and says once when the budget
// starts (or stops) cutting.
func (p *Pusher) noteBudget(kept, over int) {
	p.metrics.series.Set(float64(kept))
	p.metrics.overBudget.Set(float64(over))
	if over > 0 && p.lastOver == 0 {
		p.o.Logger.Warn("push: the run has more series than the budget; the rest are not pushed",
			zap.Int("pushed", kept), zap.Int("left_out", over))
	}
	p.lastOver = over
}

func (p *Pusher) countDropped(dropped map[string]int) {
	for reason, n := range dropped {
		if n == 0 {
			continue
		}
		p.metrics.dropped.WithLabelValues(reason).Add(float64(n))
		p.o.Logger.Warn("push: backlog bound reached; dropped the oldest runs", zap.String("bound", reason), zap.Int("samples", n))
	}
}

// Run sends the backlog, oldest first, until ctx ends.
func (p *Pusher) Run(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		p.countDropped(p.backlog.trim(p.o.Now()))
		e, data, ok, err := p.backlog.oldest()
		switch {
		case !ok:
			p.waitWake(ctx)
			continue
		case err != nil:
			p.o.Logger.Error("push: unreadable backlog file; dropping it", zap.String("file", e.name), zap.Error(err))
			p.metrics.dropped.WithLabelValues(DropRejected).Add(float64(p.backlog.remove(e.name)))
			continue
		}
		outcome := p.send(ctx, data)
		switch {
		case ctx.Err() != nil:
			return // shutting down: the run stays for the next start
		case outcome == retry:
			p.backlog.release()
			failures++
			p.sleep(ctx, p.backoff(failures))
		default:
			p.done(e, outcome, failures)
			failures = 0
		}
	}
}

type result int

const (
	sent result = iota
	retry
	rejected
)

// send makes one attempt and classifies it from the status code: a 5xx,
// 429 or no answer is the store being away; 401, 403, 404 and 407 are a
// setting to fix (kept, so that fixing it loses nothing); any other 4xx
// is this request refused for good (out-of-order or malformed), which
// must not block the runs behind it.
func (p *Pusher) send(ctx context.Context, data []byte) result {
	ctx, status := withStatus(ctx)
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	_, err := p.api.Write(ctx, remote.WriteV1MessageType, rawRequest(data))
	code := *status
	switch {
	case err == nil:
		p.metrics.requests.WithLabelValues("ok").Inc()
		return sent
	case code >= 400 && code < 500 && code != 401 && code != 403 && code != 404 && code != 407 && code != 408 && code != 429:
		p.metrics.requests.WithLabelValues("rejected").Inc()
		p.o.Logger.Warn("push: the store refused a run for good; dropping it", zap.Int("status", code))
		return rejected
	}
	p.metrics.requests.WithLabelValues("failed").Inc()
	p.o.Logger.Debug("push: send failed; the run stays in the backlog", zap.Int("status", code), zap.Error(safeErr(err, code, p.o.Config.URL)))
	return retry
}

// safeErr is what may be logged of a failed write: the status alone when
// the store answered (its body is untrusted text), else the transport
// error with the URL's query masked, since it may hold a key
// (VictoriaMetrics' authKey, say). The remote API wraps the *url.Error
// without Unwrap, so the query is masked in the text.
func safeErr(err error, code int, rawURL string) error {
	if code != 0 {
		return fmt.Errorf("the store answered %d", code)
	}
	msg := err.Error()
	if u, perr := url.Parse(rawURL); perr == nil && u.RawQuery != "" {
		msg = strings.ReplaceAll(msg, u.RawQuery, "…")
	}
	return errors.New(msg)
}

// logURL is the push URL as logged: without its query.
func logURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

func (p *Pusher) done(e entry, r result, failures int) {
	n := p.backlog.remove(e.name)
	if r == rejected {
		p.metrics.dropped.WithLabelValues(DropRejected).Add(float64(n))
		return
	}
	p.metrics.lastSuccess.Set(float64(p.o.Now().UnixNano()) / 1e9)
	if failures > 0 {
		runs, _, _ := p.backlog.stats()
		p.o.Logger.Info("push: the store accepts runs again", zap.Int("failed_attempts", failures), zap.Int("runs_waiting", runs))
	}
}

// backoff is the wait after the n-th failure in a row: full jitter over
// an exponential cap.
func (p *Pusher) backoff(n int) time.Duration {
	limit := p.o.Backoff
	for i := 1; i < n && limit < maxBackoff; i++ {
		limit *= 2
	}
	limit = min(limit, maxBackoff)
	if n == 1 {
		p.o.Logger.Warn("push: the store is unreachable; keeping runs in the backlog", zap.String("url", logURL(p.o.Config.URL)))
	}
	return rand.N(limit) + 1
}

// Backoff exposes the wait schedule to the simulation in the tests.
func Backoff(first time.Duration, n int) time.Duration {
	p := &Pusher{o: Options{Backoff: first, Logger: zap.NewNop()}}
	return p.backoff(n)
}

func (p *Pusher) waitWake(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-p.wake:
	}
}

func (p *Pusher) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
