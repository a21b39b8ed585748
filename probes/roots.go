package probes

import (
	"crypto/x509"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// PublicRootPool parses the embedded Mozilla (NSS) root set. It is the
// yardstick for interception: a chain the PC trusts but this set does not
// was issued by a CA someone added to the PC, such as an inspection proxy's.
// The bundle is used through its iterator so the system pool stays untouched.
func PublicRootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	for r := range bundle.Roots() {
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
