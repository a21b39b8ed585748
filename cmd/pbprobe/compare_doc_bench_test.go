//go:build linux

package main

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// comparisonDoc is docs/comparison.md.
func comparisonDoc(rows []verdictRow, tm timing, c cost) string {
	var b strings.Builder
	b.WriteString("# pbprobe and blackbox_exporter, side by side\n\n")
	fmt.Fprintf(&b, "Written by `make compare` (`BenchmarkCompare` in cmd/pbprobe) on %s; do not edit by hand.\n\n",
		time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "Both face the same world on this machine's loopback: an in-process DNS server, TLS servers "+
		"with test CAs (a public root, and an inspection CA the PC trusts but the public set does not), a network "+
		"namespace with an nft rule that drops every SYN, a web filter's block page and a server whose clock is "+
		"two hours off. pbprobe is `pbprobe check` with a %s timeout; blackbox_exporter is Debian's "+
		"`prometheus-blackbox-exporter` (%s) in its best configuration for the question, two modules per host "+
		"with a %s timeout:\n\n", compareTimeout, blackboxVersion(), compareTimeout)
	b.WriteString("- `dns`: the host's A record from the PC's resolver, `valid_rcodes: [NOERROR]` and an A record required " +
		"(`fail_if_not_matches_regexp`);\n- `http`: the host's server, TLS required (`fail_if_not_ssl`) and verified " +
		"against the PC's roots with the host's name (`server_name`), a 2xx answer. Its http prober resolves names " +
		"with the machine's resolver, which the test world cannot reach, so it is given the address.\n\n")
	writeVerdicts(&b, rows)
	writeTiming(&b, tm)
	writeCost(&b, c)
	return b.String()
}

func writeVerdicts(b *strings.Builder, rows []verdictRow) {
	b.WriteString("## What each reports\n\n| fault | pbprobe | blackbox `dns` | blackbox `http` |\n|---|---|---|---|\n")
	right, missed := 0, 0
	for _, r := range rows {
		mark := "✓"
		if r.got == string(r.f.want) {
			right++
		} else {
			mark = "✗ (want `" + string(r.f.want) + "`)"
		}
		if r.dns.ok && r.http.ok && r.f.want != "ok" {
			missed++
		}
		fmt.Fprintf(b, "| %s | `%s` %s | %s | %s |\n", r.f.name, r.got, mark, bbCell(r.dns), bbCell(r.http))
	}
	fmt.Fprintf(b, "\npbprobe names %d of %d faults right. blackbox_exporter says `probe_success 1` on both modules "+
		"for %d of the %d faults (it cannot see them), and for the others `probe_success 0` with the error it logs "+
		"(`/probe?debug=true`), which a person has to read: its metrics carry no cause. A sinkhole could be caught "+
		"by listing every private range in `fail_if_matches_regexp` by hand; inspection and a wrong clock cannot. "+
		"For the DNS faults the `http` column probes the closed port the world gives a host without an address: "+
		"in the field that module would fail at its own name lookup.\n\n", right, len(rows), missed, len(rows)-1)
}

func bbCell(r bbResult) string {
	if r.ok {
		return "up"
	}
	e := r.err
	if len([]rune(e)) > 110 {
		e = string([]rune(e)[:110]) + "…"
	}
	return "**down**: " + strings.NewReplacer("|", "\\|", "\\\"", "'").Replace(e)
}

func writeTiming(b *strings.Builder, tm timing) {
	fmt.Fprintf(b, "## Wall time for five hosts\n\nMedian of %d rounds, five healthy hosts.\n\n"+
		"| | one cycle |\n|---|---|\n| `pbprobe check` (DNS, TCP, TLS, HTTP per host, all at once) | %s |\n"+
		"| blackbox_exporter (`dns` and `http` of each host, all ten at once) | %s |\n\n",
		timingRounds, tm.pbprobeWall.Round(100*time.Microsecond), tm.blackboxWall.Round(100*time.Microsecond))
	fmt.Fprintf(b, "## Phase times against injected delays\n\nOne host whose resolver answers after %s and whose "+
		"server holds back the TLS handshake by %s.\n\n| phase | pbprobe (ms) |\n|---|---|\n", slowDNS, slowHandshake)
	for _, p := range []string{"dns", "tcp", "tls", "http"} {
		fmt.Fprintf(b, "| %s | %.1f |\n", p, tm.pbprobePhases[p])
	}
	b.WriteString("\n| blackbox series | ms |\n|---|---|\n")
	keys := make([]string, 0, len(tm.blackboxPhases))
	for k := range tm.blackboxPhases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "| `%s` | %.1f |\n", k, tm.blackboxPhases[k])
	}
	b.WriteString("\n")
}

func writeCost(b *strings.Builder, c cost) {
	fmt.Fprintf(b, "## Cost per cycle, five hosts\n\n`pbprobe run` (built as released, a run per second for %d runs) "+
		"and blackbox_exporter (its `http` module for each host, %d cycles), RSS read from /proc two seconds "+
		"after the cycles, CPU time (user + system) divided by the cycles.\n\n"+
		"| | pbprobe | blackbox_exporter |\n|---|---|---|\n"+
		"| resident memory (MiB) | %.1f | %.1f |\n| CPU per cycle (ms) | %.2f | %.2f |\n"+
		"| series exported per scrape of the five hosts | %d | %d |\n\n",
		costCycles, costCycles, c.pbprobeRSS, c.blackboxRSS, c.pbprobeCPU, c.blackboxCPU, c.pbprobeSeries, c.blackboxSeries)
	b.WriteString("pbprobe's series include the Go and process collectors and a histogram per phase and host; " +
		"blackbox's are five `/probe` answers. Times and CPU come from one run on a shared machine: read them as " +
		"orders of magnitude.\n")
}

// blackboxVersion is the exporter's own version line.
func blackboxVersion() string {
	out, err := exec.Command(blackboxBin, "--version").CombinedOutput()
	if err != nil {
		return "version unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}
