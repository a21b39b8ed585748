package page

import (
	"slices"
	"strconv"
	"time"

	"github.com/pbprobe/pbprobe/agent"
)

// The timeline is drawn in a viewBox of timelineWidth units for the last
// timelineSpan; the browser scales it to the window.
const (
	timelineWidth = 960.0
	timelineSpan  = 24 * time.Hour
	// maxBands bounds the bands of one host: beyond it (a short interval),
	// runs in a row with the same state and reason share a band, so that
	// the page stays small however many runs the history keeps.
	maxBands = 720
	// minBand is the narrowest band, about two pixels on a laptop.
	minBand = 2.0
)

// band is one run of one host (or, past maxBands, runs in a row alike).
type band struct {
	X, W  string // in viewBox units
	State agent.HostState
	Title string
}

// point is one host in one run.
type point struct {
	at     time.Time
	host   agent.HistoryHost
	count  int       // runs merged into this point
	lastAt time.Time // the last merged run
}

// hostPoints are the runs that name host:port after from, oldest first.
func hostPoints(runs []agent.HistoryRun, host string, port int, from time.Time) []point {
	var out []point
	for _, r := range runs {
		if !r.End().After(from) {
			continue
		}
		for _, h := range r.Hosts {
			if h.Host == host && h.Port == port {
				out = append(out, point{at: r.At, host: h, count: r.Runs(), lastAt: r.End()})
				break
			}
		}
	}
	return out
}

// merge joins runs in a row with the same state and reason.
func merge(ps []point) []point {
	var out []point
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].host.State == p.host.State && out[n-1].host.Reason == p.host.Reason {
			out[n-1].count += p.count
			out[n-1].lastAt = p.lastAt
			continue
		}
		out = append(out, p)
	}
	return out
}

// typicalGap is the median time between runs: a band lasts until the next
// run, or one of these when the next is more than three away (the agent
// was stopped: the gap shows), and the newest lasts one.
func typicalGap(ps []point) time.Duration {
	var gaps []time.Duration
	for i, p := range ps {
		if p.count > 1 {
			// The history merged these runs: their spacing is their span
			// shared out.
			gaps = append(gaps, p.lastAt.Sub(p.at)/time.Duration(p.count-1))
		}
		if i > 0 {
			gaps = append(gaps, p.at.Sub(ps[i-1].lastAt))
		}
	}
	if len(gaps) == 0 {
		return 5 * time.Minute
	}
	slices.Sort(gaps)
	return max(gaps[len(gaps)/2], time.Second)
}

// bands draws host:port's runs of the last day before now.
func bands(runs []agent.HistoryRun, host string, port int, now time.Time, zone *time.Location) []band {
	from := now.Add(-timelineSpan)
	ps := hostPoints(runs, host, port, from)
	gap := typicalGap(ps)
	if len(ps) > maxBands {
		ps = merge(ps)
	}
	out := make([]band, 0, len(ps))
	for i, p := range ps {
		end := p.lastAt.Add(gap)
		if i+1 < len(ps) && ps[i+1].at.Sub(p.lastAt) <= 3*gap {
			end = ps[i+1].at
		}
		end = earlier(end, now)
		x0, x1 := xOf(p.at, from), xOf(end, from)
		// Every run stays visible, the newest too: a band is at least
		// minBand wide, and inside the picture.
		w := max(x1-x0, minBand)
		x0 = min(x0, timelineWidth-w)
		out = append(out, band{X: units(x0), W: units(w), State: p.host.State, Title: bandTitle(p, zone)})
	}
	return out
}

// ticks are the times of day every six hours along the timeline.
func ticks(now time.Time, zone *time.Location) []string {
	from := now.Add(-timelineSpan)
	var out []string
	for i := 0; i <= 4; i++ {
		out = append(out, from.Add(time.Duration(i)*6*time.Hour).In(zone).Format("15:04"))
	}
	return out
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func xOf(t, from time.Time) float64 {
	x := float64(t.Sub(from)) / float64(timelineSpan) * timelineWidth
	return min(max(x, 0), timelineWidth)
}

func units(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// bandTitle is what hovering a band shows: when, the verdict word and the
// reason code (codes and OK/WARN/FAIL are the same in every language).
func bandTitle(p point, zone *time.Location) string {
	s := p.at.In(zone).Format("15:04:05")
	if p.count > 1 {
		s += "–" + p.lastAt.In(zone).Format("15:04:05") + " (" + strconv.Itoa(p.count) + "×)"
	}
	s += " " + stateWord(p.host.State) + " " + agent.Printable(string(p.host.Reason))
	for _, w := range p.host.Warnings {
		s += ", " + agent.Printable(string(w))
	}
	return s
}

// stateWord is the verdict word of a state, as the text output prints it.
func stateWord(s agent.HostState) string {
	switch s {
	case agent.StateOK:
		return "OK"
	case agent.StateWarning:
		return "WARN"
	case agent.StateFailing:
		return "FAIL"
	}
	return "—"
}

// lastChange is when host:port entered the state it is in now, from the
// history: known is false when the state has not changed in all of it
// (then at is the oldest run), and at is zero with fewer than two runs.
func lastChange(runs []agent.HistoryRun, host string, port int) (at time.Time, known bool) {
	ps := hostPoints(runs, host, port, time.Time{})
	if len(ps) < 2 {
		// One run says nothing about since when.
		return time.Time{}, false
	}
	cur := ps[len(ps)-1].host.State
	for i := len(ps) - 2; i >= 0; i-- {
		if ps[i].host.State != cur {
			return ps[i+1].at, true
		}
	}
	return ps[0].at, false
}
