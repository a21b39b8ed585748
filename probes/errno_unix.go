//go:build unix

package probes

import (
	"errors"
	"syscall"
)

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isReset covers a peer (or a middlebox speaking for it) tearing the
// connection down: RST, abort, or a broken pipe on our next write.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE)
}

func isErrnoTimeout(err error) bool { return errors.Is(err, syscall.ETIMEDOUT) }
