package push

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/exp/api/remote"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pbprobe/pbprobe/agent/config"
)

// receiver is an in-process remote-write endpoint built on the same
// library's handler (snappy, content type), recording what it stored. Its
// status can be set to make it fail.
type receiver struct {
	mu       sync.Mutex
	requests []request
	status   int    // answer this instead of storing, when not 0
	wantAuth string // the Authorization header required, when not ""
	headers  []http.Header
}

type request struct {
	series []Series
}

func (r *receiver) Store(req *http.Request, mt remote.WriteMessageType) (*remote.WriteResponse, error) {
	resp := remote.NewWriteResponse()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = append(r.headers, req.Header.Clone())
	if r.wantAuth != "" && req.Header.Get("Authorization") != r.wantAuth {
		resp.SetStatusCode(http.StatusUnauthorized)
		return resp, fmt.Errorf("unauthorized")
	}
	if r.status != 0 {
		resp.SetStatusCode(r.status)
		return resp, fmt.Errorf("status %d", r.status)
	}
	if mt != remote.WriteV1MessageType {
		resp.SetStatusCode(http.StatusUnsupportedMediaType)
		return resp, fmt.Errorf("not v1: %s", mt)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return resp, err
	}
	series, err := DecodeRequest(body)
	if err != nil {
		resp.SetStatusCode(http.StatusBadRequest)
		return resp, err
	}
	r.requests = append(r.requests, request{series})
	return resp, nil
}

func (r *receiver) handler() http.Handler {
	return remote.NewWriteHandler(r, remote.MessageTypes{remote.WriteV1MessageType})
}

func (r *receiver) set(status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

func (r *receiver) got() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.requests...)
}

// waitFor polls cond for up to 20 s: the sender runs on its own goroutine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gaugeRegistry is a registry with a few pbprobe-like families whose
// values the test sets.
type gaugeRegistry struct {
	reg    *prometheus.Registry
	ready  prometheus.Gauge
	reason *prometheus.GaugeVec
}

func newGaugeRegistry() *gaugeRegistry {
	g := &gaugeRegistry{
		reg:    prometheus.NewRegistry(),
		ready:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbprobe_ready", Help: "h"}),
		reason: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "pbprobe_host_reason", Help: "h"}, []string{"host", "port", "reason"}),
	}
	g.reg.MustRegister(g.ready, g.reason)
	return g
}

func (g *gaugeRegistry) setReason(host, reason string) {
	for _, r := range []string{"ok", "dns_nxdomain", "tcp_timeout"} {
		v := 0.0
		if r == reason {
			v = 1
		}
		g.reason.WithLabelValues(host, "443", r).Set(v)
	}
}

func newTestPusher(t *testing.T, c config.Push, g prometheus.Gatherer, dir string) (*Pusher, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	if c.Backlog.MaxAge == 0 {
		c.Backlog = config.Backlog{MaxAge: config.DefaultBacklogMaxAge, MaxBytes: config.DefaultBacklogMaxBytes}
	}
	p, err := New(Options{Config: c, Labels: map[string]string{"site": "berlin", "machine": "pc-1"}, Dir: dir,
		Gatherer: g, Logger: zap.New(core), Backoff: 20 * time.Millisecond, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return p, logs
}

func mustAPI(t *testing.T, url string, c *http.Client) *remote.API {
	t.Helper()
	api, err := remote.NewAPI(url, remote.WithAPIHTTPClient(c), remote.WithAPIPath(""),
		remote.WithAPIBackoff(remote.BackoffConfig{MaxRetries: -1}))
	if err != nil {
		t.Fatal(err)
	}
	return api
}
