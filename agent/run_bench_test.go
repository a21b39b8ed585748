package agent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// BenchmarkCheckConcurrency measures what issue 2 asks of a check: five
// hosts whose DNS takes 50 ms and TLS 100 ms, one of them 300 ms slower.
// Reported: the ratio of a run's wall time to its slowest single chain (1.0
// is perfect concurrency; a sum would be about 5) and the mean and worst
// amount by which reported phase times exceed the injected delays. The
// "nodelay" case measures what the phases cost on loopback by themselves
// (DNS round trip; TLS key exchange and RSA signature on these 2 cores),
// which is part of any reported time.
func BenchmarkCheckConcurrency(b *testing.B) {
	for _, tc := range []struct {
		name          string
		dns, tls, add time.Duration
	}{
		{"nodelay", 0, 0, 0},
		{"dns50ms-tls100ms-one300msslower", 50 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond},
	} {
		b.Run(tc.name, func(b *testing.B) { benchConcurrency(b, tc.dns, tc.tls, tc.add) })
	}
}

func benchConcurrency(b *testing.B, dnsDelay, tlsDelay, extra time.Duration) {
	w := probetest.NewWorld(b)
	var targets []probes.Target
	wantTLS := map[string]time.Duration{}
	for i := range 5 {
		host := fmt.Sprintf("h%d.bench.test", i)
		d := tlsDelay
		if i == 4 {
			d += extra
		}
		wantTLS[host] = d
		targets = append(targets, w.AddWith(host, probetest.Answer{Delay: dnsDelay}, probetest.ServerOptions{HandshakeDelay: d}))
	}
	opts := w.Options()
	opts.Timeout = 5 * time.Second
	p := probes.New(opts)

	var ratioSum float64
	var dnsSum, tlsSum, dnsMax, tlsMax time.Duration
	for b.Loop() {
		start := time.Now()
		results := agent.ProbeAll(context.Background(), p, targets, nil)
		wall := time.Since(start)
		var slowest time.Duration
		for _, r := range results {
			if r.Reason != probes.ReasonOK {
				b.Fatalf("%s: %s (%v)", r.Target.Host, r.Reason, r.Err)
			}
			slowest = max(slowest, r.Duration)
			dnsOver, tlsOver := r.DNS.Duration-dnsDelay, r.TLS.Duration-wantTLS[r.Target.Host]
			dnsSum, tlsSum = dnsSum+dnsOver, tlsSum+tlsOver
			dnsMax, tlsMax = max(dnsMax, dnsOver), max(tlsMax, tlsOver)
		}
		ratioSum += float64(wall) / float64(slowest)
	}
	n := float64(b.N * len(targets))
	b.ReportMetric(ratioSum/float64(b.N), "wall/slowest")
	b.ReportMetric(float64(dnsSum)/n/1e6, "dns-over-ms")
	b.ReportMetric(float64(tlsSum)/n/1e6, "tls-over-ms")
	b.ReportMetric(float64(dnsMax)/1e6, "dns-over-max-ms")
	b.ReportMetric(float64(tlsMax)/1e6, "tls-over-max-ms")
}
