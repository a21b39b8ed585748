package report

import (
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// facts are what the messages quote, gathered once from a HostReport. The
// JSON views are the primary source, so that a report read back from
// /status is described the same way; the raw Result only adds what the
// views leave out (every resolver asked, the whole certificate chain).
type facts struct {
	host   string
	port   int
	wild   string    // "*.passwordboss.com": what a firewall rule should allow
	domain string    // "passwordboss.com": the zone a DNS filter or split DNS holds
	at     time.Time // the PC's clock when the probe ran; zero when unknown

	proxy, proxySource, proxyServer string // the proxy hop, when the apps use one
	proxyStatus                     int
	proxyMS                         float64
	proxyScheme                     string                 // http, https, socks5, ...
	proxyTLS                        probes.ProxyTLSProblem // why TLS with an https:// proxy failed
	directOK                        bool                   // the same host answered without the proxy

	resolver  string   // the resolver whose answer counted, port 53 left out
	resolvers []string // every resolver asked, in order
	rcode     string
	sinkholed []string
	dnsMS     float64

	connected string   // the address the TLS stage used, without port
	failed    []string // the addresses whose connect ended as the reason says
	tcpMS     float64

	tlsMS     float64
	version   string
	subject   string
	names     []string // the leaf's DNS names, when the raw result is there
	issuer    string
	issuerOrg string
	notAfter  time.Time

	// bad is the certificate whose dates fail (tls_expired,
	// tls_not_yet_valid): its name, whether it is the leaf, and the date
	// it expired or starts. badDate is zero when no presented certificate
	// is out of date, which means a root in the PC's store is.
	bad     string
	badLeaf bool
	badDate time.Time
	// badFuture: for clock_skew, badDate is a start date the PC's clock
	// is before rather than an end date it is past.
	badFuture bool

	httpMS     float64
	status     int
	serverDate time.Time // the server's Date header; zero when it sent none
	skew       float64   // this PC's clock minus the server's, in seconds
	block      block

	// The scene of the host (hostIn): the OS whose commands the hints
	// name, and the PC's clock as all the servers judged it.
	os    string
	clock clockState
}

// block is what answered instead of the service (http_blocked), taken apart
// so that each language can word it.
type block struct {
	kind blockKind
	name string // the Server header, the vendor a page names, the redirect's host
	text string // BlockedBy as the probe wrote it, for a kind not recognised
}

type blockKind int

const (
	blockNone     blockKind = iota
	blockServer             // a Server header that names a filter vendor
	blockVendor             // a block page that names a filter vendor
	blockPage               // a page that reads like a block page
	blockRedirect           // a redirect to another site
	blockPortal             // 511: a network login (captive portal)
	blockProxy              // 407: a proxy that wants a login
	blockOther              // something BlockedBy names in a way not known here
)

func gather(h *agent.HostReport, at time.Time) *facts {
	f := &facts{host: h.Host, port: h.Port, at: at}
	f.wild, f.domain = wildcard(h.Host)
	if !h.At.IsZero() {
		// The probe's own clock reading beats the run's: it is what the
		// certificate dates were checked against.
		f.at = h.At
	}
	if px := h.Proxy; px != nil {
		f.proxy, f.proxySource, f.proxyServer = px.Address, px.Source, px.Server
		f.proxyStatus, f.proxyMS = px.Status, px.MS
		f.proxyScheme, f.proxyTLS = px.Scheme, px.TLSProblem
	}
	if d := h.Direct; d != nil {
		f.directOK = d.OK
	}
	if h.DNS != nil {
		f.gatherDNS(h.DNS)
	}
	if h.TCP != nil {
		f.gatherTCP(h.TCP, h.Reason)
	}
	if t := h.TLS; t != nil {
		f.tlsMS = t.MS
		f.version = t.Version
		f.subject = t.Subject
		f.issuer, f.issuerOrg = t.Issuer, t.IssuerOrg
		f.notAfter = t.NotAfter
		f.names = t.Names
	}
	if v := h.HTTP; v != nil {
		f.httpMS = v.MS
		f.status = v.Status
		f.serverDate = v.Date
		f.skew = v.ClockSkewS
		f.block = blockOf(v)
	}
	f.gatherOutOfDate(h)
	return f
}

func (f *facts) gatherDNS(d *agent.DNSView) {
	f.resolver = resolverName(d.Resolver)
	f.rcode = d.Rcode
	f.sinkholed = d.Sinkholed
	f.dnsMS = d.MS
	for _, r := range d.Resolvers {
		f.resolvers = appendNew(f.resolvers, resolverName(r))
	}
	if len(f.resolvers) == 0 && f.resolver != "" {
		f.resolvers = []string{f.resolver}
	}
}

// gatherTCP names the address the TLS stage used and the addresses whose
// connect ended as the reason says.
func (f *facts) gatherTCP(t *agent.TCPView, reason probes.Reason) {
	f.tcpMS = t.MS
	f.connected = addrOnly(t.Address)
	want := outcomeOf(reason)
	for _, a := range t.Attempts {
		if a.Outcome == want {
			f.failed = appendNew(f.failed, addrOnly(a.Address))
		}
	}
	if len(f.failed) > 0 {
		return
	}
	// A reason without a matching attempt should not happen; naming every
	// address tried is still better than naming none.
	for _, a := range t.Attempts {
		if a.Outcome != string(probes.TCPConnected) {
			f.failed = appendNew(f.failed, addrOnly(a.Address))
		}
	}
}

// gatherOutOfDate names the certificate whose dates fail, for the reasons
// that are about dates.
func (f *facts) gatherOutOfDate(h *agent.HostReport) {
	if h.TLS == nil {
		return
	}
	chain := h.TLS.Certs
	if len(chain) == 0 && h.TLS.Subject != "" {
		// A document from an agent that did not list the chain.
		chain = []agent.CertView{{Subject: h.TLS.Subject, NotBefore: h.TLS.NotBefore, NotAfter: h.TLS.NotAfter}}
	}
	switch h.Reason {
	case probes.TLSExpired, probes.TLSNotYetValid:
		f.bad, f.badLeaf, f.badDate = outOfDate(chain, f.at, h.Reason == probes.TLSExpired)
	case probes.ClockSkew:
		// clock_skew replaces the certificate reasons a wrong clock causes;
		// the certificate the clock made look out of date is still worth
		// naming, measured against the PC's clock as the probe saw it.
		pc := f.pcTime()
		if pc.IsZero() || h.TLS.SystemTrusted {
			return
		}
		f.bad, f.badLeaf, f.badDate = outOfDate(chain, pc, true)
		f.badFuture = f.badDate.IsZero()
		if f.badFuture {
			f.bad, f.badLeaf, f.badDate = outOfDate(chain, pc, false)
		}
	}
}

// pcTime is this PC's clock when the server's answer arrived, which is what
// the skew was measured against; zero without a Date.
func (f *facts) pcTime() time.Time {
	if f.serverDate.IsZero() {
		return time.Time{}
	}
	return f.serverDate.Add(time.Duration(f.skew * float64(time.Second))).UTC()
}

// blockOf takes apart what answered instead of the service, from the
// probe's typed facts. A kind this version does not know (a document from a
// newer agent) is quoted as the probe described it rather than guessed at.
func blockOf(v *agent.HTTPView) block {
	switch v.BlockKind {
	case probes.BlockNone:
		if v.BlockedBy != "" {
			return block{kind: blockOther, text: v.BlockedBy}
		}
		return block{}
	case probes.BlockNetworkLogin:
		return block{kind: blockPortal}
	case probes.BlockProxyLogin:
		return block{kind: blockProxy}
	case probes.BlockRedirect:
		return block{kind: blockRedirect, name: v.BlockName}
	case probes.BlockFilterServer:
		return block{kind: blockServer, name: v.BlockName}
	case probes.BlockVendorPage:
		return block{kind: blockVendor, name: v.BlockName}
	case probes.BlockPage:
		return block{kind: blockPage}
	}
	return block{kind: blockOther, text: v.BlockedBy}
}

// outOfDate finds the presented certificate whose validity window excludes
// at, the way the probe classified it. Without a clock reading the leaf is
// the best guess: it is the certificate that changes most often.
func outOfDate(chain []agent.CertView, at time.Time, expired bool) (name string, leaf bool, date time.Time) {
	edge := func(c agent.CertView) time.Time {
		if expired {
			return c.NotAfter.UTC()
		}
		return c.NotBefore.UTC()
	}
	if at.IsZero() {
		if len(chain) == 0 {
			return "", false, time.Time{}
		}
		return chain[0].Subject, true, edge(chain[0])
	}
	for i, c := range chain {
		if (expired && at.After(c.NotAfter)) || (!expired && at.Before(c.NotBefore)) {
			return c.Subject, i == 0, edge(c)
		}
	}
	return "", false, time.Time{}
}

// outcomeOf maps a tcp_ reason to the connect outcome that produced it.
func outcomeOf(r probes.Reason) string {
	switch r {
	case probes.TCPRefused:
		return string(probes.TCPOutRefused)
	case probes.TCPTimeout:
		return string(probes.TCPOutTimeout)
	case probes.TCPUnreachable:
		return string(probes.TCPOutUnreach)
	}
	return ""
}

// wildcard derives the firewall pattern from the last two labels of a host
// name. Without a public-suffix list "a.example.co.uk" gives "*.co.uk"; the
// hosts pbprobe checks are not under such suffixes, and an IP literal or a
// bare domain is returned as it is.
func wildcard(host string) (wild, domain string) {
	if _, err := netip.ParseAddr(host); err == nil {
		return host, host
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(labels) <= 2 {
		return host, host
	}
	domain = strings.Join(labels[len(labels)-2:], ".")
	return "*." + domain, domain
}

// resolverName drops the standard port: "10.0.0.1" reads better than
// "10.0.0.1:53", and a non-standard port is worth seeing.
func resolverName(s string) string {
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Port() == 53 {
		return ap.Addr().String()
	}
	return s
}

// addrOnly drops the port, which the messages state once ("on TCP 443").
func addrOnly(s string) string {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().String()
	}
	return s
}

func appendNew(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// zoneLike reports a skew of whole hours (within two minutes, up to the
// 14 hours time zones span): the mark of a clock set by hand to local time
// under a wrong time zone, which w32tm /resync alone does not fix.
func (f *facts) zoneLike() bool {
	s := math.Abs(f.skew)
	h := math.Round(s / 3600)
	return h >= 1 && h <= 14 && math.Abs(s-h*3600) <= 120
}

// url is the address a technician opens in a browser on the PC to see what
// answers in place of the service.
func (f *facts) url() string {
	if f.port == 443 || f.port == 0 {
		return "https://" + f.host
	}
	return "https://" + net.JoinHostPort(f.host, strconv.Itoa(f.port))
}
