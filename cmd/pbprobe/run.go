package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/page"
	"github.com/pbprobe/pbprobe/agent/report"
)

// runFlags are the agent's flags and the language of /status.
type runFlags struct {
	agent.Flags
	lang string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	f.Flags.Register(fs)
	fs.StringVar(&f.lang, "lang", "", "`language` of the prose in /status: en or de (default from the locale)")
}

const runUsage = `Usage: pbprobe run [flags]

Run the agent in the foreground: probe now and every interval, serve Prometheus
metrics and the status document, log transitions. SIGHUP reloads the config file.
`

func parseRunFlags(args []string, e env) (runFlags, error) {
	var f runFlags
	fs := newFlagSet("run", runUsage, e)
	f.register(fs)
	err := parseFlags(fs, args, langOK(&f.lang), func() error { return f.Check(fs) })
	return f, err
}

func runRun(ctx context.Context, args []string, e env) int {
	f, err := parseRunFlags(args, e)
	if err != nil {
		return flagExit(err, "run", e)
	}
	if err := startAgent(ctx, f, e.stderr, e.getenv, nil); err != nil {
		fmt.Fprintf(e.stderr, "pbprobe run: %v\n", err)
		return daemonExit(err)
	}
	return exitReady
}

// daemonExit is the exit code of an agent that stopped with err: 2 when
// the operator's input is at fault (a bad config, a taken port), else 3.
func daemonExit(err error) int {
	if agent.IsUsageError(err) {
		return exitUsage
	}
	return exitInternal
}

// startAgent runs the agent until ctx ends. ready, when not nil, is called
// with the listener's address once the endpoint is up (tests, the service).
// hooks run after the metrics and the log (the service's Event Log).
func startAgent(ctx context.Context, f runFlags, console io.Writer, getenv func(string) string, ready func(addr net.Addr), hooks ...agent.RunHook) error {
	o := f.DaemonOptions(console)
	o.Version = programVersion()
	o.Machine, _ = os.Hostname()
	o.RenderStatus = report.StatusJSON(chooseLang(f.lang, getenv))
	o.Hooks, o.Ready, o.Page = hooks, ready, page.New
	return agent.RunDaemon(ctx, o)
}
