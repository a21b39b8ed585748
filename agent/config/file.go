package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// The limits of what Load reads. A real config is a few KB and lists the
// handful of Password Boss hosts; these are orders of magnitude above that,
// and far below what would make a mistaken or hostile path (a device, a
// log file, a generated table) cost memory or time.
const (
	// MaxFileSize caps a config file. Parsing costs several times the
	// file in memory: a 100 MB file took 600 MB.
	MaxFileSize = 1 << 20
	// MaxHosts caps the host table: every host is probed every run.
	MaxHosts = 1000
	// maxPEMSize caps a PEM root file: the whole public root store is
	// about 200 KB.
	maxPEMSize = 8 << 20
)

// errNotRegular and errTooLarge say why readRegular refused a file.
var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("over the size limit")
)

// readRegular reads a regular file of at most max bytes. Anything else is
// refused before a byte is read: a FIFO would block the open and the read
// (and a process that handles SIGTERM with it), /dev/zero never ends, a
// directory has nothing to parse. The opened file is checked again, so
// that a path swapped after the first check is refused too.
func readRegular(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(fi, max); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(fi, max); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		// It grew after the check.
		return nil, fmt.Errorf("it has more than %s, %w of %s", size(max), errTooLarge, size(max))
	}
	return data, nil
}

func checkRegular(fi fs.FileInfo, max int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("it is %s, %w", kind(fi.Mode()), errNotRegular)
	}
	if fi.Size() > max {
		return fmt.Errorf("it is %s, %w of %s", size(fi.Size()), errTooLarge, size(max))
	}
	return nil
}

// kind names a file type the way a technician would.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}

// size renders a byte count for a message.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
