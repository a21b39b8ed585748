//go:build windows

package probes

import (
	"errors"

	"golang.org/x/sys/windows"
)

// Windows reports socket failures as WSA error numbers, and some as Win32
// errors from the overlapped I/O layer; both are matched.
func isRefused(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, windows.ERROR_CONNECTION_REFUSED)
}

func isReset(err error) bool {
	return errors.Is(err, windows.WSAECONNRESET) || errors.Is(err, windows.WSAECONNABORTED) ||
		errors.Is(err, windows.ERROR_NETNAME_DELETED) || errors.Is(err, windows.ERROR_CONNECTION_ABORTED)
}

func isErrnoTimeout(err error) bool {
	return errors.Is(err, windows.WSAETIMEDOUT) || errors.Is(err, windows.ERROR_SEM_TIMEOUT)
}
