package push

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pbprobe/pbprobe/agent/config"
)

// TestBacklogBounds: past max_age and max_bytes the oldest runs go first,
// their samples are counted per bound, and the index survives a reopen
// (temporary files of a crashed write are removed, foreign files kept).
func TestBacklogBounds(t *testing.T) {
	dir := t.TempDir()
	now := time.UnixMilli(1_700_000_000_000)
	b, err := openBacklog(dir, time.Hour, 1000)
	if err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 300)
	add := func(age time.Duration, samples int) map[string]int {
		d, err := b.add(now.Add(-age), samples, payload, now)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	add(2*time.Hour, 7) // past max_age at once
	if runs, _, _ := b.stats(); runs != 0 {
		t.Errorf("a run past max_age was kept")
	}
	add(30*time.Minute, 3)
	add(20*time.Minute, 4)
	add(10*time.Minute, 5)
	d := add(5*time.Minute, 6) // 4 × 300 bytes > 1000: the oldest goes
	if d[DropMaxBytes] != 3 {
		t.Errorf("dropped %v, want the oldest run's 3 samples for max_bytes", d)
	}
	b2 := reopen(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := b2.trim(now.Add(55 * time.Minute)); d[DropMaxAge] != 9 {
		t.Errorf("trim 55 min later dropped %v, want 4+5 samples for max_age", d)
	}
}

// reopen opens dir again after leaving a crashed write's temporary file
// and a foreign file in it, and checks what the index holds.
func reopen(t *testing.T, dir string) *backlog {
	t.Helper()
	for _, name := range []string{"x.rw.tmp", "README"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, err := openBacklog(dir, time.Hour, 1000)
	if err != nil {
		t.Fatal(err)
	}
	runs, samples, bytes := b.stats()
	if runs != 3 || samples != 15 || bytes != 900 {
		t.Errorf("reopened: %d runs %d samples %d bytes, want 3 15 900", runs, samples, bytes)
	}
	if e, _, _, _ := b.oldest(); e.samples != 4 {
		t.Errorf("oldest after reopen has %d samples, want 4", e.samples)
	}
	b.release() // only looked at, not sent
	if _, err := os.Stat(filepath.Join(dir, "x.rw.tmp")); !os.IsNotExist(err) {
		t.Error("temporary file of a crashed write left behind")
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err != nil {
		t.Error("a file that is not ours was removed")
	}
	return b
}

// TestDroppedEqualsMissing: while the store is down the age bound drops
// runs; once it is back, what arrived plus what the drop counter says
// equals everything enqueued.
func TestDroppedEqualsMissing(t *testing.T) {
	rcv := &receiver{status: 503}
	srv := httptest.NewServer(rcv.handler())
	defer srv.Close()
	g := newGaugeRegistry()
	clock := time.UnixMilli(1_700_000_000_000)
	p, _ := newTestPusher(t, config.Push{URL: srv.URL, Backlog: config.Backlog{MaxAge: 10 * time.Minute, MaxBytes: 1 << 20}}, g.reg, t.TempDir())
	p.o.Now = func() time.Time { return clock }
	enqueued := 0
	for i := range 20 { // a run a minute for 20 minutes
		clock = clock.Add(time.Minute)
		g.ready.Set(float64(i))
		g.setReason("api.pb.test", []string{"ok", "tcp_timeout"}[i%3/2])
		p.Enqueue(clock)
		e := p.backlog.entries[len(p.backlog.entries)-1]
		enqueued += e.samples
	}
	rcv.set(0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	waitFor(t, "an empty backlog", func() bool { r, _, _ := p.backlog.stats(); return r == 0 })
	cancel()
	<-done
	arrived := 0
	for _, r := range rcv.got() {
		for _, s := range r.series {
			arrived += len(s.Samples)
		}
	}
	dropped := testutil.ToFloat64(p.metrics.dropped.WithLabelValues(DropMaxAge))
	if len(rcv.got()) != 11 {
		t.Errorf("%d runs arrived, want the last 11 (max_age 10m keeps a run exactly 10m old)", len(rcv.got()))
	}
	if arrived+int(dropped) != enqueued || dropped == 0 {
		t.Errorf("arrived %d + dropped %v != enqueued %d", arrived, dropped, enqueued)
	}
}

// TestBacklogSpareRunBeingSent: a bound reached while the sender holds
// the oldest run drops the next oldest, never the run on its way (which
// would then be counted as dropped and also reach the store); after a
// failed send the run is judged like any other again.
func TestBacklogSpareRunBeingSent(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	b, err := openBacklog(t.TempDir(), time.Hour, 700)
	if err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 300)
	for i, age := range []time.Duration{3 * time.Minute, 2 * time.Minute} {
		if _, err := b.add(now.Add(-age), 10+i, payload, now); err != nil {
			t.Fatal(err)
		}
	}
	sending, _, ok, err := b.oldest()
	if !ok || err != nil {
		t.Fatalf("oldest: %v %v", ok, err)
	}
	// 900 bytes > 700: without the run being sent, 600 fit.
	dropped, err := b.add(now.Add(-time.Minute), 12, payload, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 0 {
		t.Fatalf("dropped %v while the oldest run was being sent", dropped)
	}
	dropped, _ = b.add(now, 13, payload, now)
	if dropped[DropMaxBytes] != 11 {
		t.Fatalf("dropped %v, want the next oldest run (11 samples)", dropped)
	}
	if n := b.remove(sending.name); n != 10 {
		t.Fatalf("the sent run: %d samples, want 10 (it must still be there)", n)
	}
	// A failed send: the run stays and is judged again.
	b2, _ := openBacklog(t.TempDir(), time.Minute, 1<<20)
	if _, err := b2.add(now.Add(-30*time.Second), 5, payload, now); err != nil {
		t.Fatal(err)
	}
	b2.oldest()
	if d := b2.trim(now.Add(time.Minute)); len(d) != 0 {
		t.Fatalf("dropped %v during the send", d)
	}
	b2.release()
	if d := b2.trim(now.Add(time.Minute)); d[DropMaxAge] != 5 {
		t.Fatalf("after a failed send: dropped %v, want the run past max_age", d)
	}
}
