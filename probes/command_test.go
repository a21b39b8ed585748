package probes

import (
	"errors"
	"os/exec"
	"testing"
	"time"
)

// TestCommandOutputCapped: a tool that writes without end is stopped at
// the cap with an error, not buffered; a short answer comes back whole.
func TestCommandOutputCapped(t *testing.T) {
	t.Parallel()
	yes, err := exec.LookPath("yes")
	if err != nil {
		t.Skip("no yes(1) on this machine")
	}
	out, err := commandOutputLimit(10*time.Second, 64<<10, yes)
	if err == nil || out != nil {
		t.Fatalf("endless output: %d bytes, err %v", len(out), err)
	}
	var ee *exec.ExitError
	if !errors.Is(err, errOutputTooLong) && !errors.As(err, &ee) {
		t.Errorf("err %v, want the cap or the broken pipe it causes", err)
	}
	echo, err := exec.LookPath("echo")
	if err != nil {
		t.Skip("no echo(1)")
	}
	out, err = commandOutput(10*time.Second, echo, "hello")
	if err != nil || string(out) != "hello\n" {
		t.Errorf("echo: %q, %v", out, err)
	}
}
