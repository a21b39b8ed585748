package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	pcmachine "github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/agent/report"
)

type checkFlags struct {
	configFile string
	format     string
	timeout    time.Duration
	lang       string
	exitCodes  string

	cfg    *config.Config
	prober agent.Prober
}

const checkUsage = `Usage: pbprobe check [flags]

Probe every host of the table once (DNS, TCP connect, TLS handshake, HTTP GET /) and print a verdict.
Exit codes: 0 ready, 1 not ready, 2 bad usage or config, 3 interrupted or internal error.
`

func parseCheckFlags(args []string, e env) (checkFlags, error) {
	var f checkFlags
	fs := newFlagSet("check", checkUsage, e)
	fs.StringVar(&f.configFile, "config.file", "", "YAML config `file` (default: the built-in Password Boss host table)")
	fs.StringVar(&f.format, "format", "text", "output `format`: text or json")
	fs.Var((*agent.Duration)(&f.timeout), "timeout", "per-host `deadline` for DNS, TCP, TLS and HTTP (default from config, 10s)")
	fs.StringVar(&f.lang, "lang", "", "`language` of messages and hints: en or de (default from the locale)")
	fs.StringVar(&f.exitCodes, "exit-codes", "default", "exit code `scheme`: default (0 ready, 1 not ready) or nagios (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)")
	err := parseFlags(fs, args, oneOf("format", &f.format, "text", "json"),
		oneOf("exit-codes", &f.exitCodes, "default", "nagios"), timeoutOK(&f.timeout), langOK(&f.lang))
	return f, err
}

func runCheck(ctx context.Context, args []string, e env) int {
	f, err := parseCheckFlags(args, e)
	if err == nil {
		err = f.prepare(e)
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitReady
	}
	if err != nil {
		return usageExit(e, f.exitCodes, err)
	}
	doc, writeErr := checkPass(ctx, f, chooseLang(f.lang, e.getenv), e)
	switch {
	case doc == nil:
		fmt.Fprintln(e.stderr, "pbprobe check: interrupted") // no verdict: exit 3
		return exitInternal
	case writeErr != nil:
		fmt.Fprintf(e.stderr, "pbprobe check: writing output: %v\n", writeErr)
		return exitInternal
	}
	return exitCode(doc, f.exitCodes)
}

// prepare loads the config, with --timeout on top, and builds the prober.
func (f *checkFlags) prepare(e env) (err error) {
	if f.cfg, err = config.Load(f.configFile); err != nil {
		return err
	}
	if f.timeout > 0 {
		f.cfg.Timeout = f.timeout
	}
	f.prober, err = agent.NewProber(f.cfg, agent.ProberOptions{Getenv: e.getenv})
	return err
}

// checkPass runs the pass and writes its document. On a terminal the
// hosts still running are shown with their elapsed time until the report
// is written. The document is nil when ctx ended first (Ctrl-C): the text
// then says what finished and marks the rest not finished.
func checkPass(ctx context.Context, f checkFlags, lang report.Lang, e env) (*agent.Document, error) {
	machine, _ := os.Hostname()
	// The PC's prerequisites: registry and token reads, well under a ms.
	prereq := pcmachine.Gather()
	o := agent.PassOptions{Version: programVersion(), Machine: machine}
	text := textOptions(e, lang)
	text.Nagios = f.exitCodes == "nagios" // its status line comes first: no live view
	run := report.NewRun(ctx, e.stdout, text, f.cfg.Hosts, f.format == "text" && e.stdoutTTY && !text.Nagios)
	o.OnHost = run.Host
	doc, err := agent.Pass(ctx, f.prober, f.cfg, o)
	run.Stop()
	if err != nil {
		if f.format != "text" {
			return nil, nil
		}
		return nil, run.Interrupted(&agent.Document{Version: o.Version, Machine: machine, Prerequisites: &prereq})
	}
	doc.Prerequisites = &prereq
	return doc, writeDoc(e, doc, f.format, text)
}

// exitCode maps a verdict to the exit code scheme. Nagios plugins report
// OK/WARNING/CRITICAL, so there warnings get their own code; by default
// warnings never change the exit code.
func exitCode(rep *agent.Document, scheme string) int {
	if scheme != "nagios" {
		if rep.Ready {
			return exitReady
		}
		return exitNotReady
	}
	if !rep.Ready {
		return 2 // CRITICAL
	}
	for _, h := range rep.Hosts {
		if len(h.Warnings) > 0 {
			return 1 // WARNING
		}
	}
	return 0
}

// usageExit reports bad usage or config: exit 2, or for Nagios the
// UNKNOWN status line on stdout (a monitor reads nothing else) and exit 3.
func usageExit(e env, scheme string, err error) int {
	fmt.Fprintf(e.stderr, "pbprobe check: %v\n", err)
	if scheme != "nagios" {
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "PBPROBE UNKNOWN - %s\n", agent.Printable(err.Error()))
	return 3
}
