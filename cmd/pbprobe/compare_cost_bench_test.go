//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// Injected delays of the slow host: its resolver answers late and its
// server holds back the handshake.
const (
	slowDNS       = 300 * time.Millisecond
	slowHandshake = 200 * time.Millisecond
	// timingRounds are the rounds whose median wall time is reported.
	timingRounds = 5
	// costCycles are the cycles CPU time is divided by.
	costCycles = 20
)

// timingHosts are five healthy hosts (the built-in table's size) and one
// slow one.
func timingHosts(w *testWorld) (five []fault, slow fault) {
	for _, h := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		t := w.Add(h+".pb.test", probetest.OK)
		five = append(five, fault{name: "ok", want: probes.ReasonOK, target: t, httpURL: fmt.Sprintf("https://127.0.0.1:%d/", t.Port)})
	}
	t := w.AddWith("slow.pb.test", probetest.Answer{Delay: slowDNS}, probetest.ServerOptions{HandshakeDelay: slowHandshake})
	slow = fault{name: "slow", want: probes.ReasonOK, target: t, httpURL: fmt.Sprintf("https://127.0.0.1:%d/", t.Port)}
	return five, slow
}

// timing is the wall time of one cycle over five hosts and the phase
// times each side measured on the slow host.
type timing struct {
	pbprobeWall, blackboxWall time.Duration
	pbprobePhases             map[string]float64 // ms by phase
	blackboxPhases            map[string]float64 // ms by module/phase
}

func compareTiming(b *testing.B, w *testWorld, bb *blackboxProc, five []fault, slow fault) timing {
	b.Helper()
	var tm timing
	targets := make([]probes.Target, len(five))
	for i, f := range five {
		targets[i] = f.target
	}
	cfg := w.config(b, compareTimeout, targets...)
	var pw, bw []time.Duration
	for range timingRounds {
		res := runTB("check", "--config.file", cfg)
		if res.code != exitReady {
			b.Fatalf("check of five healthy hosts: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		pw = append(pw, res.took)
		start := time.Now()
		bbCycle(b, w, bb, five)
		bw = append(bw, time.Since(start))
	}
	tm.pbprobeWall, tm.blackboxWall = median(pw), median(bw)
	tm.pbprobePhases = pbprobePhases(b, w, slow)
	tm.blackboxPhases = map[string]float64{}
	id := moduleID(slow.target.Host)
	for _, r := range []struct {
		module, target string
	}{{"dns_" + id, w.DNS.Addr()}, {"http_" + id, slow.httpURL}} {
		res := bbProbe(b, bb.client, bb.addr, r.module, r.target)
		for _, k := range sortedKeys(res.metrics) {
			if strings.Contains(k, "duration_seconds{phase=") {
				tm.blackboxPhases[strings.SplitN(r.module, "_", 2)[0]+" "+k] = res.metrics[k] * 1000
			}
		}
	}
	return tm
}

// bbCycle is one blackbox cycle: both modules of every host, at once.
func bbCycle(b *testing.B, w *testWorld, bb *blackboxProc, hosts []fault) {
	done := make(chan bbResult, 2*len(hosts))
	for _, f := range hosts {
		id := moduleID(f.target.Host)
		go func() { done <- bbProbe(b, bb.client, bb.addr, "dns_"+id, w.DNS.Addr()) }()
		go func() { done <- bbProbe(b, bb.client, bb.addr, "http_"+id, f.httpURL) }()
	}
	for range 2 * len(hosts) {
		if r := <-done; !r.ok {
			b.Fatalf("blackbox probe of a healthy host failed: %s", r.err)
		}
	}
}

// pbprobePhases are the phase times pbprobe reports for f, in ms.
func pbprobePhases(b *testing.B, w *testWorld, f fault) map[string]float64 {
	res := runTB("check", "--format", "json", "--config.file", w.config(b, compareTimeout, f.target))
	var d struct {
		Hosts []map[string]json.RawMessage `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &d); err != nil || len(d.Hosts) != 1 {
		b.Fatalf("check of the slow host: %v\n%s", err, res.stdout)
	}
	out := map[string]float64{}
	for _, phase := range []string{"dns", "tcp", "tls", "http"} {
		var v struct{ MS float64 }
		if raw, ok := d.Hosts[0][phase]; ok && json.Unmarshal(raw, &v) == nil {
			out[phase] = v.MS
		}
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// cost is what each side costs the PC with five healthy hosts.
type cost struct {
	pbprobeRSS, blackboxRSS       float64 // MiB after the cycles
	pbprobeCPU, blackboxCPU       float64 // ms per cycle
	pbprobeSeries, blackboxSeries int     // per scrape of all five hosts
}

// compareCost runs `pbprobe run` (built as released) and blackbox
// (http module per host, as BenchmarkFootprintVsBlackbox) for costCycles
// cycles each and divides the CPU time they used by the cycles.
func compareCost(b *testing.B, w *testWorld, five []fault) cost {
	b.Helper()
	targets := make([]probes.Target, len(five))
	for i, f := range five {
		targets[i] = f.target
	}
	a := startAgentProc(b, benchBinary(b), w.config(b, compareTimeout, targets...))
	bbx := startBlackbox(b, w, targets)
	a.waitRuns(b, 1)
	bbx.cycle(b)
	before := []memStat{a.mem(b), bbx.mem(b)}
	a.setInterval(b, "1s")
	for range costCycles {
		bbx.cycle(b)
	}
	a.waitRuns(b, costCycles+1)
	a.setInterval(b, "5m")
	time.Sleep(2 * time.Second)
	after := []memStat{a.mem(b), bbx.mem(b)}
	c := cost{
		pbprobeRSS: after[0].rssMiB(), blackboxRSS: after[1].rssMiB(),
		pbprobeCPU:  float64((after[0].cpu - before[0].cpu).Microseconds()) / 1000 / costCycles,
		blackboxCPU: float64((after[1].cpu - before[1].cpu).Microseconds()) / 1000 / costCycles,
	}
	c.pbprobeSeries = a.scrapeStats(b, 10).series
	for _, t := range targets {
		c.blackboxSeries += bbSeries(b, bbx, t)
	}
	return c
}

// bbSeries counts the series of one /probe answer.
func bbSeries(b *testing.B, x *blackboxProc, t probes.Target) int {
	q := url.Values{"module": {blackboxModule(t)}, "target": {fmt.Sprintf("https://127.0.0.1:%d/", t.Port)}}
	resp, err := x.client.Get("http://" + x.addr + "/probe?" + q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	n := 0
	for _, l := range strings.Split(string(body), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}
