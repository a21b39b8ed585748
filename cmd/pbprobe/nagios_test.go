package main

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// nagiosLine is the plugin convention's first line, parsed the way a
// monitor reads it.
type nagiosLine struct {
	state, summary string
	perf           map[string]string // label -> value with its unit, or U
}

var (
	nagiosHead = regexp.MustCompile(`^PBPROBE (OK|WARNING|CRITICAL|UNKNOWN) - (.+?) \| (.+)$`)
	nagiosPerf = regexp.MustCompile(`^([A-Za-z0-9_.:-]+)=((?:[0-9]+(?:\.[0-9]+)?ms)|U);;;$`)
)

func parseNagios(t *testing.T, out string) nagiosLine {
	t.Helper()
	first, _, _ := strings.Cut(out, "\n")
	m := nagiosHead.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line is not a Nagios status line: %q", first)
	}
	l := nagiosLine{state: m[1], summary: m[2], perf: map[string]string{}}
	for _, item := range strings.Fields(m[3]) {
		p := nagiosPerf.FindStringSubmatch(item)
		if p == nil {
			t.Fatalf("perfdata item %q does not parse", item)
		}
		l.perf[p[1]] = p[2]
	}
	return l
}

// TestCheckNagiosStatusLine: with --exit-codes nagios the first line is the
// plugin's status line, its state matches the exit code, and the perfdata
// has every host and phase (U for a phase that did not run); the details
// follow.
func TestCheckNagiosStatusLine(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	loop4 := []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	api := w.Add("api.pb.test", probetest.OK)
	portal := w.Add("portal.pb.test", probetest.PortRefused)
	app := w.AddWith("app.pb.test", probetest.Answer{A: loop4, AAAA: []netip.Addr{netip.IPv6Loopback()}}, probetest.ServerOptions{})

	for _, tc := range []struct {
		name    string
		targets []probes.Target
		code    int
		state   string
		summary string
	}{
		{"ready", []probes.Target{api}, 0, "OK", "1 of 1 required hosts ok"},
		{"a warning", []probes.Target{api, app}, 1, "WARNING", "app (ipv6_unreachable)"},
		{"not ready", []probes.Target{api, portal, app}, 2, "CRITICAL", "1 of 3 required hosts fail: portal (tcp_refused)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runCmd(t, "check", "--exit-codes", "nagios", "--config.file", w.config(t, 3*time.Second, tc.targets...))
			if res.code != tc.code {
				t.Errorf("exit %d, want %d", res.code, tc.code)
			}
			l := parseNagios(t, res.stdout)
			if l.state != tc.state || !strings.Contains(l.summary, tc.summary) {
				t.Errorf("state %s, summary %q; want %s and %q", l.state, l.summary, tc.state, tc.summary)
			}
			for _, tg := range tc.targets {
				short, _, _ := strings.Cut(tg.Host, ".")
				for _, phase := range []string{"dns", "tcp", "tls", "http"} {
					if _, ok := l.perf[short+"_"+phase]; !ok {
						t.Errorf("no perfdata for %s_%s in %v", short, phase, l.perf)
					}
				}
			}
			if v, ok := l.perf["portal_tls"]; ok && v != "U" {
				t.Errorf("portal_tls = %s; a phase that did not run is U", v)
			}
			if !strings.Contains(res.stdout, "api.pb.test") || strings.Count(res.stdout, "\n") < 3 {
				t.Errorf("the details do not follow the status line:\n%s", res.stdout)
			}
		})
	}
}

// Bad usage in Nagios mode is UNKNOWN on stdout, where the monitor reads.
func TestCheckNagiosUnknown(t *testing.T) {
	t.Parallel()
	res := runCmd(t, "check", "--exit-codes", "nagios", "--config.file", t.TempDir())
	if res.code != 3 || !strings.HasPrefix(res.stdout, "PBPROBE UNKNOWN - ") || !strings.Contains(res.stdout, "directory") {
		t.Errorf("exit %d, stdout %q; want 3 and the UNKNOWN line", res.code, res.stdout)
	}
}
