//go:build !unix && !windows

package probes

func isRefused(error) bool      { return false }
func isReset(error) bool        { return false }
func isErrnoTimeout(error) bool { return false }
