package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// maxStatusBytes bounds what FetchStatus reads: a status document of the
// built-in table is a few kilobytes, and whatever answers on the port
// may not be the agent.
const maxStatusBytes = 4 << 20

// FetchStatus reads the /status document of the agent listening on addr
// (a listen address as given to `pbprobe run`). With now, it asks the
// agent to run a pass at once (POST /-/probe, shared with one already
// asked for) and returns that run's document.
func FetchStatus(ctx context.Context, addr string, now bool) (*Document, error) {
	method, path, wait := http.MethodGet, "/status", 5*time.Second
	if now {
		// A pass takes at most the timeout (at most config.MaxTimeout)
		// and a little; the agent gives up waiting after probeWait.
		method, path, wait = http.MethodPost, "/-/probe", probeWait+5*time.Second
	}
	url := "http://" + DialAddress(addr) + path
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	var doc Document
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStatusBytes)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a status document: %w", url, err)
	}
	return &doc, nil
}

// DialAddress turns a listen address into one to connect to: ":9843" and
// "0.0.0.0:9843" listen everywhere, which includes loopback.
func DialAddress(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}
