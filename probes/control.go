package probes

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CaptiveResult is the outcome of the control probe (formerly the
// captive-portal check): one plain HTTP GET to a neutral URL whose answer
// is known, as Windows' and macOS' own network checks do. Its name, DNS
// and connect go the way the hosts' do (the same resolvers, the same
// connect race), so that a failure can be compared with theirs.
type CaptiveResult struct {
	URL      string
	Duration time.Duration
	Status   int
	Location string
	// Detected: something answered in the URL's place; Kind says how.
	Detected bool
	Kind     CaptiveKind
	// Reason is the control's verdict in the hosts' terms: ok when it
	// answered at all (a portal's answer too), else the reason its DNS,
	// connect or HTTP exchange failed.
	Reason Reason
	// DNS and TCP are the facts of those phases; nil when not reached.
	DNS *DNSResult
	TCP *TCPResult
	// Err is set when no answer came at all; that is not a portal.
	Err error
}

// ControlResult is the control probe's outcome.
type ControlResult = CaptiveResult

// CaptivePortal is the control probe under its older name.
func (p *Prober) CaptivePortal(ctx context.Context, url, expect string) *CaptiveResult {
	return p.Control(ctx, url, expect)
}

// Control fetches rawURL without following redirects and compares the
// answer with expect (empty: any 2xx without a redirect is fine). It runs
// under the prober's timeout, split like a host's.
func (p *Prober) Control(ctx context.Context, rawURL, expect string) *ControlResult {
	start := time.Now()
	res := &ControlResult{URL: rawURL}
	defer func() { res.Duration = time.Since(start) }()
	b := newBudget(p.opts.Timeout)
	ctx, cancel := context.WithDeadline(ctx, b.end())
	defer cancel()
	u, t, err := controlTarget(rawURL)
	if err != nil {
		res.Reason, res.Err = HTTPError, err
		return res
	}
	conn, finish, ok := p.controlConnect(ctx, b, t, res)
	if !ok {
		return res
	}
	// Deferred calls run last in, first out: the connection closes, then
	// the connect race's last attempts are recorded (finish), as for a host.
	defer finish()
	defer conn.Close()
	hctx, hcancel := b.phase(ctx, StageHTTP)
	defer hcancel()
	resp, body, err := p.controlGet(hctx, conn, u)
	if err != nil {
		res.Reason, res.Err = HTTPError, fmt.Errorf("control %s: %w", rawURL, err)
		return res
	}
	res.Reason = ReasonOK
	res.Status, res.Location = resp.StatusCode, resp.Header.Get("Location")
	res.Kind = judgeCaptive(resp.StatusCode, body, expect)
	res.Detected = res.Kind != CaptiveNone
	return res
}

// controlTarget parses the control URL into the target it connects to.
func controlTarget(rawURL string) (*url.URL, Target, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Hostname() == "" {
		return nil, Target{}, fmt.Errorf("control %q: not a plain http:// URL", rawURL)
	}
	port := 80
	if ps := u.Port(); ps != "" {
		if port, err = strconv.Atoi(ps); err != nil || port < 1 || port > 65535 {
			return nil, Target{}, fmt.Errorf("control %q: bad port", rawURL)
		}
	}
	// A portal's resolver may well answer with a LAN address: that is
	// the portal, not a sinkhole.
	return u, Target{Host: u.Hostname(), Port: port, AllowPrivate: true}, nil
}

// controlConnect resolves and connects like a host's probe, recording
// both phases in res; on failure res carries the reason. finish waits
// until every connect attempt is recorded in res.TCP.
func (p *Prober) controlConnect(ctx context.Context, b budget, t Target, res *ControlResult) (conn net.Conn, finish func(), ok bool) {
	dctx, cancel := b.phase(ctx, StageDNS)
	dnsRes, reason, err := p.resolve(dctx, t)
	cancel()
	res.DNS = dnsRes
	if reason != ReasonOK {
		res.Reason, res.Err = reason, fmt.Errorf("control %s: %w", res.URL, err)
		return nil, nil, false
	}
	tctx, tcancel := b.phase(ctx, StageTCP)
	conn, tcpRes, done, reason, err := p.connect(tctx, t, dnsRes.Addresses)
	res.TCP = tcpRes
	if reason != ReasonOK {
		tcancel()
		res.Reason, res.Err = reason, fmt.Errorf("control %s: %w", res.URL, err)
		return nil, nil, false
	}
	return conn, func() { done(); tcancel() }, true
}

// controlGet sends one GET over conn and reads the answer, its body capped.
func (p *Prober) controlGet(ctx context.Context, conn net.Conn, u *url.URL) (*http.Response, string, error) {
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Close = true
	if err := req.Write(conn); err != nil {
		return nil, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.LimitReader(conn, httpBodyLimit+maxControlHead)), req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, httpBodyLimit))
	return resp, string(body), nil
}

// maxControlHead caps the status line and headers of the control's answer.
const maxControlHead = 16 << 10

// CaptiveKind is how a portal gave itself away. The values are stable
// tokens; the words for people are the report's.
type CaptiveKind string

// Captive kinds.
const (
	CaptiveNone         CaptiveKind = ""
	CaptiveRedirect     CaptiveKind = "redirect"      // 3xx; Location says where
	CaptiveNetworkLogin CaptiveKind = "network_login" // 511
	CaptiveStatus       CaptiveKind = "status"        // another status than 2xx
	CaptiveContent      CaptiveKind = "content"       // 2xx with a different page
)

// Why is a technical one-liner for logs and the JSON's why, English like
// an error message.
func (r *CaptiveResult) Why() string {
	switch r.Kind {
	case CaptiveRedirect:
		return fmt.Sprintf("redirected to %s (HTTP %d)", r.Location, r.Status)
	case CaptiveNetworkLogin:
		return "a network login is required (HTTP 511)"
	case CaptiveStatus:
		return fmt.Sprintf("answered HTTP %d instead of the expected page", r.Status)
	case CaptiveContent:
		return "answered with a different page than expected"
	}
	return ""
}

// judgeCaptive decides whether an answer to the known URL came from a
// portal rather than from the URL's server.
func judgeCaptive(status int, body, expect string) CaptiveKind {
	switch {
	case status >= 300 && status < 400:
		return CaptiveRedirect
	case status == http.StatusNetworkAuthenticationRequired:
		return CaptiveNetworkLogin
	case status < 200 || status > 299:
		return CaptiveStatus
	case expect != "" && strings.TrimSpace(body) != strings.TrimSpace(expect):
		return CaptiveContent
	}
	return CaptiveNone
}
