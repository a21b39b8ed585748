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
	Timeout time.Duration
	// DNSTimeout, ConnectTimeout and TLSTimeout cap each phase inside
	// Timeout; zero means "whatever is left of Timeout".
	DNSTimeout     time.Duration
	ConnectTimeout time.Duration
	TLSTimeout     time.Duration
	HTTPTimeout    time.Duration
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
	publicRoots *x509.CertPool
}

// New builds a Prober. It reads the OS resolver configuration and parses the
// public root bundle once, so that probes do not.
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
	if p.publicRoots == nil {
		p.publicRoots = PublicRootPool()
	}
	return p
}

// Resolvers are the DNS servers the prober queries, in order.
func (p *Prober) Resolvers() []string { return append([]string(nil), p.resolvers...) }

// Probe runs DNS, TCP and TLS for one target under one deadline. It never
// returns without a Reason, and never takes much longer than the timeout.
func (p *Prober) Probe(ctx context.Context, t Target) *Result {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	proxy, ok := p.proxyFor(t)
	if !ok {
		return p.direct(ctx, t)
	}
	// Both paths at once, under the one deadline: the proxied one is the
	// verdict (it is what the apps use), the direct one shows what the
	// firewall does without the proxy.
	directc := make(chan *Result, 1)
	go func() { directc <- p.direct(ctx, t) }()
	res := p.proxied(ctx, t, proxy)
	res.Direct = <-directc
	return res
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

// direct runs DNS, TCP, TLS and HTTP without a proxy.
func (p *Prober) direct(ctx context.Context, t Target) *Result {
	start := p.opts.Now()
	mono := time.Now()

	res := &Result{Target: t, Start: start}
	defer func() { res.Duration = time.Since(mono) }()

	res.DNS, res.Reason, res.Err = p.resolve(ctx, t)
	if res.Reason != ReasonOK {
		return res
	}
	conn, tcpRes, finish, reason, err := p.connect(ctx, t, res.DNS.Addresses)
	res.TCP = tcpRes
	// The other address family's grace period runs alongside TLS; finish
	// waits for it so that every attempt is recorded before we return.
	defer finish()
	if reason != ReasonOK {
		res.Reason, res.Err = reason, err
		return res
	}
	var tc *tls.Conn
	res.TLS, tc, res.Reason, res.Err = p.handshake(ctx, t, conn)
	if tc != nil && !p.opts.SkipHTTP {
		p.httpStage(ctx, t, tc, res)
	}
	conn.Close()
	return res
}

// httpStage asks the server for / and judges the answer. It also runs when
// the chain looked expired or not yet valid: the server's Date then tells
// whether the certificate or the PC's clock is wrong.
func (p *Prober) httpStage(ctx context.Context, t Target, tc *tls.Conn, res *Result) {
	if res.Reason != ReasonOK && res.Reason != TLSExpired && res.Reason != TLSNotYetValid {
		return
	}
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

// phaseContext derives a phase's context: the phase cap if set, inside the
// target's deadline.
func phaseContext(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	if limit <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, limit)
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
