// Command pbprobe tells whether this PC can reach the Password Boss service,
// and if not, why. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/common/version"
	"golang.org/x/term"
)

// Exit codes (DESIGN.md, a stable contract).
const (
	exitReady    = 0
	exitNotReady = 1
	exitUsage    = 2
	exitInternal = 3
)

// env is the process's outside world, injected so tests can run commands
// in-process with their own streams and environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// stdoutTTY says whether stdout is a terminal: colour and live output.
	stdoutTTY bool
}

func main() {
	// Release builds set the version with -ldflags; `go run` and plain
	// `go build` leave it empty, and the build info, /status and the
	// header should still say something.
	if version.Version == "" {
		version.Version = "dev"
	}
	setupConsole()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := env{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
	code := run(ctx, os.Args[1:], e)
	stop()
	os.Exit(code)
}

const usage = `Usage: pbprobe <command> [flags]

Commands:
  check     probe the Password Boss hosts once and print a verdict
  run       run the agent in the foreground: probe on a schedule, serve metrics
  status    print the verdict of the running agent's last run
  service   install and control the agent as an OS service (see 'pbprobe service help')
  version   print version information

Run 'pbprobe <command> --help' for the flags of a command.
`

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return runCheck(ctx, args[1:], e)
	case "run":
		return runRun(ctx, args[1:], e)
	case "status":
		return runStatus(ctx, args[1:], e)
	case "service":
		return runServiceCmd(ctx, args[1:], e)
	case "version", "--version", "-version":
		return runVersion(args[1:], e)
	case "help", "--help", "-h", "-help":
		fmt.Fprint(e.stdout, usage)
		return exitReady
	}
	fmt.Fprintf(e.stderr, "pbprobe: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
