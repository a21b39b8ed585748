package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadRefused loads path, which must fail at once with a *Error naming the
// file and saying want.
func loadRefused(t *testing.T, path, want string) {
	t.Helper()
	start := time.Now()
	_, err := Load(path)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Load(%s) took %v, want at once", path, took)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != path || !strings.Contains(e.Msg, want) {
		t.Fatalf("Load(%s) = %v, want *Error naming the file and saying %q", path, err, want)
	}
}

func TestLoadRefusesDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	loadRefused(t, dir, "it is a directory, not a regular file")
}

func TestLoadRefusesDevice(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skipf("no /dev/zero: %v", err)
	}
	loadRefused(t, "/dev/zero", "it is a character device, not a regular file")
}

func TestLoadRefusesOversizeFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.yml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 100 MB on paper, nothing on disk.
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	loadRefused(t, path, "it is 100.0 MiB, over the size limit of 1.0 MiB")
	if !errors.Is(func() error { _, err := Load(path); return err }(), errTooLarge) {
		t.Error("the error does not wrap errTooLarge")
	}
}

func TestLoadAcceptsFileAtTheSizeLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "full.yml")
	body := "timeout: 10s\n"
	body += strings.Repeat("#", MaxFileSize-len(body)-1) + "\n"
	writeFile(t, path, body)
	if _, err := Load(path); err != nil {
		t.Fatalf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
}

func TestReadRegularRefusesGrowth(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x")
	writeFile(t, path, "0123456789")
	if _, err := readRegular(path, 10); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := readRegular(path, 9); !errors.Is(err, errTooLarge) {
		t.Fatalf("over the limit: %v, want errTooLarge", err)
	}
}

func hostsYAML(n int) string {
	var b strings.Builder
	b.WriteString("hosts:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - host: h%d.example.com\n", i)
	}
	return b.String()
}

func TestHostCountLimit(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(hostsYAML(MaxHosts)), "max.yml")
	if err != nil || len(cfg.Hosts) != MaxHosts {
		t.Fatalf("%d hosts: %v", MaxHosts, err)
	}
	path := filepath.Join(t.TempDir(), "many.yml")
	writeFile(t, path, hostsYAML(MaxHosts+1))
	_, err = Load(path)
	want := path + ":2: 1001 hosts listed; at most 1000 are probed"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%d hosts: err = %v, want %q…", MaxHosts+1, err, want)
	}
}

func TestLoadPEMPoolRefusesDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := LoadPEMPool(dir)
	if err == nil || !strings.Contains(err.Error(), dir) || !errors.Is(err, errNotRegular) {
		t.Errorf("err = %v, want one naming %s and wrapping errNotRegular", err, dir)
	}
}
