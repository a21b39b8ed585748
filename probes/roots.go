package probes

import (
	"bytes"
	"crypto/x509"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// PublicRootPool parses the embedded Mozilla (NSS) root set. It is the
// yardstick for interception: a chain the PC trusts but this set does not
// was issued by a CA someone added to the PC, such as an inspection proxy's.
// The bundle is used through its iterator so the system pool stays untouched.
//
// The parsed pool keeps about 440 KiB of heap alive; PublicRootsFor gives
// the same verdict for one chain without holding the whole set.
func PublicRootPool() *x509.CertPool {
	return publicRoots(func([]byte) bool { return true })
}

// PublicRootsFor is the part of the embedded Mozilla root set that can
// anchor chain (as presented, leaf first): the roots whose subject is the
// issuer of one of its certificates. A verifier looks a parent up by
// exactly that name, and chain's certificates are the only intermediates,
// so verifying chain against this pool gives the verdict the whole set
// would. Only those roots are parsed: usually one, in about 0.1 ms, and
// nothing stays alive after the verification.
func PublicRootsFor(chain []*x509.Certificate) *x509.CertPool {
	return publicRoots(func(der []byte) bool {
		subject, ok := rawSubject(der)
		if !ok {
			return true // let the parser decide, as PublicRootPool does
		}
		for _, c := range chain {
			if bytes.Equal(c.RawIssuer, subject) {
				return true
			}
		}
		return false
	})
}

// publicRoots parses the bundle's roots that keep accepts into a pool.
func publicRoots(keep func(der []byte) bool) *x509.CertPool {
	pool := x509.NewCertPool()
	for r := range bundle.Roots() {
		if !keep(r.Certificate) {
			continue
		}
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			continue // a root we cannot parse cannot anchor a chain either
		}
		if r.Constraint != nil {
			pool.AddCertWithConstraint(c, r.Constraint)
		} else {
			pool.AddCert(c)
		}
	}
	return pool
}

// rawSubject is a DER certificate's subject, as x509.Certificate.RawSubject
// holds it (the whole SEQUENCE), read without parsing the rest.
func rawSubject(der []byte) ([]byte, bool) {
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	var subject cryptobyte.String
	ok := input.ReadASN1(&cert, asn1.SEQUENCE) &&
		cert.ReadASN1(&tbs, asn1.SEQUENCE) &&
		tbs.SkipOptionalASN1(asn1.Tag(0).Constructed().ContextSpecific()) && // version
		tbs.SkipASN1(asn1.INTEGER) && // serial number
		tbs.SkipASN1(asn1.SEQUENCE) && // signature algorithm
		tbs.SkipASN1(asn1.SEQUENCE) && // issuer
		tbs.SkipASN1(asn1.SEQUENCE) && // validity
		tbs.ReadASN1Element(&subject, asn1.SEQUENCE)
	return subject, ok
}
