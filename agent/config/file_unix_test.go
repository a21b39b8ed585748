//go:build unix

package config

import (
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO without a writer would block the open and every read forever.
func TestLoadRefusesFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pbprobe.yml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	loadRefused(t, path, "it is a named pipe (FIFO), not a regular file")
}
