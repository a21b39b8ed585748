//go:build !linux

package probetest

import "testing"

// ClosedPort returns a loopback port that nothing listens on, so that a
// connect is refused. It was bound and released; something else could bind
// it in between (the Linux version keeps it bound instead).
func ClosedPort(tb testing.TB) int {
	tb.Helper()
	return FreePort(tb)
}
