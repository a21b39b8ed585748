package agent

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/pbprobe/pbprobe/probes"
)

func TestNetworkVerdict(t *testing.T) {
	t.Parallel()
	unreach := fmt.Errorf("write udp: %w", syscall.ENETUNREACH)
	offlineDNS := &probes.DNSResult{Queries: []probes.DNSQuery{{Err: unreach}, {Err: unreach}}}
	offlineHost := &probes.Result{Reason: probes.DNSError, DNS: offlineDNS, Err: unreach}
	nxHost := &probes.Result{Reason: probes.DNSNXDomain, DNS: &probes.DNSResult{Rcode: "NXDOMAIN",
		Queries: []probes.DNSQuery{{Rcode: "NXDOMAIN"}}}, Err: errors.New("nxdomain")}
	dropped := &probes.Result{Reason: probes.TCPTimeout, DNS: &probes.DNSResult{Rcode: "NOERROR"},
		TCP: &probes.TCPResult{Attempts: []probes.TCPAttempt{{Outcome: probes.TCPOutTimeout, Err: errors.New("i/o timeout")}}}}
	reached := &probes.Result{Reason: probes.TLSIntercepted, TCP: &probes.TCPResult{Address: netip.MustParseAddrPort("192.0.2.1:443")}}

	ctlOK := &probes.ControlResult{Reason: probes.ReasonOK, Status: 200}
	ctlPortal := &probes.ControlResult{Reason: probes.ReasonOK, Status: 302, Detected: true, Kind: probes.CaptiveRedirect}
	ctlNX := &probes.ControlResult{Reason: probes.DNSNXDomain, DNS: &probes.DNSResult{Queries: []probes.DNSQuery{{Rcode: "NXDOMAIN"}}}, Err: errors.New("nx")}
	ctlOffline := &probes.ControlResult{Reason: probes.DNSError, DNS: offlineDNS, Err: unreach}

	tests := []struct {
		name    string
		control *probes.ControlResult
		results []*probes.Result
		want    NetworkStatus
	}{
		{"control answers", ctlOK, []*probes.Result{dropped}, NetworkOK},
		{"portal", ctlPortal, []*probes.Result{nxHost}, NetworkCaptive},
		{"NXDOMAIN everywhere", ctlNX, []*probes.Result{nxHost, nxHost}, NetworkNoInternet},
		{"the OS has no route for anything", ctlOffline, []*probes.Result{offlineHost, offlineHost}, NetworkNone},
		{"no route, control off", nil, []*probes.Result{offlineHost}, NetworkNone},
		{"one host got further than the OS", ctlOffline, []*probes.Result{offlineHost, dropped}, NetworkNoInternet},
		{"the control fails but a host is reached", ctlNX, []*probes.Result{reached, nxHost}, NetworkOK},
		{"control off", nil, []*probes.Result{dropped}, NetworkNotChecked},
		{"nothing probed", nil, []*probes.Result{nil}, NetworkNotChecked},
	}
	for _, tc := range tests {
		if got := networkVerdict(tc.control, tc.results); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestAwaitControl: a control that hangs is cut once a host is ok and its
// time is up, and waited for when no host is ok.
func TestAwaitControl(t *testing.T) {
	t.Parallel()
	hanging := func() (<-chan *probes.ControlResult, func(), *bool) {
		ch := make(chan *probes.ControlResult, 1)
		cut := false
		return ch, func() {
			cut = true
			ch <- &probes.ControlResult{Reason: probes.TCPTimeout, Err: errors.New("context canceled")}
		}, &cut
	}
	ch, cutFn, cut := hanging()
	c := awaitControl(ch, cutFn, true, 0)
	if !*cut || c == nil || c.Err == nil || !strings.Contains(c.Err.Error(), "no answer by the time the hosts were done") {
		t.Errorf("online, time up: cut %v, result %+v", *cut, c)
	}

	done := make(chan *probes.ControlResult, 1)
	done <- &probes.ControlResult{Reason: probes.DNSNXDomain}
	if c := awaitControl(done, func() { t.Error("cut while no host is ok") }, false, 0); c.Reason != probes.DNSNXDomain {
		t.Errorf("offline: %+v", c)
	}
}
