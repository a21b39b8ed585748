package probetest

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/pbprobe/pbprobe/probes"
)

// Scenario is a way for one host to be broken (or not). Each is named after
// the reason a correct prober reports for it.
type Scenario string

// Scenarios. The values are the expected probes.Reason, except where one
// reason has several causes worth testing: then a suffix tells them apart
// (tls_protocol_not_tls is still tls_protocol).
const (
	OK               Scenario = "ok"
	NXDomain         Scenario = "dns_nxdomain"
	ServFail         Scenario = "dns_servfail"
	Refused          Scenario = "dns_refused"
	DNSSilent        Scenario = "dns_timeout"
	NoAddress        Scenario = "dns_no_address"
	SinkholeZero     Scenario = "dns_sinkhole"          // answers 0.0.0.0
	SinkholeLoopback Scenario = "dns_sinkhole_loopback" // answers 127.0.0.1 for a host without AllowPrivate
	PortRefused      Scenario = "tcp_refused"
	TLS10Only        Scenario = "tls_protocol"
	NotTLS           Scenario = "tls_protocol_not_tls"
	Reset            Scenario = "tls_reset"
	Expired          Scenario = "tls_expired"
	NotYetValid      Scenario = "tls_not_yet_valid"
	WrongName        Scenario = "tls_hostname_mismatch"
	SelfSigned       Scenario = "tls_untrusted"
	UnknownCA        Scenario = "tls_untrusted_ca" // leaf from a third CA nobody trusts
	Intercepted      Scenario = "tls_intercepted"
	Stall            Scenario = "tls_timeout"
)

// Scenarios lists every scenario, in chain order, for table-driven tests.
func Scenarios() []Scenario {
	return []Scenario{
		OK,
		NXDomain, ServFail, Refused, DNSSilent, NoAddress, SinkholeZero, SinkholeLoopback,
		PortRefused,
		TLS10Only, NotTLS, Reset, Expired, NotYetValid, WrongName, SelfSigned, UnknownCA, Intercepted, Stall,
	}
}

// Reason is the reason a correct prober reports for the scenario.
func (s Scenario) Reason() probes.Reason {
	switch s {
	case SinkholeLoopback:
		return probes.DNSSinkhole
	case NotTLS:
		return probes.TLSProtocol
	case UnknownCA:
		return probes.TLSUntrusted
	}
	return probes.Reason(s)
}

// World is a DNS server, the certificate authorities a test PC trusts and
// the servers behind the names added to it: everything a probe touches.
type World struct {
	DNS *DNSServer
	// Public stands for the web PKI: trusted by the PC and in the public set.
	Public *CA
	// Inspection stands for a TLS-inspection proxy's CA that the PC's admin
	// installed: trusted by the PC, absent from the public set.
	Inspection *CA

	tb      testing.TB
	leafKey *rsa.PrivateKey

	mu        sync.Mutex
	untrusted *CA // made on first use: most tests never need it
}

// The roots' names; tests and reports may show them.
const (
	PublicCAName     = "pbprobe Test Public Root"
	InspectionCAName = "pbprobe Test Inspection CA"
	UntrustedCAName  = "pbprobe Test Untrusted CA"
)

// NewWorld builds a world with an empty DNS server and the two trusted
// CAs. Everything is torn down by tb.Cleanup.
func NewWorld(tb testing.TB) *World {
	tb.Helper()
	keys, err := generateKeys(3)
	if err != nil {
		tb.Fatal(err)
	}
	w := &World{tb: tb, leafKey: keys[2]}
	if w.Public, err = newCA(PublicCAName, keys[0], w.leafKey); err != nil {
		tb.Fatal(err)
	}
	if w.Inspection, err = newCA(InspectionCAName, keys[1], w.leafKey); err != nil {
		tb.Fatal(err)
	}
	w.DNS = NewDNSServer(tb)
	return w
}

// SystemPool is what the test PC trusts: the public root and the inspection
// CA. It is a new pool on every call.
func (w *World) SystemPool() *x509.CertPool {
	p := w.Public.Pool()
	p.AddCert(w.Inspection.Cert())
	return p
}

// PublicPool is the public root set: the public root only.
func (w *World) PublicPool() *x509.CertPool { return w.Public.Pool() }

// Options point a prober at this world.
func (w *World) Options() probes.Options {
	return probes.Options{
		Resolvers:   []string{w.DNS.Addr()},
		SystemRoots: w.SystemPool(),
		PublicRoots: w.PublicPool(),
		Timeout:     2 * time.Second,
	}
}

// Add makes host behave as the scenario says and returns the target to
// probe. It is safe to call from parallel subtests; what it starts lives
// until the World's test ends.
func (w *World) Add(host string, s Scenario) probes.Target {
	w.tb.Helper()
	if !slices.Contains(Scenarios(), s) {
		w.tb.Fatalf("probetest: unknown scenario %q", s)
	}
	t := probes.Target{Host: host, AllowPrivate: true}
	a := Answer{A: []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}}
	switch s {
	case NXDomain, ServFail, Refused, DNSSilent, NoAddress:
		a = dnsFailures()[s]
		// No address comes back, so the port is never dialled; should a
		// prober dial anyway, a refused port makes the bug obvious.
		w.DNS.Set(host, a)
		t.Port = ClosedPort(w.tb)
		return t
	case PortRefused:
		w.DNS.Set(host, a)
		t.Port = ClosedPort(w.tb)
		return t
	case SinkholeZero:
		// The server behind it is healthy: only the answer gives the
		// sinkhole away. (Linux routes a connect to 0.0.0.0 to loopback.)
		a.A = []netip.Addr{netip.IPv4Unspecified()}
	case SinkholeLoopback:
		t.AllowPrivate = false
	}
	w.DNS.Set(host, a)
	o := ServerOptions{Behavior: Serve}
	if b, ok := misbehaviors()[s]; ok {
		o.Behavior = b
	}
	if o.Behavior == Serve || o.Behavior == ServeTLS10Only {
		o.Cert = w.issue(w.certFor(s, host))
	}
	t.Port = NewServer(w.tb, o)
	return t
}

// dnsFailures are the scenarios decided by the DNS answer alone.
func dnsFailures() map[Scenario]Answer {
	return map[Scenario]Answer{
		NXDomain:  {Rcode: dns.RcodeNameError},
		ServFail:  {Rcode: dns.RcodeServerFailure},
		Refused:   {Rcode: dns.RcodeRefused},
		DNSSilent: {Silent: true},
		NoAddress: {},
	}
}

// misbehaviors are the scenarios of a server that does not serve TLS as it
// should.
func misbehaviors() map[Scenario]Behavior {
	return map[Scenario]Behavior{
		TLS10Only: ServeTLS10Only,
		NotTLS:    HTTPAfterHello,
		Reset:     ResetAfterHello,
		Stall:     StallAfterHello,
	}
}

// certFor is the CA and leaf a scenario's server presents for host.
func (w *World) certFor(s Scenario, host string) (*CA, LeafOptions) {
	leaf := LeafOptions{DNSNames: []string{host}}
	now := time.Now()
	switch s {
	case Expired:
		leaf.NotBefore, leaf.NotAfter = now.AddDate(0, 0, -90), now.Add(-24*time.Hour)
	case NotYetValid:
		leaf.NotBefore, leaf.NotAfter = now.Add(24*time.Hour), now.AddDate(0, 0, 90)
	case WrongName:
		leaf.DNSNames = []string{"other.example"}
	case SelfSigned:
		leaf.SelfSigned = true
	case UnknownCA:
		return w.untrustedCA(), leaf
	case Intercepted:
		return w.Inspection, leaf
	}
	return w.Public, leaf
}

// AddWith makes host answer a and be served as o says, for cases the
// scenarios do not cover. With no A, AAAA or Rcode, the answer is 127.0.0.1;
// with no Cert, a server that handshakes presents a public leaf for host.
func (w *World) AddWith(host string, a Answer, o ServerOptions) probes.Target {
	w.tb.Helper()
	if len(a.A) == 0 && len(a.AAAA) == 0 && a.Rcode == dns.RcodeSuccess {
		a.A = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	}
	w.DNS.Set(host, a)
	if len(o.Cert.Certificate) == 0 && o.Behavior.tls() {
		o.Cert = w.issue(w.Public, LeafOptions{DNSNames: []string{host}})
	}
	return probes.Target{Host: host, Port: NewServer(w.tb, o), AllowPrivate: true}
}

func (w *World) issue(ca *CA, o LeafOptions) tls.Certificate {
	w.tb.Helper()
	c, err := ca.Issue(o)
	if err != nil {
		w.tb.Fatal(err)
	}
	return c
}

func (w *World) untrustedCA() *CA {
	w.tb.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.untrusted == nil {
		keys, err := generateKeys(1)
		if err != nil {
			w.tb.Fatal(err)
		}
		if w.untrusted, err = newCA(UntrustedCAName, keys[0], w.leafKey); err != nil {
			w.tb.Fatal(err)
		}
	}
	return w.untrusted
}

// WritePEMs writes SystemPool and PublicPool as PEM bundles into dir, for
// tests that configure roots by file, and returns their paths.
func (w *World) WritePEMs(dir string) (system, public string, err error) {
	system = filepath.Join(dir, "system-roots.pem")
	public = filepath.Join(dir, "public-roots.pem")
	pub := w.Public.PEM()
	if err := os.WriteFile(system, append(append([]byte(nil), pub...), w.Inspection.PEM()...), 0o644); err != nil {
		return "", "", fmt.Errorf("probetest: %w", err)
	}
	if err := os.WriteFile(public, pub, 0o644); err != nil {
		return "", "", fmt.Errorf("probetest: %w", err)
	}
	return system, public, nil
}
