package page

import (
	"runtime"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/report"
)

// view is what the template shows: every string is already in the page's
// language and free of control characters; the template escapes them.
type view struct {
	W         report.PageWords
	Lang      string
	Title     string
	Checked   bool
	Ready     bool
	Verdict   string
	CheckedAt string
	Machine   []finding
	Hosts     []hostRow
	Ticks     []string
	Version   string
}

// finding is one machine-level finding: a captive portal, a proxy setting.
type finding struct {
	Label, Message, Hint string
	Level                string // fail, warn, info
}

// hostRow is one host with its words and its day.
type hostRow struct {
	Label, Reason, Message, Hint, Error string
	State                               agent.HostState
	Word                                string
	Optional                            bool
	Warnings                            []warningRow
	Bands                               []band
	Since                               string
}

type warningRow struct{ Code, Message string }

const timeLayout = "2006-01-02 15:04:05 MST"

func (h *handler) view(lang report.Lang) view {
	doc := h.o.Latest()
	local := report.Localized(doc, lang)
	w := report.Page(lang)
	now := h.o.Now()
	v := view{
		W: w, Lang: string(w.Lang()), Title: w.Title(doc.Machine), Checked: !doc.CheckedAt.IsZero(),
		Ready: doc.Ready, Verdict: w.Verdict(doc.Ready), Ticks: ticks(now, h.o.Zone),
		Version: agent.Printable(doc.Version), Machine: machineFindings(local, lang),
	}
	if v.Checked {
		v.CheckedAt = w.CheckedAt(doc.CheckedAt.In(h.o.Zone).Format(timeLayout))
	}
	runs := h.o.Runs()
	for i := range local.Hosts {
		v.Hosts = append(v.Hosts, h.hostRow(&local.Hosts[i], runs, w, now))
	}
	return v
}

func (h *handler) hostRow(hr *agent.HostReport, runs []agent.HistoryRun, w report.PageWords, now time.Time) hostRow {
	state := agent.StateOf(hr)
	row := hostRow{
		Label: agent.Printable(report.Label(hr.Host, hr.Port)), Reason: agent.Printable(string(hr.Reason)),
		Message: agent.Printable(hr.Message), Hint: agent.Printable(hr.Hint), Error: agent.Printable(hr.Error),
		State: state, Word: stateWord(state), Optional: !hr.Required,
		Bands: bands(runs, hr.Host, hr.Port, now, h.o.Zone),
	}
	for _, wn := range hr.Warnings {
		row.Warnings = append(row.Warnings, warningRow{Code: agent.Printable(string(wn.Code)), Message: agent.Printable(wn.Message)})
	}
	if at, known := lastChange(runs, hr.Host, hr.Port); !at.IsZero() {
		s := at.In(h.o.Zone).Format(timeLayout)
		if known {
			row.Since = w.Since(s)
		} else {
			row.Since = w.SinceBefore(s)
		}
	}
	return row
}

// machineFindings are the findings about the PC rather than a host, the
// text's "Machine:" section (report.MachineFindings), for this OS.
func machineFindings(doc *agent.Document, lang report.Lang) []finding {
	fs := report.MachineFindings(doc, lang, runtime.GOOS)
	out := make([]finding, len(fs))
	for i, f := range fs {
		out[i] = finding{Label: f.Level, Message: agent.Printable(f.Message), Hint: agent.Printable(f.Hint), Level: strings.ToLower(f.Level)}
	}
	return out
}
