package service

import (
	"fmt"
	"strconv"
	"strings"

	kservice "github.com/kardianos/service"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// Event IDs of the transitions in the Windows Event Log (source pbprobe),
// for RMM event monitors to match on. kardianos/service registers the
// source with EventCreate.exe's message file, which has texts for IDs 1 to
// 1000 only.
const (
	EventHostUp   uint32 = 100
	EventHostDown uint32 = 101
)

// eventLogger is the part of kardianos' WindowsLogger that takes event IDs;
// syslog has no such thing.
type eventLogger interface {
	NInfo(eventID uint32, v ...any) error
	NWarning(eventID uint32, v ...any) error
}

// TransitionHook writes one line to l for each host that goes down
// (warning) or comes back up (info), including each host's state after
// the first run, so that an alert raised before a restart is resolved. The
// transitions are the agent's, the same the log file records. The words
// are English and fixed: event monitors match on them.
//
// Write errors are dropped: the log file has the same transitions, and a
// full or broken Event Log must not stop the probing.
func TransitionHook(l kservice.Logger) agent.RunHook {
	return func(ev agent.RunEvent) {
		for _, tr := range ev.Transitions {
			switch tr.Change {
			case agent.ChangeDown:
				writeDown(l, tr.Host, tr.Initial)
			case agent.ChangeUp:
				writeUp(l, tr)
			}
		}
	}
}

func hostPort(h *agent.HostReport) string { return h.Host + ":" + strconv.Itoa(h.Port) }

// The lines are "host down: HOST:PORT key=value ...": one line, so that
// event monitors and grep see the whole story; values that may hold spaces
// are quoted.

func writeDown(l kservice.Logger, h *agent.HostReport, initial bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "host down: %s reason=%s stage=%s required=%t", hostPort(h), h.Reason, h.Stage, h.Required)
	if h.TLS != nil && h.Stage == probes.StageTLS && h.TLS.Issuer != "" {
		fmt.Fprintf(&b, " issuer=%s", strconv.Quote(h.TLS.Issuer))
	}
	if h.Error != "" {
		fmt.Fprintf(&b, " error=%s", strconv.Quote(h.Error))
	}
	if initial {
		b.WriteString(" at_start=true")
	}
	if el, ok := l.(eventLogger); ok {
		_ = el.NWarning(EventHostDown, b.String())
		return
	}
	_ = l.Warning(b.String())
}

func writeUp(l kservice.Logger, tr agent.Transition) {
	var b strings.Builder
	fmt.Fprintf(&b, "host up: %s", hostPort(tr.Host))
	if tr.Initial {
		b.WriteString(" at_start=true")
	} else {
		fmt.Fprintf(&b, " previous_reason=%s", tr.Previous)
		if tr.DownFor > 0 {
			fmt.Fprintf(&b, " down_for=%s", tr.DownFor)
		}
	}
	if el, ok := l.(eventLogger); ok {
		_ = el.NInfo(EventHostUp, b.String())
		return
	}
	_ = l.Info(b.String())
}
