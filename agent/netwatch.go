package agent

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// NetworkWatcher tells the agent that the PC's network changed, so that
// a laptop moved from the office to a hotel does not show the office's
// verdict until the next interval.
type NetworkWatcher interface {
	// Watch calls changed with TriggerNetworkChange or TriggerWake each
	// time it sees one, until ctx ends. changed must not block.
	Watch(ctx context.Context, changed func(Trigger))
}

// Defaults of PollWatcher.
const (
	DefaultPollEvery = 2 * time.Second
	// DefaultWakeJump is how far the wall clock may run ahead of the
	// monotonic one between two polls before it counts as a wake: the
	// monotonic clock stands still while the PC sleeps.
	DefaultWakeJump = 10 * time.Second
	// maxUnsettled is how many polls a network that keeps changing may
	// hold back its report: a flapping link still gets a run.
	maxUnsettled = 4
)

// PollWatcher is the portable NetworkWatcher: every Every it takes a
// fingerprint of the interfaces that are up, their addresses and, where
// the OS shows it cheaply, the default route. A change is reported once
// the fingerprint holds still for one poll (debounced: a Wi-Fi join
// changes several things in a row), so within two polls of it. It is
// NativeWatcher's fallback where the OS's notifications cannot be opened;
// NativeWatcher runs the same comparison, woken by the kernel instead.
type PollWatcher struct {
	Every    time.Duration // zero: DefaultPollEvery
	WakeJump time.Duration // zero: DefaultWakeJump
	// Fingerprint describes the network; nil means NetworkFingerprint.
	Fingerprint func() (string, error)
}

// Watch implements NetworkWatcher.
func (w PollWatcher) Watch(ctx context.Context, changed func(Trigger)) {
	w.watch(ctx, changed, nil, 0, 0)
}

// watch is the one implementation of "did the network really change":
// a fingerprint on every tick and, while events is open, settle after a
// kernel event (the event only wakes the comparison). The tick is every
// while events is open, w.Every (the fast poll) once it closes.
func (w PollWatcher) watch(ctx context.Context, changed func(Trigger), events <-chan struct{}, every, settle time.Duration) {
	fast, l := w.loop(changed, events, settle)
	if events == nil || every <= 0 {
		every = fast
	}
	t := time.NewTicker(every)
	defer t.Stop()
	defer l.st.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			l.check(now)
		case now := <-l.st.C:
			l.armed = false
			l.check(now)
		case _, ok := <-l.events:
			if !ok { // the source broke: back to the fast poll
				l.events = nil
				t.Reset(fast)
				continue
			}
			l.arm()
		}
	}
}

// loop fills in w's defaults and takes the first fingerprint.
func (w PollWatcher) loop(changed func(Trigger), events <-chan struct{}, settle time.Duration) (time.Duration, *watchLoop) {
	fast, jump, fp := w.Every, w.WakeJump, w.Fingerprint
	if fast <= 0 {
		fast = DefaultPollEvery
	}
	if jump <= 0 {
		jump = DefaultWakeJump
	}
	if fp == nil {
		fp = NetworkFingerprint
	}
	st := time.NewTimer(settle)
	st.Stop()
	return fast, &watchLoop{
		fp: fp, jump: jump, settle: settle, changed: changed, events: events, st: st,
		s: pollState{last: fingerprintOrError(fp), at: time.Now()},
	}
}

// watchLoop is the state of one watch.
type watchLoop struct {
	fp      func() (string, error)
	jump    time.Duration
	settle  time.Duration
	changed func(Trigger)
	events  <-chan struct{} // nil: polling only
	// st is armed only between a kernel event (or an unsettled change)
	// and the check it asks for: a burst of events is one check per settle.
	st    *time.Timer
	armed bool
	s     pollState
}

func (l *watchLoop) arm() {
	if !l.armed && l.events != nil {
		l.st.Reset(l.settle)
		l.armed = true
	}
}

func (l *watchLoop) check(now time.Time) {
	// The wall clock moves on during sleep, the monotonic one does not.
	slept := now.Round(0).Sub(l.s.at.Round(0))-now.Sub(l.s.at) > l.jump
	l.s.at = now
	if tr, ok := l.s.step(fingerprintOrError(l.fp), slept); ok {
		l.changed(tr)
	}
	if l.s.unsettled > 0 {
		l.arm() // the hold-still check comes after settle, not the slow tick
	}
}

// pollState is PollWatcher's memory between polls.
type pollState struct {
	last      string
	at        time.Time // the previous poll, wall and monotonic
	unsettled int       // polls since a change that is not reported yet
}

// step takes one poll's fingerprint and says whether to report, and what.
func (s *pollState) step(cur string, slept bool) (Trigger, bool) {
	changed := cur != s.last
	s.last = cur
	switch {
	case slept:
		s.unsettled = 0
		return TriggerWake, true
	case changed && s.unsettled < maxUnsettled:
		s.unsettled++
		return "", false
	case changed || s.unsettled > 0:
		s.unsettled = 0
		return TriggerNetworkChange, true
	}
	return "", false
}

// fingerprintOrError folds an error into the fingerprint: an OS that
// starts or stops failing to list its interfaces has changed too.
func fingerprintOrError(fp func() (string, error)) string {
	s, err := fp()
	if err != nil {
		return "error: " + err.Error()
	}
	return s
}

// NetworkFingerprint describes the PC's network in one string: every
// interface that is up with its addresses, in a stable order, and the
// default route where the OS shows it (defaultRoutes).
func NetworkFingerprint() (string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return "", fmt.Errorf("list network interfaces: %w", err)
	}
	var lines []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			return "", fmt.Errorf("addresses of %s: %w", ifc.Name, err)
		}
		as := make([]string, 0, len(addrs))
		for _, a := range addrs {
			as = append(as, a.String())
		}
		slices.Sort(as)
		lines = append(lines, ifc.Name+" "+ifc.Flags.String()+" "+strings.Join(as, ","))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\nroutes: " + defaultRoutes(), nil
}
