package agent

import (
	"bufio"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultRoute reads the IPv4 default route from /proc/net/route (the one
// with the lowest metric), else the IPv6 one; nil when there is none.
func DefaultRoute() *RouteView {
	r := defaultRoute4("/proc/net/route")
	if r == nil {
		r = defaultRoute6("/proc/net/ipv6_route")
	}
	if r != nil {
		r.Type = linkType("/sys/class/net", r.Interface)
	}
	return r
}

// procLines reads a /proc table's rows, split into fields, capped.
func procLines(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(io.LimitReader(f, maxRouteTable))
	for sc.Scan() {
		rows = append(rows, strings.Fields(sc.Text()))
	}
	return rows
}

// defaultRoute4 picks the default route of /proc/net/route: Iface,
// Destination, Gateway (little-endian hex), ..., Metric in field 6.
func defaultRoute4(path string) *RouteView {
	var best *RouteView
	bestMetric := uint64(1<<64 - 1)
	for _, f := range procLines(path) {
		if len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		metric, err := strconv.ParseUint(f[6], 10, 32)
		if err != nil || metric >= bestMetric {
			continue
		}
		gw, err := strconv.ParseUint(f[2], 16, 32)
		if err != nil {
			continue
		}
		bestMetric = metric
		best = &RouteView{Interface: f[0]}
		if gw != 0 {
			best.Gateway = netip.AddrFrom4([4]byte{byte(gw), byte(gw >> 8), byte(gw >> 16), byte(gw >> 24)}).String()
		}
	}
	return best
}

// defaultRoute6 picks a default route of /proc/net/ipv6_route:
// destination, prefix length, ..., next hop in field 4, device last.
func defaultRoute6(path string) *RouteView {
	for _, f := range procLines(path) {
		if len(f) < 10 || f[0] != strings.Repeat("0", 32) || f[1] != "00" || f[9] == "lo" {
			continue
		}
		r := &RouteView{Interface: f[9]}
		if b, ok := hex16(f[4]); ok && b != (netip.Addr{}) && !b.IsUnspecified() {
			r.Gateway = b.String()
		}
		return r
	}
	return nil
}

func hex16(s string) (netip.Addr, bool) {
	if len(s) != 32 {
		return netip.Addr{}, false
	}
	var b [16]byte
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom16(b), true
}

// linkType tells Wi-Fi, VPN and Ethernet links apart by what sysfs shows
// of them.
func linkType(sys, name string) string {
	dir := filepath.Join(sys, filepath.Base(name))
	exists := func(p string) bool { _, err := os.Stat(filepath.Join(dir, p)); return err == nil }
	switch {
	case exists("wireless") || exists("phy80211"):
		return RouteWiFi
	case exists("tun_flags") || hasAnyPrefix(name, "wg", "tun", "tap", "ppp", "ipsec", "vti"):
		return RouteVPN
	}
	t, _ := os.ReadFile(filepath.Join(dir, "type"))
	if strings.TrimSpace(string(t)) == "1" { // ARPHRD_ETHER
		return RouteEthernet
	}
	return RouteOther
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
