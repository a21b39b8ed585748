package agent

import (
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// Change is what happened to a host between two runs.
type Change string

// Changes. A host that keeps failing for the same reason, or stays up, has
// none.
const (
	ChangeDown   Change = "down"           // failing now, ok (or unknown) before
	ChangeUp     Change = "up"             // ok now, failing (or unknown) before
	ChangeReason Change = "reason_changed" // failing before and now, for another reason
)

// Transition is one host's change between two runs. The log and the
// service's Event Log/syslog both write these, so they cannot disagree.
type Transition struct {
	Change Change
	Host   *HostReport // in the current document
	// Previous is the host's reason before; not_checked when Initial.
	Previous probes.Reason
	// Initial: the first verdict on this host since the agent started (or
	// since a reload added it). It is reported either way, so that an
	// alert raised before a restart is resolved.
	Initial bool
	// DownFor is, for ChangeUp, how long the host was down; zero when
	// unknown.
	DownFor time.Duration
}

type hostKey struct {
	host string
	port int
}

// Transitions detects host transitions run after run; it remembers when
// each failing host went down. The agent's loop owns one and hands what it
// finds to every hook. Not safe for concurrent use.
type Transitions struct {
	downSince map[hostKey]time.Time
}

// NewTransitions starts with no host known to be down.
func NewTransitions() *Transitions {
	return &Transitions{downSince: map[hostKey]time.Time{}}
}

// Next compares cur with prev. A host that no probe finished for in cur
// (not_checked) changes nothing: nothing is known about it.
func (t *Transitions) Next(prev, cur *Document) []Transition {
	before := map[hostKey]*HostReport{}
	if prev != nil {
		for i := range prev.Hosts {
			h := &prev.Hosts[i]
			before[hostKey{h.Host, h.Port}] = h
		}
	}
	var out []Transition
	seen := map[hostKey]bool{}
	for i := range cur.Hosts {
		h := &cur.Hosts[i]
		k := hostKey{h.Host, h.Port}
		seen[k] = true
		if h.Reason == probes.NotChecked {
			continue
		}
		tr := Transition{Host: h, Previous: probes.NotChecked}
		if p := before[k]; p != nil {
			tr.Previous = p.Reason
		}
		tr.Initial = tr.Previous == probes.NotChecked
		if tr.Change = change(tr.Previous, h); tr.Change == "" {
			continue
		}
		switch tr.Change {
		case ChangeUp:
			if since, ok := t.downSince[k]; ok && !since.IsZero() {
				tr.DownFor = cur.CheckedAt.Sub(since).Round(time.Second)
			}
			delete(t.downSince, k)
		case ChangeDown:
			t.downSince[k] = cur.CheckedAt
		}
		out = append(out, tr)
	}
	// A host dropped from the table by a reload starts afresh if it comes
	// back; this also keeps the state bounded by the table.
	for k := range t.downSince {
		if !seen[k] {
			delete(t.downSince, k)
		}
	}
	return out
}

// change is what happened to h since its reason was prev; empty for
// nothing (still up, or still down for the same reason).
func change(prev probes.Reason, h *HostReport) Change {
	wasUp, known := prev.OK(), prev != probes.NotChecked
	switch {
	case h.OK && (!known || !wasUp):
		return ChangeUp
	case !h.OK && (!known || wasUp):
		return ChangeDown
	case !h.OK && prev != h.Reason:
		return ChangeReason
	}
	return ""
}
