package page

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

var bandRE = regexp.MustCompile(`<rect class="band (ok|warning|failing|not_checked)" x="([0-9.]+)" y="0" width="([0-9.]+)" height="18"><title>([^<]*)</title></rect>`)

// hostSVG is the timeline of one host on the page.
func hostSVG(t *testing.T, body, host string) string {
	t.Helper()
	i := strings.Index(body, `aria-label="Last 24 hours: `+host)
	if i < 0 {
		t.Fatalf("no timeline for %s", host)
	}
	j := strings.Index(body[i:], "</svg>")
	return body[i : i+j]
}

// Each run is one band of its state, placed by its time, with its reason
// on hover; the day's first runs fall out of the picture.
func TestTimelineOneBandPerRun(t *testing.T) {
	t.Parallel()
	h, doc, runs := fixedHandler(t)
	_, body := get(t, h, "/", "en")
	for _, hr := range doc.Hosts {
		svg := hostSVG(t, body, hr.Host)
		bands := bandRE.FindAllStringSubmatch(svg, -1)
		if len(bands) != len(runs) {
			t.Errorf("%s: %d bands, want one per run: %d", hr.Host, len(bands), len(runs))
			continue
		}
		count := map[string]int{}
		for _, b := range bands {
			count[b[1]]++
		}
		switch {
		case !hr.OK:
			// Failing for the last two hours: 25 runs at five minutes.
			if count["failing"] != 25 || count["ok"] != len(runs)-25 {
				t.Errorf("%s: bands %v, want 25 failing", hr.Host, count)
			}
			last := bands[len(bands)-1]
			if want := "09:40:00 FAIL " + string(hr.Reason); last[4] != want {
				t.Errorf("%s: last band's title %q, want %q", hr.Host, last[4], want)
			}
		case len(hr.Warnings) > 0:
			if count["warning"] != 13 {
				t.Errorf("%s: bands %v, want 13 warning", hr.Host, count)
			}
		default:
			if count["ok"] != len(runs) {
				t.Errorf("%s: bands %v, want all ok", hr.Host, count)
			}
		}
	}
}

// hist is n runs of one host, every gap apart before end, with state(i).
func hist(n int, gap time.Duration, end time.Time, state func(i int) agent.HostState) []agent.HistoryRun {
	var runs []agent.HistoryRun
	for i := range n {
		s := state(i)
		reason := probes.ReasonOK
		if s == agent.StateFailing {
			reason = probes.TCPTimeout
		}
		runs = append(runs, agent.HistoryRun{At: end.Add(-time.Duration(n-1-i) * gap),
			Hosts: []agent.HistoryHost{{Host: "h", Port: 443, State: s, Reason: reason}}})
	}
	return runs
}

func TestBands(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ok := func(int) agent.HostState { return agent.StateOK }
	flap := func(i int) agent.HostState {
		if i/10%2 == 1 {
			return agent.StateFailing
		}
		return agent.StateOK
	}
	tests := []struct {
		name      string
		runs      []agent.HistoryRun
		wantBands int
		wantX0    string // the first band's x
	}{
		{"none", nil, 0, ""},
		{"one run, the newest, stays in the picture", hist(1, time.Minute, end, ok), 1, "958.00"},
		{"a day at five minutes", hist(288, 5*time.Minute, end, ok), 288, "3.33"},
		{"older than a day drops", hist(300, 5*time.Minute, end, ok), 288, "3.33"},
		// At 10 s, 8640 runs: runs alike in a row share a band.
		{"short interval merges", hist(8640, 10*time.Second, end, flap), 864, "0.11"},
		{"short interval, all ok", hist(8640, 10*time.Second, end, ok), 1, "0.11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bs := bands(tt.runs, "h", 443, end, time.UTC)
			if len(bs) != tt.wantBands {
				t.Fatalf("%d bands, want %d", len(bs), tt.wantBands)
			}
			if len(bs) > 0 && bs[0].X != tt.wantX0 {
				t.Errorf("first band at %s, want %s", bs[0].X, tt.wantX0)
			}
			if other := bands(tt.runs, "other", 443, end, time.UTC); len(other) != 0 {
				t.Errorf("another host's timeline has %d bands", len(other))
			}
		})
	}
}

// A gap in the runs (the agent was stopped) stays a gap: a band lasts at
// most three usual intervals.
func TestBandsGap(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	runs := append(hist(10, 5*time.Minute, end.Add(-6*time.Hour), func(int) agent.HostState { return agent.StateOK }),
		hist(10, 5*time.Minute, end, func(int) agent.HostState { return agent.StateFailing })...)
	bs := bands(runs, "h", 443, end, time.UTC)
	if len(bs) != 20 {
		t.Fatalf("%d bands, want 20", len(bs))
	}
	// Five minutes are 3.33 units; the band before the gap ends after one.
	if bs[9].W != "3.33" {
		t.Errorf("the band before the gap is %s wide, want 3.33", bs[9].W)
	}
	if !strings.Contains(bs[19].Title, "FAIL tcp_timeout") {
		t.Errorf("last band's title %q", bs[19].Title)
	}
}

func TestLastChange(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		state     func(int) agent.HostState
		n         int
		wantAt    time.Time
		wantKnown bool
	}{
		{"no runs", nil, 0, time.Time{}, false},
		{"one run", func(int) agent.HostState { return agent.StateOK }, 1, time.Time{}, false},
		{"never changed", func(int) agent.HostState { return agent.StateOK }, 5, end.Add(-20 * time.Minute), false},
		{"went down", func(i int) agent.HostState {
			if i >= 3 {
				return agent.StateFailing
			}
			return agent.StateOK
		}, 5, end.Add(-5 * time.Minute), true},
		{"came back", func(i int) agent.HostState {
			if i == 2 {
				return agent.StateFailing
			}
			return agent.StateOK
		}, 5, end.Add(-5 * time.Minute), true},
	}
	for _, tt := range tests {
		var runs []agent.HistoryRun
		if tt.n > 0 {
			runs = hist(tt.n, 5*time.Minute, end, tt.state)
		}
		at, known := lastChange(runs, "h", 443)
		if !at.Equal(tt.wantAt) || known != tt.wantKnown {
			t.Errorf("%s: lastChange = %s %v, want %s %v", tt.name, at, known, tt.wantAt, tt.wantKnown)
		}
	}
}

// An entry the history merged (an hour of runs alike) is one band over its
// hour, with the count on hover; the spacing of its runs is the usual gap.
func TestBandsOfMergedRuns(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	host := func(s agent.HostState, r probes.Reason) []agent.HistoryHost {
		return []agent.HistoryHost{{Host: "h", Port: 443, State: s, Reason: r}}
	}
	runs := []agent.HistoryRun{
		{At: end.Add(-10 * time.Hour), Count: 3601, Until: end.Add(-9 * time.Hour), Hosts: host(agent.StateOK, probes.ReasonOK)},
		{At: end.Add(-9*time.Hour + time.Second), Hosts: host(agent.StateFailing, probes.TCPTimeout)},
		{At: end.Add(-9*time.Hour + 2*time.Second), Hosts: host(agent.StateFailing, probes.TCPTimeout)},
	}
	bs := bands(runs, "h", 443, end, time.UTC)
	if len(bs) != 3 {
		t.Fatalf("%d bands, want 3", len(bs))
	}
	// 14 h of 24 from the left edge, an hour (40 units) wide.
	if bs[0].X != "560.00" || bs[0].W != "40.01" {
		t.Errorf("the merged band is at %s, %s wide; want 560.00, 40.01", bs[0].X, bs[0].W)
	}
	if !strings.Contains(bs[0].Title, "(3601×) OK ok") {
		t.Errorf("the merged band's title %q lacks the count", bs[0].Title)
	}
	if at, known := lastChange(runs, "h", 443); !known || !at.Equal(runs[1].At) {
		t.Errorf("lastChange = %s %v, want the first failing run", at, known)
	}
}
