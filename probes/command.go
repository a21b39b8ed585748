package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// maxCommandOutput caps what pbprobe reads from an OS tool (scutil): its
// answers are a few KiB; a broken or replaced tool must not fill memory.
const maxCommandOutput = 1 << 20

// errOutputTooLong: the tool wrote more than maxCommandOutput.
var errOutputTooLong = errors.New("output longer than 1 MiB")

// cappedBuffer keeps at most limit bytes and fails the write past them,
// which ends the command (its pipe breaks) instead of buffering on.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.limit {
		return 0, errOutputTooLong
	}
	return c.buf.Write(p)
}

// commandOutput runs path with args within timeout and returns its
// standard output, at most maxCommandOutput bytes.
func commandOutput(timeout time.Duration, path string, args ...string) ([]byte, error) {
	return commandOutputLimit(timeout, maxCommandOutput, path, args...)
}

func commandOutputLimit(timeout time.Duration, limit int, path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	out := &cappedBuffer{limit: limit}
	cmd.Stdout = out
	// Without WaitDelay a descendant holding stdout open would keep Wait
	// blocked past the timeout.
	cmd.WaitDelay = 500 * time.Millisecond
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running %s: %w", path, err)
	}
	return out.buf.Bytes(), nil
}
