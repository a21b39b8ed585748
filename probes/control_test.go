package probes_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"testing"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// httpServer serves h on loopback and returns its base URL.
func httpServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestCaptivePortal(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	p := probes.New(w.Options())
	good := httpServer(t, func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprint(rw, "Microsoft Connect Test") })
	portal := httpServer(t, func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "http://login.hotel.example/?orig=x", http.StatusFound)
	})
	page := httpServer(t, func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, "<html>Welcome! Accept the terms</html>")
	})
	login := httpServer(t, func(rw http.ResponseWriter, _ *http.Request) {
		rw.WriteHeader(http.StatusNetworkAuthenticationRequired)
	})
	dead := fmt.Sprintf("http://127.0.0.1:%d/", probetest.ClosedPort(t))

	tests := []struct {
		name, url, expect string
		detected, err     bool
	}{
		{"the expected page", good, "Microsoft Connect Test", false, false},
		{"any 2xx when nothing is expected", page, "", false, false},
		{"302 to a login page", portal, "Microsoft Connect Test", true, false},
		{"another page", page, "Microsoft Connect Test", true, false},
		{"511", login, "", true, false},
		{"no answer is no portal", dead, "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := p.CaptivePortal(context.Background(), tc.url, tc.expect)
			if r.Detected != tc.detected || (r.Err != nil) != tc.err {
				t.Errorf("detected %v (%s) err %v; want detected %v err %v", r.Detected, r.Why(), r.Err, tc.detected, tc.err)
			}
		})
	}
}

// TestControlGoesTheHostsWay: the control's name is resolved by the
// prober's own resolvers and its failure is a reason like a host's, so
// that "the control fails the same way" can be decided.
func TestControlGoesTheHostsWay(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	p := probes.New(w.Options())
	u, err := url.Parse(probetest.Control(t))
	if err != nil {
		t.Fatal(err)
	}
	w.DNS.Set("control.pb.test", probetest.Answer{A: []netip.Addr{netip.MustParseAddr(u.Hostname())}})
	named := "http://control.pb.test:" + u.Port() + u.Path

	tests := []struct {
		name, url string
		reason    probes.Reason
	}{
		{"answers by name", named, probes.ReasonOK},
		{"NXDOMAIN for the control too", "http://nowhere.pb.test/check", probes.DNSNXDomain},
		{"refused", fmt.Sprintf("http://127.0.0.1:%d/", probetest.ClosedPort(t)), probes.TCPRefused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := p.Control(context.Background(), tc.url, probetest.ControlAnswer)
			if r.Reason != tc.reason || r.Detected {
				t.Fatalf("reason %s detected %v (%v), want %s", r.Reason, r.Detected, r.Err, tc.reason)
			}
			if tc.reason.OK() != (r.Err == nil) {
				t.Errorf("err %v with reason %s", r.Err, r.Reason)
			}
			if tc.url != named && r.DNS == nil {
				t.Errorf("no DNS facts")
			}
		})
	}
}
