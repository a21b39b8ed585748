package probes

import (
	"net/netip"
	"time"
)

// Target is one host to probe.
type Target struct {
	Host string
	Port int
	// AllowPrivate accepts loopback, link-local and private answers as real
	// addresses instead of reporting them as a sinkhole. It is for hosts that
	// legitimately live on a LAN (and for test worlds on loopback); 0.0.0.0 and
	// :: are a sinkhole regardless.
	AllowPrivate bool
}

// Result is everything one run of the chain learned about one Target. A stage
// that did not run has a nil pointer: "not checked" is not "failed".
type Result struct {
	Target   Target
	Start    time.Time
	Duration time.Duration
	Reason   Reason
	// Err is the underlying error behind a failing Reason, for logs and
	// debugging; it is never used to classify (that happened already).
	Err error

	DNS  *DNSResult
	TCP  *TCPResult
	TLS  *TLSResult
	HTTP *HTTPResult

	// Proxy is set when the probe went through a proxy, as the apps on
	// this PC would; DNS is then the proxy's business and absent, and
	// Direct holds the same probe without the proxy, for comparison.
	Proxy  *ProxyInfo
	Direct *Result
	// CutShort, on a Direct result, is the grace it had after the proxied
	// path was done; set when it was stopped then (its reason is then a
	// timeout of that grace, not of the whole timeout).
	CutShort time.Duration
}

// Stage is the stage of the result's reason.
func (r *Result) Stage() Stage { return r.Reason.Stage() }

// DNSResult holds the facts of the DNS stage.
type DNSResult struct {
	Duration time.Duration
	// Rcode is the response code the verdict rests on ("NOERROR",
	// "NXDOMAIN", ...), empty when no resolver answered.
	Rcode string
	// Resolver is the server ("ip:port") whose answer was used, or the last
	// one tried when none answered.
	Resolver string
	// Transport is "udp" or "tcp" (after truncation or a UDP failure).
	Transport string
	// Addresses are the usable A and AAAA answers, in answer order, IPv6 first.
	Addresses []netip.Addr
	// Sinkholed are answers that point nowhere useful (0.0.0.0, loopback,
	// private space for a public host).
	Sinkholed []netip.Addr
	// Queries has one entry per query sent, for debugging.
	Queries []DNSQuery
}

// DNSQuery is one question to one resolver.
type DNSQuery struct {
	Type      string // "A" or "AAAA"
	Resolver  string
	Transport string
	Rcode     string // empty when there was no answer
	Answers   int
	// Bytes is the DNS payload sent and received (UDP/TCP headers not
	// counted), for measuring what probing costs on the wire.
	Bytes    int
	Duration time.Duration
	Err      error
}

// TCPResult holds the facts of the TCP stage.
type TCPResult struct {
	Duration time.Duration // until the connection used for TLS was established
	// Address is the address whose connection was used; invalid when none connected.
	Address  netip.AddrPort
	Attempts []TCPAttempt
}

// TCPOutcome is what happened to one connect attempt.
type TCPOutcome string

// Connect attempt outcomes. Refused, timeout and unreachable mirror the tcp_
// reasons; cancelled means the attempt was abandoned because another address
// had already won and the grace period ran out.
const (
	TCPConnected   TCPOutcome = "connected"
	TCPOutRefused  TCPOutcome = "refused"
	TCPOutTimeout  TCPOutcome = "timeout"
	TCPOutUnreach  TCPOutcome = "unreachable"
	TCPOutCanceled TCPOutcome = "cancelled"
)

// TCPAttempt is one connect to one address.
type TCPAttempt struct {
	Address  netip.AddrPort
	Outcome  TCPOutcome
	Duration time.Duration
	Err      error
}

// TLSResult holds the facts of the TLS stage. Certificate facts are kept even
// when verification fails: they are what names an inspection proxy.
type TLSResult struct {
	Duration    time.Duration
	Version     uint16 // tls.VersionTLS12, ...; 0 when the handshake failed
	CipherSuite uint16
	ServerName  string
	// Resumed: the handshake resumed an earlier session (see
	// Options.SessionCache); the chain is the one that session verified.
	Resumed bool
	// Chain is the chain as the server presented it, leaf first.
	Chain []CertInfo
	// SystemTrusted: the chain verifies against the system roots (or the
	// configured replacement) for ServerName at probe time.
	SystemTrusted bool
	// PublicTrusted: the chain verifies against the public root set. Nil
	// when that check was not made (the system check failed first).
	PublicTrusted *bool
	// Intercepted: trusted by the system but not by the public set.
	Intercepted bool
}

// Leaf is the first presented certificate, or nil.
func (t *TLSResult) Leaf() *CertInfo {
	if t == nil || len(t.Chain) == 0 {
		return nil
	}
	return &t.Chain[0]
}

// CertInfo are the facts of one certificate that matter to a technician.
type CertInfo struct {
	Subject   string // common name, or the full subject when it has none
	Issuer    string // issuer common name, or the full issuer
	IssuerOrg string
	DNSNames  []string
	NotBefore time.Time
	NotAfter  time.Time
	SHA256    string // hex fingerprint of the DER
}
