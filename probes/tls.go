package probes

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// handshake runs the TLS stage on an established connection: SNI = host,
// TLS 1.2 at least, then verification done by hand so that the certificate
// facts survive a failed verification and the failure can be classified.
// The returned conn is the TLS connection, for the HTTP stage, when the
// handshake completed and the chain is trusted, or trusted apart from its
// dates (see judge); else nil. ctx carries the TLS phase's deadline.
func (p *Prober) handshake(ctx context.Context, t Target, conn net.Conn) (*TLSResult, *tls.Conn, Reason, error) {
	start := time.Now()

	res := &TLSResult{ServerName: t.Host}
	var peer []*x509.Certificate
	cfg := &tls.Config{
		ServerName: t.Host,
		MinVersion: tls.VersionTLS12,
		// The key exchanges Windows' SChannel offers, which is what the
		// Password Boss apps use: a post-quantum key share would make our
		// ClientHello twice the size, both unlike the app's (a middlebox
		// that mishandles large ClientHellos would fail us, not the app)
		// and costlier on the wire for an agent that probes all day.
		CurvePreferences:   []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384},
		ClientSessionCache: p.opts.SessionCache,
		// Verification happens below, against two root sets; skipping it
		// here keeps the handshake going so the chain can be inspected.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			peer = cs.PeerCertificates
			return nil
		},
	}
	tc := tls.Client(conn, cfg)
	err := tc.HandshakeContext(ctx)
	res.Duration = time.Since(start)
	for _, c := range peer {
		res.Chain = append(res.Chain, certInfo(c))
	}
	if err != nil {
		return res, nil, classifyHandshake(ctx, err), fmt.Errorf("tls handshake with %s: %w", t.Host, err)
	}
	cs := tc.ConnectionState()
	res.Version, res.CipherSuite, res.Resumed = cs.Version, cs.CipherSuite, cs.DidResume
	if len(peer) == 0 {
		return res, nil, TLSProtocol, fmt.Errorf("tls %s: server sent no certificate", t.Host)
	}

	// Without the HTTP stage nothing reads the connection; the ticket has
	// to be waited for.
	if p.opts.SessionCache != nil && p.opts.SkipHTTP && cs.Version == tls.VersionTLS13 && !cs.DidResume {
		awaitTicket(ctx, tc)
	}

	reason, heard, err := p.judge(res, peer, t.Host)
	if !heard {
		// Nothing this server says is believed (its Date, its page): the
		// HTTP stage does not run.
		tc = nil
	}
	return res, tc, reason, err
}

// judge verifies the chain and records what it found in res, trust first:
// a chain is checked against the roots at a time inside its validity
// before its dates are held against it, so that an untrusted, misnamed or
// intercepted chain is reported as such whatever its dates (and whatever
// the PC's clock). heard says whether the server may be heard out: the
// chain is trusted, or trusted apart from its dates, in which case the
// HTTP stage's Date tells whether the certificate or the PC's clock is
// wrong.
func (p *Prober) judge(res *TLSResult, chain []*x509.Certificate, host string) (reason Reason, heard bool, err error) {
	now := p.opts.Now()
	sysErr := verify(chain, host, now, p.opts.SystemRoots)
	at, dated := now, ReasonOK
	if sysErr != nil {
		dated = outOfDate(sysErr, chain, now)
		if dated == ReasonOK {
			return p.classifyTrust(sysErr, chain, host, now), false, fmt.Errorf("tls %s: certificate: %w", host, sysErr)
		}
		var err error
		if at, err = p.verifyInValidity(chain, host, now); err != nil {
			// Not trusted even when its dates are fine. If the dates are
			// still what fails (certificates whose validities never
			// meet), no time was found at which to judge trust: the
			// dates stand, but the server is not heard.
			if !isDateError(err) {
				dated = p.classifyTrust(err, chain, host, at)
			}
			return dated, false, fmt.Errorf("tls %s: certificate: %w", host, sysErr)
		}
	}
	res.SystemTrusted = sysErr == nil
	// Without a configured set, only the embedded roots that could anchor
	// this chain are parsed: the whole set would keep 440 KiB alive for
	// the agent's lifetime, for the same verdict.
	public := p.publicRoots
	if public == nil {
		public = PublicRootsFor(chain)
	}
	pubErr := verify(chain, host, at, public)
	trusted := pubErr == nil
	res.PublicTrusted = &trusted
	if !trusted {
		// An inspection proxy's chain is that whatever its dates: its
		// Date header is the proxy's, and says nothing of the service.
		res.Intercepted = true
		return TLSIntercepted, false, fmt.Errorf("tls %s: chain trusted by this system but not by the public root set (issuer %q): %w",
			host, chain[0].Issuer.String(), pubErr)
	}
	if dated != ReasonOK {
		return dated, true, fmt.Errorf("tls %s: certificate: %w", host, sysErr)
	}
	return ReasonOK, true, nil
}

// ticketWait bounds how long a probe waits for a TLS 1.3 session ticket.
const ticketWait = 250 * time.Millisecond

// awaitTicket reads until the server's NewSessionTicket has been processed
// (or ticketWait passes): TLS 1.3 servers send it after the handshake, and a
// client that closes without reading never stores a session to resume. The
// read itself returns no data, as the server sends none unasked.
func awaitTicket(ctx context.Context, tc *tls.Conn) {
	dl := time.Now().Add(ticketWait)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	_ = tc.SetReadDeadline(dl)
	var b [1]byte
	_, _ = tc.Read(b[:])
	_ = tc.SetReadDeadline(time.Time{})
}

// verify checks the presented chain against roots (nil: the OS store).
func verify(chain []*x509.Certificate, host string, now time.Time, roots *x509.CertPool) error {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		DNSName:       host,
		Intermediates: inter,
		Roots:         roots,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// classifyHandshake names why a handshake failed, from typed errors only.
func classifyHandshake(ctx context.Context, err error) Reason {
	switch {
	case isTimeout(err) || ctx.Err() != nil:
		return TLSTimeout
	case isReset(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed):
		// Windows may surface a reset during the handshake as EOF; a
		// middlebox that closes after the ClientHello does the same thing
		// for our purposes: it killed the connection on seeing the name.
		return TLSReset
	default:
		// An alert (protocol_version, handshake_failure), a record that is
		// not TLS, no common cipher: the two ends do not speak one TLS.
		return TLSProtocol
	}
}

// outOfDate says whether the chain fails on its dates at now, and how:
// a presented certificate outside its validity, or a certificate the
// verifier found beyond the presented ones (the root) out of date. It
// says nothing of trust; ReasonOK means the dates are not the problem.
func outOfDate(err error, chain []*x509.Certificate, now time.Time) Reason {
	for _, c := range chain {
		switch {
		case now.After(c.NotAfter):
			return TLSExpired
		case now.Before(c.NotBefore):
			return TLSNotYetValid
		}
	}
	if isDateError(err) {
		// The presented certificates are fine at now, so the verifier's
		// date error is about the root behind them.
		return TLSExpired
	}
	return ReasonOK
}

// isDateError: the verifier rejected a certificate for its dates (Go and
// the platform verifiers say Expired for both directions).
func isDateError(err error) bool {
	var inv x509.CertificateInvalidError
	return errors.As(err, &inv) && inv.Reason == x509.Expired
}

// verifyInValidity verifies the chain against the system roots at the
// time nearest to now at which its certificates are all valid, and returns
// that time: what the verdict would be if the PC's clock (or the
// certificates' dates) were just right. It starts from the presented
// certificates' validities and narrows by each certificate the verifier
// finds out of date (a root behind the chain), so a short-lived root does
// not pass for an untrusted one.
func (p *Prober) verifyInValidity(chain []*x509.Certificate, host string, now time.Time) (time.Time, error) {
	from, until := chain[0].NotBefore, chain[0].NotAfter
	for _, c := range chain[1:] {
		from, until = narrow(from, until, c)
	}
	if until.Before(from) {
		// The presented validities never meet (an intermediate that
		// expired before the leaf was issued): judge trust in the leaf's,
		// the certificate the name and key belong to.
		from, until = chain[0].NotBefore, chain[0].NotAfter
	}
	// What is returned if no time is found at all: a leaf whose own
	// dates are inverted.
	at, err := now, error(x509.CertificateInvalidError{Cert: chain[0], Reason: x509.Expired, Detail: "no time at which the chain is valid"})
	// Each round narrows by one certificate or ends: the chain and its
	// root bound the rounds.
	for range len(chain) + 2 {
		if until.Before(from) {
			return at, err
		}
		at = clamp(now, from, until)
		err = verify(chain, host, at, p.opts.SystemRoots)
		var inv x509.CertificateInvalidError
		if !errors.As(err, &inv) || inv.Reason != x509.Expired || inv.Cert == nil {
			return at, err
		}
		f, u := narrow(from, until, inv.Cert)
		if f.Equal(from) && u.Equal(until) {
			// The verifier names a certificate already in the window
			// (Windows names the leaf whatever failed): no better time.
			return at, err
		}
		from, until = f, u
	}
	return at, err
}

// narrow intersects the window [from, until] with c's validity.
func narrow(from, until time.Time, c *x509.Certificate) (time.Time, time.Time) {
	if c.NotBefore.After(from) {
		from = c.NotBefore
	}
	if c.NotAfter.Before(until) {
		until = c.NotAfter
	}
	return from, until
}

// clamp is the time in [from, until] nearest to t.
func clamp(t, from, until time.Time) time.Time {
	switch {
	case t.Before(from):
		return from
	case t.After(until):
		return until
	}
	return t
}

// classifyTrust names why the system did not trust the chain at time at,
// its dates aside: the authority, then the name. The order is ours, not
// the verifier's, because verifiers differ by platform in which problem
// they report first.
func (p *Prober) classifyTrust(err error, chain []*x509.Certificate, host string, at time.Time) Reason {
	var he x509.HostnameError
	if errors.As(err, &he) || chain[0].VerifyHostname(host) != nil {
		// The name is wrong; is the authority trusted too? Ask without the
		// name, so that a self-signed block page is reported as untrusted.
		if verify(chain, "", at, p.opts.SystemRoots) != nil {
			return TLSUntrusted
		}
		return TLSHostnameMismatch
	}
	return TLSUntrusted
}

func certInfo(c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	ci := CertInfo{
		Subject:   nameOf(c.Subject.CommonName, c.Subject.String()),
		Issuer:    nameOf(c.Issuer.CommonName, c.Issuer.String()),
		DNSNames:  c.DNSNames,
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
		SHA256:    hex.EncodeToString(sum[:]),
	}
	if len(c.Issuer.Organization) > 0 {
		ci.IssuerOrg = c.Issuer.Organization[0]
	}
	return ci
}

func nameOf(cn, full string) string {
	if cn != "" {
		return cn
	}
	return full
}
