package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/pbprobe/pbprobe/agent"
)

// WriteInterrupted writes the report of a pass cut short (Ctrl-C): the
// hosts that finished with their verdicts and causes, the others marked
// as not finished, and "INTERRUPTED" instead of a verdict on the whole.
// A host whose probe was cancelled is never shown as failed or passed:
// nothing was learnt about its path. finished[i] says whether
// doc.Hosts[i] finished.
func WriteInterrupted(w io.Writer, doc *agent.Document, finished []bool, o TextOptions) error {
	t := NewText(w, o, docLabels(doc))
	if err := t.header(doc.Version, doc.Machine, osName(doc.Prerequisites), doc.CheckedAt); err != nil {
		return err
	}
	// Only what finished counts, for the machine findings (the clock, the
	// proxy) as for the causes.
	part := *doc
	part.Hosts = nil
	for i := range doc.Hosts {
		if i < len(finished) && finished[i] {
			part.Hosts = append(part.Hosts, doc.Hosts[i])
		}
	}
	if err := t.Machine(&part); err != nil {
		return err
	}
	var b strings.Builder
	t.mu.Lock()
	b.WriteString(t.columns())
	for i := range doc.Hosts {
		h := &doc.Hosts[i]
		if i < len(finished) && finished[i] {
			b.WriteString(t.hostLine(h))
			continue
		}
		b.WriteString(strings.TrimRight(t.rowStart(Label(h.Host, h.Port),
			[]string{notReached, notReached, notReached, notReached})+t.cat.text("text.not_finished", nil), " ") + "\n")
	}
	t.mu.Unlock()
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := t.Causes(&part); err != nil {
		return err
	}
	return t.interruptedSummary(len(doc.Hosts)-len(part.Hosts), len(doc.Hosts), doc.DurationMS)
}

// interruptedSummary says how many hosts did not finish, and no verdict.
func (t *Text) interruptedSummary(unfinished, total int, ms float64) error {
	a := args{"total": strconv.Itoa(total), "took": ""}
	if ms > 0 {
		a["took"] = t.cat.text("summary.took", args{"took": t.cat.dur(ms)})
	}
	word := t.cat.text("summary.interrupted", nil)
	var b strings.Builder
	b.WriteString("\n")
	t.wrapTo(&b, "", indent, strings.Fields(word+t.cat.plural("summary.unfinished", unfinished, a)))
	out := b.String()
	if t.o.Color {
		out = "\n" + t.colour(verdictWarn, word) + out[1+len(word):]
	}
	_, err := io.WriteString(t.w, out)
	return err
}
