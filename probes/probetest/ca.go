// Package probetest is the world the probe chain is tested against, in the
// spirit of net/http/httptest: a DNS server, certificate authorities and TLS
// servers that misbehave on request, all in-process and on loopback only, so
// that no test ever depends on (or sends traffic to) the real hosts.
//
// Everything started here is stopped through testing.TB.Cleanup, and no
// goroutine outlives it.
package probetest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

// keyBits is RSA-2048 because the certificates are also used under Wine,
// whose crypt32 rejects some short ECDSA signatures; 2048 is the smallest
// size every verifier accepts.
const keyBits = 2048

// CA is a test certificate authority: a self-signed root plus one leaf key
// that every certificate it issues shares. Sharing the leaf key keeps setup
// fast: RSA key generation is the expensive part, signing is cheap.
type CA struct {
	name    string
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	leafKey *rsa.PrivateKey
}

// NewCA creates a root certificate authority whose subject common name and
// organization are name.
func NewCA(name string) (*CA, error) {
	keys, err := generateKeys(2)
	if err != nil {
		return nil, err
	}
	return newCA(name, keys[0], keys[1])
}

// generateKeys makes n RSA keys in parallel, because a World needs several
// and generating them one after the other dominates its setup time.
func generateKeys(n int) ([]*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = rsa.GenerateKey(rand.Reader, keyBits) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("probetest: generating RSA keys: %w", err)
	}
	return keys, nil
}

func newCA(name string, key, leafKey *rsa.PrivateKey) (*CA, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: name, Organization: []string{name}},
		// Backdated so that a test clock a little behind the machine's, or a
		// Wine prefix with a skewed clock, still sees a valid root.
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	cert, err := sign(tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("probetest: creating CA %q: %w", name, err)
	}
	return &CA{name: name, key: key, cert: cert, leafKey: leafKey}, nil
}

// Cert is the root certificate.
func (ca *CA) Cert() *x509.Certificate { return ca.cert }

// Pool is a new pool holding only this root; callers may add to it freely.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// PEM is the root certificate, PEM encoded.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// LeafOptions describe a server certificate.
type LeafOptions struct {
	// DNSNames become the subject alternative names; entries that parse as
	// IP addresses become IP SANs instead. The first one is also the common
	// name, which some verifiers still display.
	DNSNames []string
	// NotBefore and NotAfter default to an hour ago and 90 days from now
	// when zero.
	NotBefore, NotAfter time.Time
	// SelfSigned makes the leaf its own issuer instead of the CA, with the
	// CA's shared leaf key.
	SelfSigned bool
}

// Issue creates a server certificate. The chain holds the leaf only: the CA
// is the root, and roots are not sent.
func (ca *CA) Issue(o LeafOptions) (tls.Certificate, error) {
	now := time.Now()
	notBefore, notAfter := o.NotBefore, o.NotAfter
	if notBefore.IsZero() {
		notBefore = now.Add(-time.Hour)
	}
	if notAfter.IsZero() {
		notAfter = now.AddDate(0, 0, 90)
	}
	tmpl := &x509.Certificate{
		NotBefore: notBefore,
		NotAfter:  notAfter,
		// KeyEncipherment too, because a TLS 1.0 client may pick RSA key
		// exchange and some verifiers (crypt32) check the bit.
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if len(o.DNSNames) > 0 {
		tmpl.Subject.CommonName = o.DNSNames[0]
	}
	for _, n := range o.DNSNames {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	parent, signer := ca.cert, crypto.Signer(ca.key)
	if o.SelfSigned {
		parent, signer = tmpl, ca.leafKey
	}
	cert, err := sign(tmpl, parent, &ca.leafKey.PublicKey, signer)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("probetest: issuing %v from %q: %w", o.DNSNames, ca.name, err)
	}
	return tls.Certificate{
		Certificate: [][]byte{cert.Raw},
		PrivateKey:  ca.leafKey,
		Leaf:        cert,
	}, nil
}

func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
