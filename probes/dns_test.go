package probes

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("NewRR(%q): %v", s, err)
	}
	return rr
}

func TestAddressesFromMsg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		qtype uint16
		rrs   []string
		want  []string
	}{
		{"plain A", dns.TypeA, []string{"api.example.com. 60 IN A 203.0.113.7"}, []string{"203.0.113.7"}},
		{"two A", dns.TypeA, []string{"api.example.com. 60 IN A 203.0.113.7", "api.example.com. 60 IN A 203.0.113.8"}, []string{"203.0.113.7", "203.0.113.8"}},
		{"AAAA", dns.TypeAAAA, []string{"api.example.com. 60 IN AAAA 2001:db8::7"}, []string{"2001:db8::7"}},
		{"case-insensitive owner", dns.TypeA, []string{"API.Example.COM. 60 IN A 203.0.113.7"}, []string{"203.0.113.7"}},
		{"CNAME chain", dns.TypeA, []string{
			"api.example.com. 60 IN CNAME edge.cdn.example.net.",
			"edge.cdn.example.net. 60 IN CNAME e1.cdn.example.net.",
			"e1.cdn.example.net. 60 IN A 198.51.100.1",
		}, []string{"198.51.100.1"}},
		{"records of other owners are ignored", dns.TypeA, []string{
			"api.example.com. 60 IN A 203.0.113.7",
			"evil.example.org. 60 IN A 192.0.2.66",
		}, []string{"203.0.113.7"}},
		{"A in an AAAA answer is ignored", dns.TypeAAAA, []string{"api.example.com. 60 IN A 203.0.113.7"}, nil},
		{"CNAME loop ends", dns.TypeA, []string{
			"api.example.com. 60 IN CNAME b.example.com.",
			"b.example.com. 60 IN CNAME api.example.com.",
		}, nil},
		{"CNAME without target records", dns.TypeA, []string{"api.example.com. 60 IN CNAME gone.example.com."}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := new(dns.Msg)
			for _, s := range tc.rrs {
				m.Answer = append(m.Answer, mustRR(t, s))
			}
			got := AddressesFromMsg("api.example.com", tc.qtype, m)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i].String() != tc.want[i] {
					t.Errorf("address %d = %s, want %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestAddressesFromMsgNilRecord: a nil record in the answer section is
// skipped both while following CNAMEs and while collecting addresses.
func TestAddressesFromMsgNilRecord(t *testing.T) {
	t.Parallel()
	m := new(dns.Msg)
	m.Answer = []dns.RR{
		nil,
		mustRR(t, "api.example.com. 60 IN CNAME edge.example.net."),
		nil,
		mustRR(t, "edge.example.net. 60 IN A 198.51.100.1"),
	}
	got := AddressesFromMsg("api.example.com", dns.TypeA, m)
	if len(got) != 1 || got[0].String() != "198.51.100.1" {
		t.Errorf("got %v, want [198.51.100.1]", got)
	}
}

func TestClassifyDNS(t *testing.T) {
	t.Parallel()
	addr := []netip.Addr{netip.MustParseAddr("203.0.113.7")}
	timeoutErr := &net.OpError{Op: "read", Err: context.DeadlineExceeded}
	ans := func(rcode int, addrs []netip.Addr) dnsAnswer { return dnsAnswer{rcode: rcode, addrs: addrs} }
	fail := func(err error) dnsAnswer { return dnsAnswer{rcode: -1, query: DNSQuery{Err: err}} }
	tests := []struct {
		name    string
		answers []dnsAnswer
		want    Reason
		rcode   string
	}{
		{"A answers, AAAA empty", []dnsAnswer{ans(dns.RcodeSuccess, nil), ans(dns.RcodeSuccess, addr)}, ReasonOK, "NOERROR"},
		{"A answers, AAAA times out", []dnsAnswer{fail(timeoutErr), ans(dns.RcodeSuccess, addr)}, ReasonOK, "NOERROR"},
		{"NXDOMAIN", []dnsAnswer{ans(dns.RcodeNameError, nil), ans(dns.RcodeNameError, nil)}, DNSNXDomain, "NXDOMAIN"},
		{"NXDOMAIN beats a timeout", []dnsAnswer{fail(timeoutErr), ans(dns.RcodeNameError, nil)}, DNSNXDomain, "NXDOMAIN"},
		{"SERVFAIL", []dnsAnswer{ans(dns.RcodeServerFailure, nil), ans(dns.RcodeServerFailure, nil)}, DNSServFail, "SERVFAIL"},
		{"REFUSED", []dnsAnswer{ans(dns.RcodeRefused, nil), ans(dns.RcodeRefused, nil)}, DNSRefused, "REFUSED"},
		{"both time out", []dnsAnswer{fail(timeoutErr), fail(timeoutErr)}, DNSTimeout, ""},
		{"empty NOERROR", []dnsAnswer{ans(dns.RcodeSuccess, nil), ans(dns.RcodeSuccess, nil)}, DNSNoAddress, "NOERROR"},
		{"timeout beats empty NOERROR", []dnsAnswer{ans(dns.RcodeSuccess, nil), fail(timeoutErr)}, DNSTimeout, ""},
		{"NOTIMP is no SERVFAIL", []dnsAnswer{ans(dns.RcodeNotImplemented, nil), ans(dns.RcodeNotImplemented, nil)}, DNSError, "NOTIMP"},
		{"resolver not listening", []dnsAnswer{fail(errors.New("connection refused")), fail(errors.New("connection refused"))}, DNSError, ""},
		{"nothing at all", nil, DNSError, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, rcode, err := classifyDNS(tc.answers)
			if got != tc.want || rcode != tc.rcode {
				t.Errorf("classifyDNS = %s/%q, want %s/%q", got, rcode, tc.want, tc.rcode)
			}
			if (err == nil) != (got == ReasonOK) {
				t.Errorf("err = %v for reason %s", err, got)
			}
		})
	}
}

// sinkholeRanges has, per range a filter may answer with, an address inside
// it and a public one just outside (or the same IPv4 address made public).
// always: a sinkhole even for a host allowed to be private.
var sinkholeRanges = []struct {
	name, sinkhole, public string
	always                 bool
}{
	{"unspecified IPv4", "0.0.0.0", "1.0.0.0", true},
	{"this network 0.0.0.0/8", "0.255.255.254", "1.0.0.1", true},
	{"this network 0.0.0.0/8, low", "0.0.0.1", "1.1.1.1", true},
	{"broadcast", "255.255.255.255", "223.255.255.254", true},
	{"reserved 240.0.0.0/4", "240.0.0.1", "223.0.0.1", true}, // just below is multicast
	{"reserved 240.0.0.0/4, high", "254.1.2.3", "223.1.2.3", true},
	{"multicast", "224.0.0.1", "223.255.255.255", true},
	{"IPv6 multicast", "ff02::1", "2001:db8::ff02", true},
	{"unspecified IPv6", "::", "2001:db8::", true},
	{"loopback", "127.0.0.1", "128.0.0.1", false},
	{"loopback, end", "127.255.255.254", "126.255.255.254", false},
	{"IPv6 loopback", "::1", "2001:db8::1", false},
	{"RFC 1918 10/8", "10.1.2.3", "11.1.2.3", false},
	{"RFC 1918 172.16/12", "172.31.255.1", "172.32.0.1", false},
	{"RFC 1918 192.168/16", "192.168.1.1", "192.169.1.1", false},
	{"link-local", "169.254.1.1", "169.255.1.1", false},
	{"IPv6 link-local", "fe80::1", "fec0::1:1", false},
	{"unique local", "fd00::1", "fe00::1", false},
	{"CGNAT 100.64/10", "100.64.0.1", "100.63.255.254", false},
	{"CGNAT 100.64/10, end", "100.127.255.254", "100.128.0.1", false},
	{"IPv4-mapped private", "::ffff:192.168.1.1", "::ffff:203.0.113.7", false},
	{"IPv4-mapped unspecified", "::ffff:0.0.0.0", "::ffff:1.0.0.0", true},
	{"IPv4-mapped CGNAT", "::ffff:100.64.1.1", "::ffff:100.128.1.1", false},
	{"IPv4-compatible loopback", "::127.0.0.1", "::203.0.113.7", false},
	{"IPv4-compatible private", "::10.0.0.1", "::11.0.0.1", false},
	{"IPv4-compatible this network", "::0.0.0.2", "::1.0.0.2", true},
	{"NAT64 private", "64:ff9b::10.0.0.1", "64:ff9b::203.0.113.7", false},
	{"NAT64 loopback", "64:ff9b::7f00:1", "64:ff9b::cb00:7107", false},
	{"NAT64 unspecified", "64:ff9b::", "64:ff9b::1.2.3.4", true},
	{"NAT64 CGNAT", "64:ff9b::100.64.0.1", "64:ff9c::100.64.0.1", false}, // outside the prefix: not NAT64
	{"6to4 private", "2002:c0a8:101::1", "2002:cb00:7107::1", false},
	{"6to4 loopback", "2002:7f00:1::", "2002:7e00:1::", false},
	{"6to4 this network", "2002::1", "2003::1", true},
	{"6to4 reserved", "2002:f000:1::1", "2002:df00:1::1", true},
}

// TestSinkholeRanges: every range is a sinkhole for a public host, also for
// a private one where it leads nowhere, and its near miss is neither.
func TestSinkholeRanges(t *testing.T) {
	t.Parallel()
	for _, tc := range sinkholeRanges {
		in, out := netip.MustParseAddr(tc.sinkhole), netip.MustParseAddr(tc.public)
		if !IsSinkhole(in, false) {
			t.Errorf("%s: %s is not a sinkhole", tc.name, in)
		}
		if got := IsSinkhole(in, true); got != tc.always {
			t.Errorf("%s: IsSinkhole(%s, allowPrivate) = %v, want %v", tc.name, in, got, tc.always)
		}
		if IsSinkhole(out, false) || IsSinkhole(out, true) {
			t.Errorf("%s: the near miss %s is a sinkhole", tc.name, out)
		}
	}
}

func TestIsSinkhole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr         string
		allowPrivate bool
		want         bool
	}{
		{"0.0.0.0", false, true},
		{"0.0.0.0", true, true},
		{"::", true, true},
		{"::ffff:0.0.0.0", true, true},
		{"127.0.0.1", false, true},
		{"127.0.0.1", true, false},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.16.0.1", false, true},
		{"192.168.1.1", false, true},
		{"169.254.1.1", false, true},
		{"fe80::1", false, true},
		{"fd00::1", false, true},
		{"::ffff:192.168.1.1", false, true},
		{"203.0.113.7", false, false},
		{"2001:db8::7", false, false},
		{"146.112.61.104", false, false}, // a public block-page address is not a sinkhole by address
	}
	for _, tc := range tests {
		if got := IsSinkhole(netip.MustParseAddr(tc.addr), tc.allowPrivate); got != tc.want {
			t.Errorf("IsSinkhole(%s, allowPrivate=%v) = %v, want %v", tc.addr, tc.allowPrivate, got, tc.want)
		}
	}
}

// FuzzAddressesFromMsg feeds arbitrary wire-format messages to the answer
// handling: it must never panic, and must only return addresses of the
// family asked for.
func FuzzAddressesFromMsg(f *testing.F) {
	seed := func(rrs ...string) {
		m := new(dns.Msg)
		m.SetQuestion("api.example.com.", dns.TypeA)
		for _, s := range rrs {
			m.Answer = append(m.Answer, mustRR(f, s))
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
		f.Add(b, false)
	}
	seed("api.example.com. 60 IN A 203.0.113.7")
	seed("api.example.com. 60 IN AAAA 2001:db8::7", "api.example.com. 60 IN A 0.0.0.0")
	seed("api.example.com. 60 IN CNAME b.example.com.", "b.example.com. 60 IN A 198.51.100.1")
	seed("api.example.com. 60 IN CNAME api.example.com.")
	f.Fuzz(func(t *testing.T, wire []byte, wantA bool) {
		m := new(dns.Msg)
		if err := m.Unpack(wire); err != nil {
			return
		}
		qtype := dns.TypeAAAA
		if wantA {
			qtype = dns.TypeA
		}
		for _, a := range AddressesFromMsg("api.example.com", qtype, m) {
			if !a.IsValid() || a.Is4() != wantA {
				t.Fatalf("qtype %d returned %v", qtype, a)
			}
		}
		// The verdict on such an answer must be classifiable, whatever it is.
		ans := dnsAnswer{rcode: m.Rcode, addrs: AddressesFromMsg("api.example.com", qtype, m)}
		if r, _, _ := classifyDNS([]dnsAnswer{ans}); r.Stage() != StageDNS && r != ReasonOK {
			t.Fatalf("classifyDNS gave %s", r)
		}
	})
}

func TestInterleave(t *testing.T) {
	t.Parallel()
	in := []netip.Addr{
		netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("203.0.113.2"), netip.MustParseAddr("203.0.113.3"),
		netip.MustParseAddr("2001:db8::1"),
	}
	want := "2001:db8::1 203.0.113.1 203.0.113.2 203.0.113.3"
	got := ""
	for i, a := range interleave(in) {
		if i > 0 {
			got += " "
		}
		got += a.String()
	}
	if got != want {
		t.Errorf("interleave = %s, want %s", got, want)
	}
}
