package probes

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// datedCert is a certificate with its key, for building chains whose every
// date is chosen, which probetest's world (one fixed root) cannot.
type datedCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// issueTest makes a certificate valid from..until, signed by parent (nil:
// self-signed). A CA gets cert-sign usage, a leaf the name host.
func issueTest(t *testing.T, name string, from, until time.Time, parent *datedCert, ca bool, host string) *datedCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             from,
		NotAfter:              until,
		BasicConstraintsValid: true,
		IsCA:                  ca,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{host}
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &datedCert{cert: c, key: key}
}

// TestJudgeDates: chains with an intermediate and roots whose dates matter
// too. Trust is judged at a time every certificate, the root included, is
// valid; the server is heard (its Date may explain the dates) only when
// the chain is trusted there.
func TestJudgeDates(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	day, year := 24*time.Hour, 365*24*time.Hour
	const host = "api.pb.test"
	longRoot := issueTest(t, "long root", now.Add(-10*year), now.Add(10*year), nil, true, "")
	oldRoot := issueTest(t, "root expired yesterday", now.Add(-10*year), now.Add(-day), nil, true, "")
	stranger := issueTest(t, "stranger root", now.Add(-10*year), now.Add(10*year), nil, true, "")
	inter := func(root *datedCert, from, until time.Time) *datedCert {
		return issueTest(t, "intermediate", from, until, root, true, "")
	}
	leaf := func(parent *datedCert, from, until time.Time, name string) *datedCert {
		return issueTest(t, "leaf", from, until, parent, false, name)
	}
	// Intermediates valid now, expired yesterday, and expired before the
	// leaves below were issued.
	goodInter := inter(longRoot, now.Add(-year), now.Add(year))
	lapsedInter := inter(longRoot, now.Add(-year), now.Add(-day))
	deadInter := inter(longRoot, now.Add(-year), now.Add(-60*day))
	strangeInter := inter(stranger, now.Add(-year), now.Add(-day))
	rootedInOld := inter(oldRoot, now.Add(-year), now.Add(year))

	valid := func(p *datedCert) *datedCert { return leaf(p, now.Add(-30*day), now.Add(60*day), host) }
	tests := []struct {
		name  string
		chain []*datedCert
		want  Reason
		heard bool
	}{
		{"valid", []*datedCert{valid(goodInter), goodInter}, ReasonOK, true},
		{"expired leaf, trusted", []*datedCert{leaf(goodInter, now.Add(-90*day), now.Add(-day), host), goodInter}, TLSExpired, true},
		{"expired leaf, wrong name", []*datedCert{leaf(goodInter, now.Add(-90*day), now.Add(-day), "other.test"), goodInter}, TLSHostnameMismatch, false},
		{"not yet valid leaf, trusted", []*datedCert{leaf(goodInter, now.Add(day), now.Add(90*day), host), goodInter}, TLSNotYetValid, true},
		{"intermediate expired yesterday", []*datedCert{valid(lapsedInter), lapsedInter}, TLSExpired, true},
		{"intermediate expired yesterday, untrusted root", []*datedCert{valid(strangeInter), strangeInter}, TLSUntrusted, false},
		{"root behind the chain expired yesterday", []*datedCert{valid(rootedInOld), rootedInOld}, TLSExpired, true},
		// The intermediate had expired before the leaf was issued: no
		// time exists at which the chain is valid, so the dates stand
		// and nothing the server says is believed.
		{"validities never meet", []*datedCert{valid(deadInter), deadInter}, TLSExpired, false},
		{"expired self-signed leaf", []*datedCert{issueTest(t, host, now.Add(-90*day), now.Add(-day), nil, false, host)}, TLSUntrusted, false},
	}
	roots := x509.NewCertPool()
	roots.AddCert(longRoot.cert)
	roots.AddCert(oldRoot.cert)
	p := New(Options{Resolvers: []string{"127.0.0.1:53"}, SystemRoots: roots, PublicRoots: roots, Now: func() time.Time { return now }})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			chain := make([]*x509.Certificate, len(tc.chain))
			for i, c := range tc.chain {
				chain[i] = c.cert
			}
			res := &TLSResult{}
			reason, heard, err := p.judge(res, chain, host)
			if reason != tc.want || heard != tc.heard {
				t.Errorf("reason %s heard %v (%v), want %s heard %v", reason, heard, err, tc.want, tc.heard)
			}
			if (err == nil) != (reason == ReasonOK) {
				t.Errorf("reason %s with error %v", reason, err)
			}
			if res.SystemTrusted != (reason == ReasonOK) || res.Intercepted {
				t.Errorf("reason %s: system trusted %v, intercepted %v", reason, res.SystemTrusted, res.Intercepted)
			}
		})
	}
}
