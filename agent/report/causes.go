package report

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// scene is what the words of one host take from beyond it: the OS whose
// commands the hints name, and what all the servers said about the PC's
// clock.
type scene struct {
	os      string
	clock   clockState
	offline bool // the PC has no network or no internet (networkFindings)
}

// hostIn words a host's outcome in its scene; host is hostIn without one
// (a report read on its own, the JSON's message).
func (c *catalog) hostIn(h *agent.HostReport, at time.Time, sc scene) (msg, hint string) {
	f := gather(h, at)
	f.os, f.clock = sc.os, sc.clock
	return c.reason(h.Reason, f)
}

// cause is a group of failing hosts with one reason and one remedy, and
// the words of its first host.
type cause struct {
	reason    probes.Reason
	hosts     []*agent.HostReport
	msg, hint string
}

// causes groups the hosts that did not pass by reason and hint, in table
// order of their first host. The hint is compared with the host's name
// taken out, so that the same advice for two hosts is one cause.
func (t *Text) causes(doc *agent.Document) []*cause {
	sc := scene{os: t.o.OS, clock: judgeClock(doc), offline: networkDown(doc)}
	var out []*cause
	byKey := map[string]*cause{}
	for i := range doc.Hosts {
		h := &doc.Hosts[i]
		if h.OK {
			continue
		}
		msg, hint := t.hostWords(h, sc)
		key := string(h.Reason) + "\x00" + strings.ReplaceAll(hint, h.Host, "\x01")
		if c, ok := byKey[key]; ok {
			c.hosts = append(c.hosts, h)
			continue
		}
		c := &cause{reason: h.Reason, hosts: []*agent.HostReport{h}, msg: msg, hint: hint}
		byKey[key] = c
		out = append(out, c)
	}
	return out
}

// Causes writes, after the table, each cause once: the reason with the
// host it concerns (or how many), what went wrong as the first host saw
// it, and what to do. Then the warnings, each once with its hosts.
func (t *Text) Causes(doc *agent.Document) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	for _, c := range t.causes(doc) {
		b.WriteString("\n")
		t.writeCause(&b, c)
	}
	if ws := t.warnings(doc); len(ws) > 0 {
		b.WriteString("\n")
		for _, w := range ws {
			t.wrapTo(&b, warningMark, indent, strings.Fields(w))
		}
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *Text) writeCause(b *strings.Builder, c *cause) {
	msg := c.msg
	if n := len(c.hosts); n > 1 {
		msg += " " + t.cat.plural("cause.same", n-1, nil)
	}
	t.wrapTo(b, "", indent, append([]string{string(c.reason), t.who(c.hosts) + ":"}, strings.Fields(msg)...))
	if c.hint != "" {
		t.wrapTo(b, indent+hintMark, indent+strings.Repeat(" ", utf8.RuneCountInString(hintMark)), strings.Fields(c.hint))
	}
}

// who names the host of a group of one, or says how many there are: the
// table above names them.
func (t *Text) who(hosts []*agent.HostReport) string {
	if len(hosts) == 1 {
		return "(" + summaryName(hosts[0]) + ")"
	}
	return "(" + t.cat.plural("cause.hosts", len(hosts), nil) + ")"
}

// warnings are the warning lines: each distinct warning once, led by its
// code and the hosts it is on. The code leads because it is what a search
// in the docs or the logs needs.
func (t *Text) warnings(doc *agent.Document) []string {
	type group struct {
		code  agent.WarningCode
		msg   string
		hosts []*agent.HostReport
	}
	var order []*group
	byKey := map[string]*group{}
	for i := range doc.Hosts {
		h := &doc.Hosts[i]
		for _, w := range h.Warnings {
			msg := t.cat.warning(w)
			key := string(w.Code) + "\x00" + msg
			if g, ok := byKey[key]; ok {
				g.hosts = append(g.hosts, h)
				continue
			}
			g := &group{code: w.Code, msg: msg, hosts: []*agent.HostReport{h}}
			byKey[key] = g
			order = append(order, g)
		}
	}
	out := make([]string, len(order))
	for i, g := range order {
		out[i] = string(g.code) + " " + t.who(g.hosts) + ": " + g.msg
	}
	return out
}
