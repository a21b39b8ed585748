package probes

import (
	"bufio"
	"cmp"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// dnsPort is where every OS resolver configuration we read sends queries
// unless it names a port itself.
const dnsPort = 53

// errNoSystemResolvers is returned when the OS configuration was readable but
// named no usable server, so that callers can tell "DNS is not configured"
// from "we could not read the configuration".
var errNoSystemResolvers = errors.New("the operating system has no DNS servers configured")

// SystemResolvers returns the DNS servers the operating system would query,
// as "ip:port", most preferred first. The probe asks these same servers so
// that a verdict reflects what the PC's applications experience, not what a
// well-known public resolver would answer.
func SystemResolvers() ([]string, error) {
	raw, err := systemResolvers()
	if err != nil {
		return nil, err
	}
	out := normalizeResolvers(raw)
	if len(out) == 0 {
		return nil, errNoSystemResolvers
	}
	return out, nil
}

// normalizeResolvers turns the spellings found in OS configuration and in
// our config file into the one form the DNS client dials, so that the same
// server written two ways is asked once and reported identically. Entries
// that are not an IP address (optionally with a port) are dropped rather
// than failing the whole list: one bad line must not hide the good servers.
func normalizeResolvers(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		ap, ok := parseResolverAddr(strings.TrimSpace(s))
		if !ok {
			continue
		}
		str := ap.String()
		if seen[str] {
			continue
		}
		seen[str] = true
		out = append(out, str)
	}
	return out
}

// parseResolverAddr accepts a bare address or host:port form. It insists the
// formatted result splits back into the same address, because netip accepts
// zones (e.g. "eth0]x") that would make an unsplittable "[...]:53".
func parseResolverAddr(s string) (netip.AddrPort, bool) {
	if s == "" {
		return netip.AddrPort{}, false
	}
	var ap netip.AddrPort
	if addr, err := netip.ParseAddr(s); err == nil {
		ap = netip.AddrPortFrom(addr, dnsPort)
	} else {
		host, portStr, err := net.SplitHostPort(s)
		if err != nil {
			return netip.AddrPort{}, false
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return netip.AddrPort{}, false
		}
		port, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil || port == 0 {
			return netip.AddrPort{}, false
		}
		ap = netip.AddrPortFrom(addr, uint16(port))
	}
	// A v4-mapped address reaches the same IPv4 server; unmapping lets the
	// duplicate check see that and keeps the reported resolver readable.
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	if !roundTrips(ap) {
		return netip.AddrPort{}, false
	}
	return ap, true
}

func roundTrips(ap netip.AddrPort) bool {
	host, port, err := net.SplitHostPort(ap.String())
	if err != nil || port != strconv.Itoa(int(ap.Port())) {
		return false
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr == ap.Addr()
}

// parseResolvConf reads resolv.conf(5) nameserver lines. It is lenient where
// libc is lenient (leading blanks, trailing words, comments after the
// address) and ignores every other directive: search domains and options
// change which names are asked, not which servers, and the probe asks fully
// qualified names.
func parseResolvConf(r io.Reader) []string {
	var servers []string
	sc := bufio.NewScanner(r)
	// A generated resolv.conf can carry a very long search line; a short
	// buffer would make the scanner give up before the nameservers.
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		servers = append(servers, fields[1])
	}
	// A read error leaves a truncated file; the servers seen so far are
	// still the ones libc would have used first.
	return normalizeResolvers(servers)
}

// scutilResolver is one "resolver #N" block of `scutil --dns` output.
type scutilResolver struct {
	scoped  bool // has a "domain": answers only for that domain
	servers []string
}

// parseScutilDNS extracts the default resolvers from `scutil --dns`.
//
// macOS does not consult resolv.conf; mDNSResponder picks resolvers from
// the "DNS configuration" section in listed order. Resolvers there that
// carry a "domain" only answer for that domain (VPN split DNS, "local"
// mDNS, reverse zones), so asking them about our hosts would test the wrong
// path. The "for scoped queries" section repeats per-interface copies that
// only interface-bound sockets use, hence parsing stops there.
func parseScutilDNS(out string) []string {
	var (
		resolvers []*scutilResolver
		cur       *scutilResolver
		inSection bool
	)
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "DNS configuration"):
			// Any second header, not only the scoped one, belongs to
			// resolvers the default path does not use.
			if inSection {
				return scutilServers(resolvers)
			}
			inSection = line == "DNS configuration"
			continue
		case !inSection:
			continue
		case strings.HasPrefix(line, "resolver #"):
			cur = &scutilResolver{}
			resolvers = append(resolvers, cur)
			continue
		case cur == nil:
			continue
		}
		// Split at the first colon only: IPv6 values contain colons, keys
		// never do.
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "domain":
			cur.scoped = true
		case strings.HasPrefix(key, "nameserver["):
			cur.servers = append(cur.servers, value)
		}
	}
	return scutilServers(resolvers)
}

// scutilServers prefers unscoped resolvers but falls back to the scoped ones
// when there is no default resolver at all (a VPN can publish only domain
// resolvers): probing some configured server says more than probing none.
func scutilServers(resolvers []*scutilResolver) []string {
	hasDefault := slices.ContainsFunc(resolvers, func(r *scutilResolver) bool { return !r.scoped })
	var servers []string
	for _, r := range resolvers {
		if hasDefault && r.scoped {
			continue
		}
		servers = append(servers, r.servers...)
	}
	return normalizeResolvers(servers)
}

// adapterDNS is one network adapter's DNS servers and its interface metric,
// as Windows reports them.
type adapterDNS struct {
	metric  uint32
	servers []string
}

// orderAdapterResolvers flattens per-adapter server lists the way the
// Windows DNS client prefers them: the adapter with the lowest metric (the
// one holding the default route) first. The sort is stable because on a
// metric tie Windows keeps the adapter binding order, which is the order
// GetAdaptersAddresses reports. It lives here, not in the Windows file, so
// that it is tested on every platform.
func orderAdapterResolvers(adapters []adapterDNS) []string {
	adapters = slices.Clone(adapters)
	slices.SortStableFunc(adapters, func(a, b adapterDNS) int {
		return cmp.Compare(a.metric, b.metric)
	})
	var servers []string
	for _, a := range adapters {
		for _, s := range a.servers {
			if !isDeprecatedSiteLocalDNS(s) {
				servers = append(servers, s)
			}
		}
	}
	return normalizeResolvers(servers)
}

// isDeprecatedSiteLocalDNS reports the fec0:0:0:ffff::1-3 placeholders that
// Windows lists on every IPv6-enabled adapter without configured IPv6 DNS.
// Nothing answers there on real networks; keeping them would make each probe
// wait out timeouts on servers the user never configured.
func isDeprecatedSiteLocalDNS(s string) bool {
	ap, ok := parseResolverAddr(strings.TrimSpace(s))
	if !ok {
		return false
	}
	switch ap.Addr().WithZone("") {
	case netip.MustParseAddr("fec0:0:0:ffff::1"),
		netip.MustParseAddr("fec0:0:0:ffff::2"),
		netip.MustParseAddr("fec0:0:0:ffff::3"):
		return true
	}
	return false
}
