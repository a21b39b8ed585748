//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheckRefusesNonRegularConfig: a FIFO, a directory, /dev/zero and an
// oversize file as --config.file end `check` at once with exit 2 and a
// message naming the file. A FIFO used to hang forever, /dev/zero to grow
// to gigabytes.
func TestCheckRefusesNonRegularConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 100<<20); err != nil { // sparse
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{fifo, "it is a named pipe (FIFO), not a regular file"},
		{dir, "it is a directory, not a regular file"},
		{"/dev/zero", "it is a character device, not a regular file"},
		{big, "it is 100.0 MiB, over the size limit of 1.0 MiB"},
	} {
		res := runCmd(t, "check", "--config.file", tt.path)
		if res.code != exitUsage || res.took > 2*time.Second {
			t.Errorf("check --config.file %s: exit %d after %v, want %d at once", tt.path, res.code, res.took, exitUsage)
		}
		if !strings.Contains(res.stderr, tt.path+": ") || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("check --config.file %s: stderr %q, want the file and %q", tt.path, res.stderr, tt.want)
		}
	}
}
