package report

import (
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// TextOptions choose the language and whether the verdict words are
// coloured. The caller decides Color (a TTY, NO_COLOR): an RMM tool's
// captured output must stay free of escape codes.
type TextOptions struct {
	Lang  Lang
	Color bool
	// Nagios puts NagiosStatus first, as a Nagios plugin's output starts.
	Nagios bool
	// Zone is the time zone of the header's time; nil means the PC's own,
	// which is what a technician compares with the clock on the screen.
	// (JSON stays UTC.)
	Zone *time.Location
}

// Text writes the human output of a check: a header, a line per host as it
// finishes, and a summary. It is safe for concurrent use, so that probe
// goroutines may report hosts directly; each host's block is written in one
// piece and never interleaves with another's.
type Text struct {
	mu    sync.Mutex
	w     io.Writer
	o     TextOptions
	cat   *catalog  // the words of o.Lang, chosen once
	width int       // of the host column
	at    time.Time // the run's time, for certificate dates of reports read from JSON
	// colsDue: the header is written but the column titles are not yet;
	// they wait for the first host (or the summary), so that the machine
	// section can stand between the header line and the table.
	colsDue bool
	// offline: the network finding said the PC has no internet, so the
	// hosts' words point at it rather than at a filter (see Network).
	offline bool
}

// Layout. The widest realistic line (the longest default host, four
// stage times, FAIL and the longest reason code) is 99 columns, which is
// why the stage times stand one space apart: their right-aligned values
// rarely fill all eight columns, so the gap mostly looks like two. Prose
// is wrapped to wrapWidth so that a ticket shows it unbroken.
const (
	timeWidth   = 8 // "999.9 ms", "10.0 s"
	timeGap     = " "
	verdictPad  = 4 // OK, WARN, FAIL; UNKNOWN overflows on purpose
	wrapWidth   = 96
	minHostCol  = 24
	indent      = "  "
	hintMark    = "→ "
	warningMark = "! "
	notReached  = "–"
)

// Verdict words, the same in every language.
const (
	verdictOK      = "OK"
	verdictWarn    = "WARN"
	verdictFail    = "FAIL"
	verdictUnknown = "UNKNOWN"
)

// Label is the "host:port" form the host column shows; NewText wants the
// labels of all hosts up front to size that column, because hosts are
// printed as they finish.
func Label(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// NewText prepares a renderer. hosts are the Label of every host that will
// be printed.
func NewText(w io.Writer, o TextOptions, hosts []string) *Text {
	width := minHostCol
	for _, h := range hosts {
		width = max(width, utf8.RuneCountInString(h))
	}
	cat := catalogFor(o.Lang)
	o.Lang = cat.lang
	return &Text{w: w, o: o, cat: cat, width: width}
}

// Header writes the identification line; the column titles follow with the
// first host or the summary, after the machine section if there is one. The
// time is UTC so that tickets from different time zones compare.
func (t *Text) Header(version, machine string, at time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.at = at
	parts := []string{"pbprobe"}
	if version != "" {
		parts[0] += " " + version
	}
	if machine != "" {
		parts = append(parts, machine)
	}
	if !at.IsZero() {
		zone := t.o.Zone
		if zone == nil {
			zone = time.Local
		}
		parts = append(parts, at.In(zone).Format("2006-01-02 15:04:05 MST"))
	}
	t.colsDue = true
	_, err := io.WriteString(t.w, strings.Join(parts, " · ")+"\n")
	return err
}

// columns returns the column titles when they are due, once.
func (t *Text) columns() string {
	if !t.colsDue {
		return ""
	}
	t.colsDue = false
	cols := padRight("", t.width) + "  " + strings.Join([]string{
		padLeft("DNS", timeWidth), padLeft("TCP", timeWidth), padLeft("TLS", timeWidth), padLeft("HTTP", timeWidth),
	}, timeGap)
	return strings.TrimRight(cols, " ") + "\n"
}

// Machine writes the PC's prerequisites after the header, one line each
// under a title, led by OK, WARN or INFO. It writes nothing for nil.
func (t *Text) Machine(f *machine.Facts) error {
	if f == nil || len(f.Checks) == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	b.WriteString(t.cat.text("text.machine", nil) + "\n")
	for _, c := range f.Checks {
		word := levelWord(c.Level)
		msg := t.cat.check(c)
		if strings.TrimSpace(msg) == "" {
			msg = c.Code
		}
		// Wrapped before colouring, as in Summary, so that escape codes
		// do not count as columns.
		var line strings.Builder
		writeWrapped(&line, indent+padRight(word, verdictPad)+" ", indent+strings.Repeat(" ", verdictPad+1), strings.Fields(msg))
		out := line.String()
		if t.o.Color && word != levelInfo {
			out = indent + t.colour(word, padRight(word, verdictPad)) + out[len(indent)+len(padRight(word, verdictPad)):]
		}
		b.WriteString(out)
	}
	b.WriteString("\n")
	_, err := io.WriteString(t.w, b.String())
	return err
}

// levelInfo is the level word of a plain fact; like OK and WARN it stays
// English.
const levelInfo = "INFO"

func levelWord(l machine.Level) string {
	switch l {
	case machine.LevelOK:
		return verdictOK
	case machine.LevelWarn:
		return verdictWarn
	case machine.LevelInfo:
		return levelInfo
	}
	return strings.ToUpper(string(l))
}

// Host writes one host's line, and under it what went wrong and what to do.
// Nothing in it depends on other hosts, so it can be written the moment
// the host is done.
func (t *Text) Host(h *agent.HostReport) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	b.WriteString(t.columns())
	verdict := verdictOf(h)
	line := padRight(Label(h.Host, h.Port), t.width) + "  " + strings.Join([]string{
		padLeft(t.stageTime(h.DNS != nil, dnsMS(h)), timeWidth),
		padLeft(t.stageTime(h.TCP != nil, tcpMS(h)), timeWidth),
		padLeft(t.stageTime(h.TLS != nil, tlsMS(h)), timeWidth),
		padLeft(t.stageTime(h.HTTP != nil, httpMS(h)), timeWidth),
	}, timeGap) + "  " + t.colour(verdict, padRight(verdict, verdictPad))
	if verdict == verdictFail || verdict == verdictUnknown {
		line += "  " + string(h.Reason)
		if !h.Required {
			line += " " + t.notRequired()
		}
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	b.WriteString(t.proxyLine(h))

	if !h.OK {
		msg, hint := t.hostWords(h)
		writeWrapped(&b, indent, indent, strings.Fields(msg))
		if hint != "" {
			writeWrapped(&b, indent+hintMark, indent+strings.Repeat(" ", utf8.RuneCountInString(hintMark)), strings.Fields(hint))
		}
	}
	for _, w := range h.Warnings {
		// The code leads the line: the host line has no room for several,
		// and it is what a search in the docs or the logs needs.
		writeWrapped(&b, indent+warningMark, indent+strings.Repeat(" ", utf8.RuneCountInString(warningMark)),
			strings.Fields(string(w.Code)+": "+t.cat.warning(w)))
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

// Summary writes the verdict of the whole run: ready or not, and which
// required hosts stand in the way.
func (t *Text) Summary(rep *agent.Document) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var s summary
	for i := range rep.Hosts {
		h := &rep.Hosts[i]
		switch {
		case h.Required:
			s.required++
			if !h.OK {
				s.failing = append(s.failing, summaryName(h)+" ("+string(h.Reason)+")")
			}
		case !h.OK:
			s.optionalFailing++
		}
		if len(h.Warnings) > 0 {
			s.warned++
		}
	}
	s.ms = rep.DurationMS
	word, head, items := s.words(t.cat)
	units := strings.Fields(word + head)
	if len(items) > 0 {
		units = append(units, t.cat.units(items, 0)...)
		units[len(units)-1] += "."
	}
	var b strings.Builder
	b.WriteString(t.columns())
	if c := rep.CaptivePortal; c != nil && c.Detected {
		// A machine-level finding: it explains every failing host at once,
		// so it stands right above the verdict.
		msg, hint := t.cat.captive(c)
		b.WriteString("\n")
		writeWrapped(&b, "", indent, strings.Fields(t.colour(verdictFail, "CAPTIVE PORTAL")+": "+msg))
		writeWrapped(&b, indent+hintMark, indent+strings.Repeat(" ", utf8.RuneCountInString(hintMark)), strings.Fields(hint))
	}
	t.proxySettings(&b, rep.ProxySettings)
	pre := b.Len()
	b.WriteString("\n")
	// Wrapped before colouring, so that escape codes do not count as
	// columns and the colour output breaks its lines where the plain does.
	writeWrapped(&b, "", indent, units)
	out := b.String()
	if t.o.Color {
		verdict := verdictOK
		if len(items) > 0 {
			verdict = verdictFail
		}
		out = out[:pre] + "\n" + t.colour(verdict, word) + out[pre+1+len(word):]
	}
	_, err := io.WriteString(t.w, out)
	return err
}

// proxySettings writes the machine-level proxy findings: a setting that
// could not be used, an auto-config script, WPAD. Like a captive portal
// they concern every host, so they stand above the verdict.
func (t *Text) proxySettings(b *strings.Builder, settings []agent.ProxySettingView) {
	for _, v := range settings {
		msg, hint := t.cat.proxySetting(v)
		if msg == "" {
			continue
		}
		verdict := pick(v.Error != "", verdictWarn, levelInfo)
		b.WriteString("\n")
		writeWrapped(b, "", indent, strings.Fields(t.colour(verdict, "PROXY")+": "+msg))
		writeWrapped(b, indent+hintMark, indent+strings.Repeat(" ", utf8.RuneCountInString(hintMark)), strings.Fields(hint))
	}
}

// WriteText writes a whole report in table order: what `pbprobe check`
// prints when it does not stream, and what a ticket gets.
func WriteText(w io.Writer, rep *agent.Document, o TextOptions) error {
	labels := make([]string, len(rep.Hosts))
	for i, h := range rep.Hosts {
		labels[i] = Label(h.Host, h.Port)
	}
	if o.Nagios {
		if _, err := io.WriteString(w, NagiosStatus(rep)+"\n"); err != nil {
			return err
		}
	}
	t := NewText(w, o, labels)
	if err := t.Header(rep.Version, rep.Machine, rep.CheckedAt); err != nil {
		return err
	}
	if err := t.Machine(rep.Prerequisites); err != nil {
		return err
	}
	if err := t.Network(rep); err != nil {
		return err
	}
	for i := range rep.Hosts {
		if err := t.Host(&rep.Hosts[i]); err != nil {
			return err
		}
	}
	return t.Summary(rep)
}

func verdictOf(h *agent.HostReport) string {
	switch {
	case h.Reason == probes.NotChecked:
		// Neither passed nor failed: nothing was learnt about the network.
		return verdictUnknown
	case !h.OK:
		return verdictFail
	case len(h.Warnings) > 0:
		return verdictWarn
	}
	return verdictOK
}

// stageTime shows a stage's time, or a dash for a stage the chain never
// reached: "not checked" must not look like "took no time".
func (t *Text) stageTime(reached bool, ms float64) string {
	if !reached {
		return notReached
	}
	return t.cat.dur(ms)
}

func dnsMS(h *agent.HostReport) float64 {
	if h.DNS == nil {
		return 0
	}
	return h.DNS.MS
}

func tcpMS(h *agent.HostReport) float64 {
	if h.TCP == nil {
		return 0
	}
	return h.TCP.MS
}

func tlsMS(h *agent.HostReport) float64 {
	if h.TLS == nil {
		return 0
	}
	return h.TLS.MS
}

func httpMS(h *agent.HostReport) float64 {
	if h.HTTP == nil {
		return 0
	}
	return h.HTTP.MS
}

func (t *Text) notRequired() string {
	return t.cat.text("text.not_required", nil)
}

// colour wraps text in the ANSI colour of a verdict. Only the word is
// coloured, so that the padding stays outside the escape codes and columns
// line up the same with and without colour.
func (t *Text) colour(verdict, text string) string {
	if !t.o.Color {
		return text
	}
	var code string
	switch verdict {
	case verdictOK:
		code = "1;32"
	case verdictWarn:
		code = "1;33"
	case verdictFail:
		code = "1;31"
	default:
		code = "1"
	}
	word := strings.TrimRight(text, " ")
	return "\x1b[" + code + "m" + word + "\x1b[0m" + text[len(word):]
}

func summaryName(h *agent.HostReport) string {
	if h.Port == 443 {
		return h.Host
	}
	return Label(h.Host, h.Port)
}

type summary struct {
	required, optionalFailing, warned int
	failing                           []string
	ms                                float64
}

// words returns the summary's verdict word, the sentence after it (from
// its colon on) and the failing hosts that end the sentence.
func (s summary) words(c *catalog) (word, head string, items []string) {
	a := args{"required": strconv.Itoa(s.required), "took": ""}
	if s.ms > 0 {
		a["took"] = c.text("summary.took", args{"took": c.dur(s.ms)})
	}
	if len(s.failing) > 0 {
		a["failing"] = strconv.Itoa(len(s.failing))
		a["hosts"] = c.plural("summary.hosts", s.required, nil)
		a["fail"] = c.plural("summary.fail", len(s.failing), nil)
		return c.text("summary.not_ready", nil), c.text("summary.failing", a), s.failing
	}
	a["warned"], a["optional"] = "", ""
	if s.warned > 0 {
		a["warned"] = c.plural("summary.warned", s.warned, nil)
	}
	if s.optionalFailing > 0 {
		a["optional"] = c.plural("summary.optional", s.optionalFailing, nil)
	}
	key := "summary.all_reachable"
	switch s.required {
	case 0:
		key = "summary.none_required"
	case 1:
		key = "summary.one_reachable"
	}
	return c.text("summary.ready", nil), c.text(key, a), nil
}

// writeWrapped writes words separated by spaces and wrapped to wrapWidth
// columns, the first line after first and the others after cont. A word
// longer than a line (a long host name) is kept whole rather than cut.
func writeWrapped(b *strings.Builder, first, cont string, words []string) {
	prefix := first
	col := utf8.RuneCountInString(prefix)
	b.WriteString(prefix)
	start := true
	for _, word := range words {
		n := utf8.RuneCountInString(word)
		if !start && col+1+n > wrapWidth {
			b.WriteString("\n" + cont)
			col = utf8.RuneCountInString(cont)
			start = true
		}
		if !start {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
		start = false
	}
	b.WriteByte('\n')
}

func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func padLeft(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}
