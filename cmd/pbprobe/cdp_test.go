//go:build linux

package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// browser is a headless Chromium driven over the DevTools protocol, just
// enough of it to load a page, press a button, read the DOM and take a
// screenshot: a few JSON messages on one websocket, no new module.
type browser struct {
	t    *testing.T
	ws   *websocket.Conn
	next int
}

// chromiumFlags keep Chromium off the network (this machine has none):
// no background requests, updates, sync or QUIC, and a fresh profile.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
	"--window-size=900,1300"}

// startBrowser starts Chromium with a page at about:blank and connects to
// it; the browser is stopped when the test ends.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		probetest.Unavailable(t, "no chromium (Debian package chromium)")
	}
	// Not t.TempDir: Chromium's helpers may still write to the profile
	// for a moment after it is stopped, which fails that cleanup.
	profile, err := os.MkdirTemp("", "pbprobe-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+profile,
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--remote-allow-origins=http://127.0.0.1", "about:blank")
	cmd := exec.Command(bin, args...)
	// Its own process group, so that stopping it stops its helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		_ = os.RemoveAll(profile)
	})
	// Chromium names its DevTools address on stderr once it listens.
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, addr, ok := strings.Cut(sc.Text(), "DevTools listening on "); ok {
				found <- addr
			}
		}
	}()
	var browserWS string
	select {
	case browserWS = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not start its DevTools endpoint within 30 s")
	}
	hostPort := strings.Split(strings.TrimPrefix(browserWS, "ws://"), "/")[0]
	return &browser{t: t, ws: dialPage(t, hostPort)}
}

// dialPage connects to the browser's first page.
func dialPage(t *testing.T, hostPort string) *websocket.Conn {
	t.Helper()
	resp, err := http.Get("http://" + hostPort + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, err := websocket.Dial(tg.WebSocketDebuggerURL, "", "http://127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			ws.MaxPayloadBytes = 64 << 20 // screenshots
			t.Cleanup(func() { ws.Close() })
			return ws
		}
	}
	t.Fatalf("no page among %+v", targets)
	return nil
}

// call sends one command and returns its result, skipping the events
// that arrive meanwhile.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.next++
	id := b.next
	_ = b.ws.SetDeadline(time.Now().Add(30 * time.Second))
	if err := websocket.JSON.Send(b.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		if err := websocket.JSON.Receive(b.ws, &msg); err != nil {
			b.t.Fatalf("%s: %v", method, err)
		}
		if msg.ID != id {
			continue
		}
		if msg.Error != nil {
			b.t.Fatalf("%s: %s", method, msg.Error.Message)
		}
		return msg.Result
	}
}

// eval evaluates a JavaScript expression in the page and returns its
// value as JSON text.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails any `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}), &r); err != nil {
		b.t.Fatal(err)
	}
	if r.ExceptionDetails != nil {
		b.t.Fatalf("%s: %v", expr, r.ExceptionDetails)
	}
	return string(r.Result.Value)
}

// waitFor evaluates expr until it is true: the page loads and runs on
// its own, and a test can only ask whether it got there.
func (b *browser) waitFor(expr string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b.eval(expr) == "true" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("never true: %s", expr)
}

// open loads url and waits until the page is there.
func (b *browser) open(url string) {
	b.t.Helper()
	b.call("Page.navigate", map[string]any{"url": url})
	b.waitFor(`document.readyState === "complete" && location.href === ` + fmt.Sprintf("%q", url))
}

// screenshot writes the page as a PNG to dist/name, kept by CI.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	var r struct{ Data string }
	if err := json.Unmarshal(b.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}), &r); err != nil {
		b.t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "dist", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}
