package probes_test

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// slowDialer connects only after delay: a slow TCP path on loopback.
type slowDialer struct {
	delay time.Duration
	d     net.Dialer
}

func (s *slowDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.d.DialContext(ctx, network, address)
}

// phaseEarly is how much earlier than its deadline a phase may look over:
// the recorded durations start a little after the probe's budget does.
const phaseEarly = 100 * time.Millisecond

// phaseCase is one phase running out of time.
type phaseCase struct {
	name    string
	timeout time.Duration
	// setup builds the world for the case and returns the target.
	setup func(t *testing.T, w *probetest.World, opts *probes.Options) probes.Target
	want  probes.Reason
	// end is the phase's deadline, reserve its own share and next the
	// next phase's share, all in percent of the timeout.
	end, reserve, next int
	// measure reads from the result how long the phase ran and when it
	// was over, counted from the probe's start.
	measure func(r *probes.Result) (ran, over time.Duration)
}

func phaseCases() []phaseCase {
	return []phaseCase{
		{
			name: "DNS answering at 90 % is dns_timeout at 30 %", timeout: 3 * time.Second,
			setup: func(t *testing.T, w *probetest.World, _ *probes.Options) probes.Target {
				return w.AddWith("slow-dns.pb.test", probetest.Answer{Delay: 2700 * time.Millisecond}, probetest.ServerOptions{})
			},
			want: probes.DNSTimeout, end: 30, reserve: 30, next: 30,
			measure: func(r *probes.Result) (time.Duration, time.Duration) { return r.DNS.Duration, r.DNS.Duration },
		},
		{
			// 22.5 %, not 25 %: a delay of exactly the first UDP try (1 s)
			// would race the resend.
			name: "dropped SYN after a slow DNS is tcp_timeout at 60 %", timeout: 4 * time.Second,
			setup: func(t *testing.T, w *probetest.World, _ *probes.Options) probes.Target {
				v4, _ := probetest.Blackhole(t)
				w.DNS.Set("slow-drop.pb.test", probetest.Answer{A: []netip.Addr{v4}, Delay: 900 * time.Millisecond})
				return probes.Target{Host: "slow-drop.pb.test", Port: 443, AllowPrivate: true}
			},
			want: probes.TCPTimeout, end: 60, reserve: 30, next: 25,
			measure: func(r *probes.Result) (time.Duration, time.Duration) {
				return r.TCP.Duration, r.DNS.Duration + r.TCP.Duration
			},
		},
		{
			name: "stalled handshake after a slow TCP is tls_timeout at 85 %", timeout: 6 * time.Second,
			setup: func(t *testing.T, w *probetest.World, opts *probes.Options) probes.Target {
				opts.Dialer = &slowDialer{delay: 3 * time.Second}
				return w.Add("slow-stall.pb.test", probetest.Stall)
			},
			want: probes.TLSTimeout, end: 85, reserve: 25, next: 15,
			measure: func(r *probes.Result) (time.Duration, time.Duration) {
				return r.TLS.Duration, r.DNS.Duration + r.TCP.Duration + r.TLS.Duration
			},
		},
		{
			name: "proxy silent after CONNECT is proxy_timeout at 60 %", timeout: 3 * time.Second,
			setup: func(t *testing.T, w *probetest.World, opts *probes.Options) probes.Target {
				port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.StallAfterHello})
				u := &url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(port)}
				opts.Proxies = func(string, int) []probes.ProxySetting {
					return []probes.ProxySetting{{Source: probes.ProxySourceEnv, URL: u, Raw: u.String()}}
				}
				return w.Add("silent-proxy.pb.test", probetest.OK)
			},
			want: probes.ProxyTimeout, end: 60, reserve: 30, next: 25,
			measure: func(r *probes.Result) (time.Duration, time.Duration) { return r.Proxy.Duration, r.Proxy.Duration },
		},
	}
}

// TestPhaseDeadlines: each phase that runs out of time is stopped at its
// own deadline in the documented split (DNS by 30 % of the timeout, TCP or
// the proxy by 60 %, TLS by 85 %), is classified as that phase's timeout,
// and got at least its own reserve of the timeout plus whatever the phases
// before it left. The bounds are generous: the lower ones only show that
// the phase ran until its deadline, the upper ones allow a second of
// lateness but never half of the next phase's reserve, so that they still
// show the phase did not eat into it.
func TestPhaseDeadlines(t *testing.T) {
	t.Parallel()
	for _, tc := range phaseCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := probetest.NewWorld(t)
			opts := w.Options()
			opts.Timeout = tc.timeout
			target := tc.setup(t, w, &opts)
			r := probes.New(opts).Probe(context.Background(), target)
			if r.Reason != tc.want || r.Stage() != tc.want.Stage() {
				t.Fatalf("reason %s (%v), want %s", r.Reason, r.Err, tc.want)
			}
			checkPhaseTimes(t, tc, r)
			if r.Proxy != nil && (r.Direct == nil || r.Direct.Reason != probes.ReasonOK) {
				t.Errorf("the direct path alongside the proxy: %+v", r.Direct)
			}
		})
	}
}

// checkPhaseTimes asserts that the phase ran until its deadline, got at
// least its reserve, and that the probe ended not long after.
func checkPhaseTimes(t *testing.T, tc phaseCase, r *probes.Result) {
	t.Helper()
	pct := func(p int) time.Duration { return tc.timeout * time.Duration(p) / 100 }
	ran, over := tc.measure(r)
	t.Logf("timeout %s: phase ran %s, over at %s (deadline %s), probe took %s", tc.timeout, ran, over, pct(tc.end), r.Duration)
	if over < pct(tc.end)-phaseEarly {
		t.Errorf("phase over at %s, before its deadline at %d %% (%s)", over, tc.end, pct(tc.end))
	}
	if ran < pct(tc.reserve)-phaseEarly {
		t.Errorf("phase ran %s, less than its reserve of %d %% (%s)", ran, tc.reserve, pct(tc.reserve))
	}
	if late := min(time.Second, pct(tc.next)/2); r.Duration > pct(tc.end)+late || over > pct(tc.end)+late {
		t.Errorf("probe took %s (phase over at %s), more than %s after the phase's deadline %s", r.Duration, over, late, pct(tc.end))
	}
}
