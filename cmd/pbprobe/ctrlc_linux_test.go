//go:build linux

package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// escapes are the terminal's colour and cursor codes.
var escapes = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// ptyOutput collects what the program writes to its terminal.
type ptyOutput struct {
	mu   sync.Mutex
	b    strings.Builder
	done chan struct{}
}

func readPTY(r io.Reader) *ptyOutput {
	o := &ptyOutput{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			o.mu.Lock()
			o.b.Write(buf[:n])
			o.mu.Unlock()
			if err != nil {
				return // EIO once the program has exited
			}
		}
	}()
	return o
}

func (o *ptyOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// waitFor polls until the output holds all of want, or fails the test.
func (o *ptyOutput) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		s, all := o.String(), true
		for _, w := range want {
			all = all && strings.Contains(s, w)
		}
		if all {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the terminal never showed %q:\n%q", want, o.String())
}

// TestCheckCtrlCOnTerminal runs the built binary on an 80-column
// pseudo-terminal against a loopback world where one host never finishes
// its handshake, presses Ctrl-C (SIGINT) while it is pending, and reads
// what a technician would: the pending host shown with its elapsed time
// while it runs; after Ctrl-C "INTERRUPTED", the host that finished with
// its verdict, the other marked not finished and never FAIL or OK; exit 3.
func TestCheckCtrlCOnTerminal(t *testing.T) {
	w := newTestWorld(t)
	fast := w.Add("fast.pb.test", probetest.OK)
	hang := w.Add("hang.pb.test", probetest.Stall)
	cfg := w.config(t, 60*time.Second, hang, fast)
	bin := buildRelease(t)

	cmd := exec.Command(bin, "check", "--config.file", cfg)
	cmd.Env = []string{"LANG=C", "TERM=xterm", "PATH=" + os.Getenv("PATH")}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out := readPTY(tty)

	hangLabel, fastLabel := "hang.pb.test:"+itoa(hang.Port), "fast.pb.test:"+itoa(fast.Port)
	// The fast host done, the stalled one still running, redrawn in place.
	out.waitFor(t, "running, ", "OK", "\x1b[J")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInternal {
		t.Fatalf("exit %v, want %d\n%q", err, exitInternal, out.String())
	}
	tty.Close()
	<-out.done

	// The report is what follows the last erase of the progress area.
	all := strings.ReplaceAll(out.String(), "\r", "")
	report := all[strings.LastIndex(all, "\x1b[J")+len("\x1b[J"):]
	report = escapes.ReplaceAllString(report, "")
	t.Logf("the terminal after Ctrl-C:\n%s", report)
	for _, want := range []string{"INTERRUPTED", "not finished", "interrupted"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	for _, line := range strings.Split(report, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line of %d columns on an 80-column terminal: %q", n, line)
		}
		switch {
		case strings.HasPrefix(line, hangLabel):
			if strings.Contains(line, "FAIL") || strings.Contains(line, " OK") || !strings.Contains(line, "not finished") {
				t.Errorf("the cancelled host has a verdict: %q", line)
			}
		case strings.HasPrefix(line, fastLabel):
			if !strings.Contains(line, " OK") {
				t.Errorf("the finished host lost its verdict: %q", line)
			}
		}
	}
	for _, word := range []string{"READY", "tls_timeout", "FAIL"} {
		if strings.Contains(strings.ReplaceAll(report, "INTERRUPTED", ""), word) {
			t.Errorf("an interrupted check says %q:\n%s", word, report)
		}
	}
}
