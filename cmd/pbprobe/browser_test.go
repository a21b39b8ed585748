//go:build linux

package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// A technician's browser on the page: headless Chromium loads it from an
// agent in a test world with one intercepted host, sees the five hosts,
// the reason and the inspection CA, presses "Check now" and sees the new
// run; a page on another site that posts to the agent gets nothing run;
// with Accept-Language: de the page is German. Screenshots go to dist/screenshots/.
func TestBrowserPage(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	cfg, want := pageWorld(t)
	a := startTestAgent(t, cfg, "--interval", "1h")
	a.waitStatus(t, want)

	b.open(a.base + "/")
	dom := b.eval(`document.documentElement.outerHTML`)
	for _, s := range append(fiveHosts, "tls_intercepted", probetest.InspectionCAName, "NOT READY") {
		if !strings.Contains(dom, s) {
			t.Errorf("the DOM lacks %q", s)
		}
	}
	if n := b.eval(`document.querySelectorAll("rect.band").length`); n != "5" {
		t.Errorf("%s bands after one run, want 5", n)
	}
	shot := b.screenshot("status-page.png")
	t.Logf("screenshot: %s", shot)

	before := a.checkedAt(t)
	b.eval(`document.getElementById("check-now").click(), true`)
	// The form posts, the agent runs, the browser follows the redirect to
	// the page, which then holds two runs per host.
	b.waitFor(`document.readyState === "complete" && document.querySelectorAll("rect.band").length === 10`)
	if after := a.checkedAt(t); !after.After(before) {
		t.Errorf("the button did not run a pass: checked_at %s, before %s", after, before)
	}
	b.screenshot("status-page-after-check.png")

	pressFromAnotherSite(t, b, a)

	b.call("Network.enable", map[string]any{})
	b.call("Network.setExtraHTTPHeaders", map[string]any{"headers": map[string]string{"Accept-Language": "de-DE,de;q=0.9"}})
	b.open(a.base + "/")
	if v := b.eval(`document.getElementById("verdict").textContent`); v != `"NICHT BEREIT"` {
		t.Errorf("with Accept-Language: de the verdict reads %s", v)
	}
	if v := b.eval(`document.documentElement.lang`); v != `"de"` {
		t.Errorf("with Accept-Language: de the page's lang is %s", v)
	}
	b.screenshot("status-page-de.png")
	// A narrow window (a phone, a side panel) still shows it all.
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 360, "height": 900, "deviceScaleFactor": 1, "mobile": true})
	b.open(a.base + "/?lang=en")
	if w := b.eval(`document.documentElement.scrollWidth <= window.innerWidth`); w != "true" {
		t.Error("the page scrolls sideways in a 360 px window")
	}
	b.screenshot("status-page-narrow.png")
}

// pressFromAnotherSite has the browser post to the agent from another
// site's page, as a page the user visits could.
func pressFromAnotherSite(t *testing.T, b *browser, a *testAgent) {
	t.Helper()
	// Another site's page that posts to the agent: the browser sends the
	// request (a form may post anywhere), the agent refuses it.
	evil := serveEvilPage(t, a.base+"/-/probe")
	runs := len(a.history(t).Runs)
	b.open(evil)
	b.eval(`document.forms[0].submit(), true`)
	b.waitFor(`document.readyState === "complete" && location.href.endsWith("/-/probe")`)
	if body := b.eval(`document.body.innerText`); !strings.Contains(body, "cross-origin request refused") {
		t.Errorf("the cross-site POST was answered with %s", body)
	}
	if n := len(a.history(t).Runs); n != runs {
		t.Errorf("the cross-site POST ran a pass: %d runs, want %d", n, runs)
	}
}

// serveEvilPage serves, on another loopback origin ("localhost" and
// another port: another site), a page with a form that posts to target.
func serveEvilPage(t *testing.T, target string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><form method="post" action="%s"><input name="lang" value="en"></form>`, target)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/"
}
