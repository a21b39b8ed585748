package agent

import (
	"github.com/pbprobe/pbprobe/probes"
)

// judgeServerClocks re-judges clock_skew once the whole run is known. A
// probe sees one server's Date and cannot tell whose clock is wrong; the
// run can: when most servers agree with this PC's clock (JudgeClock), a
// server that disagrees has the wrong clock. That is the server's problem, a
// warning on its host, not a failure of this PC's path. The host then
// gets the verdict the clock hid: ok, or a certificate that is out of date
// by a clock the other servers vouch for, or the block page it answered.
func judgeServerClocks(doc *Document) {
	if !JudgeClock(doc).Right() {
		return
	}
	for i := range doc.Hosts {
		h := &doc.Hosts[i]
		if h.Reason != probes.ClockSkew || h.HTTP == nil {
			continue
		}
		h.Warnings = append(h.Warnings, Warning{Code: WarnServerClock, ClockSkewS: h.HTTP.ClockSkewS})
		h.Reason = reasonBesideClock(h)
		h.Stage = h.Reason.Stage()
		h.OK = h.Reason.OK()
		if h.OK {
			h.Error = ""
		}
	}
	doc.Ready = true
	for i := range doc.Hosts {
		if doc.Hosts[i].Required && !doc.Hosts[i].OK {
			doc.Ready = false
		}
	}
}

// reasonBesideClock is what a host's probe would have said had the
// server's clock been right.
func reasonBesideClock(h *HostReport) probes.Reason {
	if h.TLS != nil && !h.At.IsZero() {
		for _, c := range h.TLS.Certs {
			switch {
			case h.At.After(c.NotAfter):
				return probes.TLSExpired
			case h.At.Before(c.NotBefore):
				return probes.TLSNotYetValid
			}
		}
	}
	if h.HTTP.BlockKind != probes.BlockNone {
		return probes.HTTPBlocked
	}
	return probes.ReasonOK
}
