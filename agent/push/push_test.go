package push

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

func startPusher(t *testing.T, p *Pusher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestPushInOrderAfterOutage: runs made while the store answers 503 stay
// in the backlog and arrive, oldest first and with their own timestamps,
// once it is back.
func TestPushInOrderAfterOutage(t *testing.T) {
	rcv := &receiver{}
	srv := httptest.NewServer(rcv.handler())
	defer srv.Close()
	g := newGaugeRegistry()
	p, _ := newTestPusher(t, config.Push{URL: srv.URL + "/api/v1/write"}, g.reg, t.TempDir())
	rcv.set(http.StatusServiceUnavailable)
	startPusher(t, p)

	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	for i := range 5 {
		g.ready.Set(float64(i))
		p.Enqueue(base.Add(time.Duration(i) * time.Minute))
	}
	waitFor(t, "a failed attempt", func() bool { return testutil.ToFloat64(p.metrics.requests.WithLabelValues("failed")) > 0 })
	if got := testutil.ToFloat64(p.metrics.lastSuccess); got != 0 {
		t.Errorf("last success = %v while the store is down", got)
	}
	rcv.set(0)
	waitFor(t, "5 runs", func() bool { return len(rcv.got()) == 5 })
	for i, req := range rcv.got() {
		ready := find(t, req.series, "pbprobe_ready")
		want := Sample{Value: float64(i), TimeMS: base.Add(time.Duration(i) * time.Minute).UnixMilli()}
		if ready.Samples[0] != want {
			t.Errorf("run %d: pbprobe_ready sample %+v, want %+v", i, ready.Samples[0], want)
		}
		if lv(ready, "site") != "berlin" || lv(ready, "machine") != "pc-1" {
			t.Errorf("run %d: identity labels missing: %+v", i, ready.Labels)
		}
	}
	waitFor(t, "an empty backlog", func() bool { _, s, _ := p.backlog.stats(); return s == 0 })
	if got := testutil.ToFloat64(p.metrics.lastSuccess); got == 0 {
		t.Error("last success not set after delivery")
	}
}

func find(t *testing.T, series []Series, name string) Series {
	t.Helper()
	for _, s := range series {
		if lv(s, "__name__") == name {
			return s
		}
	}
	t.Fatalf("no %s in %d series", name, len(series))
	return Series{}
}

func lv(s Series, name string) string {
	for _, l := range s.Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// TestPushStatusClassification: a 400 (out of order, malformed) drops the
// run and counts it; 401 and 5xx keep it for a retry.
func TestPushStatusClassification(t *testing.T) {
	for _, tc := range []struct {
		status  int
		dropped bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusRequestEntityTooLarge, true},
		{http.StatusUnauthorized, false},
		{http.StatusNotFound, false},
		{http.StatusTooManyRequests, false},
		{http.StatusBadGateway, false},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			rcv := &receiver{status: tc.status}
			srv := httptest.NewServer(rcv.handler())
			defer srv.Close()
			g := newGaugeRegistry()
			g.ready.Set(1)
			p, _ := newTestPusher(t, config.Push{URL: srv.URL}, g.reg, t.TempDir())
			p.Enqueue(time.Now())
			_, data, _, _ := p.backlog.oldest()
			r := p.send(context.Background(), data)
			if (r == rejected) != tc.dropped {
				t.Errorf("status %d: result %v, want dropped=%v", tc.status, r, tc.dropped)
			}
			// One attempt per send: the sender's backoff, not the
			// library's, decides when to try again.
			rcv.mu.Lock()
			n := len(rcv.headers)
			rcv.mu.Unlock()
			if n != 1 {
				t.Errorf("status %d: %d requests for one send, want 1", tc.status, n)
			}
		})
	}
}

// TestPushBasicAuthTLS: basic auth and a bearer token over TLS verified
// against push.ca_file; the secrets come from files and never reach the
// log. A server whose CA is not configured is refused.
func TestPushBasicAuthTLS(t *testing.T) {
	ca, err := probetest.NewCA("push test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(probetest.LeafOptions{DNSNames: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	pwFile := filepath.Join(dir, "password")
	tokFile := filepath.Join(dir, "token")
	for f, s := range map[string]string{caFile: string(ca.PEM()), pwFile: "s3cret-pw\n", tokFile: "tok-123\r\n"} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		cfg  config.Push
		want string
	}{
		{"basic", config.Push{Username: "msp", PasswordFile: pwFile, CAFile: caFile}, "Basic " + base64.StdEncoding.EncodeToString([]byte("msp:s3cret-pw"))},
		{"bearer", config.Push{BearerTokenFile: tokFile, CAFile: caFile}, "Bearer tok-123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := &receiver{wantAuth: tc.want}
			srv := httptest.NewUnstartedServer(rcv.handler())
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted attempt's handshake error
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
			srv.StartTLS()
			defer srv.Close()
			g := newGaugeRegistry()
			g.ready.Set(1)
			tc.cfg.URL = srv.URL + "/api/v1/write"
			p, logs := newTestPusher(t, tc.cfg, g.reg, t.TempDir())
			p.Enqueue(time.Now())
			_, data, _, _ := p.backlog.oldest()
			if r := p.send(context.Background(), data); r != sent {
				t.Fatalf("send = %v, want sent", r)
			}
			if len(rcv.got()) != 1 {
				t.Fatalf("receiver stored %d requests", len(rcv.got()))
			}
			// Without the CA the store's certificate is not trusted.
			noCA := tc.cfg
			noCA.CAFile = ""
			p2, logs2 := newTestPusher(t, noCA, g.reg, t.TempDir())
			if r := p2.send(context.Background(), data); r != retry {
				t.Errorf("send to an untrusted store = %v, want retry", r)
			}
			noSecretLogged(t, append(logs.All(), logs2.All()...), "s3cret", "tok-123")
		})
	}
}

// noSecretLogged fails when a log entry's message or fields hold a secret.
func noSecretLogged(t *testing.T, entries []observer.LoggedEntry, secrets ...string) {
	t.Helper()
	for _, l := range entries {
		text := l.Message
		for k, v := range l.ContextMap() {
			text += " " + k + "=" + toString(v)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("secret in the log: %s", text)
			}
		}
	}
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if e, ok := v.(error); ok {
		return e.Error()
	}
	return ""
}

// TestPushThroughProxy: the store is reached through the proxy the PC is
// set to use (here HTTPS_PROXY), with CONNECT, and TLS verified end to end.
func TestPushThroughProxy(t *testing.T) {
	ca, err := probetest.NewCA("push proxy CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(probetest.LeafOptions{DNSNames: []string{"store.pb.test"}})
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	rcv := &receiver{}
	srv := httptest.NewUnstartedServer(rcv.handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.StartTLS()
	defer srv.Close()
	port := srv.Listener.Addr().String()[strings.LastIndex(srv.Listener.Addr().String(), ":")+1:]
	proxy := probetest.StartProxy(t, nil)

	g := newGaugeRegistry()
	g.ready.Set(1)
	p, _ := newTestPusher(t, config.Push{URL: "https://store.pb.test:" + port + "/api/v1/write", CAFile: caFile}, g.reg, t.TempDir())
	p.o.Getenv = nil
	client, err := newHTTPClient(p.o.Config, func(k string) string {
		if k == "HTTPS_PROXY" {
			return "http://127.0.0.1:" + proxy.Port()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	p.api = mustAPI(t, p.o.Config.URL, client)
	p.Enqueue(time.Now())
	_, data, _, _ := p.backlog.oldest()
	if r := p.send(context.Background(), data); r != sent {
		t.Fatalf("send through the proxy = %v, want sent", r)
	}
	if _, _, _, connects := proxy.Seen(); connects != 1 {
		t.Errorf("proxy saw %d CONNECTs, want 1", connects)
	}
	if len(rcv.got()) != 1 {
		t.Errorf("receiver stored %d requests, want 1", len(rcv.got()))
	}
}

// TestLoggedURLAndErrors: what the log says of the store keeps its query
// (which may hold a key) and its answers' bodies out.
func TestLoggedURLAndErrors(t *testing.T) {
	if got := logURL("https://vm.example/api/v1/write?authKey=k3y"); strings.Contains(got, "k3y") || !strings.HasPrefix(got, "https://vm.example/api/v1/write") {
		t.Errorf("logURL = %q", got)
	}
	// The remote API wraps the *url.Error in a type without Unwrap.
	ue := struct{ error }{&url.Error{Op: "Post", URL: "https://vm.example/api/v1/write?authKey=k3y", Err: errors.New("connection refused")}}
	const raw = "https://vm.example/api/v1/write/?authKey=k3y"
	if got := safeErr(ue, 0, raw).Error(); strings.Contains(got, "k3y") || !strings.Contains(got, "connection refused") {
		t.Errorf("safeErr(transport) = %q", got)
	}
	if got := safeErr(errors.New("server returned HTTP status 500: <body>"), 500, raw).Error(); strings.Contains(got, "body") {
		t.Errorf("safeErr(500) = %q", got)
	}
}

// TestPushNoRedirect: a store that redirects does not get the run sent on
// (with the credentials) to where it points; the run stays for a retry.
func TestPushNoRedirect(t *testing.T) {
	rcv := &receiver{}
	target := httptest.NewServer(rcv.handler())
	defer target.Close()
	redirector := httptest.NewServer(http.RedirectHandler(target.URL+"/api/v1/write", http.StatusTemporaryRedirect))
	defer redirector.Close()
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte("tok-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g := newGaugeRegistry()
	g.ready.Set(1)
	p, _ := newTestPusher(t, config.Push{URL: redirector.URL + "/api/v1/write", BearerTokenFile: tok}, g.reg, t.TempDir())
	p.Enqueue(time.Now())
	_, data, _, _ := p.backlog.oldest()
	if r := p.send(context.Background(), data); r != retry {
		t.Errorf("send to a redirecting store = %v, want retry", r)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.headers) != 0 {
		t.Errorf("the redirect target got %d requests", len(rcv.headers))
	}
}
