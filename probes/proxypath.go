package probes

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Proxy path reasons: the proxy the app would use fails before the
// service is reached.
const (
	ProxyUnreachable  Reason = "proxy_unreachable"   // the proxy refuses or cannot be reached
	ProxyTimeout      Reason = "proxy_timeout"       // the proxy does not answer in time
	ProxyAuthRequired Reason = "proxy_auth_required" // the proxy wants a login (407)
	ProxyDenied       Reason = "proxy_denied"        // the proxy refuses the destination (403 or another error)
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
}

// proxied runs the chain the way an app configured with proxy u would: TCP
// to the proxy, CONNECT host:port, then TLS and HTTP through the tunnel.
// The target's name is resolved by the proxy, so there is no DNS stage; the
// connect to the proxy and its answer to CONNECT together are the TCP phase
// (StageProxy in b), TLS and HTTP have their phases as on the direct path.
func (p *Prober) proxied(ctx context.Context, b budget, t Target, s ProxySetting) *Result {
	start := time.Now()
	res := &Result{Target: t, Start: p.opts.Now()}
	defer func() { res.Duration = time.Since(start) }()
	u := s.URL
	res.Proxy = &ProxyInfo{Source: s.Source, Address: u.Host, Raw: s.Raw}

	pctx, cancel := b.phase(ctx, StageProxy)
	defer cancel()
	conn, err := p.opts.Dialer.DialContext(pctx, "tcp", u.Host)
	if err != nil {
		res.Reason, res.Err = proxyDialReason(err), fmt.Errorf("proxy %s: %w", u.Host, err)
		res.Proxy.Duration = time.Since(start)
		return res
	}
	defer conn.Close()
	if ra, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		res.TCP = &TCPResult{Duration: time.Since(start), Address: ra.AddrPort(),
			Attempts: []TCPAttempt{{Address: ra.AddrPort(), Outcome: TCPConnected, Duration: time.Since(start)}}}
	}

	status, server, err := connectTunnel(pctx, conn, u, t)
	res.Proxy.Duration, res.Proxy.Status, res.Proxy.ProxyServer = time.Since(start), status, server
	switch {
	case err != nil && isTimeout(err):
		res.Reason, res.Err = ProxyTimeout, fmt.Errorf("proxy %s: no answer to CONNECT: %w", u.Host, err)
		return res
	case err != nil:
		res.Reason, res.Err = ProxyUnreachable, fmt.Errorf("proxy %s: CONNECT: %w", u.Host, err)
		return res
	case status == http.StatusProxyAuthRequired:
		res.Reason, res.Err = ProxyAuthRequired, fmt.Errorf("proxy %s answered CONNECT with 407", u.Host)
		return res
	case status < 200 || status > 299:
		res.Reason, res.Err = ProxyDenied, fmt.Errorf("proxy %s answered CONNECT with %d", u.Host, status)
		return res
	}

	tc := p.tlsStage(ctx, b, t, conn, res)
	if tc != nil && !p.opts.SkipHTTP {
		p.httpStage(ctx, b, t, tc, res)
	}
	return res
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
