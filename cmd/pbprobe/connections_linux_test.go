package main

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// heldConnections is how many idle connections the test holds to the agent:
// far more than it serves at once, as many as a busy scrape farm could.
const heldConnections = 2000

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(ents)
}

// TestAgentProbesWhileConnectionsAreHeld: thousands of idle connections to
// the agent's port take at most agent.MaxConnections of its descriptors,
// and the runs go on: a fault switched on and off while they are held is
// seen and logged. Not parallel, so that the descriptor count is this
// test's alone.
func TestAgentProbesWhileConnectionsAreHeld(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < 2*heldConnections+500 {
		t.Skipf("descriptor limit %d (err %v) cannot hold %d connections on both ends", lim.Cur, err, heldConnections)
	}
	w := newTestWorld(t)
	api := w.Add("api.pb.test", probetest.OK)
	a := startTestAgent(t, w.config(t, 2*time.Second, api))
	a.waitStatus(t, map[string]string{"api.pb.test": "ok"})

	before := openFDs(t)
	addr := strings.TrimPrefix(a.base, "http://")
	held := make([]net.Conn, 0, heldConnections)
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range heldConnections {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", len(held)+1, err)
		}
		held = append(held, c)
	}
	time.Sleep(300 * time.Millisecond) // the agent accepts what it will
	agentSide := openFDs(t) - before - heldConnections
	t.Logf("%d connections held: the agent holds %d descriptors more (cap %d)", heldConnections, agentSide, agent.MaxConnections)
	// A probe in flight holds a few sockets of its own.
	if agentSide > agent.MaxConnections+16 {
		t.Errorf("the agent took %d descriptors for %d idle connections, want at most %d", agentSide, heldConnections, agent.MaxConnections+16)
	}

	w.DNS.Set("api.pb.test", probetest.Answer{Rcode: 3})
	waitLastLog(t, a.logFile, "api.pb.test", "host down dns_nxdomain")
	w.DNS.Set("api.pb.test", probetest.Answer{A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}})
	waitLastLog(t, a.logFile, "api.pb.test", "host up ")
	for _, c := range held {
		c.Close()
	}
	held = held[:0]
	a.waitStatus(t, map[string]string{"api.pb.test": "ok"})
}

// waitLastLog waits until the last log line for host is want: the log needs
// no connection to the agent.
func waitLastLog(t *testing.T, file, host, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		got = logLines(t, file, host)
		if len(got) > 0 && got[len(got)-1] == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("log for %s never ended in %q: %q", host, want, got)
}
