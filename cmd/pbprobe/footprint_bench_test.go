//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// BenchmarkAgentIdleRSS starts the stripped release binary as `pbprobe run`
// against five healthy hosts of a test world, waits until /status shows
// them all ok, lets it idle, and reports what the agent costs a customer
// PC between runs: its resident memory (idle-RSS-MiB) and the high-water
// mark of the first run (peak-RSS-MiB), how long until the first run was
// visible (ready-ms) and how long it takes to exit on SIGTERM (stop-ms), which
// a service manager waits for.
//
// One agent is started whatever b.N is (run it with -benchtime 1x): the
// measurement is of a single long-lived process.
func BenchmarkAgentIdleRSS(b *testing.B) {
	bin := buildRelease(b)

	cfg := fiveHealthyHosts(b)

	addr := freeLoopbackAddr(b)
	out := &lockedBuffer{}
	// An empty --log.file keeps the agent off the system log folder, which
	// the test user cannot write; the console log goes to out.
	cmd := exec.Command(bin, "run", "--config.file", cfg, "--web.listen-address", addr, "--log.file=", "--interval", "5m")
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &process{done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	b.Cleanup(func() {
		_ = cmd.Process.Kill() // harmless once it has exited
		<-p.done
	})

	ready := waitAllOK(b, "http://"+addr+"/status", 5, p, out)
	if !ready {
		b.Fatalf("no run showed all 5 hosts ok within 10 s\n%s", out)
	}
	readyAfter := time.Since(start)
	// Idle is what the agent looks like for almost all of a 5 min
	// interval: the first run's garbage collected and returned, or not.
	time.Sleep(2 * time.Second)
	rss, hwm := procStatusKiB(b, cmd.Process.Pid, "VmRSS"), procStatusKiB(b, cmd.Process.Pid, "VmHWM")

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	select {
	case <-p.done:
		stop := time.Since(sent)
		if p.err != nil {
			b.Fatalf("pbprobe run after SIGTERM: %v\n%s", p.err, out)
		}
		b.ReportMetric(float64(stop.Microseconds())/1000, "stop-ms")
	case <-time.After(5 * time.Second):
		b.Fatalf("pbprobe run did not exit within 5 s of SIGTERM\n%s", out)
	}
	b.ReportMetric(float64(rss)/1024, "idle-RSS-MiB")
	b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(readyAfter.Microseconds())/1000, "ready-ms")
}

// waitAllOK polls /status for up to 10 s until it shows n hosts, all ok.
// It reports false on a timeout; a process that exits is fatal at once.
func waitAllOK(tb testing.TB, url string, n int, p *process, out *lockedBuffer) bool {
	tb.Helper()
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			tb.Fatalf("pbprobe run exited before its first run was ready: %v\n%s", p.err, out)
		default:
		}
		if allOK(client, url, n) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func allOK(client *http.Client, url string, n int) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false // not listening yet
	}
	defer resp.Body.Close()
	var d jsonDoc
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&d) != nil || len(d.Hosts) != n {
		return false
	}
	for _, h := range d.Hosts {
		if !h.OK {
			return false
		}
	}
	return true
}

// procStatusKiB reads a "Name:   1234 kB" field of /proc/<pid>/status.
func procStatusKiB(tb testing.TB, pid int, name string) int64 {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), name+":")
		if !ok {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			tb.Fatalf("/proc/%d/status: %s: %v", pid, sc.Text(), err)
		}
		return kib
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	tb.Fatalf("/proc/%d/status has no %s", pid, name)
	return 0
}

// process is a started command's Wait running in the background: done
// closes when the command has exited, and err is Wait's result from then on.
type process struct {
	done chan struct{}
	err  error
}

// blackboxBin is where Debian's prometheus-blackbox-exporter package puts
// the exporter.
const blackboxBin = "/usr/bin/prometheus-blackbox-exporter"

// footprintCycles is how many runs each side makes before the second
// measurement: 30 five-minute intervals are two and a half hours of a
// customer's day.
const footprintCycles = 30

// footprintScrapes are the /metrics requests timed for the latency
// percentiles.
const footprintScrapes = 1000

// BenchmarkFootprintVsBlackbox runs, in one world of five healthy loopback
// hosts, `pbprobe run` and Debian's blackbox_exporter side by side and
// reports what each costs a customer PC: resident memory after start and
// after 30 cycles, and pbprobe's /metrics latency and size.
//
// pbprobe runs twice: as the tests configure it (public_roots: the test
// CA, so all five hosts are ok) and as it ships (the embedded Mozilla
// roots; the test CA is not among them, so the hosts are tls_intercepted,
// but every probe walks the same DNS, TCP, TLS and verification path).
// blackbox_exporter probes only when scraped, so a cycle for it is one
// /probe request per host, all five at once, as Prometheus would make them
// (an http_2xx module per host: TLS verified against the test CA with the
// host's name as SNI). A cycle for pbprobe is one run: its config is
// switched to a 1 s interval (SIGHUP) for 30 runs and back to 5 min.
//
// RSS is read from /proc/PID/status two seconds after each phase, when
// both are idle; RssAnon is the heap and stacks, RssFile the mapped binary
// (about its whole size once it is in the page cache). The CPU time each
// has used by the end of the cycles is reported too, so that a memory
// saving bought with CPU shows.
//
// One measurement is made whatever b.N is (run it with -benchtime 1x).
func BenchmarkFootprintVsBlackbox(b *testing.B) {
	if _, err := os.Stat(blackboxBin); err != nil {
		b.Skipf("skipped: %s not found (Debian package prometheus-blackbox-exporter): %v", blackboxBin, err)
	}
	bin := benchBinary(b)
	w := newTestWorld(b)
	var targets []probes.Target
	for _, h := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		targets = append(targets, w.Add(h+".pb.test", probetest.OK))
	}
	cfgTest := w.config(b, 5*time.Second, targets...)
	cfgEmbedded := withoutPublicRoots(b, cfgTest)

	bbx := startBlackbox(b, w, targets)
	agents := []*agentProc{startAgentProc(b, bin, cfgTest), startAgentProc(b, bin, cfgEmbedded)}
	for _, a := range agents {
		a.waitRuns(b, 1)
	}
	bbx.cycle(b) // blackbox's first probe, as pbprobe's first run
	time.Sleep(2 * time.Second)
	startRSS := []memStat{agents[0].mem(b), agents[1].mem(b), bbx.mem(b)}

	for _, a := range agents {
		a.setInterval(b, "1s")
	}
	for range footprintCycles - 1 {
		bbx.cycle(b)
	}
	for _, a := range agents {
		a.waitRuns(b, footprintCycles)
		a.setInterval(b, "5m")
	}
	time.Sleep(2 * time.Second)
	cycledRSS := []memStat{agents[0].mem(b), agents[1].mem(b), bbx.mem(b)}

	scrape := agents[0].scrapeStats(b, footprintScrapes)

	for i, name := range []string{"pbprobe", "pbprobe-embedded", "blackbox"} {
		b.ReportMetric(startRSS[i].rssMiB(), name+"-start-RSS-MiB")
		b.ReportMetric(startRSS[i].anonMiB(), name+"-start-anon-MiB")
		b.ReportMetric(cycledRSS[i].rssMiB(), name+"-30cycles-RSS-MiB")
		b.ReportMetric(cycledRSS[i].anonMiB(), name+"-30cycles-anon-MiB")
		b.ReportMetric(float64(cycledRSS[i].cpu.Milliseconds()), name+"-30cycles-cpu-ms")
	}
	b.ReportMetric(scrape.p50, "metrics-p50-ms")
	b.ReportMetric(scrape.p99, "metrics-p99-ms")
	b.ReportMetric(scrape.kib, "metrics-KiB")
	b.ReportMetric(float64(scrape.series), "metrics-series")
	b.ReportMetric(float64(scrape.pbprobeSeries), "pbprobe-series")
}

// benchBinaryEnv names a pbprobe binary to measure instead of building
// the working tree's, to compare a candidate build (another GC setting, a
// dependency removed) against the same world and the same blackbox.
const benchBinaryEnv = "PBPROBE_BENCH_BIN"

func benchBinary(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv(benchBinaryEnv); bin != "" {
		tb.Logf("measuring %s=%s", benchBinaryEnv, bin)
		return bin
	}
	return buildRelease(tb)
}

// withoutPublicRoots writes a copy of the config file at path without its
// public_roots line: pbprobe then uses the embedded Mozilla set.
func withoutPublicRoots(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.Contains(l, "public_roots:") {
			kept = append(kept, l)
		}
	}
	out := filepath.Join(tb.TempDir(), "pbprobe-embedded-roots.yml")
	if err := os.WriteFile(out, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		tb.Fatal(err)
	}
	return out
}

// memStat is a process's resident memory, in KiB, from /proc/PID/status,
// and the CPU time it has used so far.
type memStat struct {
	rss, anon, file int64
	cpu             time.Duration
}

func (m memStat) rssMiB() float64  { return float64(m.rss) / 1024 }
func (m memStat) anonMiB() float64 { return float64(m.anon) / 1024 }

func readMem(tb testing.TB, pid int) memStat {
	tb.Helper()
	return memStat{
		rss:  procStatusKiB(tb, pid, "VmRSS"),
		anon: procStatusKiB(tb, pid, "RssAnon"),
		file: procStatusKiB(tb, pid, "RssFile"),
		cpu:  procCPU(tb, pid),
	}
}

// procCPU is the user and system time of a process, from /proc/PID/stat.
func procCPU(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name may hold spaces; the fields after it do not.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		tb.Fatalf("/proc/%d/stat: %q", pid, data)
	}
	var ticks int64
	for _, v := range f[11:13] { // utime, stime (fields 14 and 15)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			tb.Fatalf("/proc/%d/stat: %v", pid, err)
		}
		ticks += n
	}
	const clkTck = 100 // USER_HZ on every Linux the benchmark runs on
	return time.Duration(ticks) * time.Second / clkTck
}

// agentProc is a `pbprobe run` process whose config file the benchmark
// rewrites to change the interval.
type agentProc struct {
	cmd     *exec.Cmd
	p       *process
	out     *lockedBuffer
	addr    string
	cfg     string // the file the agent reads
	base    []byte // its contents without an interval
	client  *http.Client
	started time.Time
}

func startAgentProc(tb testing.TB, bin, cfg string) *agentProc {
	tb.Helper()
	base, err := os.ReadFile(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	a := &agentProc{
		out:    &lockedBuffer{},
		addr:   freeLoopbackAddr(tb),
		cfg:    filepath.Join(tb.TempDir(), "pbprobe.yml"),
		base:   base,
		client: &http.Client{Timeout: 5 * time.Second},
	}
	a.writeConfig(tb, "5m")
	a.cmd = exec.Command(bin, "run", "--config.file", a.cfg, "--web.listen-address", a.addr, "--log.file=")
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	a.started = time.Now()
	if err := a.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	a.p = &process{done: make(chan struct{})}
	go func() {
		a.p.err = a.cmd.Wait()
		close(a.p.done)
	}()
	tb.Cleanup(func() {
		a.client.CloseIdleConnections()
		_ = a.cmd.Process.Kill()
		<-a.p.done
	})
	return a
}

func (a *agentProc) writeConfig(tb testing.TB, interval string) {
	tb.Helper()
	data := append(append([]byte(nil), a.base...), "interval: "+interval+"\n"...)
	if err := os.WriteFile(a.cfg, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// setInterval rewrites the config with interval and reloads it (SIGHUP);
// a reload starts a run at once.
func (a *agentProc) setInterval(tb testing.TB, interval string) {
	tb.Helper()
	a.writeConfig(tb, interval)
	if err := a.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		tb.Fatal(err)
	}
}

func (a *agentProc) mem(tb testing.TB) memStat { return readMem(tb, a.cmd.Process.Pid) }

// waitRuns waits up to a minute until the agent has finished n runs, as
// counted by pbprobe_probes_total of its first host.
func (a *agentProc) waitRuns(tb testing.TB, n int) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-a.p.done:
			tb.Fatalf("pbprobe run exited: %v\n%s", a.p.err, a.out)
		default:
		}
		if a.runs() >= n {
			return
		}
		// Each poll is a scrape, which allocates like one: poll about
		// as often as the agent runs, not as a busy loop.
		time.Sleep(250 * time.Millisecond)
	}
	tb.Fatalf("pbprobe run did not finish %d runs within a minute\n%s", n, a.out)
}

// runs is the number of finished runs: the probes of the first host, by
// any result.
func (a *agentProc) runs() int {
	resp, err := a.client.Get("http://" + a.addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	var host string
	total := 0.0
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "pbprobe_probes_total{")
		if !ok {
			continue
		}
		labels, value, _ := strings.Cut(rest, "} ")
		h, _, _ := strings.Cut(labels, ",")
		if host == "" {
			host = h
		}
		if h == host {
			v, _ := strconv.ParseFloat(value, 64)
			total += v
		}
	}
	return int(total)
}

type footprintScrape struct {
	p50, p99, kib         float64
	series, pbprobeSeries int
}

// scrapeStats times n sequential scrapes of /metrics over one kept-alive
// connection, as Prometheus makes them, and counts the series of the last.
func (a *agentProc) scrapeStats(tb testing.TB, n int) footprintScrape {
	tb.Helper()
	lat := make([]time.Duration, 0, n)
	var body []byte
	for range n {
		start := time.Now()
		resp, err := a.client.Get("http://" + a.addr + "/metrics")
		if err != nil {
			tb.Fatal(err)
		}
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			tb.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("GET /metrics: %s", resp.Status)
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	s := footprintScrape{p50: ms(lat[len(lat)/2]), p99: ms(lat[len(lat)*99/100]), kib: float64(len(body)) / 1024}
	for _, l := range strings.Split(string(body), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		s.series++
		if strings.HasPrefix(l, "pbprobe_") {
			s.pbprobeSeries++
		}
	}
	return s
}

// blackboxProc is a blackbox_exporter with one http_2xx module per host.
type blackboxProc struct {
	cmd     *exec.Cmd
	p       *process
	out     *lockedBuffer
	addr    string
	targets []probes.Target
	client  *http.Client
}

func startBlackbox(tb testing.TB, w *testWorld, targets []probes.Target) *blackboxProc {
	tb.Helper()
	var cfg strings.Builder
	cfg.WriteString("modules:\n")
	for _, t := range targets {
		fmt.Fprintf(&cfg, "  %s:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n      tls_config:\n        ca_file: %q\n        server_name: %q\n",
			blackboxModule(t), w.system, t.Host)
	}
	x := startBlackboxConfig(tb, cfg.String())
	x.targets = targets
	return x
}

// startBlackboxConfig starts blackbox_exporter with the config cfg.
func startBlackboxConfig(tb testing.TB, cfg string) *blackboxProc {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "blackbox.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	x := &blackboxProc{out: &lockedBuffer{}, addr: freeLoopbackAddr(tb),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
	x.cmd = exec.Command(blackboxBin, "--config.file", path, "--web.listen-address", x.addr)
	x.cmd.Stdout, x.cmd.Stderr = x.out, x.out
	if err := x.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	x.p = &process{done: make(chan struct{})}
	go func() {
		x.p.err = x.cmd.Wait()
		close(x.p.done)
	}()
	tb.Cleanup(func() {
		x.client.CloseIdleConnections()
		_ = x.cmd.Process.Kill()
		<-x.p.done
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := x.client.Get("http://" + x.addr + "/-/healthy")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return x
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("blackbox_exporter not healthy within 10 s: %v\n%s", err, x.out)
		}
		select {
		case <-x.p.done:
			tb.Fatalf("blackbox_exporter exited: %v\n%s", x.p.err, x.out)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func blackboxModule(t probes.Target) string {
	return "http_2xx_" + strings.NewReplacer(".", "_", "-", "_").Replace(t.Host)
}

// cycle probes every host once through /probe, all at once, and fails
// unless every probe succeeded.
func (x *blackboxProc) cycle(tb testing.TB) {
	tb.Helper()
	errs := make(chan error, len(x.targets))
	for _, t := range x.targets {
		go func() {
			q := url.Values{"module": {blackboxModule(t)}, "target": {fmt.Sprintf("https://127.0.0.1:%d/", t.Port)}}
			resp, err := x.client.Get("http://" + x.addr + "/probe?" + q.Encode())
			if err != nil {
				errs <- err
				return
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && !strings.Contains(string(body), "\nprobe_success 1") {
				err = fmt.Errorf("probe of %s failed:\n%s", t.Host, body)
			}
			errs <- err
		}()
	}
	for range x.targets {
		if err := <-errs; err != nil {
			tb.Fatalf("blackbox_exporter: %v\n%s", err, x.out)
		}
	}
}

func (x *blackboxProc) mem(tb testing.TB) memStat { return readMem(tb, x.cmd.Process.Pid) }
