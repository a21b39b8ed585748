package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// A selector decides, for one reason, which message and hint keys of the
// catalog apply to the facts, and adds the placeholder values they need to
// a (which already holds those of common). It is the same for every
// language; hint is "" for a reason without one.
type selector func(c *catalog, f *facts, a args) (msg, hint string)

// selectors word every reason the probes return; a reason without one gets
// unknown_reason.
var selectors = map[probes.Reason]selector{
	probes.ReasonOK:            selectOK,
	probes.NotChecked:          plain("not_checked"),
	probes.DNSNXDomain:         plain("dns_nxdomain"),
	probes.DNSServFail:         plain("dns_servfail"),
	probes.DNSRefused:          plain("dns_refused"),
	probes.DNSTimeout:          selectDNSTimeout,
	probes.DNSNoAddress:        plain("dns_no_address"),
	probes.DNSSinkhole:         selectSinkhole,
	probes.DNSError:            selectDNSError,
	probes.TCPRefused:          byFailed("tcp_refused"),
	probes.TCPTimeout:          waited("tcp_timeout", func(f *facts) float64 { return f.tcpMS }),
	probes.TCPUnreachable:      byFailed("tcp_unreachable"),
	probes.TLSTimeout:          waited("tls_timeout", func(f *facts) float64 { return f.tlsMS }),
	probes.TLSReset:            plain("tls_reset"),
	probes.TLSProtocol:         plain("tls_protocol"),
	probes.TLSUntrusted:        byIssuer("tls_untrusted"),
	probes.TLSIntercepted:      byIssuer("tls_intercepted"),
	probes.TLSExpired:          outOfDateCert("tls_expired"),
	probes.TLSNotYetValid:      outOfDateCert("tls_not_yet_valid"),
	probes.TLSHostnameMismatch: selectMismatch,
	probes.ClockSkew:           selectClockSkew,
	probes.HTTPBlocked:         selectBlocked,
	probes.ProxyUnreachable:    proxyDown("proxy_unreachable"),
	probes.ProxyTimeout:        proxyDown("proxy_timeout"),
	probes.ProxyAuthRequired:   selectProxyAuth,
	probes.ProxyDenied:         selectProxyDenied,
	probes.ProxyUnsupported:    selectProxyUnsupported,
	probes.ProxyTLS:            selectProxyTLS,
	probes.HTTPError:           waited("http_error", func(f *facts) float64 { return f.httpMS }),
}

// host words a host's outcome; at is the time of the run, for reports
// without a raw result.
func (c *catalog) host(h *agent.HostReport, at time.Time) (msg, hint string) {
	return c.reason(h.Reason, gather(h, at))
}

// reason words a reason with the facts of its host.
func (c *catalog) reason(r probes.Reason, f *facts) (msg, hint string) {
	a := c.common(f)
	sel, ok := selectors[r]
	if !ok {
		a["reason"] = string(r)
		sel = plain("unknown_reason")
	}
	m, h := sel(c, f, a)
	if h != "" {
		hint = c.text(c.osKey(h, f.os), a)
	}
	return c.text(m, a), hint
}

// common are the placeholders many reasons quote.
func (c *catalog) common(f *facts) args {
	a := args{
		"host":      f.host,
		"port":      strconv.Itoa(f.port),
		"wild":      f.wild,
		"domain":    f.domain,
		"resolver":  f.resolver,
		"url":       f.url(),
		"failed":    c.list(f.failed),
		"connected": f.connected,
	}
	if a["failed"] == "" {
		a["failed"] = f.host
	}
	if a["connected"] == "" {
		a["connected"] = f.host
	}
	a["server"] = c.text(pick(f.resolver != "", "dns_server.named", "dns_server"), a)
	return a
}

// part sets a[name] to the phrase of key when cond holds, and to nothing
// otherwise: an optional piece of a sentence.
func (c *catalog) part(a args, name string, cond bool, key string) {
	a[name] = ""
	if cond {
		a[name] = c.text(key, a)
	}
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// variant is key, or key.v when there is a variant.
func variant(key, v string) string {
	if v == "" {
		return key
	}
	return key + "." + v
}

// plain is a reason worded the same whatever the facts.
func plain(key string) selector {
	return func(*catalog, *facts, args) (string, string) {
		return key, key + ".hint"
	}
}

// byFailed is a reason whose sentence has the failed addresses as its
// subject: the verb agrees with how many there are ("2001:db8::1 und
// 203.0.113.1 haben ... abgewiesen").
func byFailed(key string) selector {
	return func(_ *catalog, f *facts, _ args) (string, string) {
		return key + pick(len(f.failed) > 1, ".other", ".one"), key + ".hint"
	}
}

// waited is a timeout reason that says how long it waited when it knows.
func waited(key string, ms func(*facts) float64) selector {
	return func(c *catalog, f *facts, a args) (string, string) {
		if t := ms(f); t > 0 {
			a["took"] = c.dur(t)
			return key + ".waited", key + ".hint"
		}
		return key, key + ".hint"
	}
}

func selectOK(c *catalog, f *facts, a args) (string, string) {
	a["version"], a["issuer"], a["date"] = f.version, c.quote(f.issuer), c.date(f.notAfter)
	c.part(a, "over", f.version != "", "ok.over")
	c.part(a, "until", !f.notAfter.IsZero(), "ok.until")
	c.part(a, "issued", f.issuer != "", "ok.issued")
	return "ok", ""
}

func selectDNSTimeout(c *catalog, f *facts, a args) (string, string) {
	var v []string
	if len(f.resolvers) > 0 {
		a["resolvers"] = c.list(f.resolvers)
		v = append(v, "asked")
	}
	if f.dnsMS > 0 {
		a["took"] = c.dur(f.dnsMS)
		v = append(v, "waited")
	}
	return variant("dns_timeout", strings.Join(v, "_")), "dns_timeout.hint"
}

func selectSinkhole(c *catalog, f *facts, a args) (string, string) {
	if len(f.sinkholed) == 0 {
		return "dns_sinkhole.nowhere", "dns_sinkhole.hint"
	}
	a["sinkholed"] = c.list(f.sinkholed)
	return "dns_sinkhole", "dns_sinkhole.hint"
}

func selectDNSError(_ *catalog, f *facts, a args) (string, string) {
	v := "silent"
	switch {
	case f.resolver == "":
		v = "no_server"
	case f.rcode != "":
		v, a["rcode"] = "rcode", f.rcode
	}
	return "dns_error." + v, "dns_error.hint." + v
}

// byIssuer names the issuer when the report has it.
func byIssuer(key string) selector {
	return func(c *catalog, f *facts, a args) (string, string) {
		if f.issuer == "" {
			return key, key + ".hint"
		}
		a["issuer"] = c.issuer(f)
		return key + ".issuer", key + ".hint"
	}
}

// issuer names the issuer and, when it adds something, its organisation:
// "FortiGate SSL Inspection CA" does not say Fortinet by itself.
func (c *catalog) issuer(f *facts) string {
	s := c.quote(f.issuer)
	if f.issuerOrg != "" && !strings.Contains(strings.ToLower(f.issuer), strings.ToLower(f.issuerOrg)) {
		s = c.text("issuer.org", args{"issuer": s, "org": f.issuerOrg})
	}
	return s
}

// outOfDateCert names the certificate whose dates fail: the leaf, one in
// the chain, or (without a date) a root in the PC's store. The PC's own
// date follows: a certificate that looks expired or not yet valid is as
// often a wrong clock as a wrong certificate, and only the technician can
// tell which.
func outOfDateCert(key string) selector {
	return func(c *catalog, f *facts, a args) (string, string) {
		a["pc_date"] = c.date(f.at)
		a["pc_clock"] = c.text(pick(f.at.IsZero(), "pc_clock", "pc_clock.date"), a)
		a["date"], a["cert"] = c.date(f.badDate), c.quote(f.bad)
		v := "chain"
		switch {
		case f.badDate.IsZero():
			v = "root"
		case f.badLeaf:
			v = "leaf"
		}
		if f.clock.right() {
			// The servers' Date headers vouch for the PC's clock: asking
			// to check it again would send the technician the wrong way.
			a["pc_clock"] = ""
			return key + "." + v, key + ".hint.clock_ok"
		}
		return key + "." + v, c.osKey(key+".hint", f.os)
	}
}

func selectMismatch(c *catalog, f *facts, a args) (string, string) {
	names := f.names
	if len(names) == 0 && f.subject != "" {
		names = []string{f.subject}
	}
	if len(names) == 0 {
		return "tls_hostname_mismatch", "tls_hostname_mismatch.hint"
	}
	a["names"] = c.quoteList(names)
	return "tls_hostname_mismatch.names", "tls_hostname_mismatch.hint"
}

func selectClockSkew(c *catalog, f *facts, a args) (string, string) {
	switch {
	case f.clock.wrong():
		// The PC's clock, judged from all the servers, is said once in
		// the machine section, with what to do.
		a["effect"] = c.clockEffect(f, a)
		return "clock_skew.machine", ""
	case f.clock.right() && !f.serverDate.IsZero():
		// This server alone disagrees: its clock is the wrong one.
		a["span"], a["server_time"] = c.span(f.skew), c.clock(f.serverDate, time.Time{})
		return pick(f.skew < 0, "clock_skew.server.ahead", "clock_skew.server.behind"), "clock_skew.hint.server"
	}
	msg := "clock_skew.over"
	a["span"] = c.span(probes.MaxClockSkew.Seconds())
	if pc := f.pcTime(); !pc.IsZero() {
		msg = pick(f.skew < 0, "clock_skew.behind", "clock_skew.ahead")
		a["span"], a["pc"], a["server_time"] = c.span(f.skew), c.clock(pc, time.Time{}), c.clock(f.serverDate, pc)
	}
	a["effect"] = c.clockEffect(f, a)
	return msg, pick(f.zoneLike(), "clock_skew.hint.zone", "clock_skew.hint")
}

// clockEffect names the certificate a wrong clock makes look out of date,
// or says what a wrong clock breaks when the chain was fine by the PC's
// clock.
func (c *catalog) clockEffect(f *facts, a args) string {
	if f.badDate.IsZero() {
		return c.text("clock_skew.effect", a)
	}
	a["name"], a["date"] = c.quote(f.bad), c.date(f.badDate)
	a["cert"] = c.text(pick(f.badLeaf, "clock_skew.cert.leaf", "clock_skew.cert.chain"), a)
	return c.text(pick(f.badFuture, "clock_skew.effect.not_yet_valid", "clock_skew.effect.expired"), a)
}

// blockVariants are the http_blocked variants by what answered.
var blockVariants = map[blockKind]string{
	blockServer:   "server",
	blockVendor:   "vendor",
	blockPage:     "page",
	blockRedirect: "redirect",
	blockPortal:   "portal",
	blockProxy:    "proxy",
	blockOther:    "other",
}

func selectBlocked(c *catalog, f *facts, a args) (string, string) {
	b := f.block
	v, ok := blockVariants[b.kind]
	a["text"] = blockText(b)
	if !ok || (b.kind == blockOther && a["text"] == "") {
		return "http_blocked", "http_blocked.hint"
	}
	a["status"], a["name"], a["site"] = strconv.Itoa(f.status), c.quote(b.name), b.name
	return "http_blocked." + v, "http_blocked.hint." + v
}

// blockText is what the probe wrote for a block of a kind not known here;
// without it such a block is worded like an unknown one.
func blockText(b block) string { return b.text }

// proxy names the proxy, with its address when the report has one, in the
// grammatical role form ("subject": "The proxy", "object": "the proxy";
// German "Der Proxy", "den Proxy").
func (c *catalog) proxy(f *facts, a args, form string) {
	a["proxy"] = f.proxy
	a["proxy"] = c.text(pick(f.proxy != "", "proxy."+form+".named", "proxy."+form), a)
}

// proxyWhere names where the proxy setting comes from.
func (c *catalog) proxyWhere(f *facts) string {
	key := "proxy_source." + f.proxySource
	if f.proxySource == "" || !c.has(key) {
		key = "proxy_source"
	}
	return c.text(key, nil)
}

// proxyDown words proxy_unreachable and proxy_timeout: where the proxy
// comes from, and whether the host works without it.
func proxyDown(key string) selector {
	return func(c *catalog, f *facts, a args) (string, string) {
		a["took"] = c.dur(f.proxyMS)
		c.proxy(f, a, "object")
		a["where"] = c.proxyWhere(f)
		c.part(a, "direct", f.directOK, "proxy.direct_ok")
		return key, key + ".hint"
	}
}

func selectProxyAuth(c *catalog, f *facts, a args) (string, string) {
	c.proxy(f, a, "subject")
	return "proxy_auth_required", "proxy_auth_required.hint"
}

func selectProxyDenied(c *catalog, f *facts, a args) (string, string) {
	c.proxy(f, a, "subject")
	a["proxy_server"], a["status"] = c.quote(f.proxyServer), strconv.Itoa(f.proxyStatus)
	c.part(a, "by", f.proxyServer != "", "proxy_denied.by")
	c.part(a, "answer", f.proxyStatus != 0, "proxy_denied.answer")
	return "proxy_denied", "proxy_denied.hint"
}

// selectProxyUnsupported words a proxy whose scheme pbprobe does not speak
// (socks5://): it names the scheme and says the proxy was not contacted.
func selectProxyUnsupported(c *catalog, f *facts, a args) (string, string) {
	c.proxy(f, a, "object")
	a["where"] = c.proxyWhere(f)
	a["scheme"] = f.proxyScheme
	c.part(a, "direct", f.directOK, "proxy.direct_ok")
	if f.proxyScheme == "" {
		return "proxy_unsupported", "proxy_unsupported.hint"
	}
	return "proxy_unsupported.scheme", "proxy_unsupported.hint"
}

// selectProxyTLS words a failed TLS session with an https:// proxy by what
// failed: its certificate, no TLS at all, or the handshake.
func selectProxyTLS(c *catalog, f *facts, a args) (string, string) {
	c.proxy(f, a, "object")
	a["where"] = c.proxyWhere(f)
	c.part(a, "direct", f.directOK, "proxy.direct_ok")
	v := string(f.proxyTLS)
	if v == "" || !c.has("proxy_tls."+v) {
		v = string(probes.ProxyTLSHandshake)
	}
	return "proxy_tls." + v, "proxy_tls.hint." + v
}
