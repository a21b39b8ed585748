package probetest

import (
	"net"
	"testing"
)

// FreePort returns a loopback port that was free a moment ago, for a
// server in another process (tinyproxy) to bind. Something else could take
// it in between; that process then fails to start and says so.
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("probetest: FreePort: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		tb.Fatalf("probetest: FreePort: %v", err)
	}
	return port
}
