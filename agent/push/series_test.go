package push

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbprobe/pbprobe/agent/config"
)

// TestBuilderStateSetAndStaleMarker: only the current reason is pushed,
// and when it changes the old reason's series ends with a stale marker at
// the new run's time.
func TestBuilderStateSetAndStaleMarker(t *testing.T) {
	g := newGaugeRegistry()
	b := newBuilder(map[string]string{"site": "berlin"}, 0)
	t0 := time.UnixMilli(1_700_000_000_000)

	g.setReason("api.pb.test", "ok")
	mfs, _ := g.reg.Gather()
	out, kept, over := b.build(mfs, t0)
	if kept != 2 || over != 0 || len(out) != 2 {
		t.Fatalf("first run: kept %d over %d series %d, want 2 0 2: %+v", kept, over, len(out), out)
	}
	g.setReason("api.pb.test", "tcp_timeout")
	mfs, _ = g.reg.Gather()
	out, _, _ = b.build(mfs, t0.Add(time.Minute))
	current, stale := countReasons(t, out, "tcp_timeout", "ok", t0.Add(time.Minute))
	if current != 1 || stale != 1 {
		t.Errorf("after a change: %d current and %d stale reason series, want 1 and 1", current, stale)
	}
	// Another run with the same reason: the stale marker is not repeated.
	out, _, _ = b.build(mfs, t0.Add(2*time.Minute))
	for _, s := range out {
		if IsStale(s.Samples[len(s.Samples)-1].Value) {
			t.Errorf("stale marker repeated: %+v", s.Labels)
		}
	}
}

// countReasons counts the reason series that say cur and the stale
// markers at `at` for old; any other reason series is an error.
func countReasons(t *testing.T, out []Series, cur, old string, at time.Time) (current, stale int) {
	t.Helper()
	for _, s := range out {
		if lv(s, "__name__") != "pbprobe_host_reason" {
			continue
		}
		switch {
		case lv(s, "reason") == cur && s.Samples[0].Value == 1:
			current++
		case lv(s, "reason") == old && len(s.Samples) == 2 && s.Samples[0] == Sample{0, at.UnixMilli()} &&
			IsStale(s.Samples[1].Value) && s.Samples[1].TimeMS == at.UnixMilli()+1:
			stale++ // a final 0 for last_over_time, then the stale marker
		default:
			t.Errorf("unexpected reason series %+v", s)
		}
		if lv(s, "site") != "berlin" {
			t.Errorf("no identity label on %+v", s.Labels)
		}
	}
	return current, stale
}

// TestBuilderBudget: the budget cuts the least important families first,
// and histograms and foreign families are never pushed.
func TestBuilderBudget(t *testing.T) {
	reg := prometheus.NewRegistry()
	ready := prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbprobe_ready", Help: "h"})
	many := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "pbprobe_aaa_many", Help: "h"}, []string{"i"})
	hist := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "pbprobe_phase_duration_seconds", Help: "h"})
	goGauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "go_goroutines", Help: "h"})
	reg.MustRegister(ready, many, hist, goGauge)
	hist.Observe(1)
	for i := range 10 {
		many.WithLabelValues(string(rune('a' + i))).Set(float64(i))
	}
	mfs, _ := reg.Gather()
	b := newBuilder(nil, 5)
	out, kept, over := b.build(mfs, time.Now())
	if kept != 5 || over != 6 || len(out) != 5 {
		t.Fatalf("kept %d over %d series %d, want 5 6 5", kept, over, len(out))
	}
	if lv(out[0], "__name__") != "pbprobe_ready" {
		t.Errorf("first series %s, want pbprobe_ready (priority over name order)", lv(out[0], "__name__"))
	}
	for _, s := range out {
		if n := lv(s, "__name__"); n != "pbprobe_ready" && n != "pbprobe_aaa_many" {
			t.Errorf("pushed %s", n)
		}
	}
}

// TestWireRoundTrip: what encodeRequest writes decodes to the same series,
// stale markers bit for bit.
func TestWireRoundTrip(t *testing.T) {
	in := []Series{
		{Labels: []Label{{"__name__", "pbprobe_ready"}, {"site", "bärlin"}}, Samples: []Sample{{1, 1700000000000}, {0, 1700000060000}}},
		{Labels: []Label{{"__name__", "x"}}, Samples: []Sample{{staleNaN, -5}, {math.Inf(-1), 0}}},
	}
	out, err := DecodeRequest(encodeRequest(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d series back, want %d", len(out), len(in))
	}
	for i := range in {
		for j, l := range in[i].Labels {
			if out[i].Labels[j] != l {
				t.Errorf("series %d label %d: %+v, want %+v", i, j, out[i].Labels[j], l)
			}
		}
		for j, s := range in[i].Samples {
			got := out[i].Samples[j]
			if math.Float64bits(got.Value) != math.Float64bits(s.Value) || got.TimeMS != s.TimeMS {
				t.Errorf("series %d sample %d: %+v, want %+v", i, j, got, s)
			}
		}
	}
	if _, err := DecodeRequest([]byte{0x0a, 0x05, 0x01}); err == nil {
		t.Error("truncated input decoded without an error")
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add(encodeRequest([]Series{{Labels: []Label{{"a", "b"}}, Samples: []Sample{{1, 2}}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeRequest(b)
	})
}

// TestStaleMarkerAcrossRestart: a reason that changes while the agent is
// restarted still ends with a final 0 and a stale marker, from the label
// sets kept on disk; a plain gauge that is gone ends with the marker only.
func TestStaleMarkerAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	g := newGaugeRegistry()
	phase := prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbprobe_last_phase_duration_seconds", Help: "h"})
	g.reg.MustRegister(phase)
	g.setReason("api.pb.test", "ok")
	p1, _ := newTestPusher(t, config.Push{URL: "http://127.0.0.1:9/"}, g.reg, dir)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond) // within max_age
	p1.Enqueue(t0)

	g.reg.Unregister(phase)
	g.setReason("api.pb.test", "tcp_timeout")
	p2, _ := newTestPusher(t, config.Push{URL: "http://127.0.0.1:9/"}, g.reg, dir) // the restart
	p2.Enqueue(t0.Add(time.Minute))
	runs, _, _ := p2.backlog.stats()
	if runs != 2 {
		t.Fatalf("%d runs in the backlog, want 2", runs)
	}
	data, err := readCapped(filepath.Join(dir, p2.backlog.entries[1].name), maxEntryBytes)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeRequest(data)
	if err != nil {
		t.Fatal(err)
	}
	if current, stale := countReasons(t, out, "tcp_timeout", "ok", t0.Add(time.Minute)); current != 1 || stale != 1 {
		t.Errorf("after a restart: %d current and %d ended reason series, want 1 and 1", current, stale)
	}
	s := find(t, out, "pbprobe_last_phase_duration_seconds")
	if len(s.Samples) != 1 || !IsStale(s.Samples[0].Value) {
		t.Errorf("a gone gauge ends with %+v, want the stale marker only", s.Samples)
	}
}
