package probes_test

import (
	"context"
	"crypto/tls"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestChainReasons builds each failure in a world of its own making and
// checks the chain names exactly that reason, at exactly that stage.
func TestChainReasons(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	opts := w.Options()
	opts.Timeout = 1500 * time.Millisecond
	p := probes.New(opts)

	for _, s := range probetest.Scenarios() {
		host := strings.ReplaceAll(string(s), "_", "-") + ".pb.test"
		target := w.Add(host, s)
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			r := p.Probe(context.Background(), target)
			want := s.Reason()
			if r.Reason != want {
				t.Fatalf("reason = %s (err %v), want %s", r.Reason, r.Err, want)
			}
			if r.Stage() != want.Stage() {
				t.Errorf("stage = %q, want %q", r.Stage(), want.Stage())
			}
			if (r.Err == nil) != want.OK() {
				t.Errorf("err = %v with reason %s", r.Err, r.Reason)
			}
			// A run never takes much longer than its timeout, however it fails.
			if r.Duration > opts.Timeout+500*time.Millisecond {
				t.Errorf("probe took %s, timeout %s", r.Duration, opts.Timeout)
			}
			checkFacts(t, s, r)
		})
	}
}

// checkFacts asserts the facts a technician needs next to the reason.
func checkFacts(t *testing.T, s probetest.Scenario, r *probes.Result) {
	t.Helper()
	if r.DNS == nil {
		t.Fatal("no DNS facts")
	}
	switch s {
	case probetest.OK:
		if r.TLS == nil || r.TLS.Version < 0x0303 || !r.TLS.SystemTrusted || r.TLS.PublicTrusted == nil || !*r.TLS.PublicTrusted {
			t.Errorf("ok without a trusted TLS 1.2+ session: %+v", r.TLS)
		}
		if !r.TCP.Address.IsValid() || r.TCP.Address.Port() != uint16(r.Target.Port) {
			t.Errorf("connected address = %v", r.TCP.Address)
		}
		if r.DNS.Rcode != "NOERROR" || len(r.DNS.Addresses) == 0 {
			t.Errorf("dns = %+v", r.DNS)
		}
	case probetest.NXDomain:
		if r.DNS.Rcode != "NXDOMAIN" || r.TCP != nil {
			t.Errorf("rcode %q, tcp %v", r.DNS.Rcode, r.TCP)
		}
	case probetest.SinkholeZero:
		if len(r.DNS.Sinkholed) != 1 || !r.DNS.Sinkholed[0].IsUnspecified() {
			t.Errorf("sinkholed = %v", r.DNS.Sinkholed)
		}
	case probetest.PortRefused:
		if len(r.TCP.Attempts) != 1 || r.TCP.Attempts[0].Outcome != probes.TCPOutRefused {
			t.Errorf("attempts = %+v", r.TCP.Attempts)
		}
	case probetest.Intercepted:
		leaf := r.TLS.Leaf()
		if !r.TLS.Intercepted || !r.TLS.SystemTrusted || leaf == nil || leaf.Issuer != probetest.InspectionCAName {
			t.Errorf("tls = %+v leaf %+v", r.TLS, leaf)
		}
	case probetest.Expired, probetest.WrongName, probetest.SelfSigned, probetest.NotYetValid:
		// The certificate facts survive a failed verification.
		if r.TLS.Leaf() == nil || r.TLS.SystemTrusted {
			t.Errorf("tls facts lost: %+v", r.TLS)
		}
	}
}

// TestClockMakesValidCertExpire checks that validity is judged by the
// prober's clock, the way a PC with a wrong date sees the world, and that
// the server's Date header then names the clock as the cause.
func TestClockMakesValidCertExpire(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("clock.pb.test", probetest.OK)
	const year = 365 * 24 * time.Hour
	for _, tc := range []struct {
		shift    time.Duration
		skipHTTP bool
		want     probes.Reason
	}{
		{0, false, probes.ReasonOK},
		{2 * year, true, probes.TLSExpired},
		{-2 * year, true, probes.TLSNotYetValid},
		{2 * year, false, probes.ClockSkew},
		{-2 * year, false, probes.ClockSkew},
		{10 * time.Minute, false, probes.ClockSkew},
		{2 * time.Minute, false, probes.ReasonOK},
	} {
		opts := w.Options()
		opts.SkipHTTP = tc.skipHTTP
		opts.Now = func() time.Time { return time.Now().Add(tc.shift) }
		r := probes.New(opts).Probe(context.Background(), target)
		if r.Reason != tc.want {
			t.Errorf("clock %+v skipHTTP %v: reason %s (%v), want %s", tc.shift, tc.skipHTTP, r.Reason, r.Err, tc.want)
		}
		if !tc.skipHTTP {
			if d := r.HTTP.ClockSkew - tc.shift; d > 2*time.Second || d < -2*time.Second {
				t.Errorf("clock %s: measured skew %s", tc.shift, r.HTTP.ClockSkew)
			}
		}
	}
}

// TestServerClockSkew: a server whose Date is 10 minutes off (the PC's
// clock is then 10 minutes off from the service's) gives clock_skew.
func TestServerClockSkew(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.AddWith("skew.pb.test", probetest.Answer{}, probetest.ServerOptions{DateOffset: -10 * time.Minute})
	r := probes.New(w.Options()).Probe(context.Background(), target)
	if r.Reason != probes.ClockSkew || r.Stage() != probes.StageHTTP {
		t.Fatalf("reason %s stage %s (%v), want clock_skew", r.Reason, r.Stage(), r.Err)
	}
	if got := r.HTTP.ClockSkew; got < 599*time.Second || got > 601*time.Second {
		t.Errorf("skew = %s, want 10m", got)
	}
}

// TestTrustBeforeDates: a chain is judged on trust before its dates, and
// only a server trusted apart from its dates may speak about the PC's
// clock through its Date. An out-of-date chain that is untrusted, misnamed
// or intercepted is that, whatever its Date says.
func TestTrustBeforeDates(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	const days3 = 72 * time.Hour
	expired, notYet := probetest.ExpiredLeaf, probetest.NotYetValidLeaf
	selfSigned := func(host string) probetest.LeafOptions {
		o := expired(host)
		o.SelfSigned = true
		return o
	}
	misnamed := func(string) probetest.LeafOptions { return expired("other.example") }
	valid := func(host string) probetest.LeafOptions { return probetest.LeafOptions{DNSNames: []string{host}} }
	const dateless = time.Duration(1) // marks a server without a Date header
	tests := []struct {
		name     string
		ca       *probetest.CA
		leaf     func(host string) probetest.LeafOptions
		date     time.Duration // the server's Date offset; dateless: none
		skipHTTP bool
		want     probes.Reason
	}{
		{"expired untrusted, Date 3 days back", w.Untrusted(), expired, -days3, false, probes.TLSUntrusted},
		{"expired untrusted, no Date", w.Untrusted(), expired, dateless, false, probes.TLSUntrusted},
		{"expired untrusted, no HTTP stage", w.Untrusted(), expired, 0, true, probes.TLSUntrusted},
		{"not yet valid untrusted, Date 3 days ahead", w.Untrusted(), notYet, days3, false, probes.TLSUntrusted},
		{"not yet valid untrusted, no Date", w.Untrusted(), notYet, dateless, false, probes.TLSUntrusted},
		{"expired self-signed, Date 3 days back", w.Public, selfSigned, -days3, false, probes.TLSUntrusted},
		{"expired with a wrong name, Date 3 days back", w.Public, misnamed, -days3, false, probes.TLSHostnameMismatch},
		{"expired intercepted, Date 3 days back", w.Inspection, expired, -days3, false, probes.TLSIntercepted},
		{"expired trusted, Date 3 days back", w.Public, expired, -days3, false, probes.ClockSkew},
		{"expired trusted, correct Date", w.Public, expired, 0, false, probes.TLSExpired},
		{"expired trusted, no Date", w.Public, expired, dateless, false, probes.TLSExpired},
		{"not yet valid trusted, Date 3 days ahead", w.Public, notYet, days3, false, probes.ClockSkew},
		{"not yet valid trusted, correct Date", w.Public, notYet, 0, false, probes.TLSNotYetValid},
		{"valid trusted, Date 10 minutes back", w.Public, valid, -10 * time.Minute, false, probes.ClockSkew},
	}
	for i, tc := range tests {
		host := "dates-" + strconv.Itoa(i) + ".pb.test"
		leaf := tc.leaf(host)
		cert := w.Leaf(tc.ca, leaf)
		var target probes.Target
		if tc.date == dateless {
			target = w.AddDateless(host, cert)
		} else {
			target = w.AddWith(host, probetest.Answer{}, probetest.ServerOptions{Cert: cert, DateOffset: tc.date})
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := w.Options()
			opts.SkipHTTP = tc.skipHTTP
			r := probes.New(opts).Probe(context.Background(), target)
			if r.Reason != tc.want {
				t.Fatalf("reason %s (%v), want %s", r.Reason, r.Err, tc.want)
			}
			checkDatesFacts(t, r, cert)
		})
	}
}

// checkDatesFacts: the certificate facts are kept whatever the verdict,
// and the HTTP stage ran exactly when the server could be believed.
func checkDatesFacts(t *testing.T, r *probes.Result, cert tls.Certificate) {
	t.Helper()
	leaf := r.TLS.Leaf()
	if leaf == nil || !leaf.NotAfter.Equal(cert.Leaf.NotAfter) || !leaf.NotBefore.Equal(cert.Leaf.NotBefore) {
		t.Errorf("leaf facts %+v, want the presented leaf's", leaf)
	}
	heard := r.Reason == probes.ClockSkew || r.Reason == probes.TLSExpired || r.Reason == probes.TLSNotYetValid
	if heard != (r.HTTP != nil) {
		t.Errorf("reason %s with HTTP stage %+v", r.Reason, r.HTTP)
	}
	if r.TLS.SystemTrusted != (r.Reason == probes.ClockSkew && time.Now().Before(cert.Leaf.NotAfter) && time.Now().After(cert.Leaf.NotBefore)) {
		t.Errorf("reason %s with system_trusted %v", r.Reason, r.TLS.SystemTrusted)
	}
	if r.TLS.Intercepted != (r.Reason == probes.TLSIntercepted) {
		t.Errorf("reason %s with intercepted %v", r.Reason, r.TLS.Intercepted)
	}
}

func TestHTTPAnswers(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	p := probes.New(w.Options())
	for _, tc := range []struct {
		name, head, body string
		want             probes.Reason
	}{
		{"service 204", "", "", probes.ReasonOK},
		{"service 404", "HTTP/1.1 404 Not Found\r\nContent-Length: 0", "", probes.ReasonOK},
		{"service 401", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0", "", probes.ReasonOK},
		{"service redirect in its domain", "HTTP/1.1 302 Found\r\nLocation: https://www.pb.test/login\r\nContent-Length: 0", "", probes.ReasonOK},
		{"firewall 403", "HTTP/1.1 403 Forbidden\r\nServer: FortiGate\r\nContent-Length: 0", "", probes.HTTPBlocked},
		{"block page body", "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: 38", "<html><h1>Web Page Blocked</h1></html>", probes.HTTPBlocked},
		{"network login", "HTTP/1.1 511 Network Authentication Required\r\nContent-Length: 0", "", probes.HTTPBlocked},
		{"redirect to a portal", "HTTP/1.1 302 Found\r\nLocation: http://login.hotel.example/\r\nContent-Length: 0", "", probes.HTTPBlocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := strings.ReplaceAll(tc.name, " ", "-") + ".pb.test"
			target := w.AddWith(host, probetest.Answer{}, probetest.ServerOptions{HTTPResponse: tc.head, HTTPBody: tc.body})
			r := p.Probe(context.Background(), target)
			if r.Reason != tc.want {
				t.Errorf("reason %s (%v), want %s; http %+v", r.Reason, r.Err, tc.want, r.HTTP)
			}
		})
	}
}

// TestDNSFallsBackToNextResolver: a dead first resolver costs its share of
// the budget, not the verdict.
func TestDNSFallsBackToNextResolver(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	dead := probetest.NewDNSServer(t)
	dead.Set("fallback.pb.test", probetest.Answer{Silent: true})
	target := w.Add("fallback.pb.test", probetest.OK)
	opts := w.Options()
	opts.Resolvers = []string{dead.Addr(), w.DNS.Addr()}
	r := probes.New(opts).Probe(context.Background(), target)
	if r.Reason != probes.ReasonOK {
		t.Fatalf("reason %s (%v), want ok", r.Reason, r.Err)
	}
	if r.DNS.Resolver != w.DNS.Addr() {
		t.Errorf("resolver = %s, want %s", r.DNS.Resolver, w.DNS.Addr())
	}
}

func TestDNSTruncatedRetriesOverTCP(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.AddWith("tc.pb.test", probetest.Answer{A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Truncate: true}, probetest.ServerOptions{})
	r := probes.New(w.Options()).Probe(context.Background(), target)
	if r.Reason != probes.ReasonOK || r.DNS.Transport != "tcp" {
		t.Fatalf("reason %s transport %q (%v)", r.Reason, r.DNS.Transport, r.Err)
	}
}

func TestCNAMEIsFollowed(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.AddWith("cname.pb.test", probetest.Answer{CNAME: "edge.cdn.test", A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, probetest.ServerOptions{})
	r := probes.New(w.Options()).Probe(context.Background(), target)
	if r.Reason != probes.ReasonOK {
		t.Fatalf("reason %s (%v)", r.Reason, r.Err)
	}
}

// TestCancelStopsProbe: a stopped agent must not wait for slow phases.
func TestCancelStopsProbe(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("silent.pb.test", probetest.DNSSilent)
	opts := w.Options()
	opts.Timeout = 30 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	r := probes.New(opts).Probe(ctx, target)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancelled probe took %s (reason %s)", took, r.Reason)
	}
	if r.Reason.OK() {
		t.Fatalf("cancelled probe is ok")
	}
}

// TestResolverNotListening: a resolver address with nothing behind it is a
// dns_error, told apart from a resolver that is there but silent.
func TestResolverNotListening(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("nobody.pb.test", probetest.OK)
	opts := w.Options()
	opts.Resolvers = []string{"127.0.0.1:" + strconv.Itoa(probetest.ClosedPort(t))}
	r := probes.New(opts).Probe(context.Background(), target)
	if r.Reason != probes.DNSError {
		t.Fatalf("reason %s (%v), want dns_error", r.Reason, r.Err)
	}
}

// TestDNSResendsLostUDP: a lost UDP query is sent again within the budget,
// as stub resolvers do, instead of turning into dns_timeout.
func TestDNSResendsLostUDP(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.AddWith("lossy.pb.test", probetest.Answer{LoseUDP: 2}, probetest.ServerOptions{})
	opts := w.Options()
	// The resend goes out at 1 s; the DNS phase (30 %) must leave room for
	// its answer on a loaded machine.
	opts.Timeout = 10 * time.Second
	r := probes.New(opts).Probe(context.Background(), target)
	if r.Reason != probes.ReasonOK || r.DNS.Transport != "udp" {
		t.Fatalf("reason %s transport %q (%v), want ok over udp", r.Reason, r.DNS.Transport, r.Err)
	}
}
