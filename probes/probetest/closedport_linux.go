package probetest

import (
	"testing"

	"golang.org/x/sys/unix"
)

// ClosedPort returns a loopback port that nothing listens on, so that a
// connect is refused. The port stays bound (without listening) until the
// test ends: a port that was merely released can be handed to the next
// test's server, which then answers where a refusal was expected.
func ClosedPort(tb testing.TB) int {
	tb.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("probetest: ClosedPort: %v", err)
	}
	tb.Cleanup(func() { _ = unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("probetest: ClosedPort: %v", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		tb.Fatalf("probetest: ClosedPort: %v", err)
	}
	return sa.(*unix.SockaddrInet4).Port
}
