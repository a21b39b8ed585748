package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Defaults of NativeWatcher.
const (
	// DefaultSlowPoll is the poll kept beside the OS's notifications: it
	// catches what they might miss and, since the wall clock is compared
	// on every check, finds a wake from sleep within it (the bar
	// is 10 s) even when the wake changes nothing on the network.
	DefaultSlowPoll = 10 * time.Second
	// DefaultSettle is how long after a kernel event the fingerprint is
	// taken: a Wi-Fi join or a DHCP lease is a burst of events, and one
	// look after it sees them all. A change is reported once the
	// fingerprint holds still for one more settle, so about 1 s after the
	// last event.
	DefaultSettle = 500 * time.Millisecond
)

// NetworkEvents is an OS's notification that the network may have
// changed: netlink on Linux, the routing socket on macOS,
// NotifyIpInterfaceChange and friends on Windows. It says only that
// something happened; the fingerprint comparison decides whether it
// matters.
type NetworkEvents interface {
	// Wait blocks until the OS reports a change; an error means the
	// source is closed or broken and Wait must not be called again.
	Wait() error
	// Close releases the source and makes a blocked Wait return.
	Close() error
}

// NativeWatcher is the agent's NetworkWatcher: the OS wakes the
// fingerprint comparison of PollWatcher within DefaultSettle of a change,
// and a slow poll stays as a safety net. Where the notifications cannot
// be opened it falls back to PollWatcher's fast poll.
type NativeWatcher struct {
	// Poll is the comparison and its fallback: its Every is the fast poll
	// used when the OS's notifications fail.
	Poll     PollWatcher
	SlowPoll time.Duration // zero: DefaultSlowPoll
	Settle   time.Duration // zero: DefaultSettle
	// Open opens the notifications; nil means the OS's own.
	Open func() (NetworkEvents, error)
	// Fallback, when not nil, is told why the notifications are not (or
	// no longer) used; it is called at most once per Watch.
	Fallback func(error)
}

// Watch implements NetworkWatcher.
func (w NativeWatcher) Watch(ctx context.Context, changed func(Trigger)) {
	slow, settle, open := w.SlowPoll, w.Settle, w.Open
	if slow <= 0 {
		slow = DefaultSlowPoll
	}
	if settle <= 0 {
		settle = DefaultSettle
	}
	if open == nil {
		open = OpenNetworkEvents
	}
	src, err := open()
	if err != nil {
		w.fallback(fmt.Errorf("network change notifications: %w; polling every %s instead", err, pollEvery(w.Poll)))
		w.Poll.Watch(ctx, changed)
		return
	}
	events := make(chan struct{}, 1)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		pump(src, events, w.fallback, pollEvery(w.Poll))
	}()
	defer func() {
		_ = src.Close() // unblocks Wait
		<-pumped
	}()
	w.Poll.watch(ctx, changed, events, slow, settle)
}

// pump turns the source's reports into wakes of the comparison, folding
// those the comparison has not taken yet into one, until the source ends;
// then it closes events. A source that breaks by itself is reported.
func pump(src NetworkEvents, events chan<- struct{}, fallback func(error), fast time.Duration) {
	defer close(events)
	for {
		err := src.Wait()
		if err != nil {
			if !isClosed(err) {
				fallback(fmt.Errorf("network change notifications stopped: %w; polling every %s instead", err, fast))
			}
			return
		}
		select {
		case events <- struct{}{}:
		default:
		}
	}
}

func (w NativeWatcher) fallback(err error) {
	if w.Fallback != nil {
		w.Fallback(err)
	}
}

func pollEvery(p PollWatcher) time.Duration {
	if p.Every > 0 {
		return p.Every
	}
	return DefaultPollEvery
}

// isClosed: the source ended because it was closed, not broken.
func isClosed(err error) bool {
	return errors.Is(err, os.ErrClosed) || errors.Is(err, net.ErrClosed)
}
