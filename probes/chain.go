package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// Options configure a Prober. The zero value probes like the OS would: its
// resolvers, its trust store, the embedded public root set.
type Options struct {
	// Resolvers are "ip:port" DNS servers, tried in order. Empty means the
	// operating system's resolvers.
	Resolvers []string
	// Timeout bounds one target's whole chain. Zero means DefaultTimeout.
	// It is split between the phases: each keeps a reserve of it that no
	// earlier phase may use (DNS 30 %, TCP or the proxy's connect and
	// CONNECT 30 %, TLS 25 %, HTTP 15 %), so DNS ends by 30 % of Timeout,
	// TCP by 60 %, TLS by 85 % and HTTP by 100 %.
	Timeout time.Duration
	// SkipHTTP leaves out the GET / after the handshake (and with it the
	// clock and block-page checks).
	SkipHTTP bool
	// UserAgent is sent with the GET; empty means "pbprobe".
	UserAgent string
	// FamilyGrace is how long the other address family may keep trying after
	// one family connected, so that a broken family is seen (a warning)
	// without costing the whole timeout. Zero means DefaultFamilyGrace.
	FamilyGrace time.Duration
	// SystemRoots replaces the OS trust store (tests, pinned deployments).
	SystemRoots *x509.CertPool
	// PublicRoots replaces the embedded Mozilla root set used to detect
	// TLS inspection.
	PublicRoots *x509.CertPool
	// Now is the clock used for certificate validity; nil means time.Now.
	Now func() time.Time
	// Dialer dials TCP; nil means a net.Dialer. Tests use it to count or
	// shape connections.
	Dialer ContextDialer
	// SessionCache, when set, lets handshakes resume TLS sessions, which
	// saves the certificate chain on the wire. Interception is still seen:
	// a middlebox cannot resume a session the real server issued, so the
	// first intercepted handshake is a full one with the proxy's chain, and
	// a resumed session still carries (and re-verifies) the original chain.
	// Nil means every handshake is a full one (pbprobe check).
	SessionCache tls.ClientSessionCache
	// Proxies returns the proxy settings that apply to a target, in the
	// order the apps consult them (SystemProxies); nil means none are
	// looked for. The first setting with a URL decides the path.
	Proxies func(host string, port int) []ProxySetting
	// ProxySources says which proxy sources Proxies consults and whether
	// each could be read for the signed-in user (SystemProxySources); nil
	// means none are reported.
	ProxySources func() []ProxySourceRead
}

// ContextDialer is what net.Dialer provides.
type ContextDialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Defaults for Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultFamilyGrace = time.Second
)

// Prober runs the chain. It is safe for concurrent use and holds no state
// between probes beyond its immutable configuration.
type Prober struct {
	opts        Options
	resolvers   []string
	resolverErr error
	publicRoots *x509.CertPool // nil: the embedded roots, chain by chain
	// pace is how long a connect attempt runs alone before the next
	// starts; zero means attemptDelay. Tests lengthen it to tell "moved on
	// because the attempt failed" from "moved on because time passed".
	pace time.Duration
}

// New builds a Prober. It reads the OS resolver configuration once, so that
// probes do not; the embedded public roots are parsed per chain, only those
// that could anchor it (PublicRootsFor).
func New(opts Options) *Prober {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.FamilyGrace <= 0 {
		opts.FamilyGrace = DefaultFamilyGrace
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "pbprobe"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Dialer == nil {
		opts.Dialer = &net.Dialer{}
	}
	p := &Prober{opts: opts, publicRoots: opts.PublicRoots}
	if len(opts.Resolvers) > 0 {
		p.resolvers = normalizeResolvers(opts.Resolvers)
	} else {
		p.resolvers, p.resolverErr = SystemResolvers()
	}
	return p
}

// Resolvers are the DNS servers the prober queries, in order.
func (p *Prober) Resolvers() []string { return append([]string(nil), p.resolvers...) }

// Probe runs DNS, TCP, TLS and HTTP for one target under one deadline, each
// phase under its own deadline inside it (see budget). It never returns
// without a Reason, and never takes much longer than the timeout.
func (p *Prober) Probe(ctx context.Context, t Target) *Result {
	b := newBudget(p.opts.Timeout)
	ctx, cancel := context.WithDeadline(ctx, b.end())
	defer cancel()
	proxy, ok := p.proxyFor(t)
	if !ok {
		return p.direct(ctx, b, t)
	}
	return p.viaProxy(ctx, b, t, proxy)
}

// proxyFor returns the proxy the apps would use for t, if any.
func (p *Prober) proxyFor(t Target) (ProxySetting, bool) {
	if p.opts.Proxies == nil {
		return ProxySetting{}, false
	}
	for _, s := range p.opts.Proxies(t.Host, t.Port) {
		if s.URL != nil && !s.Bypassed {
			return s, true
		}
	}
	return ProxySetting{}, false
}

// direct runs DNS, TCP, TLS and HTTP without a proxy, each phase under its
// deadline from b.
func (p *Prober) direct(ctx context.Context, b budget, t Target) *Result {
	start := p.opts.Now()
	mono := time.Now()

	res := &Result{Target: t, Start: start}
	defer func() { res.Duration = time.Since(mono) }()

	dctx, cancel := b.phase(ctx, StageDNS)
	res.DNS, res.Reason, res.Err = p.resolve(dctx, t)
	cancel()
	if res.Reason != ReasonOK {
		return res
	}
	// The other address family's grace period runs alongside TLS, still
	// under the TCP phase's deadline; finish waits for it so that every
	// attempt is recorded before we return, and only then is the TCP
	// phase's context released (deferred calls run last in, first out).
	tctx, cancel := b.phase(ctx, StageTCP)
	defer cancel()
	conn, tcpRes, finish, reason, err := p.connect(tctx, t, res.DNS.Addresses)
	res.TCP = tcpRes
	defer finish()
	if reason != ReasonOK {
		res.Reason, res.Err = reason, err
		return res
	}
	tc := p.tlsStage(ctx, b, t, conn, res)
	if tc != nil && !p.opts.SkipHTTP {
		p.httpStage(ctx, b, t, tc, res)
	}
	conn.Close()
	return res
}

// tlsStage runs the handshake under the TLS phase's deadline and records it
// in res. It returns the TLS connection when the handshake completed.
func (p *Prober) tlsStage(ctx context.Context, b budget, t Target, conn net.Conn, res *Result) *tls.Conn {
	hctx, cancel := b.phase(ctx, StageTLS)
	defer cancel()
	var tc *tls.Conn
	res.TLS, tc, res.Reason, res.Err = p.handshake(hctx, t, conn)
	return tc
}

// httpStage asks the server for / and judges the answer. It also runs when
// the chain looked expired or not yet valid but is trusted apart from its
// dates (the handshake hands over no connection to a server it does not
// trust, whatever its dates): that server's Date then tells whether the
// certificate or the PC's clock is wrong. It runs under the HTTP phase's
// deadline, which is the host's.
func (p *Prober) httpStage(ctx context.Context, b budget, t Target, tc *tls.Conn, res *Result) {
	if res.Reason != ReasonOK && res.Reason != TLSExpired && res.Reason != TLSNotYetValid {
		return
	}
	ctx, cancel := b.phase(ctx, StageHTTP)
	defer cancel()
	h, err := p.httpCheck(ctx, t, tc)
	res.HTTP = h
	skew := h.ClockSkew
	switch {
	case skew > MaxClockSkew || skew < -MaxClockSkew:
		res.Reason = ClockSkew
		res.Err = fmt.Errorf("clock: this PC's clock differs from %s's by %s (server Date %s)", t.Host, skew, h.Date.UTC().Format(time.RFC3339))
	case res.Reason != ReasonOK:
	case err != nil:
		res.Reason, res.Err = HTTPError, err
	case h.Block.Kind != BlockNone:
		res.Reason = HTTPBlocked
		res.Err = fmt.Errorf("http %s: answered by %s", t.Host, h.Block)
	}
}

// Each phase's reserve, in percent of the per-host Timeout: the share no
// earlier phase may use. DNS and TCP get the most because their timeouts
// are the common failures and need room for a resend (a lost UDP query, a
// lost SYN, the family grace); TLS is one round trip or two plus a
// certificate chain; HTTP is one request on a connection that already
// works. They add up to 100.
const (
	reserveDNS  = 30
	reserveTCP  = 30 // the proxy's connect and CONNECT take this place
	reserveTLS  = 25
	reserveHTTP = 15
)

// phaseEnd is how far into Timeout (in percent) a stage may run: the
// reserves of all stages up to and including it. A slow phase may so use
// what a fast earlier one left, never the reserve of a later one.
func phaseEnd(s Stage) int {
	switch s {
	case StageDNS:
		return reserveDNS
	case StageTCP, StageProxy:
		return reserveDNS + reserveTCP
	case StageTLS:
		return reserveDNS + reserveTCP + reserveTLS
	}
	return reserveDNS + reserveTCP + reserveTLS + reserveHTTP
}

// budget is one probe's Timeout, split between its phases. It is computed
// once per probe, so that the direct path probed alongside a proxied one
// has the same deadlines.
type budget struct {
	start   time.Time
	timeout time.Duration
}

func newBudget(timeout time.Duration) budget {
	return budget{start: time.Now(), timeout: timeout}
}

// end is the host's deadline.
func (b budget) end() time.Time { return b.start.Add(b.timeout) }

// deadline is when stage s must be over.
func (b budget) deadline(s Stage) time.Time {
	return b.start.Add(b.timeout * time.Duration(phaseEnd(s)) / 100)
}

// phase derives the context stage s runs under: its deadline, or ctx's if
// that is earlier.
func (b budget) phase(ctx context.Context, s Stage) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, b.deadline(s))
}

// isTimeout reports whether err is a deadline of ours or of the network.
func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || isErrnoTimeout(err) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
