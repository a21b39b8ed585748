//go:build windows

package probes

import (
	"errors"

	"golang.org/x/sys/windows"
)

// isNetworkDown: the stack has no route or no interface for the address.
func isNetworkDown(err error) bool {
	return errors.Is(err, windows.WSAENETUNREACH) || errors.Is(err, windows.WSAENETDOWN) ||
		errors.Is(err, windows.ERROR_NETWORK_UNREACHABLE)
}
