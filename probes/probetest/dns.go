package probetest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Answer is how the DNS server responds to queries for one name.
type Answer struct {
	// Rcode is the response code (dns.RcodeSuccess, dns.RcodeNameError,
	// ...). Any other than success is sent without records.
	Rcode int
	// A and AAAA answer the respective query types. A skips anything that
	// is not IPv4, since it could not be encoded; AAAA sends IPv4 addresses
	// as IPv4-mapped IPv6, which is what a misconfigured zone would do.
	A, AAAA []netip.Addr
	// CNAME, when set, makes the name an alias: the answer is a CNAME to this
	// name followed by the A or AAAA records, owned by the target, the way a
	// recursive resolver returns a CDN-hosted name.
	CNAME string
	// Delay holds every answer back this long.
	Delay time.Duration
	// Silent drops every query, on both transports.
	Silent bool
	// LoseUDP drops this many UDP queries for the name before answering,
	// like a lossy link: a client that does not resend times out.
	LoseUDP int
	// Truncate answers UDP queries with TC set and no records, so that only
	// a client that retries over TCP gets the records.
	Truncate bool
}

// ttl is short and fixed; nothing in the tests caches, but a zero TTL is an
// oddity some clients treat specially.
const ttl = 60

// DNSServer is an authoritative-looking server on 127.0.0.1, answering over
// UDP and TCP on the same port as a resolver does.
type DNSServer struct {
	addr    string
	queries atomic.Int64
	// done stops pending Delays, so that Shutdown, which waits for handlers,
	// does not wait for them.
	done chan struct{}

	mu      sync.RWMutex
	answers map[string]Answer
	lost    map[string]int // UDP queries dropped so far per name, for LoseUDP
}

// NewDNSServer starts a server; it is shut down by tb.Cleanup. Names that
// were not Set answer NXDOMAIN.
func NewDNSServer(tb testing.TB) *DNSServer {
	tb.Helper()
	pc, ln, err := listenPair()
	if err != nil {
		tb.Fatalf("probetest: DNS server: %v", err)
	}
	s := &DNSServer{
		addr:    pc.LocalAddr().String(),
		done:    make(chan struct{}),
		answers: map[string]Answer{},
	}
	servers := []*dns.Server{
		{PacketConn: pc, Handler: dns.HandlerFunc(s.serve)},
		{Listener: ln, Handler: dns.HandlerFunc(s.serve)},
	}
	var wg sync.WaitGroup
	startErr := make(chan error, len(servers))
	for _, srv := range servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		exited := make(chan error, 1)
		wg.Go(func() { exited <- srv.ActivateAndServe() })
		// Shutdown of a server that has not started yet fails and leaves it
		// running, so wait until it has.
		select {
		case <-started:
		case err := <-exited:
			startErr <- err
		}
	}
	close(startErr)
	shutdown := func() {
		close(s.done)
		for _, srv := range servers {
			// An error means the server never started: nothing to stop.
			_ = srv.Shutdown()
		}
		pc.Close()
		ln.Close()
		wg.Wait()
	}
	if err := errors.Join(collect(startErr)...); err != nil {
		shutdown()
		tb.Fatalf("probetest: DNS server: %v", err)
	}
	tb.Cleanup(shutdown)
	return s
}

func collect(ch <-chan error) []error {
	var errs []error
	for err := range ch {
		errs = append(errs, err)
	}
	return errs
}

// listenPair binds UDP and TCP to the same random loopback port. The port
// the kernel picks for UDP may be taken for TCP, so it tries a few.
func listenPair() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp4", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("no loopback port free for both UDP and TCP: %w", lastErr)
}

// Addr is "127.0.0.1:port", for both transports.
func (s *DNSServer) Addr() string { return s.addr }

// Set makes name answer a. The name is matched case-insensitively, with or
// without the trailing dot. It is safe to call while queries are served.
func (s *DNSServer) Set(name string, a Answer) {
	a.A = append([]netip.Addr(nil), a.A...)
	a.AAAA = append([]netip.Addr(nil), a.AAAA...)
	s.mu.Lock()
	s.answers[canonical(name)] = a
	s.mu.Unlock()
}

// Queries is the number of queries received so far, over both transports,
// including those left unanswered.
func (s *DNSServer) Queries() int { return int(s.queries.Load()) }

func canonical(name string) string { return dns.Fqdn(strings.ToLower(name)) }

func (s *DNSServer) lookup(name string) (Answer, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.answers[canonical(name)]
	return a, ok
}

func (s *DNSServer) serve(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	m := new(dns.Msg)
	m.SetReply(req)
	// A recursive resolver is what the prober talks to; clients may check.
	m.RecursionAvailable = true
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(1232, false)
	}
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	a, ok := s.lookup(q.Name)
	if !ok {
		a = Answer{Rcode: dns.RcodeNameError}
	}
	if a.Silent || s.lose(q.Name, a.LoseUDP, w) {
		return
	}
	if a.Delay > 0 {
		t := time.NewTimer(a.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.done:
			return
		}
	}
	m.Rcode = a.Rcode
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp && a.Truncate {
		m.Truncated = true
		_ = w.WriteMsg(m)
		return
	}
	if a.Rcode == dns.RcodeSuccess {
		m.Answer = records(q, a)
	}
	if len(m.Answer) == 0 && (a.Rcode == dns.RcodeSuccess || a.Rcode == dns.RcodeNameError) {
		// Negative answers carry the zone's SOA, as real ones do, so that
		// a client reading the authority section is not surprised.
		m.Ns = []dns.RR{soa(q.Name)}
	}
	_ = w.WriteMsg(m)
}

func records(q dns.Question, a Answer) []dns.RR {
	var rrs []dns.RR
	owner := q.Name
	if a.CNAME != "" {
		target := dns.Fqdn(a.CNAME)
		rrs = append(rrs, &dns.CNAME{Hdr: header(owner, dns.TypeCNAME), Target: target})
		owner = target
	}
	switch q.Qtype {
	case dns.TypeA:
		for _, ip := range a.A {
			if ip = ip.Unmap(); ip.Is4() {
				rrs = append(rrs, &dns.A{Hdr: header(owner, dns.TypeA), A: ip.AsSlice()})
			}
		}
	case dns.TypeAAAA:
		for _, ip := range a.AAAA {
			b := ip.As16()
			rrs = append(rrs, &dns.AAAA{Hdr: header(owner, dns.TypeAAAA), AAAA: b[:]})
		}
	}
	return rrs
}

func header(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
}

func soa(name string) dns.RR {
	return &dns.SOA{
		Hdr:     header(name, dns.TypeSOA),
		Ns:      "ns.probetest.invalid.",
		Mbox:    "hostmaster.probetest.invalid.",
		Serial:  1,
		Refresh: 3600,
		Retry:   600,
		Expire:  86400,
		Minttl:  ttl,
	}
}

// lose reports whether this query is one of the first n over UDP for name,
// which the server then drops.
func (s *DNSServer) lose(name string, n int, w dns.ResponseWriter) bool {
	if n <= 0 {
		return false
	}
	if _, udp := w.RemoteAddr().(*net.UDPAddr); !udp {
		return false
	}
	key := strings.ToLower(dns.Fqdn(name))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost == nil {
		s.lost = map[string]int{}
	}
	if s.lost[key] >= n {
		return false
	}
	s.lost[key]++
	return true
}
