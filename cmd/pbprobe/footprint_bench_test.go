//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
