package agent_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

var now = time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)

func okResult(host string) *probes.Result {
	addr := netip.MustParseAddrPort("203.0.113.7:443")
	return &probes.Result{
		Target: probes.Target{Host: host, Port: 443},
		Reason: probes.ReasonOK,
		DNS:    &probes.DNSResult{Duration: 12 * time.Millisecond, Rcode: "NOERROR", Addresses: []netip.Addr{addr.Addr()}},
		TCP: &probes.TCPResult{Duration: 20 * time.Millisecond, Address: addr,
			Attempts: []probes.TCPAttempt{{Address: addr, Outcome: probes.TCPConnected}}},
		TLS: &probes.TLSResult{Duration: 45 * time.Millisecond, Version: 0x0304, SystemTrusted: true,
			Chain: []probes.CertInfo{{Subject: host, Issuer: "Public CA", NotAfter: now.AddDate(0, 3, 0)}}},
	}
}

func failResult(host string, reason probes.Reason) *probes.Result {
	return &probes.Result{Target: probes.Target{Host: host, Port: 443}, Reason: reason, DNS: &probes.DNSResult{}}
}

func hosts(names ...string) []config.Host {
	var out []config.Host
	for _, n := range names {
		out = append(out, config.Host{Host: n, Port: 443, Required: true})
	}
	return out
}

func codes(ws []agent.Warning) []agent.WarningCode {
	var out []agent.WarningCode
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func TestEvaluateReadiness(t *testing.T) {
	t.Parallel()
	optional := hosts("a.test", "b.test")
	optional[1].Required = false
	tests := []struct {
		name    string
		hosts   []config.Host
		results []*probes.Result
		ready   bool
	}{
		{"all ok", hosts("a.test", "b.test"), []*probes.Result{okResult("a.test"), okResult("b.test")}, true},
		{"a required host fails", hosts("a.test", "b.test"), []*probes.Result{okResult("a.test"), failResult("b.test", probes.TCPTimeout)}, false},
		{"an optional host fails", optional, []*probes.Result{okResult("a.test"), failResult("b.test", probes.TCPTimeout)}, true},
		{"a missing result is not ready", hosts("a.test", "b.test"), []*probes.Result{okResult("a.test"), nil}, false},
		{"interception is a failure", hosts("a.test"), []*probes.Result{failResult("a.test", probes.TLSIntercepted)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := agent.Evaluate(tc.hosts, tc.results, now, time.Second, agent.EvalOptions{Now: func() time.Time { return now }})
			if rep.Ready != tc.ready {
				t.Errorf("ready = %v, want %v", rep.Ready, tc.ready)
			}
			if len(rep.Hosts) != len(tc.hosts) {
				t.Fatalf("%d hosts in report", len(rep.Hosts))
			}
			for i, h := range rep.Hosts {
				r := tc.results[i]
				switch {
				case r == nil && (h.Reason != probes.NotChecked || h.OK):
					t.Errorf("%s: missing result reported as %s ok=%v", h.Host, h.Reason, h.OK)
				case r != nil && (h.Reason != r.Reason || h.OK != r.Reason.OK() || h.Stage != r.Reason.Stage()):
					t.Errorf("%s: %s/%s ok=%v from %s", h.Host, h.Reason, h.Stage, h.OK, r.Reason)
				}
				if h.Warnings == nil {
					t.Errorf("%s: warnings is nil; JSON needs []", h.Host)
				}
			}
		})
	}
}

func TestEvaluateWarnings(t *testing.T) {
	t.Parallel()
	v6 := netip.MustParseAddrPort("[2001:db8::7]:443")
	v4 := netip.MustParseAddrPort("203.0.113.7:443")

	deadV6 := okResult("a.test")
	deadV6.TCP.Address = v4
	deadV6.TCP.Attempts = []probes.TCPAttempt{{Address: v6, Outcome: probes.TCPOutTimeout}, {Address: v4, Outcome: probes.TCPConnected}}

	deadV4 := okResult("a.test")
	deadV4.TCP.Address = v6
	deadV4.TCP.Attempts = []probes.TCPAttempt{{Address: v6, Outcome: probes.TCPConnected}, {Address: v4, Outcome: probes.TCPOutRefused}}

	bothWork := okResult("a.test")
	bothWork.TCP.Attempts = []probes.TCPAttempt{{Address: v6, Outcome: probes.TCPConnected}, {Address: v4, Outcome: probes.TCPConnected}}
	bothWork.TCP.Address = v6

	sameFamilyLoser := okResult("a.test")
	sameFamilyLoser.TCP.Attempts = []probes.TCPAttempt{{Address: netip.MustParseAddrPort("203.0.113.8:443"), Outcome: probes.TCPOutCanceled}, {Address: v4, Outcome: probes.TCPConnected}}

	expiring := okResult("a.test")
	expiring.TLS.Chain[0].NotAfter = now.Add(5*24*time.Hour + time.Hour)

	slow := okResult("a.test")
	slow.TLS.Duration = 4 * time.Second

	serverError := okResult("a.test")
	serverError.HTTP = &probes.HTTPResult{Status: 503}
	notFound := okResult("a.test")
	notFound.HTTP = &probes.HTTPResult{Status: 404}

	tests := []struct {
		name string
		r    *probes.Result
		want []agent.WarningCode
	}{
		{"healthy", okResult("a.test"), nil},
		{"IPv6 dead, IPv4 works", deadV6, []agent.WarningCode{agent.WarnIPv6Unreachable}},
		{"IPv4 dead, IPv6 works", deadV4, []agent.WarningCode{agent.WarnIPv4Unreachable}},
		{"both families work", bothWork, nil},
		{"a lost race in one family is no warning", sameFamilyLoser, nil},
		{"certificate expires in 5 days", expiring, []agent.WarningCode{agent.WarnCertExpiring}},
		{"slow TLS", slow, []agent.WarningCode{agent.WarnSlowTLS}},
		{"the service answers 503", serverError, []agent.WarningCode{agent.WarnHTTPServerError}},
		{"the service answers 404: its own page, no warning", notFound, nil},
	}
	opts := agent.EvalOptions{CertExpiry: 14 * 24 * time.Hour, SlowPhase: 3 * time.Second, Now: func() time.Time { return now }}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hr := agent.EvaluateHost(config.Host{Host: "a.test", Port: 443, Required: true}, tc.r, now, opts)
			got := codes(hr.Warnings)
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("warnings %v, want %v", got, tc.want)
				}
			}
			if !hr.OK {
				t.Errorf("a warning changed the verdict")
			}
		})
	}
	hr := agent.EvaluateHost(config.Host{Host: "a.test", Port: 443}, expiring, now, opts)
	if hr.Warnings[0].Days != 5 {
		t.Errorf("days = %d, want 5", hr.Warnings[0].Days)
	}
	hr = agent.EvaluateHost(config.Host{Host: "a.test", Port: 443}, serverError, now, opts)
	if hr.Warnings[0].Status != 503 {
		t.Errorf("status = %d, want 503", hr.Warnings[0].Status)
	}
	hr = agent.EvaluateHost(config.Host{Host: "a.test", Port: 443}, deadV6, now, opts)
	if got := hr.Warnings[0].Addresses; len(got) != 1 || got[0] != "2001:db8::7" {
		t.Errorf("addresses = %v", got)
	}
}
