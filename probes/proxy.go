package probes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/http/httpproxy"
)

// ProxySource says where a proxy setting came from.
type ProxySource string

// Proxy sources. The order of SystemProxies' answer, not these names, says
// which one an application honours first.
const (
	ProxySourceNone    ProxySource = ""
	ProxySourceEnv     ProxySource = "env"     // HTTPS_PROXY, HTTP_PROXY, NO_PROXY
	ProxySourceWinINet ProxySource = "wininet" // the user's Internet Options / Settings > Proxy
	ProxySourceWinHTTP ProxySource = "winhttp" // the machine's WinHTTP setting (netsh winhttp)
	ProxySourceScutil  ProxySource = "scutil"  // macOS network settings, as scutil --proxy prints them
)

// ProxySetting is one configured proxy source, evaluated for one target.
type ProxySetting struct {
	Source ProxySource
	// URL is the proxy a request to https://host:port goes through, nil
	// for a direct connection. It always has a port, and it keeps any
	// credentials: the prober needs them for Proxy-Authorization. When
	// AutoDetect or PACURL is set as well, Windows and macOS try those
	// first and use URL only when they yield nothing.
	URL *url.URL
	// Bypassed: a proxy is configured, but the bypass list or NO_PROXY
	// exempts this host, so the request goes direct.
	Bypassed bool
	// AutoDetect: WPAD discovery is on. pbprobe does not run WPAD; it is
	// reported because it can route the application elsewhere.
	AutoDetect bool
	// PACURL is the auto-config script's address when one is set (not
	// evaluated), without credentials.
	PACURL string
	// Raw is the setting as found, for the report, with credentials
	// replaced by "***".
	Raw string
	// Err is set when the source exists but could not be read or
	// understood; the other fields hold whatever was readable. It tells
	// "not configured" (no ProxySetting at all) from "could not look".
	// It never contains credentials.
	Err error
}

// SystemProxies returns every configured proxy source, evaluated for
// https://host:port: the environment first, then the operating system's
// sources (Windows: the user's WinINet setting, then the machine's WinHTTP
// setting; macOS: scutil). The answer is empty when nothing is configured.
// getenv reads the environment; nil means os.Getenv.
func SystemProxies(host string, port int, getenv func(string) string) []ProxySetting {
	if getenv == nil {
		getenv = os.Getenv
	}
	var out []ProxySetting
	if s, ok := envProxySetting(host, port, getenv); ok {
		out = append(out, s)
	}
	return append(out, osProxies(host, port)...)
}

// envProxySetting evaluates the proxy variables the way Go's net/http (and
// so a probe made by pbprobe itself) does, through x/net's httpproxy. Like
// Go, curl and .NET on Unix, the lowercase spelling wins when both are set;
// on Windows the environment is case-insensitive, so there is no choice.
func envProxySetting(host string, port int, getenv func(string) string) (ProxySetting, bool) {
	httpsName, httpsVal := lookupEnv(getenv, "https_proxy", "HTTPS_PROXY")
	httpName, httpVal := lookupEnv(getenv, "http_proxy", "HTTP_PROXY")
	noName, noVal := lookupEnv(getenv, "no_proxy", "NO_PROXY")
	if httpsVal == "" && httpVal == "" {
		return ProxySetting{}, false
	}
	var raw []string
	if httpsVal != "" {
		raw = append(raw, httpsName+"="+redactToken(httpsVal))
	}
	if httpVal != "" {
		raw = append(raw, httpName+"="+redactToken(httpVal))
	}
	if noVal != "" {
		raw = append(raw, noName+"="+noVal)
	}
	set := ProxySetting{Source: ProxySourceEnv, Raw: strings.Join(raw, " ")}
	if httpsVal == "" {
		// HTTP_PROXY alone does not apply to https URLs in Go, curl or
		// .NET, but a technician who set it wants to see that it is there.
		return set, true
	}
	target := &url.URL{Scheme: "https", Host: net.JoinHostPort(host, strconv.Itoa(port))}
	cfg := httpproxy.Config{HTTPSProxy: httpsVal, NoProxy: noVal}
	// The error is only for CGI mode, which this Config does not enable.
	u, _ := cfg.ProxyFunc()(target)
	if u != nil {
		if !plausibleProxyURL(u) {
			// httpproxy retries a value that does not parse with
			// "http://" in front, which turns garbage such as a broken
			// "http://user:pw@[::1" into a URL with the rest as its
			// path. No client means that, so it is reported, not used.
			set.Err = fmt.Errorf("%s is not a proxy address of the form scheme://host:port", httpsName)
			return set, true
		}
		set.URL = withDefaultPort(u)
		return set, true
	}
	// httpproxy answers nil both when NO_PROXY exempts the host and when the
	// value is unusable; asking again without NO_PROXY for a name that is
	// never exempt tells the two apart without parsing the value ourselves.
	check := httpproxy.Config{HTTPSProxy: httpsVal}
	if u, _ := check.ProxyFunc()(&url.URL{Scheme: "https", Host: "proxy-check.invalid:443"}); u == nil {
		// The value is not quoted: it may hold a password.
		set.Err = fmt.Errorf("%s is not a usable proxy URL; Go programs ignore it and connect directly", httpsName)
		return set, true
	}
	set.Bypassed = true
	return set, true
}

// lookupEnv returns the first of names that is set and non-empty, and its
// value.
func lookupEnv(getenv func(string) string, names ...string) (name, value string) {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return n, v
		}
	}
	return names[len(names)-1], ""
}

// WinHTTPSettings is the content of the WinHttpSettings registry value and of
// WinINet's DefaultConnectionSettings, which share one layout.
type WinHTTPSettings struct {
	Flags uint32 // ProxyType* bits
	// Proxy and Bypass are kept even when Flags says they are off: the
	// dialog remembers them after the box is unticked.
	Proxy         string
	Bypass        string
	AutoConfigURL string
	AutoDetect    bool // Flags has ProxyTypeAutoDetect
}

// Flags of WinHTTPSettings (PROXY_TYPE_* in wininet.h).
const (
	ProxyTypeDirect       uint32 = 0x1
	ProxyTypeProxy        uint32 = 0x2
	ProxyTypeAutoProxyURL uint32 = 0x4
	ProxyTypeAutoDetect   uint32 = 0x8
)

// WinHTTPBlobError says where a WinHTTP settings blob ended too early or
// declared a string longer than what follows.
type WinHTTPBlobError struct {
	Field  string // the field being read: "flags", "proxy list", ...
	Offset int    // where that field (or its length prefix) starts
	Need   uint64 // bytes the field needs from Offset
	Have   int    // bytes left from Offset
}

func (e *WinHTTPBlobError) Error() string {
	return fmt.Sprintf("WinHTTP proxy settings: %s at offset %d needs %d bytes, only %d left", e.Field, e.Offset, e.Need, e.Have)
}

// ParseWinHTTPSettings decodes the binary WinHttpSettings (HKLM) or
// DefaultConnectionSettings (WinINet) registry value: uint32 version,
// uint32 change counter, uint32 flags, then uint32-length-prefixed proxy
// list, bypass list and (optional in WinHttpSettings) auto-config URL, all
// little-endian; anything after that is ignored. The version is not checked:
// Windows releases have written several, with the same leading fields.
//
// On error it also returns the fields read before the problem, so a caller
// can still report a proxy whose blob is damaged only further on.
func ParseWinHTTPSettings(blob []byte) (WinHTTPSettings, error) {
	var s WinHTTPSettings
	r := blobReader{b: blob}
	if _, err := r.uint32("version"); err != nil {
		return s, err
	}
	if _, err := r.uint32("change counter"); err != nil {
		return s, err
	}
	flags, err := r.uint32("flags")
	if err != nil {
		return s, err
	}
	s.Flags = flags
	s.AutoDetect = flags&ProxyTypeAutoDetect != 0
	if s.Proxy, err = r.string("proxy list"); err != nil {
		return s, err
	}
	if s.Bypass, err = r.string("bypass list"); err != nil {
		return s, err
	}
	// WinHttpSettings usually ends after the bypass list.
	if r.off == len(r.b) {
		return s, nil
	}
	s.AutoConfigURL, err = r.string("auto-config URL")
	return s, err
}

// blobReader reads little-endian fields, checking every length against what
// is left, so that no registry content can make the parser read out of range.
type blobReader struct {
	b   []byte
	off int
}

func (r *blobReader) uint32(field string) (uint32, error) {
	if len(r.b)-r.off < 4 {
		return 0, &WinHTTPBlobError{Field: field, Offset: r.off, Need: 4, Have: len(r.b) - r.off}
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

func (r *blobReader) string(field string) (string, error) {
	start := r.off
	n, err := r.uint32(field + " length")
	if err != nil {
		return "", err
	}
	// Compared as uint64: a length near 4 GiB must not wrap an int on
	// 32-bit Windows.
	if left := len(r.b) - r.off; uint64(n) > uint64(left) {
		return "", &WinHTTPBlobError{Field: field, Offset: start, Need: 4 + uint64(n), Have: 4 + left}
	}
	v := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	// Some writers count a terminating NUL; it is not part of the value.
	return strings.TrimRight(v, "\x00"), nil
}

// winINetLegacySettings builds the settings WinINet derives from the older
// plain registry values (ProxyEnable, ProxyServer, ProxyOverride,
// AutoConfigURL), which Group Policy and some scripts still write and which
// are all there is before WinINet has first saved the binary value.
func winINetLegacySettings(proxyEnable uint64, proxyServer, proxyOverride, autoConfigURL string) WinHTTPSettings {
	s := WinHTTPSettings{Flags: ProxyTypeDirect, Proxy: proxyServer, Bypass: proxyOverride, AutoConfigURL: autoConfigURL}
	if proxyEnable != 0 {
		s.Flags |= ProxyTypeProxy
	}
	// The legacy values have no "use the script" switch: a URL means on.
	if strings.TrimSpace(autoConfigURL) != "" {
		s.Flags |= ProxyTypeAutoProxyURL
	}
	return s
}

// settingFromBlob evaluates a registry blob for one target. A blob that
// does not parse is still reported, with what was readable and the error,
// because a damaged setting is something the technician should see.
func settingFromBlob(src ProxySource, where string, blob []byte, host string, port int) (ProxySetting, bool) {
	s, err := ParseWinHTTPSettings(blob)
	set, ok := winHTTPProxySetting(src, s, host, port)
	if err != nil {
		set.Source = src
		set.Err = fmt.Errorf("%s: %w", where, err)
		return set, true
	}
	return set, ok
}

// winHTTPProxySetting evaluates WinINet/WinHTTP settings for one target. A
// source counts as configured when it turns on a manual proxy, a script or
// auto-detection; "direct" alone is the same as no setting at all.
func winHTTPProxySetting(src ProxySource, s WinHTTPSettings, host string, port int) (ProxySetting, bool) {
	manual := s.Flags&ProxyTypeProxy != 0 && strings.TrimSpace(s.Proxy) != ""
	pac := ""
	if s.Flags&ProxyTypeAutoProxyURL != 0 {
		pac = strings.TrimSpace(s.AutoConfigURL)
	}
	if !manual && pac == "" && !s.AutoDetect {
		return ProxySetting{}, false
	}
	set := ProxySetting{Source: src, AutoDetect: s.AutoDetect, PACURL: redactToken(pac)}
	var raw []string
	if manual {
		raw = append(raw, "proxy="+redactList(s.Proxy))
		if strings.TrimSpace(s.Bypass) != "" {
			raw = append(raw, "bypass="+s.Bypass)
		}
		server, bypassed := ProxyForHost(s.Proxy, s.Bypass, host, port)
		set.Bypassed = bypassed
		if server != "" {
			set.URL, set.Err = proxyServerURL(server)
		}
	}
	if pac != "" {
		raw = append(raw, "autoconfig="+set.PACURL)
	}
	if s.AutoDetect {
		raw = append(raw, "autodetect")
	}
	set.Raw = strings.Join(raw, " ")
	return set, true
}

// ProxyForHost applies WinINet/WinHTTP proxy semantics to https://host:port.
//
// proxyList is either one server for every scheme ("proxy:8080") or
// per-scheme entries ("http=p1:80;https=p2:8443"); an https= entry wins over
// a plain one, and a list with neither sends https direct. A socks= entry is
// not chosen: WinHTTP cannot use SOCKS, and a CONNECT prober could not
// either (it stays visible in ProxySetting.Raw).
//
// bypass is separated by ';' or blanks (',' is tolerated too); entries
// match the host case-insensitively, '*' matches any run of characters
// ("*.corp.local", "10.*"), "<local>" matches names without a dot, an entry
// may carry a port ("host:8080") or a scheme ("https://host") that must
// match too, and a CIDR block ("10.0.0.0/8", macOS's "169.254/16") matches
// IP literals. A name is never resolved to match an address entry, just as
// WinINet does not.
//
// The answer is the chosen server as written in proxyList, "" for direct;
// bypassed reports that a server was chosen but bypass exempts the host.
func ProxyForHost(proxyList, bypass, host string, port int) (proxy string, bypassed bool) {
	server := proxyForScheme(proxyList, "https")
	if server == "" {
		return "", false
	}
	if matchBypass(splitList(bypass), host, port) {
		return "", true
	}
	return server, false
}

func proxyForScheme(list, scheme string) string {
	generic := ""
	for _, entry := range splitList(list) {
		key, value, scoped := strings.Cut(entry, "=")
		if !scoped {
			if generic == "" {
				generic = entry
			}
			continue
		}
		if strings.EqualFold(key, scheme) && value != "" {
			return value
		}
	}
	return generic
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || unicode.IsSpace(r)
	})
}

func matchBypass(entries []string, host string, port int) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" {
		return false
	}
	for _, e := range entries {
		if bypassEntryMatches(strings.ToLower(e), host, port) {
			return true
		}
	}
	return false
}

// bypassEntryMatches matches one lowercased entry against a lowercased host.
func bypassEntryMatches(entry, host string, port int) bool {
	if entry == "<local>" {
		// An IPv6 literal has no dot either, but it is an address, not
		// the single-label intranet name "<local>" is meant for.
		return !strings.ContainsAny(host, ".:")
	}
	if scheme, rest, ok := strings.Cut(entry, "://"); ok {
		if scheme != "https" {
			return false
		}
		entry = rest
	}
	if strings.Contains(entry, "/") {
		return cidrMatches(entry, host)
	}
	pattern, portPattern := splitBypassPort(entry)
	if portPattern != "" && portPattern != "*" {
		p, err := strconv.ParseUint(portPattern, 10, 16)
		if err != nil || int(p) != port {
			return false
		}
	}
	return pattern != "" && wildcardMatch(pattern, host)
}

// splitBypassPort separates "host:port" and "[v6]:port"; an unbracketed
// entry with several colons is an IPv6 address (or pattern) without port.
func splitBypassPort(entry string) (host, port string) {
	if rest, ok := strings.CutPrefix(entry, "["); ok {
		h, after, ok := strings.Cut(rest, "]")
		if !ok {
			return entry, ""
		}
		return h, strings.TrimPrefix(after, ":")
	}
	if strings.Count(entry, ":") == 1 {
		h, p, _ := strings.Cut(entry, ":")
		return h, p
	}
	return entry, ""
}

// cidrMatches accepts full CIDR and macOS's shortened IPv4 form
// ("169.254/16", "10/8"), where missing octets are zero.
func cidrMatches(entry, host string) bool {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip, bits, ok := strings.Cut(entry, "/")
	if !ok {
		return false
	}
	if !strings.Contains(ip, ":") {
		if n := strings.Count(ip, "."); n < 3 {
			ip += strings.Repeat(".0", 3-n)
		}
	}
	prefix, err := netip.ParsePrefix(ip + "/" + bits)
	if err != nil {
		return false
	}
	return prefix.Contains(addr.Unmap())
}

// wildcardMatch reports whether s matches pattern, where '*' stands for any
// run of characters. It backtracks only to the last star, so its cost is
// bounded by len(pattern)*len(s) whatever the input, unlike a regexp
// built from registry text or naive recursion.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// proxyServerURL turns a WinINet/scutil server ("host:port", "[v6]:port",
// "http://host:port") into the URL a CONNECT goes to. The error does not
// quote the server: it may carry credentials.
func proxyServerURL(server string) (*url.URL, error) {
	s := server
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || !plausibleProxyURL(u) {
		return nil, errors.New("the proxy server setting is not a valid host:port")
	}
	return withDefaultPort(u), nil
}

// plausibleProxyURL reports a URL that names only a proxy: a proxy address
// has no path, query or fragment.
func plausibleProxyURL(u *url.URL) bool {
	return u.Hostname() != "" && u.Opaque == "" && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == ""
}

// withDefaultPort fills in the scheme's port, because WinINet lets the port
// be left out (it means 80) and a CONNECT prober needs an address to dial.
func withDefaultPort(u *url.URL) *url.URL {
	if u.Port() != "" {
		return u
	}
	port := "80"
	switch strings.ToLower(u.Scheme) {
	case "https":
		port = "443"
	case "socks5", "socks5h":
		port = "1080"
	}
	c := *u
	c.Host = net.JoinHostPort(u.Hostname(), port)
	return &c
}

// redactList hides credentials in each entry of a proxy list, keeping the
// separators, so that "http=u:p@a:1;https=u:p@b:2" loses both passwords.
func redactList(s string) string {
	var b strings.Builder
	isSep := func(r rune) bool { return r == ';' || r == ',' || unicode.IsSpace(r) }
	for len(s) > 0 {
		i := strings.IndexFunc(s, isSep)
		if i < 0 {
			i = len(s)
		}
		b.WriteString(redactToken(s[:i]))
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return !isSep(r) })
		if j < 0 {
			j = len(s)
		}
		b.WriteString(s[:j])
		s = s[j:]
	}
	return b.String()
}

// redactToken replaces the userinfo of one proxy address with "***": it
// keeps an optional "scheme=" and "scheme://" prefix and everything from the
// last '@' on. Cutting at the last '@' errs towards hiding too much, since a
// password may itself contain '@', ':' or '/'. The "***" is left in so that
// the report still shows that credentials are configured.
func redactToken(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	head, keep := s[:at], 0
	if k, rest, ok := strings.Cut(head, "="); ok && isSchemeWord(k) {
		keep, head = len(k)+1, rest
	}
	if sch, _, ok := strings.Cut(head, "://"); ok && isSchemeWord(sch) {
		keep += len(sch) + 3
	}
	return s[:keep] + "***" + s[at:]
}

// isSchemeWord reports a URL scheme (RFC 3986); anything else before "://"
// or "=" may be part of a password and is hidden with it.
func isSchemeWord(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for _, c := range []byte(s) {
		if !isSchemeByte(c) {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isSchemeByte reports a byte allowed after a scheme's first letter.
func isSchemeByte(c byte) bool {
	return isASCIILetter(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

// ParseScutilProxy reads the top-level dictionary of `scutil --proxy`.
//
// httpsProxy is "host:port" when the HTTPS proxy is enabled (the port is
// left out when unset). exceptions is ExceptionsList, plus "<local>" when
// ExcludeSimpleHostnames is on, so that ProxyForHost's matching applies.
// autoConfigURL and autoDetect are the PAC script (when enabled) and WPAD
// discovery. Nested dictionaries such as __SCOPED__ hold per-interface
// copies that only interface-bound sockets use, so they are skipped.
func ParseScutilProxy(out string) (httpsProxy string, exceptions []string, autoConfigURL string, autoDetect bool) {
	d := scutilDict{values: map[string]string{}}
	for line := range strings.Lines(out) {
		d.line(strings.TrimSpace(line))
	}
	values, exceptions := d.values, d.exceptions
	if values["ExcludeSimpleHostnames"] == "1" {
		exceptions = append(exceptions, "<local>")
	}
	if values["ProxyAutoConfigEnable"] == "1" {
		autoConfigURL = values["ProxyAutoConfigURLString"]
	}
	autoDetect = values["ProxyAutoDiscoveryEnable"] == "1"
	return scutilHTTPSProxy(values), exceptions, autoConfigURL, autoDetect
}

// scutilDict follows the nesting of `scutil --proxy` output line by line:
// depth 1 is the top-level dictionary, depth 2 inside ExceptionsList holds
// the exceptions; deeper or other nested dictionaries are skipped.
type scutilDict struct {
	depth        int
	inExceptions bool
	values       map[string]string // the top-level keys
	exceptions   []string
}

// line takes one trimmed line.
func (d *scutilDict) line(line string) {
	switch {
	case line == "}":
		d.close()
	case strings.HasSuffix(line, "{"):
		d.open(line)
	default:
		d.entry(line)
	}
}

func (d *scutilDict) open(line string) {
	key, _, _ := strings.Cut(line, ":")
	if d.depth == 1 && strings.TrimSpace(key) == "ExceptionsList" {
		d.inExceptions = true
	}
	d.depth++
}

func (d *scutilDict) close() {
	d.depth = max(d.depth-1, 0)
	if d.depth < 2 {
		d.inExceptions = false
	}
}

// entry records a "key : value" line where it matters.
func (d *scutilDict) entry(line string) {
	// Keys never contain a colon; values (URLs, IPv6) may.
	key, value, ok := strings.Cut(line, ":")
	if !ok {
		return
	}
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	switch {
	case d.inExceptions && d.depth == 2:
		if value != "" {
			d.exceptions = append(d.exceptions, value)
		}
	case d.depth == 1:
		d.values[key] = value
	}
}

// scutilHTTPSProxy is "host:port" when the HTTPS proxy is enabled, the port
// left out when unset or not a port number.
func scutilHTTPSProxy(values map[string]string) string {
	if values["HTTPSEnable"] != "1" || values["HTTPSProxy"] == "" {
		return ""
	}
	proxy := values["HTTPSProxy"]
	if p, err := strconv.ParseUint(values["HTTPSPort"], 10, 16); err == nil && p > 0 {
		proxy = net.JoinHostPort(proxy, strconv.FormatUint(p, 10))
	}
	return proxy
}

// scutilProxySetting evaluates `scutil --proxy` output for one target.
func scutilProxySetting(out, host string, port int) (ProxySetting, bool) {
	server, exceptions, pac, auto := ParseScutilProxy(out)
	if server == "" && pac == "" && !auto {
		return ProxySetting{}, false
	}
	set := ProxySetting{Source: ProxySourceScutil, AutoDetect: auto, PACURL: redactToken(pac)}
	var raw []string
	if server != "" {
		raw = append(raw, "https="+redactToken(server))
		if len(exceptions) > 0 {
			raw = append(raw, "exceptions="+strings.Join(exceptions, ";"))
		}
		if matchBypass(exceptions, host, port) {
			set.Bypassed = true
		} else {
			set.URL, set.Err = proxyServerURL(server)
		}
	}
	if pac != "" {
		raw = append(raw, "autoconfig="+set.PACURL)
	}
	if auto {
		raw = append(raw, "autodiscovery")
	}
	set.Raw = strings.Join(raw, " ")
	return set, true
}

// ProxySettings returns every proxy setting that applies to t, the way
// Probe consults them (Options.Proxies), for a report that shows them all:
// Probe itself uses only the first usable one, so a setting that cannot be
// used, an auto-config script or WPAD would otherwise go unseen.
func (p *Prober) ProxySettings(t Target) []ProxySetting {
	if p.opts.Proxies == nil {
		return nil
	}
	return p.opts.Proxies(t.Host, t.Port)
}
