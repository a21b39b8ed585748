package probes

import "errors"

// errNoResolver is what resolve reports when the PC has no DNS server.
var errNoResolver = errors.New("no DNS resolver configured")

// NetworkDown reports whether the OS itself said that this PC has no
// network for a probe: every DNS query and every connect attempt that was
// made failed with "network unreachable" or "network down" (no interface,
// no route), or there was no DNS server to ask. A filter or a firewall
// cannot produce that answer; only the PC's own stack does.
func NetworkDown(dnsRes *DNSResult, tcp *TCPResult, err error) bool {
	if errors.Is(err, errNoResolver) {
		return true
	}
	seen := 0
	if dnsRes != nil {
		for _, q := range dnsRes.Queries {
			if !isNetworkDown(q.Err) {
				return false
			}
			seen++
		}
	}
	if tcp != nil {
		for _, a := range tcp.Attempts {
			if a.Outcome == "" || a.Outcome == TCPOutCanceled {
				continue // never tried, or stopped by the race
			}
			if !isNetworkDown(a.Err) {
				return false
			}
			seen++
		}
	}
	return seen > 0
}

// NetworkDown is NetworkDown for a host's result (its direct path when it
// went through a proxy, as the proxy's hop has no DNS of its own).
func (r *Result) NetworkDown() bool {
	if r == nil {
		return false
	}
	if r.Proxy != nil {
		return r.Direct.NetworkDown() && isNetworkDown(r.Err)
	}
	return NetworkDown(r.DNS, r.TCP, r.Err)
}

// NetworkDown is NetworkDown for the control probe.
func (r *ControlResult) NetworkDown() bool {
	return r != nil && NetworkDown(r.DNS, r.TCP, r.Err)
}
