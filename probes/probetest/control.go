package probetest

import (
	"fmt"
	"net"
	"net/http"
	"testing"
)

// ControlAnswer is the body a Control server answers with: the expected
// answer of a test's control probe (network.control_expect).
const ControlAnswer = "pbprobe control ok"

// Control serves the control probe's neutral site on loopback, answering
// every GET with ControlAnswer, and returns its URL. Tests point
// network.control_url at it so that no test ever contacts the OS's own
// connectivity-check site.
func Control(tb testing.TB) string {
	tb.Helper()
	return serveHTTPOnLoopback(tb, func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprint(rw, ControlAnswer) })
}

// Portal serves what a captive portal answers for the control URL: a 302
// to its login page.
func Portal(tb testing.TB) string {
	tb.Helper()
	return serveHTTPOnLoopback(tb, func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "http://login.portal.test/?continue=control", http.StatusFound)
	})
}

func serveHTTPOnLoopback(tb testing.TB, h http.HandlerFunc) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/check"
}
