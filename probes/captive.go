package probes

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// CaptiveResult is the outcome of the captive-portal check: one plain
// HTTP GET to a URL whose answer is known, as Windows' and macOS' own
// network checks do.
type CaptiveResult struct {
	URL      string
	Duration time.Duration
	Status   int
	Location string
	// Detected: something answered in the URL's place; Kind says how.
	Detected bool
	Kind     CaptiveKind
	// Err is set when no answer came at all; that is not a portal.
	Err error
}

// CaptivePortal fetches url without following redirects and compares the
// answer with expect (empty: any 2xx without a redirect is fine).
func (p *Prober) CaptivePortal(ctx context.Context, url, expect string) *CaptiveResult {
	start := time.Now()
	res := &CaptiveResult{URL: url}
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	client := &http.Client{
		Transport: &http.Transport{DialContext: p.opts.Dialer.DialContext, DisableKeepAlives: true},
		// A portal announces itself with the redirect; following it would
		// only fetch its login page.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		res.Err = err
		return res
	}
	req.Header.Set("User-Agent", p.opts.UserAgent)
	resp, err := client.Do(req)
	res.Duration = time.Since(start)
	if err != nil {
		res.Err = fmt.Errorf("captive portal check %s: %w", url, err)
		return res
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, httpBodyLimit))
	res.Status, res.Location = resp.StatusCode, resp.Header.Get("Location")
	res.Kind = judgeCaptive(resp.StatusCode, string(body), expect)
	res.Detected = res.Kind != CaptiveNone
	return res
}

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
