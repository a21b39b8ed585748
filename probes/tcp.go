package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// attemptDelay is how long one connect attempt runs alone before the next
// address gets its own (RFC 8305's recommended 250 ms).
const attemptDelay = 250 * time.Millisecond

var (
	errLostRace   = errors.New("another address connected first")
	errGraceEnded = errors.New("no answer within the grace period after the other address family connected")
)

type attemptResult struct {
	idx  int
	conn net.Conn
	err  error
	dur  time.Duration
}

// connect runs the TCP stage happy-eyeballs style: addresses interleaved by
// family, a new attempt every attemptDelay or as soon as one fails, the first
// to connect wins. The other family keeps FamilyGrace to prove itself, so a
// broken family becomes a warning instead of costing the whole timeout. That
// grace runs while TLS proceeds: finish blocks until it is over and the
// attempts are recorded in the returned TCPResult. ctx carries the TCP
// phase's deadline, which bounds the grace too; it must live until finish
// has returned.
func (p *Prober) connect(ctx context.Context, t Target, addrs []netip.Addr) (conn net.Conn, res *TCPResult, finish func(), reason Reason, err error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)

	order := interleave(addrs)
	res = &TCPResult{Attempts: make([]TCPAttempt, len(order))}
	for i, a := range order {
		res.Attempts[i] = TCPAttempt{Address: netip.AddrPortFrom(a, uint16(t.Port))}
	}
	started := make([]bool, len(order))
	cancels := make([]context.CancelCauseFunc, len(order))
	results := make(chan attemptResult, len(order))
	running := 0

	launch := func(i int) {
		actx, acancel := context.WithCancelCause(ctx)
		started[i], cancels[i] = true, acancel
		running++
		addr := res.Attempts[i].Address.String()
		go func() {
			s := time.Now()
			c, err := p.opts.Dialer.DialContext(actx, "tcp", addr)
			if err != nil {
				if cause := context.Cause(actx); cause != nil && actx.Err() != nil {
					err = fmt.Errorf("%w: %w", cause, err)
				}
			}
			results <- attemptResult{idx: i, conn: c, err: err, dur: time.Since(s)}
		}()
	}
	// nextFor returns the next unstarted attempt, of the given family when
	// family is valid, or -1.
	nextFor := func(winner netip.Addr) int {
		if ctx.Err() != nil {
			return -1 // out of time: an attempt now would only record a fake timeout
		}
		for i, a := range order {
			if started[i] {
				continue
			}
			if !winner.IsValid() || a.Is4() != winner.Is4() {
				return i
			}
		}
		return -1
	}

	winner := -1
	var graceC <-chan time.Time
	timer := time.NewTimer(attemptDelay)
	defer timer.Stop()
	launch(0)

	// collect runs until every started attempt has reported. Before a winner
	// it also decides the verdict; after, it only records the other family.
	collect := func(untilWinner bool) {
		for running > 0 {
			if untilWinner && winner >= 0 {
				return
			}
			select {
			case r := <-results:
				running--
				record(res, r)
				if r.err == nil {
					if winner < 0 {
						winner = r.idx
						conn = r.conn
						res.Address = res.Attempts[r.idx].Address
						res.Duration = time.Since(start)
						w := order[r.idx]
						for i, a := range order {
							if started[i] && i != r.idx && a.Is4() == w.Is4() {
								cancels[i](errLostRace)
							}
						}
						if i := nextFor(w); i >= 0 && !familyStarted(order, started, !w.Is4()) {
							launch(i)
						}
						graceC = time.After(p.opts.FamilyGrace)
					} else {
						r.conn.Close() // the other family proved itself
					}
					continue
				}
				if winner < 0 {
					if i := nextFor(netip.Addr{}); i >= 0 {
						launch(i)
						timer.Reset(attemptDelay)
					}
				} else if i := nextFor(order[winner]); i >= 0 {
					launch(i)
				}
			case <-timer.C:
				if winner < 0 {
					if i := nextFor(netip.Addr{}); i >= 0 {
						launch(i)
						timer.Reset(attemptDelay)
					}
				}
			case <-graceC:
				for i := range order {
					if started[i] && i != winner {
						cancels[i](errGraceEnded)
					}
				}
				graceC = nil
			}
		}
	}

	collect(true)
	if winner < 0 {
		cancel()
		res.Duration = time.Since(start)
		reason, err = tcpVerdict(res.Attempts, started)
		return nil, res, func() {}, reason, fmt.Errorf("tcp %s port %d: %w", t.Host, t.Port, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		collect(false)
		// Attempts never started are dropped: they were not tried.
		kept := res.Attempts[:0]
		for i, a := range res.Attempts {
			if started[i] {
				kept = append(kept, a)
			}
		}
		res.Attempts = kept
	}()
	return conn, res, func() { <-done }, ReasonOK, nil
}

func familyStarted(order []netip.Addr, started []bool, v4 bool) bool {
	for i, a := range order {
		if started[i] && a.Is4() == v4 {
			return true
		}
	}
	return false
}

func record(res *TCPResult, r attemptResult) {
	a := &res.Attempts[r.idx]
	a.Duration, a.Err = r.dur, r.err
	switch {
	case r.err == nil:
		a.Outcome = TCPConnected
	case errors.Is(r.err, errLostRace):
		a.Outcome = TCPOutCanceled
	case errors.Is(r.err, errGraceEnded):
		a.Outcome = TCPOutTimeout
	default:
		a.Outcome = dialOutcome(r.err)
	}
}

// dialOutcome classifies a failed connect from its typed error.
func dialOutcome(err error) TCPOutcome {
	switch {
	case isRefused(err):
		return TCPOutRefused
	case isTimeout(err):
		return TCPOutTimeout
	default:
		// No route, ICMP unreachable or administratively prohibited, no
		// source address for the family, a local firewall's EPERM: all say
		// "this address cannot be reached from here".
		return TCPOutUnreach
	}
}

// tcpVerdict picks the reason when no address connected. A refusal is the
// most telling (something answered), then a timeout (something drops),
// then unreachable (often just a family without a route).
func tcpVerdict(attempts []TCPAttempt, started []bool) (Reason, error) {
	var best TCPAttempt
	rank := map[TCPOutcome]int{TCPOutRefused: 3, TCPOutTimeout: 2, TCPOutUnreach: 1}
	for i, a := range attempts {
		if started[i] && rank[a.Outcome] > rank[best.Outcome] {
			best = a
		}
	}
	err := best.Err
	if err == nil {
		err = errors.New("no address to connect to")
	}
	switch best.Outcome {
	case TCPOutRefused:
		return TCPRefused, err
	case TCPOutTimeout:
		return TCPTimeout, err
	}
	return TCPUnreachable, err
}

// interleave orders addresses IPv6 first, alternating families, keeping the
// resolver's order inside each family (RFC 8305 section 4).
func interleave(addrs []netip.Addr) []netip.Addr {
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < len(v6) || i < len(v4); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}
