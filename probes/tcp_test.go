//go:build unix

package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// dialStep is what a scripted dial does: after a delay it fails with err or,
// when err is nil, connects; hang waits for cancellation instead.
type dialStep struct {
	after time.Duration
	err   error
	hang  bool
}

// scriptDialer answers each "ip:port" with its step, honouring ctx the way
// net.Dialer does.
type scriptDialer map[string]dialStep

func (s scriptDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	st, ok := s[addr]
	if !ok {
		return nil, fmt.Errorf("unscripted address %s", addr)
	}
	var after <-chan time.Time
	if !st.hang {
		after = time.After(st.after)
	}
	select {
	case <-ctx.Done():
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	case <-after:
	}
	if st.err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: st.err}
	}
	c, peer := net.Pipe()
	peer.Close()
	return c, nil
}

// att is one attempt as the race test expects it.
type att struct {
	addr    netip.Addr
	outcome TCPOutcome
}

func (a att) String() string { return a.addr.String() + " " + string(a.outcome) }

// TestConnectRace drives connect with scripted dials: which attempts are
// started, how each is recorded, who wins. Delays leave at least 100 ms of
// margin around attemptDelay (250 ms) and the grace.
func TestConnectRace(t *testing.T) {
	t.Parallel()
	var (
		v6a = netip.MustParseAddr("2001:db8::1")
		v6b = netip.MustParseAddr("2001:db8::2")
		v4a = netip.MustParseAddr("192.0.2.1")
		v4b = netip.MustParseAddr("192.0.2.2")
		v4c = netip.MustParseAddr("192.0.2.3")
		v4d = netip.MustParseAddr("192.0.2.4")
	)
	connect := dialStep{}
	hang := dialStep{hang: true}
	refuse := dialStep{err: syscall.ECONNREFUSED}
	unreach := dialStep{err: syscall.ENETUNREACH}
	tests := []struct {
		name     string
		addrs    []netip.Addr
		script   map[netip.Addr]dialStep
		reason   Reason
		winner   netip.Addr    // zero when none connects
		attempts []att         // in interleaved order
		under    time.Duration // with pace: "at once" rather than after a pause
		pace     time.Duration // the pause between attempts; zero: attemptDelay
		deadline time.Duration // the TCP phase's; zero means 5 s
	}{
		{
			name:     "a refusal moves on at once",
			addrs:    []netip.Addr{v4a, v4b},
			script:   map[netip.Addr]dialStep{v4a: refuse, v4b: connect},
			reason:   ReasonOK,
			winner:   v4b,
			attempts: []att{{v4a, TCPOutRefused}, {v4b, TCPConnected}},
			// With a 10 s pause, only moving on at the refusal ends well
			// within the 5 s deadline; no tight timing involved.
			pace:  10 * time.Second,
			under: 3 * time.Second,
		},
		{
			name:     "a silent address loses the race to the next",
			addrs:    []netip.Addr{v4a, v4b},
			script:   map[netip.Addr]dialStep{v4a: hang, v4b: connect},
			reason:   ReasonOK,
			winner:   v4b,
			attempts: []att{{v4a, TCPOutCanceled}, {v4b, TCPConnected}},
		},
		{
			name:     "addresses never started are left out",
			addrs:    []netip.Addr{v4a, v4b, v4c},
			script:   map[netip.Addr]dialStep{v4a: connect},
			reason:   ReasonOK,
			winner:   v4a,
			attempts: []att{{v4a, TCPConnected}},
		},
		{
			name:     "the other family proves itself within the grace",
			addrs:    []netip.Addr{v4a, v6a},
			script:   map[netip.Addr]dialStep{v6a: connect, v4a: {after: 100 * time.Millisecond}},
			reason:   ReasonOK,
			winner:   v6a,
			attempts: []att{{v6a, TCPConnected}, {v4a, TCPConnected}},
		},
		{
			name:     "a silent other family times out at the grace",
			addrs:    []netip.Addr{v6a, v4a},
			script:   map[netip.Addr]dialStep{v6a: hang, v4a: connect},
			reason:   ReasonOK,
			winner:   v4a,
			attempts: []att{{v6a, TCPOutTimeout}, {v4a, TCPConnected}},
		},
		{
			name:   "the other family's next address after a refusal within the grace",
			addrs:  []netip.Addr{v6a, v6b, v4a, v4b},
			script: map[netip.Addr]dialStep{v6a: {after: 400 * time.Millisecond, err: syscall.ECONNREFUSED}, v4a: connect, v6b: connect},
			reason: ReasonOK,
			winner: v4a,
			attempts: []att{
				{v6a, TCPOutRefused}, {v4a, TCPConnected}, {v6b, TCPConnected},
			},
		},
		{
			// Once the grace is over the other family gets nothing new:
			// a broken family costs FamilyGrace, not the TCP deadline.
			name:     "no new attempt for the other family after its grace",
			addrs:    []netip.Addr{v6a, v6b, v4a},
			script:   map[netip.Addr]dialStep{v6a: hang, v6b: hang, v4a: connect},
			reason:   ReasonOK,
			winner:   v4a,
			attempts: []att{{v6a, TCPOutTimeout}, {v4a, TCPConnected}},
		},
		{
			// The other family's first address failed before the winner
			// connected: its next one still gets its chance.
			name:  "the other family's next address when its first failed before the win",
			addrs: []netip.Addr{v6a, v6b, v4a},
			// v6b is slower than v4a, so that it cannot win even when a
			// loaded machine lets the pacing timer start it early.
			script:   map[netip.Addr]dialStep{v6a: refuse, v4a: {after: 20 * time.Millisecond}, v6b: {after: 100 * time.Millisecond}},
			reason:   ReasonOK,
			winner:   v4a,
			attempts: []att{{v6a, TCPOutRefused}, {v4a, TCPConnected}, {v6b, TCPConnected}},
		},
		{
			name:   "no address at all",
			addrs:  nil,
			script: map[netip.Addr]dialStep{},
			reason: TCPUnreachable,
		},
		{
			name:     "no address connects: a refusal is the verdict",
			addrs:    []netip.Addr{v6a, v4a},
			script:   map[netip.Addr]dialStep{v6a: unreach, v4a: refuse},
			reason:   TCPRefused,
			attempts: []att{{v6a, TCPOutUnreach}, {v4a, TCPOutRefused}},
		},
		{
			// The deadline falls while v4b and v4c are still silent and
			// before v4d's turn (at 500 ms): v4a's refusal speaks only for
			// v4a, and v4d, never tried, is not listed.
			name:     "the deadline ends the race with addresses untried: a timeout despite a refusal",
			addrs:    []netip.Addr{v4a, v4b, v4c, v4d},
			script:   map[netip.Addr]dialStep{v4a: refuse, v4b: hang, v4c: hang, v4d: refuse},
			reason:   TCPTimeout,
			attempts: []att{{v4a, TCPOutRefused}, {v4b, TCPOutTimeout}, {v4c, TCPOutTimeout}},
			deadline: 400 * time.Millisecond,
		},
		{
			name:     "every address refused before the deadline: refused",
			addrs:    []netip.Addr{v4a, v4b, v4c},
			script:   map[netip.Addr]dialStep{v4a: refuse, v4b: refuse, v4c: refuse},
			reason:   TCPRefused,
			attempts: []att{{v4a, TCPOutRefused}, {v4b, TCPOutRefused}, {v4c, TCPOutRefused}},
			deadline: 400 * time.Millisecond,
		},
		{
			name:     "no address connects: unreachable when nothing answered",
			addrs:    []netip.Addr{v6a, v4a},
			script:   map[netip.Addr]dialStep{v6a: unreach, v4a: unreach},
			reason:   TCPUnreachable,
			attempts: []att{{v6a, TCPOutUnreach}, {v4a, TCPOutUnreach}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			script := scriptDialer{}
			for a, st := range tc.script {
				script[netip.AddrPortFrom(a, 443).String()] = st
			}
			p := &Prober{opts: Options{Dialer: script, FamilyGrace: time.Second}, pace: tc.pace}
			deadline := tc.deadline
			if deadline == 0 {
				deadline = 5 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			conn, res, finish, reason, err := p.connect(ctx, Target{Host: "race.test", Port: 443}, tc.addrs)
			elapsed := time.Since(start)
			finish()
			if conn != nil {
				conn.Close()
			}
			checkConnect(t, tc.reason, tc.winner, reason, err, conn, res)
			if tc.under > 0 && elapsed >= tc.under {
				t.Errorf("connect took %s, want under %s", elapsed, tc.under)
			}
			got := make([]att, len(res.Attempts))
			for i, a := range res.Attempts {
				got[i] = att{a.Address.Addr(), a.Outcome}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.attempts) {
				t.Errorf("attempts %v, want %v", got, tc.attempts)
			}
		})
	}
}

// TestConnectDeadlineLongList: 2,000 addresses that each refuse after a
// while, under a deadline that leaves time for a few dozen of them. The
// verdict is a timeout, only the attempts started are listed, each with an
// outcome, and the race ends at the deadline.
func TestConnectDeadlineLongList(t *testing.T) {
	t.Parallel()
	const n = 2000
	script := scriptDialer{}
	addrs := make([]netip.Addr, n)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})
		script[netip.AddrPortFrom(addrs[i], 443).String()] = dialStep{after: 5 * time.Millisecond, err: syscall.ECONNREFUSED}
	}
	p := &Prober{opts: Options{Dialer: script, FamilyGrace: time.Second}}
	const deadline = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	conn, res, finish, reason, err := p.connect(ctx, Target{Host: "many.test", Port: 443}, addrs)
	elapsed := time.Since(start)
	finish()
	checkConnect(t, TCPTimeout, netip.Addr{}, reason, err, conn, res)
	// Trying every address would take 10 s; the margin is for a loaded
	// machine under -race, not for the race itself.
	if elapsed > 3*time.Second {
		t.Errorf("connect took %s under a %s deadline", elapsed, deadline)
	}
	if len(res.Attempts) == 0 || len(res.Attempts) >= n {
		t.Fatalf("%d attempts listed, want those started: more than none, fewer than %d", len(res.Attempts), n)
	}
	for i, a := range res.Attempts {
		if a.Outcome != TCPOutRefused && a.Outcome != TCPOutTimeout {
			t.Errorf("attempt %d (%s): outcome %q", i, a.Address, a.Outcome)
		}
		if a.Address.Addr() != addrs[i] {
			t.Errorf("attempt %d is %s, want %s: attempts are listed in the order tried", i, a.Address, addrs[i])
		}
	}
}

func checkConnect(t *testing.T, wantReason Reason, winner netip.Addr, reason Reason, err error, conn net.Conn, res *TCPResult) {
	t.Helper()
	if reason != wantReason {
		t.Errorf("reason %s (%v), want %s", reason, err, wantReason)
	}
	if (err == nil) != (reason == ReasonOK) || (conn != nil) != (reason == ReasonOK) {
		t.Errorf("reason %s with err %v and conn %v", reason, err, conn)
	}
	if res.Address.Addr() != winner {
		t.Errorf("connected to %s, want %s", res.Address, winner)
	}
}
