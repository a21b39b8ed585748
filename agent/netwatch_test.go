package agent

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPollStateDebounces(t *testing.T) {
	t.Parallel()
	type poll struct {
		fp    string
		slept bool
		want  Trigger // "" for no report
	}
	tests := []struct {
		name  string
		polls []poll
	}{
		{"nothing changes", []poll{{"a", false, ""}, {"a", false, ""}}},
		{"a change is reported once it holds still", []poll{{"b", false, ""}, {"b", false, TriggerNetworkChange}, {"b", false, ""}}},
		{"a burst of changes is one report", []poll{{"b", false, ""}, {"c", false, ""}, {"c", false, TriggerNetworkChange}}},
		{"a flapping link still gets a run", []poll{{"b", false, ""}, {"c", false, ""}, {"d", false, ""}, {"e", false, ""}, {"f", false, TriggerNetworkChange}}},
		{"a wake is reported at once", []poll{{"a", true, TriggerWake}, {"a", false, ""}}},
		{"a wake with a new network is one run", []poll{{"b", true, TriggerWake}, {"b", false, ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pollState{last: "a"}
			for i, p := range tc.polls {
				got, ok := s.step(p.fp, p.slept)
				if ok != (p.want != "") || got != p.want {
					t.Fatalf("poll %d (%q): got %q %v, want %q", i, p.fp, got, ok, p.want)
				}
			}
		})
	}
}

// TestPollWatcherReportsAChange runs the watcher on a fingerprint that
// changes once and waits for its report.
func TestPollWatcherReportsAChange(t *testing.T) {
	t.Parallel()
	var polls atomic.Int32
	fp := func() (string, error) {
		if polls.Add(1) > 3 {
			return "", errors.New("interfaces gone") // a change too
		}
		return "eth0 up 10.0.0.2/24", nil
	}
	got := make(chan Trigger, 8)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go PollWatcher{Every: 5 * time.Millisecond, Fingerprint: fp}.Watch(ctx, func(tr Trigger) { got <- tr })
	select {
	case tr := <-got:
		if tr != TriggerNetworkChange {
			t.Errorf("trigger %q, want network_change", tr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no report of the change")
	}
}

// TestNetworkFingerprintSeesLoopback: the fingerprint lists the
// interfaces that are up with their addresses. (Two fingerprints are not
// compared: other packages' tests add interfaces meanwhile.)
func TestNetworkFingerprintSeesLoopback(t *testing.T) {
	t.Parallel()
	fp, err := NetworkFingerprint()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fp, "127.0.0.1/8") {
		t.Errorf("no loopback address in the fingerprint:\n%s", fp)
	}
}

// BenchmarkNetworkFingerprint is the cost of one poll of PollWatcher
// (one every 2 s).
func BenchmarkNetworkFingerprint(b *testing.B) {
	for b.Loop() {
		if _, err := NetworkFingerprint(); err != nil {
			b.Fatal(err)
		}
	}
}
