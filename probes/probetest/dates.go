package probetest

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// What a certificate's dates and a server's Date say only counts once its
// chain is trusted; these helpers build the cases that tell the two apart:
// out-of-date leaves from any of the world's CAs, and a server that sends
// no Date at all.

// Untrusted is a third CA that neither the test PC nor the public set
// trusts, as a block page's or a stranger's would be.
func (w *World) Untrusted() *CA { return w.untrustedCA() }

// Leaf issues a certificate from ca, failing the test on error.
func (w *World) Leaf(ca *CA, o LeafOptions) tls.Certificate {
	w.tb.Helper()
	return w.issue(ca, o)
}

// ExpiredLeaf is a leaf for host that expired an hour ago, after 90 days.
func ExpiredLeaf(host string) LeafOptions {
	now := time.Now()
	return LeafOptions{DNSNames: []string{host}, NotBefore: now.AddDate(0, 0, -90), NotAfter: now.Add(-time.Hour)}
}

// NotYetValidLeaf is a leaf for host that becomes valid in an hour.
func NotYetValidLeaf(host string) LeafOptions {
	now := time.Now()
	return LeafOptions{DNSNames: []string{host}, NotBefore: now.Add(time.Hour), NotAfter: now.AddDate(0, 0, 90)}
}

// AddDateless makes host a TLS server on loopback that presents cert and
// answers every request with 204 and no Date header, so that nothing is
// known of its clock. It lives until the World's test ends.
func (w *World) AddDateless(host string, cert tls.Certificate) probes.Target {
	w.tb.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		// net/http adds a Date unless the header is set to nil.
		rw.Header()["Date"] = nil
		rw.WriteHeader(http.StatusNoContent)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.StartTLS()
	w.tb.Cleanup(s.Close)
	w.DNS.Set(host, Answer{A: []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}})
	return probes.Target{Host: host, Port: s.Listener.Addr().(*net.TCPAddr).Port, AllowPrivate: true}
}
