package probes_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestBlackholedAddresses needs a real network namespace with nft rules,
// because only the kernel can make a SYN vanish or be rejected with ICMP.
func TestBlackholedAddresses(t *testing.T) {
	v4, v6 := probetest.Blackhole(t)
	w := probetest.NewWorld(t)
	loop := netip.MustParseAddr("127.0.0.1")
	opts := w.Options()
	opts.Timeout = 1500 * time.Millisecond
	opts.FamilyGrace = 500 * time.Millisecond
	p := probes.New(opts)

	t.Run("dropped SYN is tcp_timeout", func(t *testing.T) {
		t.Parallel()
		w.DNS.Set("drop.pb.test", probetest.Answer{A: []netip.Addr{v4}})
		r := p.Probe(context.Background(), probes.Target{Host: "drop.pb.test", Port: 443, AllowPrivate: true})
		if r.Reason != probes.TCPTimeout {
			t.Fatalf("reason %s (%v), want tcp_timeout", r.Reason, r.Err)
		}
		if r.Duration > opts.Timeout+500*time.Millisecond {
			t.Errorf("took %s with a %s timeout", r.Duration, opts.Timeout)
		}
	})
	t.Run("ICMP unreachable is tcp_unreachable", func(t *testing.T) {
		t.Parallel()
		w.DNS.Set("reject.pb.test", probetest.Answer{A: []netip.Addr{v4}})
		r := p.Probe(context.Background(), probes.Target{Host: "reject.pb.test", Port: probetest.UnreachablePort, AllowPrivate: true})
		if r.Reason != probes.TCPUnreachable {
			t.Fatalf("reason %s (%v), want tcp_unreachable", r.Reason, r.Err)
		}
	})
	t.Run("a dropped address is passed over for the next", func(t *testing.T) {
		t.Parallel()
		target := w.AddWith("next.pb.test", probetest.Answer{A: []netip.Addr{v4, loop}}, probetest.ServerOptions{})
		r := p.Probe(context.Background(), target)
		if r.Reason != probes.ReasonOK {
			t.Fatalf("reason %s (%v), want ok", r.Reason, r.Err)
		}
		if r.TCP.Address.Addr() != loop {
			t.Errorf("connected to %s", r.TCP.Address)
		}
		if len(r.TCP.Attempts) != 2 || r.TCP.Attempts[0].Outcome != probes.TCPOutCanceled {
			t.Errorf("attempts = %+v, want the dropped one cancelled", r.TCP.Attempts)
		}
	})
	t.Run("a dead family is recorded within the grace", func(t *testing.T) {
		t.Parallel()
		target := w.AddWith("dual.pb.test", probetest.Answer{A: []netip.Addr{loop}, AAAA: []netip.Addr{v6}}, probetest.ServerOptions{})
		r := p.Probe(context.Background(), target)
		if r.Reason != probes.ReasonOK {
			t.Fatalf("reason %s (%v), want ok", r.Reason, r.Err)
		}
		var v6Outcome probes.TCPOutcome
		for _, a := range r.TCP.Attempts {
			if a.Address.Addr() == v6 {
				v6Outcome = a.Outcome
			}
		}
		if v6Outcome != probes.TCPOutTimeout {
			t.Errorf("IPv6 attempt outcome %q, want timeout; attempts %+v", v6Outcome, r.TCP.Attempts)
		}
		// The broken family may cost the grace, not the whole timeout.
		if r.Duration >= opts.Timeout {
			t.Errorf("took %s: the dead family cost the whole timeout", r.Duration)
		}
	})
}
