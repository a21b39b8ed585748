//go:build unix

package probes

import (
	"errors"
	"syscall"
)

// isNetworkDown: the stack has no route or no interface for the address.
func isNetworkDown(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.ENETDOWN)
}
