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
	d := newDialRace(ctx, p, t, addrs)
	defer d.timer.Stop()
	if len(d.order) > 0 {
		d.launch(0)
		d.collect(true)
	}
	if d.winner < 0 {
		reason, err = d.verdict()
		return nil, d.res, func() {}, reason, fmt.Errorf("tcp %s port %d: %w", t.Host, t.Port, err)
	}
	done := make(chan struct{})
	go d.recordRest(done)
	return d.conn, d.res, func() { <-done }, ReasonOK, nil
}

// dialRace is one run of connect. Its fields are touched only by the
// goroutine running collect (connect's, then recordRest's); the dialing
// goroutines report back on results and read nothing that changes.
type dialRace struct {
	p      *Prober
	ctx    context.Context // the TCP phase's, cancelled when the race is over
	cancel context.CancelFunc
	start  time.Time
	order  []netip.Addr // interleaved by family; attempt i dials order[i]
	res    *TCPResult   // Attempts[i] records order[i]

	started  []bool
	reported []bool
	cancels  []context.CancelCauseFunc
	results  chan attemptResult
	running  int // attempts started and not yet reported

	winner int // index of the first attempt to connect, or -1
	conn   net.Conn
	timer  *time.Timer      // paces attempts until a winner
	graceC <-chan time.Time // the other family's grace, once a winner is known
	// graceOver: the other family's time is up; nothing new is started,
	// so that a broken family costs FamilyGrace and no more.
	graceOver bool
}

func newDialRace(ctx context.Context, p *Prober, t Target, addrs []netip.Addr) *dialRace {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	order := interleave(addrs)
	res := &TCPResult{Attempts: make([]TCPAttempt, len(order))}
	for i, a := range order {
		res.Attempts[i] = TCPAttempt{Address: netip.AddrPortFrom(a, uint16(t.Port))}
	}
	return &dialRace{
		p: p, ctx: ctx, cancel: cancel, start: start, order: order, res: res,
		started:  make([]bool, len(order)),
		reported: make([]bool, len(order)),
		cancels:  make([]context.CancelCauseFunc, len(order)),
		results:  make(chan attemptResult, len(order)),
		winner:   -1,
		timer:    time.NewTimer(p.attemptDelay()),
	}
}

func (p *Prober) attemptDelay() time.Duration {
	if p.pace > 0 {
		return p.pace
	}
	return attemptDelay
}

// launch starts attempt i in its own goroutine, cancellable with a cause.
func (d *dialRace) launch(i int) {
	actx, acancel := context.WithCancelCause(d.ctx)
	d.started[i], d.cancels[i] = true, acancel
	d.running++
	go d.dial(actx, i, d.res.Attempts[i].Address.String())
}

// dial makes one attempt and reports it. A cancelled attempt's error carries
// the cause (lost race, grace ended) so that record can tell them apart.
func (d *dialRace) dial(ctx context.Context, i int, addr string) {
	s := time.Now()
	c, err := d.p.opts.Dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", cause, err)
		}
	}
	d.results <- attemptResult{idx: i, conn: c, err: err, dur: time.Since(s)}
}

// next returns the first attempt not yet started, or -1. When winner is
// valid only the other family is still worth trying, so only its addresses
// are considered.
func (d *dialRace) next(winner netip.Addr) int {
	if d.ctx.Err() != nil {
		return -1 // out of time: an attempt now would only record a fake timeout
	}
	for i, a := range d.order {
		if !d.started[i] && (!winner.IsValid() || a.Is4() != winner.Is4()) {
			return i
		}
	}
	return -1
}

// launchNext starts the next attempt of either family and restarts the
// pacing timer; it is how the race moves on before a winner.
func (d *dialRace) launchNext() {
	if i := d.next(netip.Addr{}); i >= 0 {
		d.launch(i)
		d.timer.Reset(d.p.attemptDelay())
	}
}

// collect runs until every started attempt has reported. Before a winner
// it also decides the verdict; after, it only records the other family.
func (d *dialRace) collect(untilWinner bool) {
	for d.running > 0 && !(untilWinner && d.winner >= 0) {
		select {
		case r := <-d.results:
			d.report(r)
		case <-d.timer.C:
			if d.winner < 0 {
				d.launchNext()
			}
		case <-d.graceC:
			d.endGrace()
		}
	}
}

// report records one attempt and decides what it sets in motion.
func (d *dialRace) report(r attemptResult) {
	d.running--
	d.reported[r.idx] = true
	record(d.res, r)
	switch {
	case r.err == nil && d.winner < 0:
		d.win(r)
	case r.err == nil:
		r.conn.Close() // the other family proved itself
	case d.winner < 0:
		d.launchNext()
	case !d.graceOver:
		// The other family is still proving itself: try its next address.
		if i := d.next(d.order[d.winner]); i >= 0 {
			d.launch(i)
		}
	}
}

// win makes r's attempt the connection: the rest of its family is
// cancelled, the other family gets an attempt if none of its is still
// running (one may have failed already), and its grace period starts.
func (d *dialRace) win(r attemptResult) {
	d.winner, d.conn = r.idx, r.conn
	d.res.Address = d.res.Attempts[r.idx].Address
	d.res.Duration = time.Since(d.start)
	w := d.order[r.idx]
	for i, a := range d.order {
		if d.started[i] && i != r.idx && a.Is4() == w.Is4() {
			d.cancels[i](errLostRace)
		}
	}
	if i := d.next(w); i >= 0 && !d.familyRunning(!w.Is4()) {
		d.launch(i)
	}
	d.graceC = time.After(d.p.opts.FamilyGrace)
}

// endGrace cancels whatever of the other family is still trying.
func (d *dialRace) endGrace() {
	d.graceOver = true
	for i := range d.order {
		if d.started[i] && i != d.winner {
			d.cancels[i](errGraceEnded)
		}
	}
	d.graceC = nil
}

func (d *dialRace) familyRunning(v4 bool) bool {
	for i, a := range d.order {
		if d.started[i] && !d.reported[i] && a.Is4() == v4 {
			return true
		}
	}
	return false
}

// verdict ends a race no address won and says why. When addresses were
// left untried, the phase's deadline ended the race (nothing else stops it
// early): that is a timeout, whatever the tried ones said, because a
// refusal from the first of a thousand addresses does not speak for the
// rest.
func (d *dialRace) verdict() (Reason, error) {
	cause := context.Cause(d.ctx) // read before cancel overwrites it
	d.cancel()
	d.res.Duration = time.Since(d.start)
	if untried := d.dropUntried(); untried > 0 {
		if cause == nil {
			cause = context.DeadlineExceeded
		}
		return TCPTimeout, fmt.Errorf("%d of %d addresses not tried before the deadline: %w", untried, len(d.order), cause)
	}
	return tcpVerdict(d.res.Attempts)
}

// recordRest waits out the other family's grace after a winner, then
// releases the race's context and closes done.
func (d *dialRace) recordRest(done chan<- struct{}) {
	defer close(done)
	defer d.cancel()
	d.collect(false)
	d.dropUntried()
}

// dropUntried removes the attempts never started from the result, as they
// were not tried, and says how many there were.
func (d *dialRace) dropUntried() int {
	kept := d.res.Attempts[:0]
	for i, a := range d.res.Attempts {
		if d.started[i] {
			kept = append(kept, a)
		}
	}
	n := len(d.res.Attempts) - len(kept)
	d.res.Attempts = kept
	return n
}

func record(res *TCPResult, r attemptResult) {
	a := &res.Attempts[r.idx]
	a.Duration, a.Err = r.dur, r.err
	switch {
	case r.err == nil:
		a.Outcome = TCPConnected
	case errors.Is(r.err, errLostRace):
		a.Outcome = TCPOutCanceled
	case errors.Is(r.err, errGraceEnded), errors.Is(r.err, errDirectCut):
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

// tcpVerdict picks the reason when no address connected and every address
// was tried. A refusal is the most telling (something answered), then a
// timeout (something drops), then unreachable (often just a family
// without a route).
func tcpVerdict(attempts []TCPAttempt) (Reason, error) {
	var best TCPAttempt
	rank := map[TCPOutcome]int{TCPOutRefused: 3, TCPOutTimeout: 2, TCPOutUnreach: 1}
	for _, a := range attempts {
		if rank[a.Outcome] > rank[best.Outcome] {
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
