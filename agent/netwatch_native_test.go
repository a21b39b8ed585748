package agent

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// fakeEvents is a NetworkEvents a test drives: a token on ch is a kernel
// event, an error on fail breaks the source.
type fakeEvents struct {
	ch     chan struct{}
	fail   chan error
	done   chan struct{}
	closed atomic.Int32
}

func newFakeEvents() *fakeEvents {
	return &fakeEvents{ch: make(chan struct{}), fail: make(chan error, 1), done: make(chan struct{})}
}

func (f *fakeEvents) Wait() error {
	select {
	case <-f.ch:
		return nil
	case err := <-f.fail:
		return err
	case <-f.done:
		return os.ErrClosed
	}
}

func (f *fakeEvents) Close() error {
	if f.closed.Add(1) == 1 {
		close(f.done)
	}
	return nil
}

// flipFingerprint describes a network that changes when flip is set;
// calls counts the looks.
func flipFingerprint(flip *atomic.Bool, calls *atomic.Int32) func() (string, error) {
	return func() (string, error) {
		calls.Add(1)
		if flip.Load() {
			return "eth0 up 10.0.0.2/24", nil
		}
		return "eth0 up 192.168.1.5/24", nil
	}
}

// waitLooked waits for the watcher's first fingerprint, so that a change
// made afterwards is one.
func waitLooked(t *testing.T, calls *atomic.Int32) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); calls.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no fingerprint taken")
		}
	}
}

func waitTrigger(t *testing.T, got <-chan Trigger, want Trigger) {
	t.Helper()
	select {
	case tr := <-got:
		if tr != want {
			t.Fatalf("trigger %q, want %q", tr, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s report", want)
	}
}

// TestNativeWatcherEventWakesComparison: with both polls an hour apart,
// only the event can make the watcher look, and the change it then sees
// is reported; the source is closed when ctx ends.
func TestNativeWatcherEventWakesComparison(t *testing.T) {
	t.Parallel()
	src := newFakeEvents()
	var flip atomic.Bool
	var calls atomic.Int32
	w := NativeWatcher{
		Poll:     PollWatcher{Every: time.Hour, Fingerprint: flipFingerprint(&flip, &calls)},
		SlowPoll: time.Hour, Settle: time.Millisecond,
		Open:     func() (NetworkEvents, error) { return src, nil },
		Fallback: func(err error) { t.Errorf("fallback: %v", err) },
	}
	got := make(chan Trigger, 8)
	ctx, cancel := context.WithCancel(t.Context())
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		w.Watch(ctx, func(tr Trigger) { got <- tr })
	}()
	waitLooked(t, &calls)
	flip.Store(true)
	src.ch <- struct{}{}
	waitTrigger(t, got, TriggerNetworkChange)
	cancel()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return after ctx ended")
	}
	if src.closed.Load() != 1 {
		t.Errorf("source closed %d times, want 1", src.closed.Load())
	}
}

// TestNativeWatcherFallsBack: when the notifications cannot be opened or
// break later, the watcher says so once and polls fast instead.
func TestNativeWatcherFallsBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		open   func() (NetworkEvents, error)
		breaks bool
	}{
		{"cannot open", func() (NetworkEvents, error) { return nil, errors.New("no netlink here") }, false},
		{"breaks later", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeEvents()
			open := tc.open
			if open == nil {
				open = func() (NetworkEvents, error) { return src, nil }
			}
			var flip atomic.Bool
			var calls atomic.Int32
			var fallbacks atomic.Int32
			told := make(chan struct{}, 4)
			w := NativeWatcher{
				Poll:     PollWatcher{Every: 5 * time.Millisecond, Fingerprint: flipFingerprint(&flip, &calls)},
				SlowPoll: time.Hour, Settle: time.Hour,
				Open:     open,
				Fallback: func(error) { fallbacks.Add(1); told <- struct{}{} },
			}
			got := make(chan Trigger, 8)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			go w.Watch(ctx, func(tr Trigger) { got <- tr })
			if tc.breaks {
				src.fail <- errors.New("recvmsg: broken")
			}
			select {
			case <-told:
			case <-time.After(10 * time.Second):
				t.Fatal("the fallback was not reported")
			}
			waitLooked(t, &calls)
			flip.Store(true) // only the fast poll can see this: no events, no slow poll
			waitTrigger(t, got, TriggerNetworkChange)
			if n := fallbacks.Load(); n != 1 {
				t.Errorf("fallback reported %d times, want 1", n)
			}
		})
	}
}
