package probes

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// TestRawSubject: the subject read without parsing is the parser's, for
// every root of the bundle.
func TestRawSubject(t *testing.T) {
	t.Parallel()
	n := 0
	for r := range bundle.Roots() {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			continue
		}
		got, ok := rawSubject(r.Certificate)
		if !ok || !bytes.Equal(got, c.RawSubject) {
			t.Errorf("%s: rawSubject = %x, %v; want %x", c.Subject, got, ok, c.RawSubject)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("only %d roots in the bundle", n)
	}
	if _, ok := rawSubject([]byte{0x30, 0x03, 0x02, 0x01}); ok {
		t.Error("rawSubject accepted a truncated certificate")
	}
}

// TestPublicRootsForSameVerdict: verifying against the roots PublicRootsFor
// picks for a chain gives the verdict the whole set gives.
func TestPublicRootsForSameVerdict(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)
	all := PublicRootPool()
	type tc struct {
		name  string
		chain []*x509.Certificate
		want  bool
	}
	var cases []tc
	var moz *x509.Certificate
	for r := range bundle.Roots() {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			continue
		}
		if moz == nil && now.After(c.NotBefore) && now.Before(c.NotAfter) {
			moz = c
		}
		// A root presented alone is its own anchor: trusted unless it
		// expired or a constraint says otherwise, which both pools apply.
		cases = append(cases, tc{name: "root " + c.Subject.String(), chain: []*x509.Certificate{c}, want: verify([]*x509.Certificate{c}, "", now, all) == nil})
	}
	trusted := 0
	for _, c := range cases {
		if c.want {
			trusted++
		}
	}
	if trusted < 100 {
		t.Fatalf("only %d bundle roots verify against the whole set", trusted)
	}

	// A leaf that names a Mozilla root as its issuer but was signed by
	// someone else: the root is a candidate, and the signature fails.
	forger := newTestKey(t)
	forged := testCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "api.pb.test"},
		DNSNames: []string{"api.pb.test"}, NotBefore: now.AddDate(0, -1, 0), NotAfter: now.AddDate(0, 1, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
		&x509.Certificate{RawSubject: moz.RawSubject, PublicKey: &forger.PublicKey}, forger)
	cases = append(cases, tc{name: "forged issuer", chain: []*x509.Certificate{forged}, want: false})

	// An inspection proxy's chain: leaf and its own CA, none in the set.
	caKey := newTestKey(t)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "Corp Inspection CA"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, PublicKey: &caKey.PublicKey}
	ca := testCert(t, caTmpl, caTmpl, caKey)
	leaf := testCert(t, &x509.Certificate{SerialNumber: big.NewInt(4), Subject: pkix.Name{CommonName: "api.pb.test"},
		DNSNames: []string{"api.pb.test"}, NotBefore: now.AddDate(0, -1, 0), NotAfter: now.AddDate(0, 1, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, caKey)
	cases = append(cases, tc{name: "inspection chain", chain: []*x509.Certificate{leaf, ca}, want: false})

	for _, c := range cases {
		if got := verify(c.chain, "", now, PublicRootsFor(c.chain)) == nil; got != c.want {
			t.Errorf("%s: trusted %v against the picked roots, %v against the whole set", c.name, got, c.want)
		}
	}
}

func newTestKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testCert signs tmpl as parent (whose subject becomes the issuer) with key.
func testCert(t *testing.T, tmpl, parent *x509.Certificate, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	pub := tmpl.PublicKey
	if pub == nil {
		pub = &newTestKey(t).PublicKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
