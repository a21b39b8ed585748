package probetest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net/netip"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// AddNamed makes host present a leaf whose subject common name is subject,
// issued by a CA the PC does not trust whose name is issuer. Both are the
// server's to choose, so a hostile one can put terminal escapes, bidi
// controls or a megabyte in them: this is for tests of what such names do
// to the output. The probe fails as tls_untrusted and reports both names.
func (w *World) AddNamed(host, subject, issuer string) probes.Target {
	w.tb.Helper()
	keys, err := generateKeys(1)
	if err != nil {
		w.tb.Fatal(err)
	}
	ca, err := newCA(issuer, keys[0], w.leafKey)
	if err != nil {
		w.tb.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: subject},
		DNSNames:              []string{host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(0, 0, 90),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	leaf, err := sign(tmpl, ca.cert, &ca.leafKey.PublicKey, ca.key)
	if err != nil {
		w.tb.Fatal(err)
	}
	o := ServerOptions{Behavior: Serve}
	o.Cert.Certificate, o.Cert.PrivateKey, o.Cert.Leaf = [][]byte{leaf.Raw}, ca.leafKey, leaf
	return w.AddWith(host, Answer{A: []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}}, o)
}
