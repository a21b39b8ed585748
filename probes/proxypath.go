package probes

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Proxy path reasons: the proxy the app would use fails before the
// service is reached.
const (
	ProxyUnreachable  Reason = "proxy_unreachable"   // the proxy refuses or cannot be reached
	ProxyTimeout      Reason = "proxy_timeout"       // the proxy does not answer in time
	ProxyAuthRequired Reason = "proxy_auth_required" // the proxy wants a login (407)
	ProxyDenied       Reason = "proxy_denied"        // the proxy refuses the destination (403 or another error)
	// ProxyUnsupported: the setting names a proxy pbprobe does not speak
	// (socks5://, socks4://, ...). It is never contacted, so no
	// credentials go anywhere; the verdict is not ok because the apps
	// would use that proxy and nothing here has tried the path they take.
	ProxyUnsupported Reason = "proxy_unsupported"
	// ProxyTLS: the TLS session with an https:// proxy failed before
	// CONNECT (its certificate is not trusted, or it does not speak TLS).
	ProxyTLS Reason = "proxy_tls"
)

// ProxyTLSProblem says why the TLS session with an https:// proxy failed.
type ProxyTLSProblem string

// Proxy TLS problems, from typed errors.
const (
	ProxyTLSNone        ProxyTLSProblem = ""
	ProxyTLSCertificate ProxyTLSProblem = "certificate" // not trusted, expired or for another name
	ProxyTLSNotTLS      ProxyTLSProblem = "not_tls"     // it answered in clear text: an http:// proxy
	ProxyTLSHandshake   ProxyTLSProblem = "handshake"   // an alert, a reset, no common version
)

// StageProxy is the stage of the proxy reasons.
const StageProxy Stage = "proxy"

// ProxyInfo holds the facts of the proxy hop of a proxied probe.
type ProxyInfo struct {
	Source  ProxySource
	Address string // host:port of the proxy, never credentials
	Raw     string // the setting as found, credentials masked
	// Duration is the time from dialling the proxy to its answer to
	// CONNECT; Status that answer's code (0 when none came).
	Duration time.Duration
	Status   int
	// ProxyServer is the proxy's Server or Via header, which names the
	// product (and so whom to ask).
	ProxyServer string
	// Scheme is the proxy URL's scheme, lowercased: "http", "https", or
	// one pbprobe does not speak (ProxyUnsupported).
	Scheme string
	// TLSProblem says why the session with an https:// proxy failed
	// (ProxyTLS); empty otherwise.
	TLSProblem ProxyTLSProblem
	// AutoDetect and PACURL are the WPAD and auto-config settings of the
	// same source (see ProxySetting); pbprobe does not evaluate them.
	AutoDetect bool
	PACURL     string
}

// viaProxy probes both paths at once, under the one budget: the proxied
// one is the verdict (it is what the apps use), the direct one shows what
// the firewall does without the proxy. The direct path does not hold the
// verdict up: once the proxied one is done it has FamilyGrace left, and
// what it has not answered by then is a timeout ("no answer within 1 s"),
// so that a network where only the proxy works is checked in the proxy's
// time rather than in the whole timeout.
func (p *Prober) viaProxy(ctx context.Context, b budget, t Target, proxy ProxySetting) *Result {
	dctx, cut := context.WithCancelCause(ctx)
	defer cut(nil)
	directc := make(chan *Result, 1)
	go func() { directc <- p.direct(dctx, b, t) }()
	res := p.proxied(ctx, b, t, proxy)
	grace := time.NewTimer(p.opts.FamilyGrace)
	defer grace.Stop()
	select {
	case res.Direct = <-directc:
	case <-grace.C:
		cut(errDirectCut)
		res.Direct = cutShort(<-directc, p.opts.FamilyGrace)
	}
	return res
}

// errDirectCut is the cause of a direct path stopped after its grace: the
// proxied path was done and the direct one had not answered.
var errDirectCut = errors.New("no answer within the grace after the proxied path was done")

// cutShort records on a direct result that it was stopped after grace: a
// stage that was still waiting timed out, whatever error the cancel left.
func cutShort(r *Result, grace time.Duration) *Result {
	r.CutShort = grace
	// A failure of its own that merely arrived with the cut (an NXDOMAIN
	// at the last moment) keeps its reason.
	if r.Reason.OK() || !(errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, errDirectCut)) {
		return r
	}
	switch r.Stage() {
	case StageDNS:
		r.Reason = DNSTimeout
	case StageTCP:
		r.Reason = TCPTimeout
	case StageTLS:
		r.Reason = TLSTimeout
	}
	r.Err = fmt.Errorf("direct path: %w (%s): %w", errDirectCut, grace, r.Err)
	return r
}

// proxied runs the chain the way an app configured with proxy u would: TCP
// to the proxy (and TLS to it for an https:// proxy), CONNECT host:port,
// then TLS and HTTP through the tunnel. The target's name is resolved by
// the proxy, so there is no DNS stage; the connect to the proxy and its
// answer to CONNECT together are the TCP phase (StageProxy in b), TLS and
// HTTP have their phases as on the direct path.
func (p *Prober) proxied(ctx context.Context, b budget, t Target, s ProxySetting) *Result {
	start := time.Now()
	res := &Result{Target: t, Start: p.opts.Now()}
	defer func() { res.Duration = time.Since(start) }()
	u := s.URL
	res.Proxy = &ProxyInfo{Source: s.Source, Address: u.Host, Raw: s.Raw, Scheme: proxyScheme(u),
		AutoDetect: s.AutoDetect, PACURL: s.PACURL}
	if !supportedProxyScheme(res.Proxy.Scheme) {
		// Not even a TCP connect: the credentials in the URL belong to a
		// protocol we do not speak, and a CONNECT would send them in clear.
		res.Reason = ProxyUnsupported
		res.Err = fmt.Errorf("proxy %s: scheme %q is not one pbprobe can probe through (http, https); not contacted", u.Host, res.Proxy.Scheme)
		return res
	}

	pctx, cancel := b.phase(ctx, StageProxy)
	defer cancel()
	conn, ok := p.dialProxy(pctx, u, res, start)
	if !ok {
		return res
	}
	defer conn.Close()

	status, server, err := connectTunnel(pctx, conn, u, t)
	res.Proxy.Duration, res.Proxy.Status, res.Proxy.ProxyServer = time.Since(start), status, server
	if res.Reason, res.Err = connectVerdict(u, status, err); res.Reason != ReasonOK {
		return res
	}

	tc := p.tlsStage(ctx, b, t, conn, res)
	if tc != nil && !p.opts.SkipHTTP {
		p.httpStage(ctx, b, t, tc, res)
	}
	return res
}

// dialProxy connects to the proxy, and for an https:// proxy completes the
// TLS session with it, so that CONNECT and its Proxy-Authorization only
// ever travel inside that session. On failure it records the reason in res
// and returns false.
func (p *Prober) dialProxy(ctx context.Context, u *url.URL, res *Result, start time.Time) (net.Conn, bool) {
	conn, err := p.opts.Dialer.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		res.Reason, res.Err = proxyDialReason(err), fmt.Errorf("proxy %s: %w", u.Host, err)
		res.Proxy.Duration = time.Since(start)
		return nil, false
	}
	if ra, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		res.TCP = &TCPResult{Duration: time.Since(start), Address: ra.AddrPort(),
			Attempts: []TCPAttempt{{Address: ra.AddrPort(), Outcome: TCPConnected, Duration: time.Since(start)}}}
	}
	if res.Proxy.Scheme != "https" {
		return conn, true
	}
	tc := tls.Client(conn, p.proxyTLSConfig(u))
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		res.Proxy.Duration = time.Since(start)
		res.Reason, res.Proxy.TLSProblem = proxyTLSReason(ctx, err)
		res.Err = fmt.Errorf("proxy %s: TLS with the proxy: %w", u.Host, err)
		return nil, false
	}
	return tc, true
}

// proxyTLSConfig verifies the proxy as the apps would: its host name as
// SNI and name to check, against the roots the prober trusts.
func (p *Prober) proxyTLSConfig(u *url.URL) *tls.Config {
	return &tls.Config{
		ServerName: u.Hostname(),
		RootCAs:    p.opts.SystemRoots,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		Time:       p.opts.Now,
	}
}

// connectVerdict classifies the proxy's answer to CONNECT.
func connectVerdict(u *url.URL, status int, err error) (Reason, error) {
	switch {
	case err != nil && isTimeout(err):
		return ProxyTimeout, fmt.Errorf("proxy %s: no answer to CONNECT: %w", u.Host, err)
	case err != nil:
		return ProxyUnreachable, fmt.Errorf("proxy %s: CONNECT: %w", u.Host, err)
	case status == http.StatusProxyAuthRequired:
		return ProxyAuthRequired, fmt.Errorf("proxy %s answered CONNECT with 407", u.Host)
	case status < 200 || status > 299:
		return ProxyDenied, fmt.Errorf("proxy %s answered CONNECT with %d", u.Host, status)
	}
	return ReasonOK, nil
}

// proxyScheme is the URL's scheme as the proxy protocol it names; a URL
// without one (never the case for what SystemProxies returns) is http.
// url.Parse admits only letters, digits, '+', '-' and '.', so the scheme
// is safe to print; it is cut short because it comes from the setting.
func proxyScheme(u *url.URL) string {
	s := strings.ToLower(u.Scheme)
	if s == "" {
		return "http"
	}
	if len(s) > maxSchemeLen {
		s = s[:maxSchemeLen]
	}
	return s
}

// maxSchemeLen bounds the scheme quoted in reports; real ones are short.
const maxSchemeLen = 16

// supportedProxyScheme: a CONNECT proxy in clear text or inside TLS.
func supportedProxyScheme(scheme string) bool {
	return scheme == "http" || scheme == "https"
}

// proxyTLSReason classifies a failed handshake with an https:// proxy from
// typed errors: a deadline is the proxy not answering, a certificate the
// verifier refused says so, a first record that is not TLS means a clear
// text proxy (http:// written as https://).
func proxyTLSReason(ctx context.Context, err error) (Reason, ProxyTLSProblem) {
	var (
		verr  *tls.CertificateVerificationError
		ua    x509.UnknownAuthorityError
		inv   x509.CertificateInvalidError
		he    x509.HostnameError
		rhErr tls.RecordHeaderError
	)
	switch {
	case isTimeout(err) || ctx.Err() != nil:
		return ProxyTimeout, ProxyTLSNone
	case errors.As(err, &verr), errors.As(err, &ua), errors.As(err, &inv), errors.As(err, &he):
		return ProxyTLS, ProxyTLSCertificate
	case errors.As(err, &rhErr):
		return ProxyTLS, ProxyTLSNotTLS
	}
	return ProxyTLS, ProxyTLSHandshake
}

// connectTunnel asks the proxy for a tunnel to the target and reads its
// answer. Credentials from the URL go in Proxy-Authorization (Basic), which
// is what the apps send when a proxy login is configured.
func connectTunnel(ctx context.Context, conn net.Conn, u *url.URL, t Target) (status int, server string, err error) {
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
		defer conn.SetDeadline(time.Time{})
	}
	dest := net.JoinHostPort(t.Host, fmt.Sprint(t.Port))
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: dest},
		Host:   dest,
		Header: http.Header{"User-Agent": {"pbprobe"}},
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + pw))
		req.Header.Set("Proxy-Authorization", "Basic "+cred)
	}
	if err := req.Write(conn); err != nil {
		return 0, "", err
	}
	return readConnectAnswer(conn, req)
}

// readConnectAnswer reads a proxy's answer to CONNECT from r: the head, at
// most httpHeadLimit bytes, and not one byte beyond it. What follows the
// head of a 2xx is the server's TLS, read by the handshake from the conn
// itself; any other answer's body is never read (the connection is closed
// instead), so an endless one costs nothing. A head over the limit is an
// error, unless its status line already said 407: the login demand is the
// finding, whatever the headers that followed.
func readConnectAnswer(r io.Reader, req *http.Request) (status int, server string, err error) {
	// A buffered byte beyond the head would be lost to the handshake, so r
	// is read one byte per Read, under bufio's smallest buffer.
	head, err := readHead(bufio.NewReaderSize(byteReader{r}, 16), httpHeadLimit)
	if errors.Is(err, errHeadTooLarge) {
		if st, ok := statusOf(head, req); ok && st == http.StatusProxyAuthRequired {
			return st, "", nil
		}
	}
	if err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), req)
	if err == nil {
		err = checkStatus(resp.StatusCode)
	}
	if err != nil {
		return 0, "", err
	}
	server = resp.Header.Get("Server")
	if server == "" {
		server = resp.Header.Get("Via")
	}
	return resp.StatusCode, shorten(server, maxHeaderValue), nil
}

// byteReader hands out one byte per Read, so a bufio.Reader on top never
// holds bytes that belong to whoever reads the conn next.
type byteReader struct{ r io.Reader }

func (b byteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return b.r.Read(p[:1])
}

// proxyDialReason classifies a failed connect to the proxy.
func proxyDialReason(err error) Reason {
	var dnsErr *net.DNSError
	switch {
	case isTimeout(err) && !errors.As(err, &dnsErr):
		return ProxyTimeout
	default:
		return ProxyUnreachable
	}
}
