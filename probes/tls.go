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
// The returned conn is the TLS connection when the handshake completed
// (whatever the verification found), for the HTTP stage; else nil. ctx
// carries the TLS phase's deadline.
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

	now := p.opts.Now()
	if err := verify(peer, t.Host, now, p.opts.SystemRoots); err != nil {
		return res, tc, p.classifyVerify(err, peer, t.Host, now), fmt.Errorf("tls %s: certificate: %w", t.Host, err)
	}
	res.SystemTrusted = true
	// Without a configured set, only the embedded roots that could anchor
	// this chain are parsed: the whole set would keep 440 KiB alive for
	// the agent's lifetime, for the same verdict.
	public := p.publicRoots
	if public == nil {
		public = PublicRootsFor(peer)
	}
	pubErr := verify(peer, t.Host, now, public)
	trusted := pubErr == nil
	res.PublicTrusted = &trusted
	if !trusted {
		res.Intercepted = true
		return res, tc, TLSIntercepted, fmt.Errorf("tls %s: chain trusted by this system but not by the public root set (issuer %q): %w",
			t.Host, peer[0].Issuer.String(), pubErr)
	}
	return res, tc, ReasonOK, nil
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

// classifyVerify names why the system did not trust the chain. Validity
// dates come first (a wrong clock breaks everything and says so), then the
// authority, then the name; the order is ours, not the verifier's, because
// verifiers differ by platform in which problem they report first.
func (p *Prober) classifyVerify(err error, chain []*x509.Certificate, host string, now time.Time) Reason {
	for _, c := range chain {
		switch {
		case now.After(c.NotAfter):
			return TLSExpired
		case now.Before(c.NotBefore):
			return TLSNotYetValid
		}
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		// Something outside the presented chain (the root) is out of date;
		// the presented certificates are fine, so it is the root that expired.
		return TLSExpired
	}
	var he x509.HostnameError
	if errors.As(err, &he) || chain[0].VerifyHostname(host) != nil {
		// The name is wrong; is the authority trusted too? Ask without the
		// name, so that a self-signed block page is reported as untrusted.
		if verify(chain, "", now, p.opts.SystemRoots) != nil {
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
