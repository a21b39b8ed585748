package probes_test

import (
	"context"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// A chain from a CA this system trusts but the embedded public set lacks
// (the test world's, as an inspection proxy's would be) is tls_intercepted
// when no public roots are configured: the per-chain lookup in the
// embedded set is what the shipped binary uses.
func TestEmbeddedRootsNameInterception(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	opts := w.Options()
	opts.PublicRoots = nil
	opts.Timeout = 10 * time.Second // a healthy host: ample, and costs nothing
	r := probes.New(opts).Probe(context.Background(), target)
	if r.Reason != probes.TLSIntercepted || r.TLS == nil || r.TLS.PublicTrusted == nil || *r.TLS.PublicTrusted {
		t.Fatalf("reason %s (%v), TLS %+v; want tls_intercepted against the embedded roots", r.Reason, r.Err, r.TLS)
	}
}
