//go:build !unix && !windows

package probes

func isNetworkDown(error) bool { return false }
