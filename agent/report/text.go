package report

import (
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
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
	// OS is the GOOS whose commands the hints name (w32tm on windows,
	// timedatectl on linux); "" means the one pbprobe runs on. It is an
	// input so that every OS's words can be tested on any.
	OS string
	// Width is the column prose wraps at; 0 means wrapWidth. A terminal
	// passes its own width.
	Width int
}

// Text writes the human output of a check: a header, the machine-level
// findings, a line per host, each cause once with the hosts it explains,
// and a summary. It is safe for concurrent use; each piece is written in
// one write.
type Text struct {
	mu    sync.Mutex
	w     io.Writer
	o     TextOptions
	cat   *catalog  // the words of o.Lang, chosen once
	width int       // of the host column
	wrap  int       // the column prose wraps at
	at    time.Time // the run's time, for certificate dates of reports read from JSON
	// colsDue: the header is written but the column titles are not yet;
	// they wait for the first host (or the summary), so that the machine
	// section can stand between the header line and the table.
	colsDue bool
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
	maxRowWidth = 100
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
	return newText(w, o, hosts, catalogFor(o.Lang))
}

func newText(w io.Writer, o TextOptions, hosts []string, cat *catalog) *Text {
	width := minHostCol
	for _, h := range hosts {
		width = max(width, utf8.RuneCountInString(h))
	}
	o.Lang = cat.lang
	if o.OS == "" {
		o.OS = runtime.GOOS
	}
	wrap := o.Width
	if wrap <= 0 {
		wrap = wrapWidth
	}
	return &Text{w: w, o: o, cat: cat, width: width, wrap: wrap}
}

// Header writes the identification line; the column titles follow with the
// first host or the summary, after the machine section if there is one. The
// time is UTC so that tickets from different time zones compare.
func (t *Text) Header(version, machine string, at time.Time) error {
	return t.header(version, machine, "", at)
}

// header is Header with the OS's name after the machine's: one fact less
// in the machine section.
func (t *Text) header(version, machine, osName string, at time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.at = at
	parts := []string{"pbprobe"}
	if version != "" {
		parts[0] += " " + version
	}
	for _, p := range []string{machine, osName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if !at.IsZero() {
		zone := t.o.Zone
		if zone == nil {
			zone = time.Local
		}
		parts = append(parts, at.In(zone).Format("2006-01-02 15:04:05 MST"))
	}
	t.colsDue = true
	// A narrow terminal breaks the line between its parts, never inside.
	units := parts[:1]
	for _, p := range parts[1:] {
		units = append(units, "· "+p)
	}
	var b strings.Builder
	t.wrapTo(&b, "", indent, units)
	_, err := io.WriteString(t.w, b.String())
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

// Host writes one host's line: its stage times, its verdict and, when it
// fails, its reason. What went wrong and what to do follow the table once
// per cause (Causes), so that five hosts with one cause get one hint.
func (t *Text) Host(h *agent.HostReport) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := io.WriteString(t.w, t.columns()+t.hostLine(h)+t.proxyLine(h))
	return err
}

// hostLine is the table row of a host. A reason that would run past the
// wrap column goes on a line of its own, so that neither it nor the host
// name is ever broken.
func (t *Text) hostLine(h *agent.HostReport) string {
	verdict := verdictOf(h)
	line := t.rowStart(Label(h.Host, h.Port), []string{
		t.stageTime(h.DNS != nil, dnsMS(h)),
		t.stageTime(h.TCP != nil, tcpMS(h)),
		t.stageTime(h.TLS != nil, tlsMS(h)),
		t.stageTime(h.HTTP != nil, httpMS(h)),
	})
	plain := line + padRight(verdict, verdictPad)
	line += t.colour(verdict, padRight(verdict, verdictPad))
	if verdict != verdictFail && verdict != verdictUnknown {
		return strings.TrimRight(line, " ") + "\n"
	}
	tail := string(h.Reason)
	if !h.Required {
		tail += " " + t.notRequired()
	}
	if utf8.RuneCountInString(strings.TrimRight(plain, " ")+"  "+tail) > t.rowWidth() {
		return strings.TrimRight(line, " ") + "\n" + indent + tail + "\n"
	}
	return line + "  " + tail + "\n"
}

// rowWidth is how wide a table row may be: the terminal's width, or
// without one maxRowWidth, which the widest realistic row (99 columns)
// fits.
func (t *Text) rowWidth() int {
	if t.o.Width > 0 {
		return t.o.Width
	}
	return maxRowWidth
}

// rowStart is a row up to its verdict: the label and four stage columns.
func (t *Text) rowStart(label string, times []string) string {
	cols := make([]string, len(times))
	for i, s := range times {
		cols[i] = padLeft(s, timeWidth)
	}
	return padRight(label, t.width) + "  " + strings.Join(cols, timeGap) + "  "
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
				s.reasons = appendNew(s.reasons, string(h.Reason))
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
	pre := b.Len()
	b.WriteString("\n")
	// Wrapped before colouring, so that escape codes do not count as
	// columns and the colour output breaks its lines where the plain does.
	t.wrapTo(&b, "", indent, units)
	out := b.String()
	if t.o.Color {
		verdict := verdictOK
		if len(s.failing) > 0 {
			verdict = verdictFail
		}
		out = out[:pre] + "\n" + t.colour(verdict, word) + out[pre+1+len(word):]
	}
	_, err := io.WriteString(t.w, out)
	return err
}

// WriteText writes a whole report: what `pbprobe check` prints, and what
// a ticket gets.
func WriteText(w io.Writer, rep *agent.Document, o TextOptions) error {
	return writeText(w, rep, o, catalogFor(o.Lang))
}

// writeText is WriteText with the catalog given, for the catalog tests.
func writeText(w io.Writer, rep *agent.Document, o TextOptions, cat *catalog) error {
	if o.Nagios {
		if _, err := io.WriteString(w, NagiosStatus(rep)+"\n"); err != nil {
			return err
		}
	}
	t := newText(w, o, docLabels(rep), cat)
	if err := t.header(rep.Version, rep.Machine, osName(rep.Prerequisites), rep.CheckedAt); err != nil {
		return err
	}
	if err := t.Machine(rep); err != nil {
		return err
	}
	for i := range rep.Hosts {
		if err := t.Host(&rep.Hosts[i]); err != nil {
			return err
		}
	}
	if err := t.Causes(rep); err != nil {
		return err
	}
	return t.Summary(rep)
}

// docLabels are the Label of every host of rep, for NewText.
func docLabels(rep *agent.Document) []string {
	labels := make([]string, len(rep.Hosts))
	for i, h := range rep.Hosts {
		labels[i] = Label(h.Host, h.Port)
	}
	return labels
}

// verdictOf is the word for h's state (agent.StateOf, the page's and the
// history's too).
func verdictOf(h *agent.HostReport) string {
	switch agent.StateOf(h) {
	case agent.StateNotChecked:
		// Neither passed nor failed: nothing was learnt about the network.
		return verdictUnknown
	case agent.StateFailing:
		return verdictFail
	case agent.StateWarning:
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
	reasons                           []string // of the failing hosts, each once
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
		if len(s.failing) > 1 && len(s.reasons) == 1 {
			// One cause: the table names the hosts, the reason says it all.
			a["fail"] = c.plural("summary.fail_with", len(s.failing), args{"reason": s.reasons[0]})
			return c.text("summary.not_ready", nil), c.text("summary.failing_same", a), nil
		}
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

// wrapTo writes words separated by spaces and wrapped to the Text's wrap
// column.
func (t *Text) wrapTo(b *strings.Builder, first, cont string, words []string) {
	writeWrapped(b, t.wrap, first, cont, words)
}

// writeWrapped writes words separated by spaces and wrapped to width
// columns, the first line after first and the others after cont. A word
// longer than a line (a long host name, a reason code) is kept whole
// rather than cut: a break is only ever between words.
func writeWrapped(b *strings.Builder, width int, first, cont string, words []string) {
	prefix := first
	col := utf8.RuneCountInString(prefix)
	b.WriteString(prefix)
	start := true
	for _, word := range words {
		n := utf8.RuneCountInString(word)
		if !start && col+1+n > width {
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
