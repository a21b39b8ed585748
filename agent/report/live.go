package report

import (
	"io"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/machine"
)

// Live is the text of a check as it happens, on a terminal: the header and
// the machine section at once, each host as soon as it is done, the
// summary at the end. The first write error is kept for Finish.
type Live struct {
	text  *Text
	lang  Lang
	start time.Time
	err   error
	// held are the failing hosts: their words depend on the network
	// finding (no internet, or these hosts blocked), known only at Finish.
	held []agent.HostReport
}

// NewLive writes the header and the machine section for the hosts of a
// pass that starts now.
func NewLive(w io.Writer, o TextOptions, hosts []config.Host, version, machineName string, m *machine.Facts) *Live {
	labels := make([]string, len(hosts))
	for i, h := range hosts {
		labels[i] = Label(h.Host, h.Port)
	}
	l := &Live{text: NewText(w, o, labels), lang: o.Lang, start: time.Now()}
	l.keep(l.text.Header(version, machineName, l.start))
	l.keep(l.text.Machine(m))
	return l
}

// Host shows one finished host; it fits agent.PassOptions.OnHost.
// A failing host waits for Finish, under the network finding that
// explains it: on a PC without internet, five lines blaming a filter first
// would send the technician the wrong way.
func (l *Live) Host(_ int, h agent.HostReport) {
	if !h.OK && h.Reason != "not_checked" {
		l.held = append(l.held, h)
		return
	}
	local := LocalizedHost(h, l.lang, l.start)
	l.keep(l.text.Host(&local))
}

// Finish writes the summary of the pass's document and returns the first
// write error.
func (l *Live) Finish(doc *agent.Document) error {
	// The network finding is known only now; the failing hosts it
	// explains follow it.
	l.keep(l.text.Network(doc))
	for _, h := range l.held {
		local := LocalizedHost(h, l.lang, l.start)
		l.keep(l.text.Host(&local))
	}
	l.keep(l.text.Summary(Localized(doc, l.lang)))
	return l.err
}

func (l *Live) keep(err error) {
	if l.err == nil {
		l.err = err
	}
}
