package agent

import (
	"net/url"

	"github.com/pbprobe/pbprobe/probes"
)

// networkVerdict decides the machine-level status from the control probe
// (nil when it is off) and the hosts' results. The order matters: what
// the OS says about its own network outranks everything; a portal's
// answer outranks a failing control; a reached host proves the PC is
// online whatever the control says.
func networkVerdict(control *probes.ControlResult, results []*probes.Result) NetworkStatus {
	switch {
	case networkDown(control, results):
		return NetworkNone
	case control == nil:
		return NetworkNotChecked
	case control.Reason.OK() && control.Detected:
		return NetworkCaptive
	case control.Reason.OK() || anyReached(results):
		return NetworkOK
	}
	return NetworkNoInternet
}

// networkDown: the OS refused every attempt of the control and of every
// host with "network unreachable" or had no DNS server. A host that got
// anywhere else (a timeout, an answer) proves some network.
func networkDown(control *probes.ControlResult, results []*probes.Result) bool {
	if control != nil && !control.NetworkDown() {
		return false
	}
	seen := control != nil
	for _, r := range results {
		if r == nil {
			continue
		}
		if !r.NetworkDown() {
			return false
		}
		seen = true
	}
	return seen
}

// anyReached: some host's server (or proxy) answered, so packets leave
// this PC and come back.
func anyReached(results []*probes.Result) bool {
	for _, r := range results {
		if r == nil {
			continue
		}
		if r.TLS != nil || (r.TCP != nil && r.TCP.Address.IsValid()) {
			return true
		}
		if r.Proxy != nil && r.Proxy.Status != 0 {
			return true
		}
	}
	return false
}

// networkView is the document's network object.
func networkView(status NetworkStatus, c *probes.ControlResult) *NetworkView {
	v := &NetworkView{Status: status}
	if c == nil {
		return v
	}
	cv := &ControlView{URL: c.URL, Reason: c.Reason, DNS: dnsView(c.DNS), TCP: tcpView(c.TCP), Status: c.Status,
		Captive: c.Kind, Location: cleanText(c.Location), MS: ms(c.Duration)}
	if u, err := url.Parse(c.URL); err == nil {
		cv.Host = u.Hostname()
	}
	if c.Err != nil {
		cv.Error = cleanText(c.Err.Error())
	}
	v.Control = cv
	return v
}

// captiveView is the control probe in the older captive_portal object,
// kept for readers of that field.
func captiveView(r *probes.ControlResult) *CaptiveView {
	// Why and Location quote the portal's redirect target.
	v := &CaptiveView{URL: r.URL, Detected: r.Detected, Why: cleanText(r.Why()), Kind: r.Kind, Status: r.Status,
		Location: cleanText(r.Location), MS: ms(r.Duration)}
	if r.Err != nil {
		v.Error = cleanText(r.Err.Error())
	}
	return v
}
