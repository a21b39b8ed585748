package probes

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestNormalizeResolvers(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"nil", nil, []string{}},
		{"ipv4 default port", []string{"1.2.3.4"}, []string{"1.2.3.4:53"}},
		{"ipv4 with port", []string{"1.2.3.4:5353"}, []string{"1.2.3.4:5353"}},
		{"ipv6 bare", []string{"::1"}, []string{"[::1]:53"}},
		{"ipv6 bracketed with port", []string{"[::1]:53"}, []string{"[::1]:53"}},
		{"ipv6 bracketed other port", []string{"[2001:db8::1]:8053"}, []string{"[2001:db8::1]:8053"}},
		{"zone kept", []string{"fe80::1%eth0"}, []string{"[fe80::1%eth0]:53"}},
		{"zone with port", []string{"[fe80::1%en0]:53"}, []string{"[fe80::1%en0]:53"}},
		{"numeric zone", []string{"fe80::1%12"}, []string{"[fe80::1%12]:53"}},
		{"whitespace trimmed", []string{"  8.8.8.8\t"}, []string{"8.8.8.8:53"}},
		{"v4-mapped unmapped", []string{"::ffff:1.2.3.4"}, []string{"1.2.3.4:53"}},
		{
			"duplicates in any spelling",
			[]string{"1.2.3.4", "1.2.3.4:53", "::ffff:1.2.3.4", "[::1]:53", "::1", "0:0:0:0:0:0:0:1"},
			[]string{"1.2.3.4:53", "[::1]:53"},
		},
		{"same ip other port is distinct", []string{"1.2.3.4", "1.2.3.4:5353"}, []string{"1.2.3.4:53", "1.2.3.4:5353"}},
		{"zones are distinct", []string{"fe80::1%en0", "fe80::1%en1"}, []string{"[fe80::1%en0]:53", "[fe80::1%en1]:53"}},
		{"order kept", []string{"9.9.9.9", "1.1.1.1", "8.8.8.8"}, []string{"9.9.9.9:53", "1.1.1.1:53", "8.8.8.8:53"}},
		{
			"unparseable dropped",
			[]string{
				"", "   ", "dns.google", "dns.google:53", "1.2.3", "1.2.3.4:", "1.2.3.4:0",
				"1.2.3.4:65536", "1.2.3.4:dns", "[::1]", "::1:53:", "1.2.3.4%eth0",
				"[1.2.3.4]:53:53", "fe80::1%", "fe80::1%a]b", "10.0.0.1",
			},
			[]string{"10.0.0.1:53"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalizeResolvers(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("normalizeResolvers(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// The DNS client and the config path both normalize, so a
			// second pass must not change anything.
			if again := normalizeResolvers(got); !slices.Equal(again, got) {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			"fixture",
			readFixture(t, "resolv.conf"),
			[]string{"192.168.1.1:53", "10.0.0.53:53", "[fe80::1%eth0]:53", "[2001:db8::53]:53", "9.9.9.9:53"},
		},
		{"empty", "", nil},
		{"only comments and options", "# nameserver 1.1.1.1\n; x\noptions rotate\nsearch example.com\n", nil},
		{"systemd-resolved stub", "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n", []string{"127.0.0.53:53"}},
		{"no trailing newline", "nameserver 1.1.1.1", []string{"1.1.1.1:53"}},
		{"crlf", "nameserver 1.1.1.1\r\nnameserver 8.8.8.8\r\n", []string{"1.1.1.1:53", "8.8.8.8:53"}},
		{"comment glued to keyword", "#nameserver 1.1.1.1\n;nameserver 8.8.8.8\n", nil},
		{"keyword case matters", "NameServer 1.1.1.1\n", nil},
		{
			"long search line before nameserver",
			"search " + strings.Repeat("a.example.com ", 10000) + "\nnameserver 1.1.1.1\n",
			[]string{"1.1.1.1:53"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseResolvConf(strings.NewReader(tt.input))
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseResolvConf() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseScutilDNS(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			// Supplemental VPN, mDNS and reverse-zone resolvers are
			// skipped, the scoped section is ignored, and a server that
			// appears in two default resolvers is asked once.
			"fixture",
			readFixture(t, "scutil_dns.txt"),
			[]string{"192.168.1.1:53", "[fe80::1%en0]:53", "[2001:db8::53]:53", "1.1.1.1:53"},
		},
		{
			// With only domain resolvers left, those still beat nothing,
			// and the scoped en0 copy must not leak in.
			"only scoped resolvers",
			readFixture(t, "scutil_dns_vpn_only.txt"),
			[]string{"10.20.0.53:53", "10.20.0.54:53"},
		},
		{"empty", "", nil},
		{"no resolvers", "DNS configuration\n\nDNS configuration (for scoped queries)\n\n", nil},
		{
			"no header",
			"resolver #1\n  nameserver[0] : 1.1.1.1\n",
			nil,
		},
		{
			"scoped section only",
			"DNS configuration (for scoped queries)\n\nresolver #1\n  nameserver[0] : 1.1.1.1\n",
			nil,
		},
		{
			"no trailing newline and crlf",
			"DNS configuration\r\n\r\nresolver #1\r\n  nameserver[0] : 8.8.8.8\r\n  nameserver[1] : 2606:4700:4700::1111",
			[]string{"8.8.8.8:53", "[2606:4700:4700::1111]:53"},
		},
		{
			"search domain does not scope",
			"DNS configuration\n\nresolver #1\n  search domain[0] : example.com\n  nameserver[0] : 9.9.9.9\n",
			[]string{"9.9.9.9:53"},
		},
		{
			"domain after nameserver still scopes",
			"DNS configuration\n\nresolver #1\n  nameserver[0] : 10.0.0.1\n  domain : corp\n\nresolver #2\n  nameserver[0] : 9.9.9.9\n",
			[]string{"9.9.9.9:53"},
		},
		{
			"garbage nameserver dropped",
			"DNS configuration\n\nresolver #1\n  nameserver[0] : bogus\n  nameserver[1] : 9.9.9.9\n",
			[]string{"9.9.9.9:53"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseScutilDNS(tt.input)
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseScutilDNS() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOrderAdapterResolvers(t *testing.T) {
	tests := []struct {
		name     string
		adapters []adapterDNS
		want     []string
	}{
		{"none", nil, []string{}},
		{
			"lower metric first, stable on ties",
			[]adapterDNS{
				{metric: 50, servers: []string{"192.168.0.1"}},
				{metric: 25, servers: []string{"10.0.0.1", "10.0.0.2"}},
				{metric: 50, servers: []string{"172.16.0.1"}},
				{metric: 1, servers: []string{"fe80::1%12"}},
			},
			[]string{"[fe80::1%12]:53", "10.0.0.1:53", "10.0.0.2:53", "192.168.0.1:53", "172.16.0.1:53"},
		},
		{
			"site-local placeholders skipped",
			[]adapterDNS{
				{metric: 10, servers: []string{"fec0:0:0:ffff::1%1", "fec0:0:0:ffff::2", "fec0:0:0:ffff::3", "fec0:0:0:ffff::4", "8.8.8.8"}},
			},
			[]string{"[fec0:0:0:ffff::4]:53", "8.8.8.8:53"},
		},
		{
			"shared server listed once",
			[]adapterDNS{
				{metric: 10, servers: []string{"1.1.1.1"}},
				{metric: 20, servers: []string{"1.1.1.1", "9.9.9.9"}},
			},
			[]string{"1.1.1.1:53", "9.9.9.9:53"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := orderAdapterResolvers(tt.adapters)
			if !slices.Equal(got, tt.want) {
				t.Errorf("orderAdapterResolvers() = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseResolvConf(f *testing.F) {
	f.Add(readFixture(f, "resolv.conf"))
	f.Add("nameserver 1.1.1.1\nnameserver [::1]:5353\n")
	f.Add("nameserver fe80::1%eth0\n")
	f.Add("nameserver fe80::1%a]b\nnameserver [fe80::1%]:53\n")
	f.Add("nameserver ::ffff:1.2.3.4\nnameserver 1.2.3.4:0\n")
	f.Fuzz(func(t *testing.T, input string) {
		checkResolverList(t, parseResolvConf(strings.NewReader(input)))
	})
}

func FuzzParseScutilDNS(f *testing.F) {
	f.Add(readFixture(f, "scutil_dns.txt"))
	f.Add(readFixture(f, "scutil_dns_vpn_only.txt"))
	f.Add("DNS configuration\nresolver #1\nnameserver[0] : fe80::1%en0\ndomain : x\n")
	f.Add("DNS configuration\nnameserver[0] : 1.1.1.1\nresolver #\nnameserver[ : ::1:53\n")
	f.Fuzz(func(t *testing.T, input string) {
		checkResolverList(t, parseScutilDNS(input))
	})
}

// checkResolverList asserts what the DNS client relies on: every entry dials
// as-is and none repeats.
func checkResolverList(t *testing.T, list []string) {
	t.Helper()
	seen := make(map[string]bool, len(list))
	for _, s := range list {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			t.Fatalf("%q: not host:port: %v", s, err)
		}
		if _, err := netip.ParseAddr(host); err != nil {
			t.Fatalf("%q: host is not an IP: %v", s, err)
		}
		if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
			t.Fatalf("%q: bad port %q", s, port)
		}
		if seen[s] {
			t.Fatalf("%q listed twice in %q", s, list)
		}
		seen[s] = true
	}
}

func readFixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
