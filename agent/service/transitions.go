package service

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

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
// words are English and fixed: event monitors match on them.
//
// Write errors are dropped: the log file has the same transitions, and a
// full or broken Event Log must not stop the probing.
func TransitionHook(l kservice.Logger) agent.RunHook {
	var (
		mu        sync.Mutex
		downSince = map[string]time.Time{}
	)
	return func(prev, cur *agent.Document) {
		if cur == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		before := map[string]*agent.HostReport{}
		if prev != nil {
			for i := range prev.Hosts {
				before[hostPort(&prev.Hosts[i])] = &prev.Hosts[i]
			}
		}
		for i := range cur.Hosts {
			h := &cur.Hosts[i]
			if h.Reason == probes.NotChecked {
				continue
			}
			key := hostPort(h)
			p := before[key]
			initial := p == nil || p.Reason == probes.NotChecked
			switch {
			case !h.OK && (initial || p.OK):
				downSince[key] = cur.CheckedAt
				writeDown(l, h, initial)
			case h.OK && (initial || !p.OK):
				var downFor time.Duration
				if since, ok := downSince[key]; ok && !since.IsZero() {
					downFor = cur.CheckedAt.Sub(since).Round(time.Second)
				}
				delete(downSince, key)
				writeUp(l, h, p, initial, downFor)
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

func writeUp(l kservice.Logger, h, prev *agent.HostReport, initial bool, downFor time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "host up: %s", hostPort(h))
	if initial {
		b.WriteString(" at_start=true")
	} else {
		fmt.Fprintf(&b, " previous_reason=%s", prev.Reason)
		if downFor > 0 {
			fmt.Fprintf(&b, " down_for=%s", downFor)
		}
	}
	if el, ok := l.(eventLogger); ok {
		_ = el.NInfo(EventHostUp, b.String())
		return
	}
	_ = l.Info(b.String())
}
