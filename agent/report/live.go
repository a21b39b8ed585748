package report

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"golang.org/x/term"
)

// Run follows one pass of `check`. It keeps each host as it finishes, so
// that a pass cut short by Ctrl-C can still say what it learnt, and on a
// terminal it shows the hosts still running with their elapsed time,
// redrawn in place. The report itself is written once, at the end, by
// Finish or Interrupted: the same text a pipe or a ticket gets.
type Run struct {
	ctx   context.Context
	w     io.Writer
	o     TextOptions
	cat   *catalog
	hosts []config.Host
	start time.Time

	mu    sync.Mutex
	done  []*agent.HostReport // nil: not finished
	drawn int                 // lines of the progress area on the screen
	stop  chan struct{}       // closed to end the redraw loop
	ended chan struct{}       // closed when the redraw loop has ended
}

// maxLiveHosts bounds the progress area: cursor movement cannot reach
// lines that have scrolled off the top of a terminal.
const maxLiveHosts = 20

// liveTick is how often the elapsed times are redrawn.
const liveTick = 200 * time.Millisecond

// NewRun starts following a pass over hosts that starts now. With live
// (stdout is a terminal, the output is text) it draws the progress area
// and redraws it until Finish or Interrupted.
func NewRun(ctx context.Context, w io.Writer, o TextOptions, hosts []config.Host, live bool) *Run {
	r := &Run{ctx: ctx, w: w, o: o, cat: catalogFor(o.Lang), hosts: hosts, start: time.Now(),
		done: make([]*agent.HostReport, len(hosts))}
	if !live || len(hosts) == 0 || len(hosts) > maxLiveHosts {
		return r
	}
	r.stop, r.ended = make(chan struct{}), make(chan struct{})
	r.redraw()
	go r.loop()
	return r
}

// Host keeps a finished host; it fits agent.PassOptions.OnHost. A host
// reported after ctx ended was cut short, and what it says (a timeout, a
// refused connect) is about the cancellation, not the network: it stays
// not finished.
func (r *Run) Host(i int, h agent.HostReport) {
	if r.ctx.Err() != nil || i < 0 || i >= len(r.done) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[i] = &h
}

// Stop ends the progress view and clears it, so that the report takes
// its place. It may be called more than once.
func (r *Run) Stop() { r.end() }

// Interrupted clears the progress area (if Stop has not) and writes what the pass learnt
// before it was cut short: the finished hosts with their verdicts, the
// others marked as not finished, and no overall verdict. base gives the
// header and the machine facts; its hosts are replaced.
func (r *Run) Interrupted(base *agent.Document) error {
	r.end()
	r.mu.Lock()
	done := append([]*agent.HostReport(nil), r.done...)
	r.mu.Unlock()
	doc := *base
	if doc.CheckedAt.IsZero() {
		doc.CheckedAt = r.start
	}
	doc.Hosts = nil
	finished := make([]bool, len(r.hosts))
	for i, h := range r.hosts {
		if done[i] != nil {
			doc.Hosts = append(doc.Hosts, *done[i])
			finished[i] = true
			continue
		}
		doc.Hosts = append(doc.Hosts, agent.HostReport{Host: h.Host, Port: h.Port, Required: h.Required})
	}
	doc.DurationMS = float64(time.Since(r.start).Microseconds()) / 1000
	return WriteInterrupted(r.w, &doc, finished, r.o)
}

// end stops the redraw loop and erases the progress area.
func (r *Run) end() {
	if r.stop == nil {
		return
	}
	close(r.stop)
	<-r.ended
	r.stop = nil
	r.mu.Lock()
	defer r.mu.Unlock()
	r.erase()
}

func (r *Run) loop() {
	defer close(r.ended)
	tick := time.NewTicker(liveTick)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
			r.redraw()
		}
	}
}

// redraw replaces the progress area with one line per host: its verdict
// when it is done, else how long it has been running.
func (r *Run) redraw() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.erase()
	t := newText(io.Discard, r.o, hostLabels(r.hosts), r.cat)
	var b strings.Builder
	// Seconds, to a tenth: milliseconds would flicker.
	took := r.cat.text("unit.s", args{"n": r.cat.decimal(time.Since(r.start).Seconds())})
	elapsed := r.cat.text("live.running", args{"took": took})
	for i, h := range r.hosts {
		line := padRight(Label(h.Host, h.Port), t.width) + "  " + elapsed
		if d := r.done[i]; d != nil {
			line = strings.TrimSuffix(t.hostLine(d), "\n")
			line, _, _ = strings.Cut(line, "\n")
		}
		// A line longer than the terminal would wrap, and the cursor
		// would no longer find the top of the area.
		b.WriteString(clip(line, t.wrap-1) + "\n")
	}
	r.drawn = len(r.hosts)
	_, _ = io.WriteString(r.w, b.String())
}

// erase moves the cursor to the top of the progress area and clears from
// there to the end of the screen.
func (r *Run) erase() {
	if r.drawn == 0 {
		return
	}
	_, _ = io.WriteString(r.w, "\x1b["+strconv.Itoa(r.drawn)+"F\x1b[J")
	r.drawn = 0
}

func hostLabels(hosts []config.Host) []string {
	labels := make([]string, len(hosts))
	for i, h := range hosts {
		labels[i] = Label(h.Host, h.Port)
	}
	return labels
}

// clip cuts s to n columns, counting escape sequences as none.
func clip(s string, n int) string {
	col, esc := 0, false
	for i, r := range s {
		switch {
		case esc:
			esc = r != 'm'
			continue
		case r == '\x1b':
			esc = true
			continue
		}
		if col == n {
			if strings.Contains(s, "\x1b") {
				return s[:i] + "\x1b[0m"
			}
			return s[:i]
		}
		col++
	}
	return s
}

// TerminalWidth is the width of w when it is a terminal (tty), else 0: a
// pipe or a file gets the fixed width a ticket reads well at.
func TerminalWidth(w io.Writer, tty bool) int {
	f, ok := w.(*os.File)
	if !tty || !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 40 {
		// Narrower than a row's stage times: wrapping would not help.
		return 0
	}
	return width
}
