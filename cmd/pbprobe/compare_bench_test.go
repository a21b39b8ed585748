//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// compareWriteEnv, set to 1 (make compare), writes docs/comparison.md.
const compareWriteEnv = "PBPROBE_COMPARE_WRITE"

// compareTimeout is the per-host deadline of both sides: pbprobe's
// timeout and blackbox's module timeout.
const compareTimeout = 5 * time.Second

// fault is one host of the comparison world, broken one way.
type fault struct {
	name   string        // what is broken, in words
	want   probes.Reason // what pbprobe must say
	target probes.Target
	// httpURL is what blackbox's http module probes: the host's server
	// by address (blackbox's http prober resolves with the machine's
	// resolver, which knows nothing of the test world's names).
	httpURL string
	// alone: pbprobe checks this host in a run of its own. A PC whose
	// clock is off sees every server's Date off; beside servers that
	// agree with it, one skewed server is that server's clock.
	alone bool
}

// compareFaults are every scenario of the probe tests, a real blackhole
// (an nft drop rule in a network namespace: needs root), a web filter's
// block page and a server whose clock is two hours off.
func compareFaults(tb testing.TB, w *testWorld) []fault {
	tb.Helper()
	var out []fault
	for _, s := range probetest.Scenarios() {
		t := w.Add(strings.ReplaceAll(string(s), "_", "-")+".pb.test", s)
		out = append(out, fault{name: string(s), want: s.Reason(), target: t, httpURL: fmt.Sprintf("https://127.0.0.1:%d/", t.Port)})
	}
	v4, _ := probetest.Blackhole(tb)
	w.DNS.Set("blackhole.pb.test", probetest.Answer{A: []netip.Addr{v4}})
	out = append(out, fault{name: "nft drop (blackhole)", want: probes.TCPTimeout,
		target: probes.Target{Host: "blackhole.pb.test", Port: 443, AllowPrivate: true}, httpURL: "https://" + v4.String() + ":443/"})
	block := w.AddWith("blocked.pb.test", probetest.Answer{}, probetest.ServerOptions{
		HTTPResponse: "HTTP/1.1 403 Forbidden\r\nServer: FortiGate\r\nContent-Type: text/html\r\nContent-Length: 38",
		HTTPBody:     "<html><h1>Web Page Blocked</h1></html>"})
	out = append(out, fault{name: "web filter block page", want: probes.HTTPBlocked, target: block, httpURL: fmt.Sprintf("https://127.0.0.1:%d/", block.Port)})
	skew := w.AddWith("skew.pb.test", probetest.Answer{}, probetest.ServerOptions{DateOffset: 2 * time.Hour})
	out = append(out, fault{name: "PC clock 2 h off", want: probes.ClockSkew, target: skew, httpURL: fmt.Sprintf("https://127.0.0.1:%d/", skew.Port), alone: true})
	server := w.AddWith("server-clock.pb.test", probetest.Answer{}, probetest.ServerOptions{DateOffset: 2 * time.Hour})
	out = append(out, fault{name: "one server's clock 2 h off (a server_clock warning)", want: probes.ReasonOK, target: server,
		httpURL: fmt.Sprintf("https://127.0.0.1:%d/", server.Port)})
	return out
}

// blackboxConfig is blackbox_exporter's best configuration for the
// question, two modules per host: dns (the host's A record from the
// world's resolver, NOERROR with an answer) and http (TLS required and
// verified against the PC's roots with the host's name, a 2xx answer).
func blackboxConfig(w *testWorld, faults []fault) string {
	var b strings.Builder
	b.WriteString("modules:\n")
	for _, f := range faults {
		id := moduleID(f.target.Host)
		fmt.Fprintf(&b, "  dns_%s:\n    prober: dns\n    timeout: %s\n    dns:\n      query_name: %q\n      query_type: A\n"+
			"      preferred_ip_protocol: ip4\n      valid_rcodes: [NOERROR]\n      validate_answer_rrs:\n"+
			"        fail_if_not_matches_regexp: [\".*\\tIN\\tA\\t.*\"]\n", id, compareTimeout, f.target.Host)
		fmt.Fprintf(&b, "  http_%s:\n    prober: http\n    timeout: %s\n    http:\n      preferred_ip_protocol: ip4\n"+
			"      fail_if_not_ssl: true\n      tls_config:\n        ca_file: %q\n        server_name: %q\n", id, compareTimeout, w.system, f.target.Host)
	}
	return b.String()
}

func moduleID(host string) string { return strings.NewReplacer(".", "_", "-", "_").Replace(host) }

// bbResult is what one blackbox /probe said.
type bbResult struct {
	ok      bool
	err     string             // the first error it logged
	metrics map[string]float64 // its probe_ series, by name with labels
}

var (
	bbErr  = regexp.MustCompile(`err="((?:[^"\\]|\\.)*)"`)
	bbMsg  = regexp.MustCompile(`msg="((?:[^"\\]|\\.)*)"`)
	bbLine = regexp.MustCompile(`^(probe_[a-z_]+(?:\{[^}]*\})?) ([-0-9.e+]+)$`)
)

// probe asks blackbox at addr for one probe, with its debug output.
func bbProbe(tb testing.TB, client *http.Client, addr, module, target string) bbResult {
	tb.Helper()
	q := url.Values{"module": {module}, "target": {target}, "debug": {"true"}}
	resp, err := client.Get("http://" + addr + "/probe?" + q.Encode())
	if err != nil {
		tb.Fatalf("blackbox: %v", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	r := bbResult{metrics: map[string]float64{}}
	for _, l := range strings.Split(string(body), "\n") {
		if m := bbLine.FindStringSubmatch(l); m != nil {
			var v float64
			fmt.Sscan(m[2], &v)
			r.metrics[m[1]] = v
		}
		if r.err == "" && strings.Contains(l, "level=error") {
			if m := bbErr.FindStringSubmatch(l); m != nil {
				r.err = m[1]
			} else if m := bbMsg.FindStringSubmatch(l); m != nil {
				r.err = m[1]
			}
		}
	}
	r.ok = r.metrics["probe_success"] == 1
	return r
}

// verdictRow is one fault, both sides.
type verdictRow struct {
	f         fault
	got       string // pbprobe's reason
	dns, http bbResult
}

// BenchmarkCompare puts pbprobe and Debian's blackbox_exporter in front
// of the same faults and reports what each says, how long each takes and
// what each costs; with PBPROBE_COMPARE_WRITE=1 it writes
// docs/comparison.md. It fails when pbprobe misclassifies a fault. One
// measurement whatever b.N (make compare runs it with -benchtime 1x).
func BenchmarkCompare(b *testing.B) {
	if _, err := os.Stat(blackboxBin); err != nil {
		probetest.Unavailable(b, "%s not found (Debian package prometheus-blackbox-exporter)", blackboxBin)
	}
	w := newTestWorld(b)
	faults := compareFaults(b, w)
	five, slow := timingHosts(w)
	bb := startBlackboxConfig(b, blackboxConfig(w, append(append(append([]fault(nil), faults...), five...), slow)))
	rows := classify(b, w, bb, faults)
	timing := compareTiming(b, w, bb, five, slow)
	cost := compareCost(b, w, five)
	doc := comparisonDoc(rows, timing, cost)
	for _, r := range rows {
		if r.got != string(r.f.want) {
			b.Errorf("pbprobe misclassifies %s: %s, want %s", r.f.name, r.got, r.f.want)
		}
	}
	if os.Getenv(compareWriteEnv) == "1" {
		path := filepath.Join("..", "..", "docs", "comparison.md")
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("wrote %s", path)
		return
	}
	b.Log("\n" + doc)
}

// classify runs pbprobe check once over every fault, and blackbox's two
// modules for each, all at once as Prometheus would scrape them.
func classify(b *testing.B, w *testWorld, bb *blackboxProc, faults []fault) []verdictRow {
	b.Helper()
	var shared []probes.Target
	got := map[string]string{}
	for _, f := range faults {
		if f.alone {
			checkInto(b, w, got, f.target)
		} else {
			shared = append(shared, f.target)
		}
	}
	checkInto(b, w, got, shared...)
	rows := make([]verdictRow, len(faults))
	done := make(chan struct{}, len(faults))
	for i, f := range faults {
		go func() {
			id := moduleID(f.target.Host)
			rows[i] = verdictRow{f: f, got: got[f.target.Host],
				dns:  bbProbe(b, bb.client, bb.addr, "dns_"+id, w.DNS.Addr()),
				http: bbProbe(b, bb.client, bb.addr, "http_"+id, f.httpURL)}
			done <- struct{}{}
		}()
	}
	for range faults {
		<-done
	}
	return rows
}

// checkInto runs one pbprobe check over targets, which must not all be
// ready, and records each host's reason in got.
func checkInto(b *testing.B, w *testWorld, got map[string]string, targets ...probes.Target) {
	b.Helper()
	res := runTB("check", "--format", "json", "--config.file", w.config(b, compareTimeout, targets...))
	if res.code != exitNotReady {
		b.Fatalf("pbprobe check: exit %d\n%s", res.code, res.stderr)
	}
	for _, h := range decodeTB(b, res.stdout).Hosts {
		got[h.Host] = h.Reason
	}
}

// runTB runs pbprobe in-process, for benchmarks (runCmd takes a *testing.T).
func runTB(args ...string) cmdResult {
	var out, errOut bytes.Buffer
	e := env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	start := time.Now()
	code := run(context.Background(), args, e)
	return cmdResult{code: code, stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
}

func decodeTB(tb testing.TB, s string) jsonDoc {
	tb.Helper()
	var d jsonDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		tb.Fatalf("not a run document: %v\n%s", err, s)
	}
	return d
}

// sortedKeys are m's keys in order.
func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
