package agent

import (
	"context"
	"sync"
)

// runRequests turn "run now" requests (POST /-/probe, pbprobe status
// --now) into passes of the loop. Requests that arrive before a pass has
// finished share it: a button pressed twice during a pass runs one pass,
// and a pass never overlaps another because the loop runs them all.
type runRequests struct {
	// signal wakes the loop; it holds at most one wake-up, however many
	// requests wait.
	signal chan struct{}
	mu     sync.Mutex
	// next is the batch of requests the next pass answers; nil when none
	// waits. A batch stays next while its pass runs, so requests arriving
	// meanwhile join it.
	next *runBatch
}

// runBatch is the requests one pass answers.
type runBatch struct {
	done chan struct{} // closed when doc is set
	doc  *Document
}

func newRunRequests() *runRequests { return &runRequests{signal: make(chan struct{}, 1)} }

// join returns the batch the next pass answers, waking the loop for a new one.
func (r *runRequests) join() *runBatch {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next == nil {
		r.next = &runBatch{done: make(chan struct{})}
		select {
		case r.signal <- struct{}{}:
		default:
		}
	}
	return r.next
}

// take is called by the loop before a pass: the batch (nil when none)
// that pass answers. The wake-up is drained: the pass about to start is
// the one the requests asked for.
func (r *runRequests) take() *runBatch {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.signal:
	default:
	}
	return r.next
}

// finish answers b with the pass's document.
func (r *runRequests) finish(b *runBatch, doc *Document) {
	if b == nil {
		return
	}
	r.mu.Lock()
	if r.next == b {
		r.next = nil
	}
	r.mu.Unlock()
	b.doc = doc
	close(b.done)
}

// RunNow asks the loop (Run) for a pass at once and returns its document.
// A pass already asked for and not finished is shared, not repeated. It
// returns when that pass finishes or ctx ends; the pass runs either way.
func (a *Agent) RunNow(ctx context.Context) (*Document, error) {
	b := a.manual.join()
	select {
	case <-b.done:
		return b.doc, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loopPass is one pass of the loop, answering the run-now requests that
// were waiting when it started; with such requests it counts as manual,
// whatever else was due.
func (a *Agent) loopPass(ctx context.Context, trigger Trigger) {
	b := a.manual.take()
	if b != nil {
		trigger = TriggerManual
	}
	a.manual.finish(b, a.RunTriggered(ctx, trigger))
}
