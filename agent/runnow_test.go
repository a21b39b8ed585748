package agent

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// gateProber holds every probe until the test lets it finish: a pass the
// test can keep running for as long as it needs, with no clock involved.
type gateProber struct {
	started chan struct{} // one send per probe
	release chan struct{} // one receive per probe
	calls   atomic.Int32
}

func newGateProber() *gateProber {
	return &gateProber{started: make(chan struct{}, 16), release: make(chan struct{}, 16)}
}

func (g *gateProber) Probe(ctx context.Context, t probes.Target) *probes.Result {
	g.calls.Add(1)
	g.started <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	return &probes.Result{Target: t, Reason: probes.ReasonOK}
}

// gatedAgent is an agent of one host probed by g, its loop running until
// the test ends, with its first pass (at start) done.
func gatedAgent(t *testing.T, g *gateProber) *Agent {
	t.Helper()
	cfg := config.Default()
	cfg.Hosts = []config.Host{{Host: "api.pb.test", Port: 443, Required: true}}
	cfg.Interval = time.Hour
	ran := make(chan struct{}, 1)
	a, err := New(Options{Config: cfg, NewProber: func(*config.Config) (Prober, error) { return g, nil },
		Hooks: []RunHook{func(RunEvent) {
			select {
			case ran <- struct{}{}:
			default:
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-g.started
	g.release <- struct{}{}
	<-ran
	return a
}

// idle reports whether no run-now request waits.
func (r *runRequests) idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next == nil && len(r.signal) == 0
}

// A second request during a pass asked for shares it: two presses, one
// pass, both answered with its document, and nothing left to run after.
func TestRunNowTwiceDuringAPassRunsOnce(t *testing.T) {
	t.Parallel()
	g := newGateProber()
	a := gatedAgent(t, g)
	first := make(chan *Document, 1)
	go func() {
		doc, _ := a.RunNow(context.Background())
		first <- doc
	}()
	<-g.started // the pass asked for is running
	second := a.manual.join()
	g.release <- struct{}{}
	d1 := <-first
	<-second.done
	if d1 == nil || d1 != second.doc {
		t.Fatalf("the two requests got different documents: %p and %p", d1, second.doc)
	}
	if got := a.Runs(); got != 2 {
		t.Errorf("%d runs, want 2 (the first and one asked for)", got)
	}
	if !a.manual.idle() {
		t.Error("a run is still asked for after the shared pass")
	}
	if got := g.calls.Load(); got != 2 {
		t.Errorf("%d probes, want 2", got)
	}
}

// A request made while a scheduled pass runs gets a pass of its own after
// it: the one running began before the press.
func TestRunNowAfterARunningPass(t *testing.T) {
	t.Parallel()
	g := newGateProber()
	a := gatedAgent(t, g)
	// A reload starts a pass now, as the schedule would.
	if err := a.Reload(a.Config()); err != nil {
		t.Fatal(err)
	}
	<-g.started
	b := a.manual.join()
	g.release <- struct{}{}
	<-g.started // the pass asked for, after the running one
	g.release <- struct{}{}
	<-b.done
	if got := a.Runs(); got != 3 {
		t.Errorf("%d runs, want 3", got)
	}
	if b.doc != a.Latest() {
		t.Error("the request was not answered with the pass that ran after it")
	}
}

// POST /-/probe from another site gets 403 and asks for nothing; from the
// page itself (same origin, or a form) it runs one pass and shows it.
func TestProbeEndpointSameOriginOnly(t *testing.T) {
	t.Parallel()
	g := newGateProber()
	a := gatedAgent(t, g)
	h, err := NewHandler(ServerOptions{Agent: a, Gatherer: prometheus.NewRegistry(), RenderStatus: func(d *Document) ([]byte, error) { return json.Marshal(d) },
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	refused := []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://evil.example"},
		{"Origin": "null"},
	}
	for _, hdr := range refused {
		r := httptest.NewRequest("POST", "http://127.0.0.1:9843/-/probe", strings.NewReader("lang=de"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%v: status %d, want 403", hdr, rec.Code)
		}
		if !a.manual.idle() {
			t.Fatalf("%v: a refused request asked for a run", hdr)
		}
	}
	if got := a.Runs(); got != 1 {
		t.Errorf("%d runs after refused requests, want 1", got)
	}

	// The page's own button: same origin, a form; answered with a redirect
	// back to the page in its language.
	form := url.Values{"lang": {"de"}}
	r := httptest.NewRequest("POST", "http://127.0.0.1:9843/-/probe", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://127.0.0.1:9843")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	go func() { <-g.started; g.release <- struct{}{} }()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/?lang=de" {
		t.Errorf("same-origin form: %d to %q, want 303 to /?lang=de", rec.Code, rec.Header().Get("Location"))
	}
	if got := a.Runs(); got != 2 {
		t.Errorf("%d runs after the button, want 2", got)
	}

	// pbprobe status --now: no browser headers, answered with the document.
	r = httptest.NewRequest("POST", "http://127.0.0.1:9843/-/probe", nil)
	rec = httptest.NewRecorder()
	go func() { <-g.started; g.release <- struct{}{} }()
	h.ServeHTTP(rec, r)
	var doc Document
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); rec.Code != 200 || err != nil {
		t.Fatalf("POST without a browser: %d %v", rec.Code, err)
	}
	if !doc.CheckedAt.Equal(a.Latest().CheckedAt) || a.Runs() != 3 {
		t.Errorf("the answer is not the new run (runs %d)", a.Runs())
	}
}

// The page's language is only ever a language code in the redirect.
func TestPageURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"de": "/?lang=de", "": "/", "//evil.example": "/", "de&x=1": "/", "DE": "/"} {
		if got := pageURL(in); got != want {
			t.Errorf("pageURL(%q) = %q, want %q", in, got, want)
		}
	}
}
