package probetest_test

import (
	"errors"
	"io"
	"syscall"
)

// Winsock errors do not match the syscall.E* constants under errors.Is.
// A reset handshake may also read as EOF on Windows (and under Wine), which
// is the very reason the prober must not rely on ECONNRESET alone.
func isConnReset(err error) bool {
	return errors.Is(err, syscall.WSAECONNRESET) || errors.Is(err, syscall.WSAECONNABORTED) || errors.Is(err, io.EOF)
}

// wsaeconnrefused has no name in package syscall.
const wsaeconnrefused = syscall.Errno(10061)

func isConnRefused(err error) bool { return errors.Is(err, wsaeconnrefused) }
