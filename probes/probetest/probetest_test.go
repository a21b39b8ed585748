package probetest_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

var (
	ip1 = netip.MustParseAddr("127.0.0.1")
	ip2 = netip.MustParseAddr("127.0.0.2")
	ip6 = netip.MustParseAddr("::1")
)

func query(t *testing.T, s *probetest.DNSServer, network, name string, qtype uint16, timeout time.Duration) (*dns.Msg, time.Duration, error) {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: timeout}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	return c.Exchange(m, s.Addr())
}

func mustQuery(t *testing.T, s *probetest.DNSServer, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	r, _, err := query(t, s, network, name, qtype, 2*time.Second)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], network, err)
	}
	return r
}

// addrs returns the A and AAAA records of r, and the CNAME targets.
func addrs(r *dns.Msg) (ips []netip.Addr, cnames []string) {
	for _, rr := range r.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			ip, _ := netip.AddrFromSlice(rr.A.To4())
			ips = append(ips, ip)
		case *dns.AAAA:
			ip, _ := netip.AddrFromSlice(rr.AAAA)
			ips = append(ips, ip)
		case *dns.CNAME:
			cnames = append(cnames, rr.Target)
		}
	}
	return ips, cnames
}

func TestDNSRcodes(t *testing.T) {
	s := probetest.NewDNSServer(t)
	s.Set("ok.test", probetest.Answer{A: []netip.Addr{ip1, ip2}, AAAA: []netip.Addr{ip6}})
	s.Set("nx.test", probetest.Answer{Rcode: dns.RcodeNameError})
	s.Set("fail.test", probetest.Answer{Rcode: dns.RcodeServerFailure})
	s.Set("refused.test", probetest.Answer{Rcode: dns.RcodeRefused})
	s.Set("empty.test", probetest.Answer{})

	for _, tc := range []struct {
		name  string
		qtype uint16
		rcode int
		want  []netip.Addr
	}{
		{"ok.test", dns.TypeA, dns.RcodeSuccess, []netip.Addr{ip1, ip2}},
		{"OK.Test.", dns.TypeA, dns.RcodeSuccess, []netip.Addr{ip1, ip2}},
		{"ok.test", dns.TypeAAAA, dns.RcodeSuccess, []netip.Addr{ip6}},
		{"nx.test", dns.TypeA, dns.RcodeNameError, nil},
		{"fail.test", dns.TypeA, dns.RcodeServerFailure, nil},
		{"refused.test", dns.TypeAAAA, dns.RcodeRefused, nil},
		{"empty.test", dns.TypeA, dns.RcodeSuccess, nil},
		{"unknown.test", dns.TypeA, dns.RcodeNameError, nil},
	} {
		for _, network := range []string{"udp", "tcp"} {
			r := mustQuery(t, s, network, tc.name, tc.qtype)
			got, _ := addrs(r)
			if r.Rcode != tc.rcode || !equal(got, tc.want) {
				t.Errorf("%s %s over %s = %s %v, want %s %v", tc.name, dns.TypeToString[tc.qtype], network,
					dns.RcodeToString[r.Rcode], got, dns.RcodeToString[tc.rcode], tc.want)
			}
		}
	}
	if got, want := s.Queries(), 16; got != want {
		t.Errorf("Queries() = %d, want %d", got, want)
	}
}

func equal(a, b []netip.Addr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDNSSetReplaces(t *testing.T) {
	s := probetest.NewDNSServer(t)
	s.Set("host.test.", probetest.Answer{A: []netip.Addr{ip1}})
	s.Set("HOST.test", probetest.Answer{A: []netip.Addr{ip2}})
	if got, _ := addrs(mustQuery(t, s, "udp", "host.test", dns.TypeA)); !equal(got, []netip.Addr{ip2}) {
		t.Errorf("answer after second Set = %v, want [%v]", got, ip2)
	}
}

func TestDNSDelay(t *testing.T) {
	s := probetest.NewDNSServer(t)
	const delay = 200 * time.Millisecond
	s.Set("slow.test", probetest.Answer{A: []netip.Addr{ip1}, Delay: delay})
	for _, network := range []string{"udp", "tcp"} {
		start := time.Now()
		r := mustQuery(t, s, network, "slow.test", dns.TypeA)
		if took := time.Since(start); took < delay {
			t.Errorf("over %s answered after %v, want at least %v", network, took, delay)
		}
		if got, _ := addrs(r); !equal(got, []netip.Addr{ip1}) {
			t.Errorf("over %s: answer %v, want [%v]", network, got, ip1)
		}
	}
}

func TestDNSSilent(t *testing.T) {
	s := probetest.NewDNSServer(t)
	s.Set("silent.test", probetest.Answer{A: []netip.Addr{ip1}, Silent: true})
	for _, network := range []string{"udp", "tcp"} {
		_, _, err := query(t, s, network, "silent.test", dns.TypeA, 300*time.Millisecond)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("over %s: err = %v, want a timeout", network, err)
		}
	}
	if got := s.Queries(); got != 2 {
		t.Errorf("Queries() = %d, want 2 (silent queries count too)", got)
	}
}

func TestDNSCNAME(t *testing.T) {
	s := probetest.NewDNSServer(t)
	s.Set("alias.test", probetest.Answer{CNAME: "edge.cdn.test", A: []netip.Addr{ip2}})
	r := mustQuery(t, s, "udp", "alias.test", dns.TypeA)
	if len(r.Answer) != 2 {
		t.Fatalf("answer = %v, want CNAME + A", r.Answer)
	}
	c, ok := r.Answer[0].(*dns.CNAME)
	if !ok || c.Hdr.Name != "alias.test." || c.Target != "edge.cdn.test." {
		t.Errorf("first record = %v, want alias.test. CNAME edge.cdn.test.", r.Answer[0])
	}
	a, ok := r.Answer[1].(*dns.A)
	if !ok || a.Hdr.Name != "edge.cdn.test." || !a.A.Equal(ip2.AsSlice()) {
		t.Errorf("second record = %v, want edge.cdn.test. A %v", r.Answer[1], ip2)
	}
}

func TestDNSTruncate(t *testing.T) {
	s := probetest.NewDNSServer(t)
	s.Set("big.test", probetest.Answer{A: []netip.Addr{ip1}, Truncate: true})
	r := mustQuery(t, s, "udp", "big.test", dns.TypeA)
	if !r.Truncated || len(r.Answer) != 0 {
		t.Errorf("over udp: TC=%v answers=%v, want TC and none", r.Truncated, r.Answer)
	}
	r = mustQuery(t, s, "tcp", "big.test", dns.TypeA)
	if got, _ := addrs(r); r.Truncated || !equal(got, []netip.Addr{ip1}) {
		t.Errorf("over tcp: TC=%v answers=%v, want the record", r.Truncated, got)
	}
}

// newCA is shared by the server tests; key generation is the slow part.
func newCA(t *testing.T) *probetest.CA {
	t.Helper()
	ca, err := probetest.NewCA("probetest unit CA")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func issue(t *testing.T, ca *probetest.CA, o probetest.LeafOptions) tls.Certificate {
	t.Helper()
	c, err := ca.Issue(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func dialTLS(port int, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	d := &net.Dialer{Timeout: timeout, Deadline: time.Now().Add(timeout)}
	return tls.DialWithDialer(d, "tcp", hostPort(port), cfg)
}

func TestServers(t *testing.T) {
	ca := newCA(t)
	cert := issue(t, ca, probetest.LeafOptions{DNSNames: []string{"srv.test"}})
	modern := &tls.Config{ServerName: "srv.test", RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}

	t.Run("Serve", func(t *testing.T) {
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.Serve, Cert: cert})
		c, err := dialTLS(port, modern, 5*time.Second)
		if err != nil {
			t.Fatalf("handshake: %v", err)
		}
		defer c.Close()
		st := c.ConnectionState()
		if st.Version < tls.VersionTLS12 || len(st.PeerCertificates) != 1 || st.PeerCertificates[0].Issuer.CommonName != "probetest unit CA" {
			t.Errorf("state: version %x, chain %d, want TLS 1.2+ and the leaf only", st.Version, len(st.PeerCertificates))
		}
		req, _ := http.NewRequest("GET", "https://srv.test/", nil)
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if date, err := http.ParseTime(resp.Header.Get("Date")); resp.StatusCode != http.StatusNoContent || err != nil || time.Since(date) > time.Minute {
			t.Errorf("HTTP answer %s, Date %q", resp.Status, resp.Header.Get("Date"))
		}
	})

	t.Run("ServeTLS10Only", func(t *testing.T) {
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.ServeTLS10Only, Cert: cert})
		_, err := dialTLS(port, modern, 5*time.Second)
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "remote error" {
			t.Errorf("TLS 1.2+ client: err = %v, want a protocol_version alert", err)
		}
		old := modern.Clone()
		old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
		c, err := dialTLS(port, old, 5*time.Second)
		if err != nil {
			t.Fatalf("TLS 1.0 client: %v", err)
		}
		c.Close()
	})

	t.Run("ResetAfterHello", func(t *testing.T) {
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.ResetAfterHello})
		_, err := dialTLS(port, modern, 5*time.Second)
		if !isConnReset(err) {
			t.Errorf("err = %#v, want ECONNRESET", err)
		}
	})

	t.Run("CloseAfterHello", func(t *testing.T) {
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.CloseAfterHello})
		_, err := dialTLS(port, modern, 5*time.Second)
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("err = %#v, want EOF", err)
		}
	})

	t.Run("StallAfterHello", func(t *testing.T) {
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.StallAfterHello})
		_, err := dialTLS(port, modern, 300*time.Millisecond)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("err = %v, want a timeout", err)
		}
	})

	t.Run("HTTPAfterHello", func(t *testing.T) {
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.HTTPAfterHello})
		_, err := dialTLS(port, modern, 5*time.Second)
		var rhe tls.RecordHeaderError
		if !errors.As(err, &rhe) || !strings.HasPrefix(string(rhe.RecordHeader[:]), "HTTP/") {
			t.Errorf("err = %v, want a RecordHeaderError on HTTP/", err)
		}
	})

	t.Run("HandshakeDelay", func(t *testing.T) {
		const delay = 200 * time.Millisecond
		port := probetest.NewServer(t, probetest.ServerOptions{Behavior: probetest.Serve, Cert: cert, HandshakeDelay: delay})
		start := time.Now()
		c, err := dialTLS(port, modern, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		if took := time.Since(start); took < delay {
			t.Errorf("handshake took %v, want at least %v", took, delay)
		}
	})

	t.Run("ClosedPort", func(t *testing.T) {
		c, err := net.DialTimeout("tcp", hostPort(probetest.ClosedPort(t)), 5*time.Second)
		if err == nil {
			c.Close()
		}
		if !isConnRefused(err) {
			t.Errorf("err = %v, want ECONNREFUSED", err)
		}
	})
}

func TestIssue(t *testing.T) {
	ca := newCA(t)
	verify := func(c tls.Certificate, now time.Time) error {
		_, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: "leaf.test", Roots: ca.Pool(), CurrentTime: now})
		return err
	}
	now := time.Now()
	ok := issue(t, ca, probetest.LeafOptions{DNSNames: []string{"leaf.test", "127.0.0.1"}})
	if err := verify(ok, now); err != nil {
		t.Errorf("default leaf: %v", err)
	}
	if len(ok.Leaf.IPAddresses) != 1 || len(ok.Leaf.DNSNames) != 1 {
		t.Errorf("SANs: DNS %v IP %v, want the IP as an IP SAN", ok.Leaf.DNSNames, ok.Leaf.IPAddresses)
	}
	if err := verify(ok, now.AddDate(0, 0, 91)); err == nil {
		t.Error("default leaf still valid after 91 days")
	}
	var cie x509.CertificateInvalidError
	expired := issue(t, ca, probetest.LeafOptions{DNSNames: []string{"leaf.test"}, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)})
	if err := verify(expired, now); !errors.As(err, &cie) || cie.Reason != x509.Expired {
		t.Errorf("expired leaf: %v", err)
	}
	var uae x509.UnknownAuthorityError
	self := issue(t, ca, probetest.LeafOptions{DNSNames: []string{"leaf.test"}, SelfSigned: true})
	if err := verify(self, now); !errors.As(err, &uae) {
		t.Errorf("self-signed leaf: %v", err)
	}
	if self.Leaf.Issuer.CommonName != "leaf.test" {
		t.Errorf("self-signed issuer = %q", self.Leaf.Issuer.CommonName)
	}
	if ok.Leaf.PublicKeyAlgorithm != x509.RSA || ca.Cert().PublicKeyAlgorithm != x509.RSA {
		t.Error("keys are not RSA")
	}
	if !strings.Contains(string(ca.PEM()), "BEGIN CERTIFICATE") {
		t.Error("PEM is not a certificate")
	}
}

// observe is a deliberately small prober of its own, built on the standard
// library only, so that the world is checked independently of the probes
// package it exists to test.
func observe(t *testing.T, w *probetest.World, tg probes.Target) probes.Reason {
	t.Helper()
	// Generous deadlines: RSA under the race detector on a busy CI machine is
	// slow, and only the Silent and Stall scenarios wait them out.
	r, _, err := query(t, w.DNS, "udp", tg.Host, dns.TypeA, time.Second)
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return probes.DNSTimeout
	case err != nil:
		t.Fatalf("DNS: %v", err)
	case r.Rcode == dns.RcodeNameError:
		return probes.DNSNXDomain
	case r.Rcode == dns.RcodeServerFailure:
		return probes.DNSServFail
	case r.Rcode == dns.RcodeRefused:
		return probes.DNSRefused
	}
	ips, _ := addrs(r)
	if len(ips) == 0 {
		return probes.DNSNoAddress
	}
	ip := ips[0]
	if ip.IsUnspecified() || (!tg.AllowPrivate && (ip.IsLoopback() || ip.IsPrivate())) {
		return probes.DNSSinkhole
	}
	conn, err := net.DialTimeout("tcp", netip.AddrPortFrom(ip, uint16(tg.Port)).String(), 2*time.Second)
	if isConnRefused(err) {
		return probes.TCPRefused
	} else if err != nil {
		t.Fatalf("TCP: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	tc := tls.Client(conn, &tls.Config{ServerName: tg.Host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12})
	err = tc.Handshake()
	var oe *net.OpError
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return probes.TLSTimeout
	case isConnReset(err) || errors.Is(err, io.EOF):
		return probes.TLSReset
	case errors.As(err, &rhe) || (errors.As(err, &oe) && oe.Op == "remote error"):
		return probes.TLSProtocol
	case err != nil:
		t.Fatalf("TLS: %v", err)
	}
	leaf := tc.ConnectionState().PeerCertificates[0]
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: tg.Host, Roots: w.SystemPool()})
	var cie x509.CertificateInvalidError
	var he x509.HostnameError
	var uae x509.UnknownAuthorityError
	switch {
	case errors.As(err, &cie) && cie.Reason == x509.Expired && time.Now().After(leaf.NotAfter):
		return probes.TLSExpired
	case errors.As(err, &cie) && cie.Reason == x509.Expired:
		return probes.TLSNotYetValid
	case errors.As(err, &he):
		return probes.TLSHostnameMismatch
	case errors.As(err, &uae):
		return probes.TLSUntrusted
	case err != nil:
		t.Fatalf("verify: %v", err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: tg.Host, Roots: w.PublicPool()}); err != nil {
		return probes.TLSIntercepted
	}
	return probes.ReasonOK
}

func TestWorld(t *testing.T) {
	w := probetest.NewWorld(t)
	if w.Public.Cert().Subject.CommonName != probetest.PublicCAName || w.Inspection.Cert().Subject.CommonName != probetest.InspectionCAName {
		t.Errorf("CA names: %q, %q", w.Public.Cert().Subject.CommonName, w.Inspection.Cert().Subject.CommonName)
	}
	for _, s := range probetest.Scenarios() {
		t.Run(string(s), func(t *testing.T) {
			host := strings.ReplaceAll(string(s), "_", "-") + ".passwordboss.test"
			tg := w.Add(host, s)
			if tg.Host != host || tg.Port == 0 || tg.AllowPrivate != (s != probetest.SinkholeLoopback) {
				t.Errorf("target = %+v", tg)
			}
			if got, want := observe(t, w, tg), s.Reason(); got != want {
				t.Errorf("observed %s, want %s", got, want)
			}
		})
	}

	t.Run("AddWith", func(t *testing.T) {
		tg := w.AddWith("custom.test", probetest.Answer{}, probetest.ServerOptions{})
		if got := observe(t, w, tg); got != probes.ReasonOK {
			t.Errorf("default AddWith observed %s, want ok", got)
		}
		tg = w.AddWith("nx-custom.test", probetest.Answer{Rcode: dns.RcodeNameError}, probetest.ServerOptions{Behavior: probetest.ResetAfterHello})
		if got := observe(t, w, tg); got != probes.DNSNXDomain {
			t.Errorf("NXDOMAIN AddWith observed %s", got)
		}
	})

	t.Run("Options", func(t *testing.T) {
		o := w.Options()
		if len(o.Resolvers) != 1 || o.Resolvers[0] != w.DNS.Addr() || o.SystemRoots == nil || o.PublicRoots == nil || o.Timeout != 2*time.Second {
			t.Errorf("Options() = %+v", o)
		}
		if !o.SystemRoots.Equal(w.SystemPool()) || !o.PublicRoots.Equal(w.PublicPool()) || o.SystemRoots.Equal(o.PublicRoots) {
			t.Error("Options() pools differ from SystemPool/PublicPool")
		}
	})

	t.Run("WritePEMs", func(t *testing.T) {
		system, public, err := w.WritePEMs(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			path string
			want *x509.CertPool
		}{{system, w.SystemPool()}, {public, w.PublicPool()}} {
			b, err := os.ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			p := x509.NewCertPool()
			if !p.AppendCertsFromPEM(b) || !p.Equal(tc.want) {
				t.Errorf("%s does not hold the expected roots", tc.path)
			}
		}
	})
}

// TestCleanup checks that a world's cleanup ends every goroutine it started,
// even with a DNS answer pending behind a long Delay and connections still
// open from the client side, and that it does so promptly.
func TestCleanup(t *testing.T) {
	before := runtime.NumGoroutine()
	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	start := time.Now()
	t.Run("world", func(t *testing.T) {
		w := probetest.NewWorld(t)
		for _, s := range []probetest.Scenario{probetest.OK, probetest.Stall, probetest.Reset, probetest.TLS10Only} {
			tg := w.Add(string(s)+".test", s)
			c, err := net.Dial("tcp", hostPort(tg.Port))
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
		}
		slow := w.AddWith("slow.test", probetest.Answer{Delay: time.Hour}, probetest.ServerOptions{HandshakeDelay: time.Hour})
		c, err := net.Dial("tcp", hostPort(slow.Port))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		for _, network := range []string{"udp", "tcp"} {
			c, err := net.Dial(network, w.DNS.Addr())
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
			m := new(dns.Msg)
			m.SetQuestion("slow.test.", dns.TypeA)
			dc := &dns.Conn{Conn: c}
			if err := dc.WriteMsg(m); err != nil {
				t.Fatal(err)
			}
		}
		// Let the server goroutines reach their blocking points.
		deadline := time.Now().Add(5 * time.Second)
		for w.DNS.Queries() < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	})
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("world and cleanup took %v", took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after cleanup:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func BenchmarkNewWorld(b *testing.B) {
	for b.Loop() {
		w := probetest.NewWorld(b)
		w.Add("ok.test", probetest.OK)
	}
}
