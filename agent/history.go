package agent

import (
	"encoding/json"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// HostState is a host's state in one run, as the history keeps it.
type HostState string

// Host states: failing when not ok, warning when ok with warnings.
const (
	StateOK         HostState = "ok"
	StateWarning    HostState = "warning"
	StateFailing    HostState = "failing"
	StateNotChecked HostState = "not_checked"
)

// StateOf is h's state.
func StateOf(h *HostReport) HostState {
	switch {
	case h.Reason == probes.NotChecked:
		return StateNotChecked
	case !h.OK:
		return StateFailing
	case len(h.Warnings) > 0:
		return StateWarning
	}
	return StateOK
}

// HistoryRun is one run as the history keeps it: the verdict per host and
// nothing else, so that a day of runs stays small.
type HistoryRun struct {
	At    time.Time     `json:"at"`
	Ready bool          `json:"ready"`
	Hosts []HistoryHost `json:"hosts"`
	// Count, when above 1, says this entry stands for that many runs in a
	// row with the same verdicts, the last at Until: the history merges
	// older runs so only when it reaches its bytes bound, so that a day
	// fits however short the interval unless the hosts change all day.
	Count int       `json:"count,omitempty"`
	Until time.Time `json:"until,omitzero"`
}

// End is when the entry's last run was.
func (r *HistoryRun) End() time.Time {
	if r.Count > 1 {
		return r.Until
	}
	return r.At
}

// Runs is how many runs the entry stands for.
func (r *HistoryRun) Runs() int { return max(r.Count, 1) }

// sameVerdicts: a and b found every host in the same state, for the same
// reason, with the same warnings.
func sameVerdicts(a, b *HistoryRun) bool {
	if a.Ready != b.Ready || len(a.Hosts) != len(b.Hosts) {
		return false
	}
	for i := range a.Hosts {
		x, y := &a.Hosts[i], &b.Hosts[i]
		if x.Host != y.Host || x.Port != y.Port || x.State != y.State || x.Reason != y.Reason || !slices.Equal(x.Warnings, y.Warnings) {
			return false
		}
	}
	return true
}

// HistoryHost is one host in a HistoryRun.
type HistoryHost struct {
	Host     string        `json:"host"`
	Port     int           `json:"port"`
	State    HostState     `json:"state"`
	Reason   probes.Reason `json:"reason"`
	Warnings []WarningCode `json:"warnings,omitempty"`
}

// size is roughly what r costs in memory and in JSON: the bytes bound
// counts this, not an exact figure, so it need only grow with the content.
func (r *HistoryRun) size() int {
	n := 96
	for _, h := range r.Hosts {
		n += 64 + len(h.Host) + len(h.State) + len(h.Reason)
		for _, w := range h.Warnings {
			n += 16 + len(w)
		}
	}
	return n
}

// NewHistoryRun is doc as the history keeps it.
func NewHistoryRun(doc *Document) HistoryRun {
	r := HistoryRun{At: doc.CheckedAt, Ready: doc.Ready, Hosts: make([]HistoryHost, len(doc.Hosts))}
	for i := range doc.Hosts {
		h := &doc.Hosts[i]
		hh := HistoryHost{Host: h.Host, Port: h.Port, State: StateOf(h), Reason: h.Reason}
		for _, w := range h.Warnings {
			hh.Warnings = append(hh.Warnings, w.Code)
		}
		r.Hosts[i] = hh
	}
	return r
}

// History defaults: a day of runs at the default interval fits many times
// over; at a one-second interval the bytes bound keeps the most recent.
const (
	DefaultHistoryAge   = 24 * time.Hour
	DefaultHistoryRuns  = 4096
	DefaultHistoryBytes = 1 << 20
	// historySaveEvery spaces the writes of the file: at a short
	// interval, writing a megabyte every run would wear the disk for
	// nothing a restart needs.
	historySaveEvery = time.Minute
)

// HistoryOptions bound the history; zero values mean the defaults.
type HistoryOptions struct {
	MaxAge   time.Duration
	MaxRuns  int
	MaxBytes int
	// File, when set, keeps the history across restarts: it is read by
	// LoadHistory and written (atomically) at most every minute and by
	// Save.
	File string
}

// History is a bounded ring of recent runs: at most MaxRuns runs, MaxBytes
// bytes, none older than MaxAge before the newest. Safe for concurrent use.
type History struct {
	o     HistoryOptions
	mu    sync.Mutex
	runs  []HistoryRun
	bytes int
	saved time.Time // when the file was last written
	dirty bool
	// merged is how many of the oldest entries compact has merged as far
	// as they go.
	merged int
}

// NewHistory is an empty history.
func NewHistory(o HistoryOptions) *History {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultHistoryAge
	}
	if o.MaxRuns <= 0 {
		o.MaxRuns = DefaultHistoryRuns
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultHistoryBytes
	}
	return &History{o: o}
}

// Add keeps doc's run and drops what falls out of the bounds. Runs before
// the first (no CheckedAt) are not kept.
func (h *History) Add(doc *Document) {
	if doc == nil || doc.CheckedAt.IsZero() {
		return
	}
	h.add(NewHistoryRun(doc))
}

func (h *History) add(r HistoryRun) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.runs = append(h.runs, r)
	h.bytes += r.size()
	h.dirty = true
	h.trim()
}

// trim keeps the bounds: over the bytes bound it first merges runs in a
// row with the same verdicts in the older half, then drops the oldest
// entries until every bound holds; the newest always stays. Called with
// mu held.
func (h *History) trim() {
	if h.bytes > h.o.MaxBytes {
		h.compact(len(h.runs) / 2)
	}
	newest := h.runs[len(h.runs)-1].At
	drop := 0
	for drop < len(h.runs)-1 {
		r := &h.runs[drop]
		if len(h.runs)-drop <= h.o.MaxRuns && h.bytes <= h.o.MaxBytes && newest.Sub(r.End()) <= h.o.MaxAge {
			break
		}
		h.bytes -= r.size()
		drop++
	}
	if drop == 0 {
		return
	}
	h.runs = h.runs[drop:]
	h.merged = max(h.merged-drop, 0)
	// Reslicing keeps the dropped runs' array alive; copy once the slice
	// uses less than half of it, so the memory stays within twice the bound.
	if cap(h.runs) > 2*len(h.runs)+16 {
		h.runs = append([]HistoryRun(nil), h.runs...)
	}
}

// compact merges the runs before index upto that follow one with the same
// verdicts into it, in place. The newer half stays a run per entry, which
// the page draws as a band per run.
func (h *History) compact(upto int) {
	start := max(h.merged, 1)
	if upto <= start {
		return
	}
	out, end := h.runs[:start], start
	for i := start; i < len(h.runs); i++ {
		r := h.runs[i]
		last := &out[len(out)-1]
		if i < upto && sameVerdicts(last, &r) {
			h.bytes -= r.size()
			last.Count, last.Until = last.Runs()+r.Runs(), r.End()
			continue
		}
		out = append(out, r)
		if i < upto {
			end = len(out)
		}
	}
	// The entries past the new end are copies; clear them so that their
	// host slices can be collected.
	clear(h.runs[len(out):])
	h.runs = out
	// The entries before end are merged as far as they go: the next
	// compaction starts there, so that a day that changes every run costs
	// no rescans.
	h.merged = end
}

// Runs are the kept runs, oldest first. The slice is the caller's; the
// runs' host slices are shared and must not be written.
func (h *History) Runs() []HistoryRun {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HistoryRun(nil), h.runs...)
}

// Bytes is the bytes bound's count of the kept runs.
func (h *History) Bytes() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bytes
}

// historyFile is the file's shape: a version, so that a later shape can
// be told apart, and the runs.
type historyFile struct {
	Version int          `json:"version"`
	Runs    []HistoryRun `json:"runs"`
}

const historyFileVersion = 1

// WriteJSON writes the kept runs as the /history document.
func (h *History) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(historyFile{Version: historyFileVersion, Runs: h.Runs()})
}
