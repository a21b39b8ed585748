//go:build linux

package agent_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

const (
	// soakCyclesEnv overrides the number of measured cycles, so that a
	// quick `make bench` need not pay for the full soak.
	soakCyclesEnv     = "PBPROBE_SOAK_CYCLES"
	soakDefaultCycles = 10000
	// soakWarmCycles are run before anything is measured: the first runs
	// grow pools, caches and the histogram's label sets, which is not a leak.
	soakWarmCycles = 100
	soakInterval   = 10 * time.Millisecond
	// soakSettle gives goroutines that are already on their way out (a
	// conn's reader seeing EOF) time to finish before they are counted.
	soakSettle  = 500 * time.Millisecond
	soakScrapes = 2000
	// soakProfilesEnv names a directory for heap profiles at the warm and
	// end points, to trace heap growth to where it was allocated.
	soakProfilesEnv = "PBPROBE_SOAK_PROFILES"
	// soakWorldEnv makes TestSoakWorld serve instead of skipping.
	soakWorldEnv = "PBPROBE_SOAK_WORLD"
	// soakWorldPrefix marks the child's protocol lines on its stdout, which
	// the testing package shares.
	soakWorldPrefix = "soakworld "
)

// BenchmarkAgentSoak runs the agent's loop at a 10 ms interval over five
// healthy hosts for PBPROBE_SOAK_CYCLES cycles (default 10000) after 100
// warm-up cycles, and reports what a long-running agent would show growing
// (goroutines, open files, heap in use), what a cycle costs (CPU, bytes on
// the wire) and how fast /metrics answers afterwards.
//
// The prober is the agent's own: it resumes TLS sessions, so the first
// cycle makes full handshakes and the measured ones resume. The first
// cycle is reported on its own (first-run-ms, full-wire-B/cycle), and the
// bytes a day at the default interval count one full handshake per
// agent.SessionMaxAge and resumed ones in between.
//
// The test world runs in a child process (this test binary, as
// TestSoakWorld), so that the CPU time, goroutines, descriptors and heap
// measured here are the agent's alone and not mixed with the TLS servers'
// side of every handshake; the world's CPU is reported on its own.
//
// One soak is run whatever b.N is (run it with -benchtime 1x): its
// measurements are per cycle already, and repeating a multi-minute soak
// b.N times would measure nothing new.
func BenchmarkAgentSoak(b *testing.B) {
	cycles := soakCycles(b)
	if os.Getenv(soakProfilesEnv) != "" {
		// A leak of a few bytes a cycle is below the default sampling of
		// one allocation per 512 KiB; recording every one slows the agent
		// about threefold, so the CPU numbers of such a run mean little.
		runtime.MemProfileRate = 1
	}
	world := startSoakWorld(b)
	res := runSoak(b, world, cycles)
	scrape := scrapeMetrics(b, res.agent, res.metrics)

	n := float64(cycles)
	b.ReportMetric(n, "cycles")
	b.ReportMetric(res.wall.Seconds(), "soak-s")
	b.ReportMetric(float64(res.wall.Microseconds())/1000/n, "cycle-ms")
	b.ReportMetric(float64(res.runTime.Microseconds())/1000/n, "run-ms")
	b.ReportMetric(float64(res.agentCPU.Microseconds())/n, "agent-cpu-us/cycle")
	b.ReportMetric(float64(res.worldCPU.Microseconds())/n, "world-cpu-us/cycle")
	b.ReportMetric(float64(res.dials)/n, "dials/cycle")
	b.ReportMetric(float64(res.resumed)/n, "resumed/cycle")
	b.ReportMetric(float64(res.tcpBytes)/n, "tcp-B/cycle")
	b.ReportMetric(float64(res.dnsBytes)/n, "dns-B/cycle")
	wire := float64(res.tcpBytes+res.dnsBytes) / n
	b.ReportMetric(wire, "wire-B/cycle")
	b.ReportMetric(float64(res.firstWire), "full-wire-B/cycle")
	b.ReportMetric(float64(res.firstRun.Microseconds())/1000, "first-run-ms")
	// At the default interval, each session's full handshake is followed
	// by resumed ones until it is SessionMaxAge old.
	perAge := float64(agent.SessionMaxAge / config.DefaultInterval)
	perDay := float64(24*time.Hour/agent.SessionMaxAge) * (float64(res.firstWire) + (perAge-1)*wire)
	b.ReportMetric(perDay/1e6, "wire-MB/day@5m")
	for _, s := range []struct {
		name string
		snap soakSnapshot
	}{{"warm", res.warm}, {"end", res.end}, {"stopped", res.stopped}} {
		b.ReportMetric(float64(s.snap.goroutines), "goroutines-"+s.name)
		b.ReportMetric(float64(len(s.snap.fds)), "fds-"+s.name)
		b.ReportMetric(float64(s.snap.heapInuse)/(1<<20), "heap-"+s.name+"-MiB")
		b.ReportMetric(float64(s.snap.heapLive)/1024, "live-"+s.name+"-KiB")
	}
	b.ReportMetric(scrape.p50, "scrape-p50-ms")
	b.ReportMetric(scrape.p99, "scrape-p99-ms")
	b.ReportMetric(scrape.max, "scrape-max-ms")
	b.ReportMetric(scrape.kib, "scrape-KiB")

	// Growth between two points where the loop is in the same state is a
	// leak; say where it comes from rather than just that it exists (the
	// stacks are cut short in benchmark output unless run with -v).
	if res.end.goroutines > res.warm.goroutines {
		b.Logf("goroutines grew from %d to %d over the soak; at the end:\n%s", res.warm.goroutines, res.end.goroutines, res.end.stacks)
	}
	if added := fdDiff(res.warm.fds, res.end.fds); len(added) > 0 {
		b.Logf("open descriptors grew from %d to %d over the soak; new: %s", len(res.warm.fds), len(res.end.fds), strings.Join(added, ", "))
	}
}

func soakCycles(tb testing.TB) int {
	tb.Helper()
	s := os.Getenv(soakCyclesEnv)
	if s == "" {
		return soakDefaultCycles
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive number of cycles", soakCyclesEnv, s)
	}
	return n
}

type soakResult struct {
	agent   *agent.Agent
	metrics *agent.Metrics

	warm, end, stopped soakSnapshot
	// Over the measured cycles only (warm-up excluded):
	wall, runTime, agentCPU, worldCPU  time.Duration
	dials, resumed, tcpBytes, dnsBytes int64
	// The first cycle, whose handshakes are all full ones:
	firstRun  time.Duration
	firstWire int64
}

// soakCounters are everything that accumulates over the cycles, read at
// the two pauses.
type soakCounters struct {
	agentCPU, worldCPU                 time.Duration
	runTime                            time.Duration
	dials, resumed, tcpBytes, dnsBytes int64
	wallStart                          time.Time
}

func runSoak(b *testing.B, world *soakWorld, cycles int) soakResult {
	b.Helper()
	dialer := &countingDialer{}
	opts := world.options(b)
	opts.Dialer = dialer
	// Ample for loopback even on a busy machine: a late answer on a
	// loaded 2-core box would otherwise fail the soak for no fault of the
	// agent's (every host is healthy, so the timeout costs nothing).
	opts.Timeout = 5 * time.Second
	// As the agent's default prober has it; only the dialer is ours.
	opts.SessionCache = probes.NewSessionCache(64, agent.SessionMaxAge)

	cfg := config.Default()
	cfg.Hosts = nil
	for _, t := range world.Targets {
		cfg.Hosts = append(cfg.Hosts, config.Host{Host: t.Host, Port: t.Port, Required: true, AllowPrivate: t.AllowPrivate})
	}
	// Below config.MinInterval, which only limits config files: a Config
	// built in code may ask for any interval.
	cfg.Interval = soakInterval
	cfg.Timeout = opts.Timeout

	ctx, cancel := context.WithCancel(context.Background())
	var (
		done     atomic.Int64
		dnsBytes atomic.Int64
		runNanos atomic.Int64
		resumed  atomic.Int64
		first    struct {
			run  time.Duration
			wire int64
		}
		failure atomic.Pointer[error]
		metrics *agent.Metrics
	)
	pause, resume := make(chan struct{}), make(chan struct{})
	total := int64(soakWarmCycles + cycles)
	check := func(_, cur *agent.Document) {
		for i := range cur.Hosts {
			h := &cur.Hosts[i]
			if !h.OK && failure.Load() == nil {
				err := fmt.Errorf("cycle %d: %s: %s (%s)", done.Load()+1, h.Host, h.Reason, h.Error)
				failure.Store(&err)
				cancel()
			}
			if h.TLS != nil && h.TLS.Resumed {
				resumed.Add(1)
			}
		}
		runNanos.Add(int64(cur.DurationMS * 1e6))
		if done.Load() == 0 {
			// Read by the benchmark only after the warm-up pause.
			first.run = time.Duration(cur.DurationMS * 1e6)
			first.wire = dialer.read.Load() + dialer.written.Load() + dnsBytes.Load()
		}
		// Pausing in the hook stops the loop between runs, with no probe in
		// flight, so that the warm and end measurements see the same state.
		if n := done.Add(1); n == soakWarmCycles || n == total {
			select {
			case pause <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case <-resume:
			case <-ctx.Done():
			}
		}
	}
	a, err := agent.New(agent.Options{
		Config:    cfg,
		NewProber: func(*config.Config) (agent.Prober, error) { return &dnsCounter{probes.New(opts), &dnsBytes}, nil },
		Hooks:     []agent.RunHook{func(ev agent.RunEvent) { metrics.Observe(ev.Prev, ev.Cur); check(ev.Prev, ev.Cur) }},
	})
	if err != nil {
		b.Fatalf("agent.New with a %s interval: %v", soakInterval, err)
	}
	metrics = agent.NewMetrics(a, agent.NewReloadStatus())

	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = a.Run(ctx)
	}()
	// On a failure below, the loop must not outlive the benchmark.
	defer func() {
		cancel()
		<-loopDone
	}()
	waitPause := func(what string) {
		b.Helper()
		select {
		case <-pause:
		case <-loopDone:
			if e := failure.Load(); e != nil {
				b.Fatal(*e)
			}
			b.Fatalf("the loop stopped before %s after %d cycles", what, done.Load())
		}
	}
	read := func() soakCounters {
		return soakCounters{
			agentCPU:  cpuTime(b),
			worldCPU:  world.cpu(b),
			runTime:   time.Duration(runNanos.Load()),
			dials:     dialer.dials.Load(),
			resumed:   resumed.Load(),
			tcpBytes:  dialer.read.Load() + dialer.written.Load(),
			dnsBytes:  dnsBytes.Load(),
			wallStart: time.Now(),
		}
	}

	var res soakResult
	waitPause("warming up")
	time.Sleep(soakSettle)
	res.warm = snapshot(b)
	heapProfile(b, "warm")
	c0 := read()
	resume <- struct{}{}

	waitPause("the end")
	c1 := read()
	res.wall = c1.wallStart.Sub(c0.wallStart)
	res.runTime = c1.runTime - c0.runTime
	res.agentCPU, res.worldCPU = c1.agentCPU-c0.agentCPU, c1.worldCPU-c0.worldCPU
	res.dials, res.resumed = c1.dials-c0.dials, c1.resumed-c0.resumed
	res.tcpBytes, res.dnsBytes = c1.tcpBytes-c0.tcpBytes, c1.dnsBytes-c0.dnsBytes
	res.firstRun, res.firstWire = first.run, first.wire
	time.Sleep(soakSettle)
	res.end = snapshot(b)
	heapProfile(b, "end")

	cancel()
	<-loopDone
	if e := failure.Load(); e != nil {
		b.Fatal(*e)
	}
	if got := done.Load(); got != total {
		b.Fatalf("%d cycles ran, want %d", got, total)
	}
	time.Sleep(soakSettle)
	res.stopped = snapshot(b)
	res.agent, res.metrics = a, metrics
	return res
}

// soakSnapshot is the agent process's footprint at one moment.
type soakSnapshot struct {
	goroutines int
	heapInuse  uint64
	// heapLive counts the bytes of live objects, without the free space
	// in their spans that HeapInuse includes: a leak shows here first.
	heapLive uint64
	// fds maps each open descriptor to what it points at, so that growth
	// can be named.
	fds    map[string]string
	stacks string
}

// dnsCounter adds up the DNS payload of every probe: the run document
// keeps the facts a technician needs, not the bytes on the wire.
type dnsCounter struct {
	p     *probes.Prober
	bytes *atomic.Int64
}

func (c *dnsCounter) Probe(ctx context.Context, t probes.Target) *probes.Result {
	r := c.p.Probe(ctx, t)
	if r.DNS != nil {
		for _, q := range r.DNS.Queries {
			c.bytes.Add(int64(q.Bytes))
		}
	}
	return r
}

func snapshot(tb testing.TB) soakSnapshot {
	tb.Helper()
	// Twice: the first cycle's finalizers (closed conns) free more on the second.
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var stacks bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&stacks, 1); err != nil {
		tb.Fatal(err)
	}
	return soakSnapshot{goroutines: runtime.NumGoroutine(), heapInuse: ms.HeapInuse, heapLive: ms.HeapAlloc, fds: openFDs(tb), stacks: stacks.String()}
}

// heapProfile writes a heap profile into $PBPROBE_SOAK_PROFILES, when set:
// go tool pprof -sample_index=inuse_space -base heap-warm.pb.gz heap-end.pb.gz
// names the allocation sites of whatever grew.
func heapProfile(tb testing.TB, name string) {
	tb.Helper()
	dir := os.Getenv(soakProfilesEnv)
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, "heap-"+name+".pb.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		tb.Fatal(err)
	}
}

// openFDs lists /proc/self/fd; the descriptor ReadDir itself holds is in
// every listing alike.
func openFDs(tb testing.TB) map[string]string {
	tb.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Fatal(err)
	}
	fds := make(map[string]string, len(ents))
	for _, e := range ents {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		fds[e.Name()] = target
	}
	return fds
}

// fdDiff names the descriptors open in after that were not open (as the
// same thing) in before.
func fdDiff(before, after map[string]string) []string {
	var added []string
	for _, fd := range slices.Sorted(maps.Keys(after)) {
		if before[fd] != after[fd] {
			added = append(added, fd+" -> "+after[fd])
		}
	}
	return added
}

// cpuTime is this process's user plus system time.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingDialer counts the bytes of every TCP connection the prober makes:
// TLS records in both directions, without TCP/IP headers. Whatever a
// server sends after the prober stops reading is not counted either.
type countingDialer struct {
	d                    net.Dialer
	dials, read, written atomic.Int64
}

func (c *countingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := c.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	c.dials.Add(1)
	return &countingConn{Conn: conn, d: c}, nil
}

type countingConn struct {
	net.Conn
	d *countingDialer
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.d.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.d.written.Add(int64(n))
	return n, err
}

type scrapeStats struct{ p50, p99, max, kib float64 }

// scrapeMetrics serves /metrics as the real agent does (its collector plus
// the build, Go and process collectors) and times sequential scrapes over
// one kept-alive connection, as Prometheus makes them.
func scrapeMetrics(b *testing.B, a *agent.Agent, m *agent.Metrics) scrapeStats {
	b.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		m,
		versioncollector.NewCollector("pbprobe"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	logger := slog.New(slog.DiscardHandler)
	h, err := agent.NewHandler(agent.ServerOptions{
		Agent:        a,
		Gatherer:     reg,
		RenderStatus: func(rep *agent.Document) ([]byte, error) { return json.Marshal(rep) },
		Version:      "soak",
		Started:      time.Now(),
		Logger:       logger,
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- agent.Serve(ctx, ln, h, "", logger) }()
	tr := &http.Transport{}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer func() {
		tr.CloseIdleConnections()
		cancel()
		if err := <-served; err != nil {
			b.Errorf("serving /metrics: %v", err)
		}
	}()

	url := "http://" + ln.Addr().String() + "/metrics"
	lat := make([]time.Duration, 0, soakScrapes)
	var size int64
	for range soakScrapes {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		size, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /metrics: %s", resp.Status)
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return scrapeStats{
		p50: ms(lat[len(lat)/2]),
		p99: ms(lat[len(lat)*99/100]),
		max: ms(lat[len(lat)-1]),
		kib: float64(size) / 1024,
	}
}

// soakWorldInfo is what the world process tells the benchmark: where its
// resolver, trust stores and five hosts are.
type soakWorldInfo struct {
	DNS         string
	SystemRoots string
	PublicRoots string
	Timeout     time.Duration
	Targets     []probes.Target
}

// soakWorld is the benchmark's handle on the world process.
type soakWorld struct {
	soakWorldInfo
	in  io.Writer
	out *bufio.Scanner
}

// startSoakWorld runs TestSoakWorld in a child process of this test binary
// and waits for it to say where its world is. The child lives until
// b's cleanup closes its stdin.
func startSoakWorld(b *testing.B) *soakWorld {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoakWorld$", "-test.count=1", "-test.timeout=0")
	cmd.Env = append(os.Environ(), soakWorldEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				b.Errorf("world process: %v\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			b.Errorf("world process did not exit within 10 s of its stdin closing; killed")
		}
	})
	w := &soakWorld{in: in, out: bufio.NewScanner(out)}
	line, err := w.line()
	if err != nil {
		b.Fatalf("world process: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal([]byte(line), &w.soakWorldInfo); err != nil {
		b.Fatalf("world process said %q: %v", line, err)
	}
	if len(w.Targets) != 5 {
		b.Fatalf("world process has %d hosts, want 5", len(w.Targets))
	}
	return w
}

// line returns the child's next protocol line, skipping anything else the
// testing package prints.
func (w *soakWorld) line() (string, error) {
	for w.out.Scan() {
		if s, ok := strings.CutPrefix(w.out.Text(), soakWorldPrefix); ok {
			return s, nil
		}
	}
	if err := w.out.Err(); err != nil {
		return "", err
	}
	return "", io.ErrUnexpectedEOF
}

// cpu asks the world process for its CPU time so far.
func (w *soakWorld) cpu(tb testing.TB) time.Duration {
	tb.Helper()
	if _, err := io.WriteString(w.in, "cpu\n"); err != nil {
		tb.Fatalf("world process: %v", err)
	}
	line, err := w.line()
	if err != nil {
		tb.Fatalf("world process: %v", err)
	}
	ns, err := strconv.ParseInt(line, 10, 64)
	if err != nil {
		tb.Fatalf("world process said %q: %v", line, err)
	}
	return time.Duration(ns)
}

// options point a prober at the world, as probetest.World.Options would in
// the world's own process.
func (w *soakWorld) options(tb testing.TB) probes.Options {
	tb.Helper()
	system, err := config.LoadPEMPool(w.SystemRoots)
	if err != nil {
		tb.Fatal(err)
	}
	public, err := config.LoadPEMPool(w.PublicRoots)
	if err != nil {
		tb.Fatal(err)
	}
	return probes.Options{Resolvers: []string{w.DNS}, SystemRoots: system, PublicRoots: public, Timeout: w.Timeout}
}

// TestSoakWorld is not a test: it is BenchmarkAgentSoak's world, run in a
// child process so that the benchmark measures the agent alone. It prints
// where the world is, then answers each line on stdin with its CPU time,
// until stdin closes.
func TestSoakWorld(t *testing.T) {
	if os.Getenv(soakWorldEnv) != "1" {
		t.Skip("the world process of BenchmarkAgentSoak; it runs only as that benchmark's child")
	}
	w := probetest.NewWorld(t)
	system, public, err := w.WritePEMs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	info := soakWorldInfo{DNS: w.DNS.Addr(), SystemRoots: system, PublicRoots: public, Timeout: w.Options().Timeout}
	for i := range 5 {
		info.Targets = append(info.Targets, w.Add(fmt.Sprintf("h%d.soak.test", i), probetest.OK))
	}
	js, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", soakWorldPrefix, js)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Printf("%s%d\n", soakWorldPrefix, cpuTime(t).Nanoseconds())
	}
	if err := in.Err(); err != nil && !errors.Is(err, os.ErrClosed) {
		t.Fatal(err)
	}
}
