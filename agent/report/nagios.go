package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pbprobe/pbprobe/agent"
)

// NagiosStatus is the first line of `check --exit-codes nagios`, as the
// plugin convention has it: "PBPROBE <STATE> - <summary> | <perfdata>".
// The state matches the Nagios exit code (OK 0, WARNING 1, CRITICAL 2);
// the words are English in every language, as monitors match on them. The
// perfdata has every host's phases in milliseconds, U for a phase that did
// not run, so that a graph keeps its series when a host fails.
func NagiosStatus(doc *agent.Document) string {
	labels := nagiosLabels(doc.Hosts)
	state, summary := nagiosSummary(doc, labels)
	var perf []string
	for i := range doc.Hosts {
		perf = append(perf, nagiosPerf(labels[i], &doc.Hosts[i])...)
	}
	return "PBPROBE " + state + " - " + summary + " | " + strings.Join(perf, " ")
}

// nagiosSummary is the state and the text before the perfdata.
func nagiosSummary(doc *agent.Document, labels []string) (state, summary string) {
	var failing, warned []string
	required := 0
	for i, h := range doc.Hosts {
		if h.Required {
			required++
		}
		if h.Required && !h.OK {
			failing = append(failing, fmt.Sprintf("%s (%s)", labels[i], h.Reason))
		}
		for _, w := range h.Warnings {
			warned = append(warned, fmt.Sprintf("%s (%s)", labels[i], w.Code))
		}
	}
	switch {
	case !doc.Ready:
		return "CRITICAL", fmt.Sprintf("%d of %d required hosts fail: %s", len(failing), required, strings.Join(failing, ", "))
	case len(warned) > 0:
		return "WARNING", fmt.Sprintf("%d of %d required hosts ok, with warnings: %s", required, required, strings.Join(warned, ", "))
	}
	return "OK", fmt.Sprintf("%d of %d required hosts ok", required, required)
}

// nagiosPerf is one host's perfdata: a value per phase.
func nagiosPerf(label string, h *agent.HostReport) []string {
	var phases [4]*float64 // dns, tcp, tls, http; nil: did not run
	if h.DNS != nil {
		phases[0] = &h.DNS.MS
	}
	if h.TCP != nil {
		phases[1] = &h.TCP.MS
	}
	if h.TLS != nil {
		phases[2] = &h.TLS.MS
	}
	if h.HTTP != nil {
		phases[3] = &h.HTTP.MS
	}
	out := make([]string, 0, len(phases))
	for i, name := range []string{"dns", "tcp", "tls", "http"} {
		v := "U"
		if ms := phases[i]; ms != nil {
			v = strconv.FormatFloat(*ms, 'f', -1, 64) + "ms"
		}
		out = append(out, label+"_"+name+"="+v+";;;")
	}
	return out
}

// nagiosLabels names each host by the first label of its name ("api"),
// or by host and port when that is not unique in the table; characters a
// perfdata label cannot hold unquoted become "_".
func nagiosLabels(hosts []agent.HostReport) []string {
	short := make([]string, len(hosts))
	count := map[string]int{}
	for i, h := range hosts {
		short[i], _, _ = strings.Cut(h.Host, ".")
		count[short[i]]++
	}
	for i, h := range hosts {
		if count[short[i]] > 1 {
			short[i] = h.Host + "_" + strconv.Itoa(h.Port)
		}
		short[i] = strings.Map(func(r rune) rune {
			if r == '=' || r == '\'' || r == ' ' || r == '|' || r < 0x21 || r > 0x7e {
				return '_'
			}
			return r
		}, short[i])
	}
	return short
}
