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
	// Detected: something answered in the URL's place (a redirect, a
	// network-login demand, a different page). Why says which, in English.
	Detected bool
	Why      string
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
	res.Detected, res.Why = judgeCaptive(resp.StatusCode, res.Location, string(body), expect)
	return res
}

// judgeCaptive decides whether an answer to the known URL came from a
// portal rather than from the URL's server.
func judgeCaptive(status int, location, body, expect string) (bool, string) {
	switch {
	case status >= 300 && status < 400:
		return true, fmt.Sprintf("redirected to %s (HTTP %d)", location, status)
	case status == http.StatusNetworkAuthenticationRequired:
		return true, "a network login is required (HTTP 511)"
	case status < 200 || status > 299:
		return true, fmt.Sprintf("answered HTTP %d instead of the expected page", status)
	case expect != "" && strings.TrimSpace(body) != strings.TrimSpace(expect):
		return true, "answered with a different page than expected"
	}
	return false, ""
}
