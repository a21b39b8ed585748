package report

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
)

// finding is one line of the "Machine:" section: a level word, what was
// found and, for a problem, what to do.
type finding struct {
	level     string // verdictOK, verdictWarn, verdictFail or levelInfo
	msg, hint string
}

// A machineFinder reads what a run document says about the whole PC
// rather than one host, in the words of c, with the commands of os.
type machineFinder func(c *catalog, doc *agent.Document, os string) []finding

// machineFinders are the machine-level findings after the prerequisites,
// in the order they print. Each is said once here, at the top, because it
// explains many hosts at once: the network's own state first (offline, a
// captive portal), then the clock, then the proxy.
var machineFinders = []machineFinder{
	networkFindings,
	captiveFindings,
	clockFindings,
	proxyFindings,
	proxySettingFindings,
	proxySourceFindings,
}

// Machine writes the machine-level findings under a title, after the
// header: the PC's prerequisites and what the document says about the
// PC as a whole. It writes nothing when there is nothing to say.
func (t *Text) Machine(doc *agent.Document) error {
	fs := machineFindings(t.cat, doc, t.o.OS)
	if len(fs) == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	b.WriteString(t.cat.text("text.machine", nil) + "\n")
	for _, f := range fs {
		t.writeFinding(&b, f)
	}
	// No blank line: the column titles, blank on the left, set the
	// table apart, and a ticket is shorter.
	_, err := io.WriteString(t.w, b.String())
	return err
}

// machineFindings are the prerequisites, then every machineFinder's.
func machineFindings(c *catalog, doc *agent.Document, os string) []finding {
	fs := prerequisiteFindings(c, doc.Prerequisites)
	for _, find := range machineFinders {
		fs = append(fs, find(c, doc, os)...)
	}
	return fs
}

// Finding is one machine-level finding for another renderer (the status
// page): Level is OK, WARN, FAIL or INFO.
type Finding struct{ Level, Message, Hint string }

// MachineFindings are the findings of the text's "Machine:" section, in
// its order and words: one implementation for the check, `pbprobe status`
// and the status page. os names whose commands the hints give.
func MachineFindings(doc *agent.Document, lang Lang, os string) []Finding {
	fs := machineFindings(catalogFor(lang), doc, os)
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = Finding{Level: f.level, Message: f.msg, Hint: f.hint}
	}
	return out
}

// writeFinding writes a finding led by its level word, its hint under it.
// It is wrapped before it is coloured, as the summary is, so that escape
// codes do not count as columns.
func (t *Text) writeFinding(b *strings.Builder, f finding) {
	word := padRight(f.level, verdictPad)
	cont := indent + strings.Repeat(" ", verdictPad+1)
	var line strings.Builder
	t.wrapTo(&line, indent+word+" ", cont, strings.Fields(f.msg))
	if f.hint != "" {
		t.wrapTo(&line, cont+hintMark, cont+strings.Repeat(" ", utf8.RuneCountInString(hintMark)), strings.Fields(f.hint))
	}
	out := line.String()
	if t.o.Color && f.level != levelInfo {
		out = indent + t.colour(f.level, word) + out[len(indent)+len(word):]
	}
	b.WriteString(out)
}

// osName is the OS's name the header shows; its check then stays out of
// the machine section.
func osName(f *machine.Facts) string {
	if f == nil {
		return ""
	}
	return f.OS
}

// prerequisiteFindings are the PC's own facts (.NET, elevation, OS).
func prerequisiteFindings(c *catalog, f *machine.Facts) []finding {
	if f == nil {
		return nil
	}
	out := make([]finding, 0, len(f.Checks))
	for _, ch := range f.Checks {
		if ch.Code == machine.CodeOSVersion && f.OS != "" {
			continue // in the header
		}
		msg := c.check(ch)
		if strings.TrimSpace(msg) == "" {
			msg = ch.Code
		}
		out = append(out, finding{level: levelWord(ch.Level), msg: msg})
	}
	return out
}

// captiveFindings: a captive portal explains every failing host at once.
func captiveFindings(c *catalog, doc *agent.Document, _ string) []finding {
	v := doc.CaptivePortal
	if v == nil || !v.Detected {
		return nil
	}
	msg, hint := c.captive(v)
	return []finding{{level: verdictFail, msg: msg, hint: hint}}
}

// clockState is what the servers' Date headers say about this PC's clock
// (agent.JudgeClock): a majority decides, so that one server with a wrong
// clock does not make the PC look wrong, and a tie names no one.
type clockState struct{ agent.ClockJudgement }

func judgeClock(doc *agent.Document) clockState { return clockState{agent.JudgeClock(doc)} }

// wrong: most servers agree that this PC's clock is off by more than the
// probes allow.
func (s clockState) wrong() bool { return s.Wrong() }

// right: most servers agree with this PC's clock.
func (s clockState) right() bool { return s.Right() }

// clockFindings judge the PC's clock once, for all hosts.
func clockFindings(c *catalog, doc *agent.Document, os string) []finding {
	s := judgeClock(doc)
	if !s.right() && !s.wrong() {
		// Unmeasured, or the servers disagree among themselves: each host
		// says what its own server's Date showed.
		return nil
	}
	a := args{"servers": c.plural("clock.servers", s.Servers, nil), "span": c.span(s.Skew)}
	if s.right() {
		return []finding{{level: verdictOK, msg: c.text("clock.ok", a)}}
	}
	f := facts{skew: s.Skew}
	hint := c.osKey(pick(f.zoneLike(), "clock_skew.hint.zone", "clock_skew.hint"), os)
	return []finding{{level: verdictFail, msg: c.text(pick(s.Skew < 0, "clock.behind", "clock.ahead"), a), hint: c.text(hint, a)}}
}

// proxyFindings name the proxies the hosts were checked through, each
// once with where its setting comes from.
func proxyFindings(c *catalog, doc *agent.Document, _ string) []finding {
	var seen []string
	var out []finding
	for i := range doc.Hosts {
		px := doc.Hosts[i].Proxy
		if px == nil || px.Address == "" {
			continue
		}
		key := px.Address + "\x00" + px.Source
		if contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		f := &facts{proxy: px.Address, proxySource: px.Source}
		a := args{"where": c.proxyWhere(f)}
		c.proxy(f, a, "object")
		out = append(out, finding{level: levelInfo, msg: c.text("machine.proxy", a)})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// proxySettingFindings: a proxy setting that could not be used, an
// auto-config script, WPAD.
func proxySettingFindings(c *catalog, doc *agent.Document, _ string) []finding {
	var out []finding
	for _, v := range doc.ProxySettings {
		msg, hint := c.proxySetting(v)
		if msg == "" {
			continue
		}
		out = append(out, finding{level: pick(v.Error != "", verdictWarn, levelInfo), msg: msg, hint: hint})
	}
	return out
}

// osKey is key's variant for os (key.windows, key.darwin, key.linux) when
// the catalog words one: the commands a hint names are the OS's own.
func (c *catalog) osKey(key, os string) string {
	if os != "" && c.has(key+"."+os) {
		return key + "." + os
	}
	return key
}
