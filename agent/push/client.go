package push

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

const (
	// maxResponseBytes bounds what is read of the store's answer: a
	// remote-write answer is empty or one error line.
	maxResponseBytes = 64 << 10
	// maxSecretBytes bounds a password or token file.
	maxSecretBytes = 4 << 10
	requestTimeout = 30 * time.Second
)

// newHTTPClient builds the client for the store: TLS verified against the
// system roots or push.ca_file, the PC's own proxy, credentials read from
// their files on every request (so a rotated token counts at once), and
// no redirects (a redirect would carry the credentials elsewhere).
func newHTTPClient(c config.Push, getenv func(string) string) (*http.Client, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pool, err := config.LoadPEMPool(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("push.ca_file: %w", err)
		}
		tlsCfg.RootCAs = pool
	}
	auth, err := newAuth(c)
	if err != nil {
		return nil, err
	}
	base := &http.Transport{
		Proxy:                 systemProxy(getenv),
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: requestTimeout,
		MaxIdleConns:          1,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: &transport{next: base, auth: auth},
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("the store answered with a redirect; set push.url to the final address")
		},
	}, nil
}

// systemProxy picks the proxy the apps on this PC would use for the store,
// from the same settings the probes read (environment, WinINet, WinHTTP,
// scutil), read anew for each connection.
func systemProxy(getenv func(string) string) func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		port, _ := strconv.Atoi(req.URL.Port())
		if port == 0 {
			port = 443
			if req.URL.Scheme == "http" {
				port = 80
			}
		}
		for _, s := range probes.SystemProxies(req.URL.Hostname(), port, getenv) {
			if s.URL != nil && !s.Bypassed && s.Err == nil {
				return s.URL, nil
			}
		}
		return nil, nil
	}
}

// authFunc sets the credentials on a request.
type authFunc func(*http.Request) error

func newAuth(c config.Push) (authFunc, error) {
	switch {
	case c.Username != "":
		if _, err := readSecret(c.PasswordFile); err != nil {
			return nil, fmt.Errorf("push.basic_auth.password_file: %w", err)
		}
		return func(r *http.Request) error {
			pw, err := readSecret(c.PasswordFile)
			if err == nil {
				r.SetBasicAuth(c.Username, pw)
			}
			return err
		}, nil
	case c.BearerTokenFile != "":
		if _, err := readSecret(c.BearerTokenFile); err != nil {
			return nil, fmt.Errorf("push.bearer_token_file: %w", err)
		}
		return func(r *http.Request) error {
			tok, err := readSecret(c.BearerTokenFile)
			if err == nil {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			return err
		}, nil
	}
	return func(*http.Request) error { return nil }, nil
}

// readSecret reads a password or token file: one line, the trailing line
// break (which editors add) removed. The error never holds the content.
func readSecret(path string) (string, error) {
	data, err := readCapped(path, maxSecretBytes)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err // the path is said once, below
	}
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, err)
	}
	s := strings.TrimRight(string(data), "\r\n")
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return "", fmt.Errorf("%s must hold exactly one non-empty line", path)
	}
	return s, nil
}

// statusKey carries a *int in the request's context, where the transport
// records the store's status code: the remote API's errors say it only in
// words, and the sender decides from the number.
type statusKey struct{}

func withStatus(ctx context.Context) (context.Context, *int) {
	var status int
	return context.WithValue(ctx, statusKey{}, &status), &status
}

type transport struct {
	next http.RoundTripper
	auth authFunc
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if err := t.auth(req); err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if p, ok := req.Context().Value(statusKey{}).(*int); ok {
		*p = resp.StatusCode
	}
	resp.Body = limitedBody{io.LimitReader(resp.Body, maxResponseBytes), resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}
