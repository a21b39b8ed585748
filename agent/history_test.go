package agent_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

var t0 = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// runDoc is a run of the five hosts at at, host i failing with reason
// when fail[i].
func runDoc(at time.Time, fail ...bool) *agent.Document {
	doc := &agent.Document{CheckedAt: at, Ready: true}
	for i, name := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		h := agent.HostReport{Host: name + ".passwordboss.com", Port: 443, Required: true, OK: true, Reason: probes.ReasonOK}
		if i < len(fail) && fail[i] {
			h.OK, h.Reason, doc.Ready = false, probes.TCPTimeout, false
		}
		doc.Hosts = append(doc.Hosts, h)
	}
	return doc
}

func TestHistoryBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		o        agent.HistoryOptions
		n        int
		every    time.Duration
		wantRuns int
	}{
		{"a day at five minutes fits", agent.HistoryOptions{}, 288, 5 * time.Minute, 288},
		{"older than a day drops", agent.HistoryOptions{}, 400, 5 * time.Minute, 289},
		{"count bound", agent.HistoryOptions{MaxRuns: 10}, 50, time.Minute, 10},
		{"age bound", agent.HistoryOptions{MaxAge: time.Hour}, 200, time.Minute, 61},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := agent.NewHistory(tt.o)
			for i := range tt.n {
				h.Add(runDoc(t0.Add(time.Duration(i) * tt.every)))
			}
			runs := h.Runs()
			if len(runs) != tt.wantRuns {
				t.Fatalf("%d runs kept, want %d", len(runs), tt.wantRuns)
			}
			if last := runs[len(runs)-1].At; !last.Equal(t0.Add(time.Duration(tt.n-1) * tt.every)) {
				t.Errorf("newest kept run at %s, want the last added", last)
			}
		})
	}
}

// However short the interval, the history stays within its bytes bound,
// and so does its JSON, within a small factor.
func TestHistoryBytesBound(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	h := agent.NewHistory(agent.HistoryOptions{MaxBytes: limit})
	for i := range 20000 {
		h.Add(runDoc(t0.Add(time.Duration(i)*time.Second), i%7 == 0))
	}
	if b := h.Bytes(); b > limit || b < limit/2 {
		t.Errorf("history counts %d bytes, want at most %d and near it", b, limit)
	}
	var buf bytes.Buffer
	if err := h.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 2*limit {
		t.Errorf("the JSON of the history is %d bytes for a bound of %d", buf.Len(), limit)
	}
	runs := h.Runs()
	if n := len(runs); n == 0 || n == 20000 {
		t.Errorf("%d runs kept", n)
	}
}

// Runs before the first run (nothing checked yet) are not history.
func TestHistorySkipsNotChecked(t *testing.T) {
	t.Parallel()
	h := agent.NewHistory(agent.HistoryOptions{})
	h.Add(&agent.Document{})
	h.Add(nil)
	if n := len(h.Runs()); n != 0 {
		t.Errorf("%d runs kept, want 0", n)
	}
}

// A restart keeps the history: the saver writes the file, a new agent
// loads it; a broken or hostile file starts an empty or cleaned history.
func TestHistoryPersists(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "sub", "history.json")
	o := agent.HistoryOptions{File: file}
	h, err := agent.LoadHistory(o)
	if err != nil || len(h.Runs()) != 0 {
		t.Fatalf("no file yet: %v, %d runs", err, len(h.Runs()))
	}
	save := h.Saver(func(err error) { t.Error(err) })
	for i := range 5 {
		save(agent.RunEvent{Cur: runDoc(t0.Add(time.Duration(i)*time.Minute), i == 3)})
	}
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := agent.LoadHistory(o)
	if err != nil {
		t.Fatal(err)
	}
	got, want := again.Runs(), h.Runs()
	if len(got) != 5 || !got[4].At.Equal(want[4].At) || got[3].Hosts[0].State != agent.StateFailing || got[3].Hosts[0].Reason != probes.TCPTimeout {
		t.Errorf("after a restart: %+v, want %+v", got, want)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestHistoryFileHostile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, body string
		wantRuns   int
		wantErr    bool
	}{
		{"not json", "garbage", 0, true},
		{"too big", `{"version":1,"runs":[` + strings.Repeat(`{"at":"2026-11-25T00:00:00Z","hosts":[]},`, 100000), 0, true},
		{"bad state dropped, text cleaned, disorder dropped",
			`{"version":1,"runs":[{"at":"2026-11-25T01:00:00Z","hosts":[{"host":"a\u001b[2J\u202e.example","port":443,"state":"ok","reason":"ok"},{"host":"b","port":443,"state":"<script>","reason":"ok"}]},` +
				`{"at":"2026-11-25T00:00:00Z","hosts":[]},{"at":"0001-01-01T00:00:00Z","hosts":[]}]}`, 1, false},
	}
	for _, tt := range tests {
		file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
		if err := os.WriteFile(file, []byte(tt.body), 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := agent.LoadHistory(agent.HistoryOptions{File: file, MaxBytes: 64 << 10})
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err %v, want error %v", tt.name, err, tt.wantErr)
		}
		runs := h.Runs()
		if len(runs) != tt.wantRuns {
			t.Errorf("%s: %d runs, want %d", tt.name, len(runs), tt.wantRuns)
			continue
		}
		if tt.wantRuns == 1 {
			hosts := runs[0].Hosts
			if len(hosts) != 1 || hosts[0].Host != "a[2J.example" {
				t.Errorf("%s: hosts %+v, want the one valid host, cleaned", tt.name, hosts)
			}
		}
	}
}

// GET /history is the runs as JSON.
func TestHistoryJSON(t *testing.T) {
	t.Parallel()
	h := agent.NewHistory(agent.HistoryOptions{})
	h.Add(runDoc(t0, false, true))
	var buf bytes.Buffer
	if err := h.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version int `json:"version"`
		Runs    []struct {
			At    time.Time `json:"at"`
			Ready bool      `json:"ready"`
			Hosts []struct {
				Host   string `json:"host"`
				State  string `json:"state"`
				Reason string `json:"reason"`
			} `json:"hosts"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || len(got.Runs) != 1 || got.Runs[0].Ready || got.Runs[0].Hosts[1].State != "failing" || got.Runs[0].Hosts[1].Reason != "tcp_timeout" {
		t.Errorf("history JSON: %s", buf.String())
	}
}

// outages is a day at one run a second: every host ok but for a ten-minute
// outage of one host every six hours (the usual day), or (flapping) a
// different verdict every run, the worst case.
func dayAtOneSecond(h *agent.History, flapping bool) {
	docs := []*agent.Document{runDoc(t0), runDoc(t0, false, true), runDoc(t0, true, true, true, true, true)}
	for i := range 86400 {
		d := *docs[0]
		switch {
		case flapping:
			d = *docs[i%len(docs)]
		case i%(6*3600) < 600:
			d = *docs[1]
		}
		d.CheckedAt = t0.Add(time.Duration(i) * time.Second)
		h.Add(&d)
	}
}

// Over its bytes bound the history merges older runs in a row with the
// same verdicts: a usual day at one run a second is kept whole, each run
// counted, the newer half a run per entry; a day that changes every run
// keeps what the bound allows.
func TestHistoryMergesToKeepADay(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	newest := t0.Add(86399 * time.Second)

	h := agent.NewHistory(agent.HistoryOptions{MaxBytes: limit})
	dayAtOneSecond(h, false)
	runs := h.Runs()
	total := 0
	for _, r := range runs {
		total += r.Runs()
	}
	if b := h.Bytes(); b > limit {
		t.Errorf("%d bytes, bound %d", b, limit)
	}
	if !runs[0].At.Equal(t0) || total != 86400 {
		t.Errorf("a usual day: %d runs from %s kept, want all 86400 from %s", total, runs[0].At, t0)
	}
	last := runs[len(runs)-1]
	if !last.At.Equal(newest) || last.Count != 0 || runs[len(runs)/2+1].Count != 0 {
		t.Errorf("the newer half is merged: last %+v", last)
	}
	// The outages stay visible: a failing entry for each.
	failing := 0
	for _, r := range runs {
		if !r.Ready && r.Runs() > 1 {
			failing++
		}
	}
	if failing < 3 {
		t.Errorf("%d merged outages, want the older ones of four", failing)
	}

	flap := agent.NewHistory(agent.HistoryOptions{MaxBytes: limit})
	dayAtOneSecond(flap, true)
	fr := flap.Runs()
	if b := flap.Bytes(); b > limit || len(fr) < 50 {
		t.Errorf("flapping: %d bytes in %d entries, bound %d", b, len(fr), limit)
	}
	if !fr[len(fr)-1].At.Equal(newest) || fr[0].At.Equal(t0) {
		t.Errorf("flapping: kept %s to %s, want the newest and not the whole day", fr[0].At, fr[len(fr)-1].At)
	}
}

// BenchmarkHistoryDayAtOneSecond adds a day of runs at a one-second
// interval (86400 runs of five hosts) with the default bounds and reports
// what the ring keeps: entries, runs and hours covered, bytes.
func BenchmarkHistoryDayAtOneSecond(b *testing.B) {
	for _, flapping := range []bool{false, true} {
		name := "usual-day"
		if flapping {
			name = "flapping-every-run"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				h := agent.NewHistory(agent.HistoryOptions{})
				dayAtOneSecond(h, flapping)
				runs := h.Runs()
				covered := 0
				for _, r := range runs {
					covered += r.Runs()
				}
				var buf bytes.Buffer
				_ = h.WriteJSON(&buf)
				b.ReportMetric(float64(len(runs)), "entries")
				b.ReportMetric(float64(covered), "runs_covered")
				b.ReportMetric(runs[len(runs)-1].At.Sub(runs[0].At).Hours(), "hours_covered")
				b.ReportMetric(float64(h.Bytes()), "bytes_counted")
				b.ReportMetric(float64(buf.Len()), "json_bytes")
			}
		})
	}
}
