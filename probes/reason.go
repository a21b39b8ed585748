package probes

// Stage names the phase of the probe chain a Reason belongs to.
type Stage string

// Stages in chain order. StageNone is the stage of ReasonOK.
const (
	StageNone Stage = ""
	StageDNS  Stage = "dns"
	StageTCP  Stage = "tcp"
	StageTLS  Stage = "tls"
	StageHTTP Stage = "http"
)

// Reason is the one classified cause of a probe's outcome. The values are a
// stable contract (JSON, metrics labels, docs): add new ones, never rename.
type Reason string

// The reason vocabulary. See docs/reasons.md for one section per reason.
const (
	ReasonOK Reason = "ok"
	// NotChecked is a host no probe has finished for yet (an agent before
	// its first run, a check that was interrupted). It is not ok, and it is
	// not a failure of the network either.
	NotChecked Reason = "not_checked"

	DNSNXDomain  Reason = "dns_nxdomain"   // the name does not exist (NXDOMAIN)
	DNSServFail  Reason = "dns_servfail"   // the resolver failed to resolve (SERVFAIL)
	DNSRefused   Reason = "dns_refused"    // the resolver refused the query (REFUSED)
	DNSTimeout   Reason = "dns_timeout"    // no resolver answered in time
	DNSNoAddress Reason = "dns_no_address" // NOERROR, but neither A nor AAAA records
	DNSSinkhole  Reason = "dns_sinkhole"   // answers point to 0.0.0.0, loopback or private space
	// DNSError covers a resolver that cannot be queried at all (nothing
	// listening, no resolver configured) or answers with an rcode other than
	// the ones above. DESIGN.md asks for new codes rather than overloading old
	// ones, so these do not pretend to be a SERVFAIL or a timeout.
	DNSError Reason = "dns_error"

	TCPRefused     Reason = "tcp_refused"     // RST to the SYN: nothing listens or a firewall rejects
	TCPTimeout     Reason = "tcp_timeout"     // no answer to the SYN: dropped
	TCPUnreachable Reason = "tcp_unreachable" // no route, or ICMP unreachable / prohibited

	TLSTimeout          Reason = "tls_timeout"           // handshake did not finish in time
	TLSReset            Reason = "tls_reset"             // connection reset or closed during the handshake
	TLSProtocol         Reason = "tls_protocol"          // no common version/cipher, alert, or not TLS at all
	TLSUntrusted        Reason = "tls_untrusted"         // chain does not lead to a root the system trusts
	TLSIntercepted      Reason = "tls_intercepted"       // trusted by the system but not by the public roots
	TLSExpired          Reason = "tls_expired"           // a certificate in the chain has expired
	TLSNotYetValid      Reason = "tls_not_yet_valid"     // a certificate in the chain is not valid yet
	TLSHostnameMismatch Reason = "tls_hostname_mismatch" // the leaf is not valid for the host name

	// ClockSkew: the PC's clock is more than MaxClockSkew from the server's
	// Date. It takes precedence over tls_expired and tls_not_yet_valid, which
	// a wrong clock causes.
	ClockSkew   Reason = "clock_skew"
	HTTPBlocked Reason = "http_blocked" // a block page, login page or redirect answered instead of the service
	HTTPError   Reason = "http_error"   // TLS worked, but no HTTP answer came back
)

// Reasons lists every reason in a stable order: chain order, then severity.
func Reasons() []Reason {
	return []Reason{
		ReasonOK, NotChecked,
		DNSNXDomain, DNSServFail, DNSRefused, DNSTimeout, DNSNoAddress, DNSSinkhole, DNSError,
		TCPRefused, TCPTimeout, TCPUnreachable,
		TLSTimeout, TLSReset, TLSProtocol, TLSUntrusted, TLSIntercepted, TLSExpired, TLSNotYetValid, TLSHostnameMismatch,
		ClockSkew, HTTPBlocked, HTTPError,
		ProxyUnreachable, ProxyTimeout, ProxyAuthRequired, ProxyDenied, ProxyUnsupported, ProxyTLS,
	}
}

// Stage reports the phase of the chain the reason belongs to.
func (r Reason) Stage() Stage {
	switch r {
	case DNSNXDomain, DNSServFail, DNSRefused, DNSTimeout, DNSNoAddress, DNSSinkhole, DNSError:
		return StageDNS
	case TCPRefused, TCPTimeout, TCPUnreachable:
		return StageTCP
	case TLSTimeout, TLSReset, TLSProtocol, TLSUntrusted, TLSIntercepted, TLSExpired, TLSNotYetValid, TLSHostnameMismatch:
		return StageTLS
	case ClockSkew, HTTPBlocked, HTTPError:
		return StageHTTP
	case ProxyUnreachable, ProxyTimeout, ProxyAuthRequired, ProxyDenied, ProxyUnsupported, ProxyTLS:
		return StageProxy
	}
	return StageNone
}

// OK reports whether the reason is ReasonOK.
func (r Reason) OK() bool { return r == ReasonOK }
