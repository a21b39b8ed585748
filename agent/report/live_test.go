package report

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// syncBuffer is a terminal the redraw goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var liveHosts = []config.Host{{Host: api, Port: 443, Required: true}, {Host: portal, Port: 443, Required: true}}

// A host that reports after Ctrl-C was cut short: what it says is about the
// cancellation, so it is shown as not finished, never with a verdict.
func TestRunInterruptedHasNoVerdictForCancelledHosts(t *testing.T) {
	t.Parallel()
	for _, live := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		var out syncBuffer
		run := NewRun(ctx, &out, TextOptions{Zone: time.UTC, OS: "linux", Width: 80}, liveHosts, live)
		run.Host(0, agent.HostReport{Host: api, Port: 443, Required: true, OK: true, Reason: probes.ReasonOK,
			DNS: &agent.DNSView{MS: 12}, TCP: &agent.TCPView{MS: 20}, TLS: &agent.TLSView{MS: 45}, HTTP: &agent.HTTPView{MS: 46, Status: 200}})
		cancel()
		run.Host(1, agent.HostReport{Host: portal, Port: 443, Required: true, Reason: probes.TCPUnreachable, TCP: &agent.TCPView{MS: 1}})
		run.Stop()
		if err := run.Interrupted(&agent.Document{Version: "1.0.0", Machine: "PC-042", CheckedAt: checkedAt}); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		report := got[strings.LastIndex(got, "\x1b[J")+1:]
		if live && !strings.Contains(got, "running, ") {
			t.Errorf("live: no pending host shown:\n%q", got)
		}
		if !live && strings.Contains(got, "\x1b[") {
			t.Errorf("not live: escape codes in %q", got)
		}
		var apiLine, portalLine string
		for _, line := range strings.Split(report, "\n") {
			switch {
			case strings.HasPrefix(line, api+":443"):
				apiLine = line
			case strings.HasPrefix(line, portal+":443"):
				portalLine = line
			}
		}
		if !strings.HasSuffix(apiLine, "  OK") {
			t.Errorf("live %v: the finished host lost its verdict: %q", live, apiLine)
		}
		if !strings.HasSuffix(portalLine, "not finished") || strings.Contains(report, "tcp_unreachable") || strings.Contains(report, "FAIL") {
			t.Errorf("live %v: the cancelled host has a verdict:\n%s", live, report)
		}
		if !strings.Contains(report, "INTERRUPTED: 1 of 2 hosts did not finish") || strings.Contains(report, "READY") {
			t.Errorf("live %v: no INTERRUPTED summary, or a verdict:\n%s", live, report)
		}
	}
}
