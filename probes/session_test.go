package probes_test

import (
	"context"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestResumptionKeepsFactsAndSeesInterception: a resumed handshake still
// reports the verified chain, and when an inspection proxy takes over the
// name it cannot resume, so its chain is seen at once.
func TestResumptionKeepsFactsAndSeesInterception(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	real := w.Add("resume.pb.test", probetest.OK)
	opts := w.Options()
	opts.SessionCache = probes.NewSessionCache(8, time.Hour)
	p := probes.New(opts)

	first := p.Probe(context.Background(), real)
	second := p.Probe(context.Background(), real)
	for i, r := range []*probes.Result{first, second} {
		if r.Reason != probes.ReasonOK || r.TLS.Leaf() == nil || r.TLS.Leaf().Issuer != probetest.PublicCAName {
			t.Fatalf("probe %d: %s (%v), leaf %+v", i, r.Reason, r.Err, r.TLS.Leaf())
		}
	}
	if first.TLS.Resumed || !second.TLS.Resumed {
		t.Fatalf("resumed = %v then %v, want false then true", first.TLS.Resumed, second.TLS.Resumed)
	}

	// Same name, now answered by a proxy presenting an inspection CA's leaf
	// for it: a different server, which cannot know the real one's tickets.
	leaf, err := w.Inspection.Issue(probetest.LeafOptions{DNSNames: []string{real.Host}})
	if err != nil {
		t.Fatal(err)
	}
	proxyPort := probetest.NewServer(t, probetest.ServerOptions{Cert: leaf})
	hijacked := probes.Target{Host: real.Host, Port: proxyPort, AllowPrivate: true}
	r := p.Probe(context.Background(), hijacked)
	if r.TLS == nil || r.TLS.Resumed || r.Reason != probes.TLSIntercepted {
		t.Fatalf("after the proxy took over: reason %s resumed %v (%v)", r.Reason, r.TLS != nil && r.TLS.Resumed, r.Err)
	}
}

func TestSessionCacheMaxAge(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("age.pb.test", probetest.OK)
	opts := w.Options()
	opts.SessionCache = probes.NewSessionCache(8, time.Nanosecond)
	p := probes.New(opts)
	for i := range 3 {
		if r := p.Probe(context.Background(), target); r.Reason != probes.ReasonOK || r.TLS.Resumed {
			t.Fatalf("probe %d: %s resumed=%v; sessions older than maxAge must not be resumed", i, r.Reason, r.TLS.Resumed)
		}
	}
}
