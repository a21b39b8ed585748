package probes

import (
	"context"
	"testing"
	"time"
)

// TestPhaseBudget: the documented split of the per-host timeout, and a
// caller's earlier deadline still winning over a phase's.
func TestPhaseBudget(t *testing.T) {
	if sum := reserveDNS + reserveTCP + reserveTLS + reserveHTTP; sum != 100 {
		t.Fatalf("reserves add up to %d %%, want 100", sum)
	}
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	b := budget{start: start, timeout: 10 * time.Second}
	tests := []struct {
		stage Stage
		want  time.Duration
	}{
		{StageDNS, 3 * time.Second},
		{StageTCP, 6 * time.Second},
		{StageProxy, 6 * time.Second},
		{StageTLS, 8500 * time.Millisecond},
		{StageHTTP, 10 * time.Second},
	}
	for _, tc := range tests {
		if got := b.deadline(tc.stage).Sub(start); got != tc.want {
			t.Errorf("%s ends %s after the start, want %s", tc.stage, got, tc.want)
		}
	}
	if !b.end().Equal(b.deadline(StageHTTP)) {
		t.Errorf("HTTP ends at %s, the host at %s", b.deadline(StageHTTP), b.end())
	}

	now := newBudget(time.Hour)
	parent, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ctx, pcancel := now.phase(parent, StageTLS)
	defer pcancel()
	want, _ := parent.Deadline()
	if got, _ := ctx.Deadline(); !got.Equal(want) {
		t.Errorf("phase deadline %s, want the caller's earlier %s", got, want)
	}
}
