package probes_test

import (
	"context"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// hostileCase is one server or proxy that answers without end, or with a
// header sent to fill memory.
type hostileCase struct {
	name   string
	server probetest.ServerOptions // a TLS server behind the target, with a trusted leaf
	proxy  probetest.ServerOptions // or, when its Behavior is set, a proxy in front of a healthy one
	want   probes.Reason
	block  probes.BlockKind
	// errSays is a word the error must carry, for the failures whose cause
	// the reason alone does not name.
	errSays string
}

// bigValue is a header value under the head cap but far over what a result
// may keep.
var bigValue = strings.Repeat("x", 60<<10)

func hostileCases() []hostileCase {
	const tooLarge = "over 64 KiB"
	return []hostileCase{
		{name: "endless header line", server: probetest.ServerOptions{Behavior: probetest.EndlessHeaderLine},
			want: probes.HTTPError, errSays: tooLarge},
		{name: "endless headers", server: probetest.ServerOptions{Behavior: probetest.EndlessHeaders},
			want: probes.HTTPError, errSays: tooLarge},
		{name: "511 then endless headers", server: probetest.ServerOptions{Behavior: probetest.EndlessHeaders,
			HTTPResponse: "HTTP/1.1 511 Network Authentication Required"},
			want: probes.HTTPBlocked, block: probes.BlockNetworkLogin},
		{name: "endless body", server: probetest.ServerOptions{Behavior: probetest.EndlessBody},
			want: probes.ReasonOK},
		{name: "endless chunked body", server: probetest.ServerOptions{Behavior: probetest.EndlessChunkedBody},
			want: probes.ReasonOK},
		{name: "endless chunked block page", server: probetest.ServerOptions{Behavior: probetest.EndlessChunkedBody,
			HTTPResponse: "HTTP/1.1 403 Forbidden", HTTPBody: "Access denied by your administrator. "},
			want: probes.HTTPBlocked, block: probes.BlockPage},
		{name: "60 KiB Server header", server: probetest.ServerOptions{Behavior: probetest.Serve,
			HTTPResponse: "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nServer: FortiGate " + bigValue},
			want: probes.HTTPBlocked, block: probes.BlockFilterServer},
		{name: "proxy 407 endless body", proxy: probetest.ServerOptions{Behavior: probetest.EndlessBody},
			want: probes.ProxyAuthRequired},
		{name: "proxy 407 endless headers", proxy: probetest.ServerOptions{Behavior: probetest.EndlessHeaders},
			want: probes.ProxyAuthRequired},
		{name: "proxy 407 endless header line", proxy: probetest.ServerOptions{Behavior: probetest.EndlessHeaderLine},
			want: probes.ProxyAuthRequired},
		{name: "proxy 200 endless headers", proxy: probetest.ServerOptions{Behavior: probetest.EndlessHeaders,
			HTTPResponse: "HTTP/1.1 200 Connection established"},
			want: probes.ProxyUnreachable, errSays: tooLarge},
		{name: "proxy 407 with a 60 KiB Via", proxy: probetest.ServerOptions{Behavior: probetest.EndlessBody,
			HTTPResponse: "HTTP/1.1 407 Proxy Authentication Required\r\nVia: 1.1 " + bigValue},
			want: probes.ProxyAuthRequired},
	}
}

// TestHostileWorld probes servers and proxies that answer without end. Each
// probe must end within its timeout (in practice far sooner: the reads are
// bounded by bytes, not by the clock), with the right verdict, having made
// the peer send no more than a few socket buffers (a client that drained
// would make it send gigabytes by the deadline), and the whole set must
// allocate a bounded amount.
//
// It is not parallel on purpose: the allocation it measures is the
// process's, and parallel tests would add theirs. Each case takes
// milliseconds.
func TestHostileWorld(t *testing.T) {
	const (
		timeout    = 3 * time.Second
		slack      = time.Second
		sentBound  = 32 << 20
		allocBound = 32 << 20
	)
	w := probetest.NewWorld(t)
	healthy := w.Add("healthy.pb.test", probetest.OK)
	cases := hostileCases()
	targets := make([]probes.Target, len(cases))
	sent := make([]*atomic.Int64, len(cases))
	opts := make([]probes.Options, len(cases))
	for i, tc := range cases {
		sent[i] = new(atomic.Int64)
		opts[i] = w.Options()
		opts[i].Timeout = timeout
		targets[i] = healthy
		if tc.proxy.Behavior != 0 {
			tc.proxy.Sent = sent[i]
			u := &url.URL{Scheme: "http", Host: probetest.NewHostileProxy(t, tc.proxy)}
			opts[i].Proxies = func(string, int) []probes.ProxySetting {
				return []probes.ProxySetting{{Source: probes.ProxySourceEnv, URL: u, Raw: u.String()}}
			}
			continue
		}
		tc.server.Sent = sent[i]
		host := strings.ReplaceAll(tc.name, " ", "-") + ".pb.test"
		targets[i] = w.AddWith(host, probetest.Answer{}, tc.server)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i, tc := range cases {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		r := probes.New(opts[i]).Probe(context.Background(), targets[i])
		runtime.ReadMemStats(&m1)
		t.Logf("%-30s %-20s in %6s, HTTP %6s, peer sent %5d KiB, allocated %5d KiB: %v", tc.name, r.Reason,
			r.Duration.Round(time.Millisecond), httpDuration(r).Round(time.Millisecond), sent[i].Load()>>10, (m1.TotalAlloc-m0.TotalAlloc)>>10, r.Err)
		t.Run(tc.name, func(t *testing.T) {
			checkHostile(t, tc, r)
			if r.Duration > timeout+slack {
				t.Errorf("took %s, timeout %s", r.Duration, timeout)
			}
			if r.Proxy != nil && r.Proxy.Duration > timeout*60/100+slack {
				t.Errorf("the proxy phase took %s, its deadline is at %s", r.Proxy.Duration, timeout*60/100)
			}
			if n := sent[i].Load(); n > sentBound {
				t.Errorf("the peer sent %d MiB: the answer was drained, not cut", n>>20)
			}
		})
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > allocBound {
		t.Errorf("the hostile cases allocated %d MiB in all, want under %d MiB", grew>>20, allocBound>>20)
	} else {
		t.Logf("the hostile cases allocated %d KiB in all", grew>>10)
	}
}

func httpDuration(r *probes.Result) time.Duration {
	if r.HTTP == nil {
		return 0
	}
	return r.HTTP.Duration
}

// checkHostile asserts the verdict and that nothing the peer sent reaches
// the result unbounded.
func checkHostile(t *testing.T, tc hostileCase, r *probes.Result) {
	t.Helper()
	if r.Reason != tc.want || r.Stage() != tc.want.Stage() {
		t.Fatalf("reason %s (%v), want %s", r.Reason, r.Err, tc.want)
	}
	if tc.errSays != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tc.errSays)) {
		t.Errorf("error %v, want it to say %q", r.Err, tc.errSays)
	}
	if r.Err != nil && len(r.Err.Error()) > 1024 {
		t.Errorf("the error is %d bytes long", len(r.Err.Error()))
	}
	if h := r.HTTP; h != nil {
		if h.Block.Kind != tc.block {
			t.Errorf("block %+v, want kind %q", h.Block, tc.block)
		}
		if len(h.Server) > 256 || len(h.Location) > 256 || len(h.Block.Name) > 256 {
			t.Errorf("header values kept unshortened: server %d, location %d, block name %d bytes",
				len(h.Server), len(h.Location), len(h.Block.Name))
		}
		if h.Duration <= 0 || h.Duration > r.Duration {
			t.Errorf("HTTP took %s of a probe of %s", h.Duration, r.Duration)
		}
	}
	if p := r.Proxy; p != nil {
		if tc.want == probes.ProxyAuthRequired && p.Status != 407 {
			t.Errorf("proxy status %d, want 407", p.Status)
		}
		if len(p.ProxyServer) > 256 {
			t.Errorf("the proxy's Via kept at %d bytes", len(p.ProxyServer))
		}
		if r.Direct == nil || r.Direct.Reason != probes.ReasonOK {
			t.Errorf("the direct path: %+v", r.Direct)
		}
	}
}
