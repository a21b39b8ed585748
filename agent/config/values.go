package config

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// normalizeHost checks a host entry and returns it in the form the probes,
// labels and duplicate check use: DNS names lower-case without the trailing
// dot (both are the same name to DNS and TLS), IP literals in canonical form.
// problem completes the sentence `host: "x" ...` when the entry is unusable.
func normalizeHost(s string) (name, problem string) {
	const example = "(e.g. api.passwordboss.com)"
	if s == "" {
		return "", "is empty; expected a host name " + example
	}
	// URLs are the most likely mistake: people copy them from a browser.
	if _, rest, ok := strings.Cut(s, "://"); ok {
		if bare, _, _ := strings.Cut(rest, "/"); bare != "" {
			return "", fmt.Sprintf("has a scheme; write only the host name (%s)", bare)
		}
		return "", "has a scheme; write only the host name " + example
	}
	if strings.ContainsAny(s, "/?#") {
		return "", "has a path; write only the host name " + example
	}
	if inner, ok := bracketed(s); ok {
		if a, err := netip.ParseAddr(inner); err == nil && a.Is6() {
			return a.String(), ""
		}
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String(), ""
	}
	if h, port, err := net.SplitHostPort(s); err == nil && port != "" && isDigits(port) {
		return "", fmt.Sprintf("includes a port; write host: %s and port: %s", h, port)
	}
	name = strings.ToLower(strings.TrimSuffix(s, "."))
	if why := dnsNameProblem(name); why != "" {
		return "", "is not a valid host name or IP address: " + why
	}
	return name, ""
}

// dnsNameProblem checks a lower-case name against the host name rules
// (letters, digits and hyphens in labels of 1..63, 253 in all) that TLS
// certificates and resolvers hold names to.
func dnsNameProblem(name string) string {
	if len(name) > 253 {
		return "it is longer than 253 characters"
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return "it has an empty label (two dots in a row, or a leading dot)"
		case len(l) > 63:
			return fmt.Sprintf("label %s is longer than 63 characters", quote(l))
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Sprintf("label %s starts or ends with a hyphen", quote(l))
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Sprintf("it contains %q; only letters, digits, hyphens and dots are allowed (write international names in their xn-- form)", r)
			}
		}
	}
	// An all-numeric last label is a mistyped IP address, never a name.
	if isDigits(labels[len(labels)-1]) {
		return "it ends in a number, but is not an IP address"
	}
	return ""
}

// normalizeServer turns a DNS server entry into "ip:port", defaulting the
// port to 53. problem completes `dns.servers: "x" ...`.
func normalizeServer(s string) (addr, problem string) {
	const want = "expected an IP address with an optional port (e.g. 10.0.0.1, 10.0.0.1:5353, 2001:db8::1, [2001:db8::1]:53)"
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", "has port 0; " + want
		}
		return ap.String(), ""
	}
	inner, isBracketed := bracketed(s)
	if !isBracketed {
		inner = s
	}
	if a, err := netip.ParseAddr(inner); err == nil && (a.Is6() || !isBracketed) {
		return netip.AddrPortFrom(a, 53).String(), ""
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			return "", "has an invalid port; " + want
		}
	}
	// The probes query the servers directly, so a name would need a
	// resolver to find the resolver.
	return "", "is not an IP address; " + want
}

func bracketed(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1], true
	}
	return "", false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDuration accepts Go durations ("90s", "1h30m") and whole or
// fractional days ("14d", "1.5d"), since certificate lead times are thought
// of in days. A day is 24h: these are thresholds, not calendar dates.
func parseDuration(s string) (time.Duration, bool) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, true
	}
	num, ok := strings.CutSuffix(s, "d")
	if !ok || !isDecimal(num) {
		return 0, false
	}
	// Parsing the number as hours reuses ParseDuration's exact decimal
	// arithmetic and overflow checks; only the multiplication is ours.
	h, err := time.ParseDuration(num + "h")
	if err != nil || h > math.MaxInt64/24 || h < math.MinInt64/24 {
		return 0, false
	}
	return h * 24, true
}

// isDecimal reports whether s is an optionally signed decimal number such
// as "14", "-1" or "1.5" (not "1e3", not "1h").
func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return false
	}
	return (whole == "" || isDigits(whole)) && (frac == "" || isDigits(frac))
}

// closest suggests the known key a typo was probably meant to be: the same
// letters in another case or separator style (allowPrivate, allow-private),
// or a small edit away (timout, server).
func closest(key string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	k := norm(key)
	best, bestDist := "", math.MaxInt
	for _, cand := range known {
		c := norm(cand)
		d := editDistance(k, c)
		if d <= max(1, len(c)/3) && d < bestDist {
			best, bestDist = cand, d
		}
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps of
// neighbouring runes that turn a into b (optimal string alignment), since
// swapped letters ("prot") are the commonest typo.
func editDistance(a, b string) int {
	ar, br := []rune(a), []rune(b)
	prev2 := make([]int, len(br)+1)
	prev := make([]int, len(br)+1)
	cur := make([]int, len(br)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ar); i++ {
		cur[0] = i
		for j := 1; j <= len(br); j++ {
			cost := 1
			if ar[i-1] == br[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ar[i-1] == br[j-2] && ar[i-2] == br[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(br)]
}

// resolvePath makes a path from the config file relative to the file's
// folder. On Windows a path that starts with a separator ("\certs\roots.pem",
// or "/etc/x.pem" written by a Unix habit) is not absolute but rooted: it
// belongs on the config file's drive, not under its folder.
func resolvePath(dir, path string) string {
	switch {
	case path == "" || filepath.IsAbs(path):
		return path
	case filepath.VolumeName(path) != "":
		return path // "C:roots.pem": relative to a drive's current folder, the OS's business
	case os.IsPathSeparator(path[0]):
		return filepath.VolumeName(dir) + path
	}
	return filepath.Join(dir, path)
}
