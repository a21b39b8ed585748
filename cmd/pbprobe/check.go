package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	pcmachine "github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/agent/report"
	"github.com/pbprobe/pbprobe/probes"
)

type checkFlags struct {
	configFile string
	format     string
	timeout    time.Duration
	lang       string
	exitCodes  string
}

func parseCheckFlags(args []string, e env) (checkFlags, error) {
	var f checkFlags
	fs := flag.NewFlagSet("pbprobe check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&f.configFile, "config.file", "", "YAML config `file` (default: the built-in Password Boss host table)")
	fs.StringVar(&f.format, "format", "text", "output `format`: text or json")
	fs.DurationVar(&f.timeout, "timeout", 0, "per-host `deadline` for DNS+TCP+TLS (default from config, 10s)")
	fs.StringVar(&f.lang, "lang", "", "`language` of messages and hints: en or de (default from the locale)")
	fs.StringVar(&f.exitCodes, "exit-codes", "default", "exit code `scheme`: default (0 ready, 1 not ready) or nagios (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pbprobe check [flags]\n\nProbe every host of the table once (DNS, TCP connect, TLS handshake) and print a verdict.\nExit codes: 0 ready, 1 not ready, 2 bad usage or config, 3 internal error.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch f.format {
	case "text", "json":
	default:
		return f, fmt.Errorf("--format %q: want text or json", f.format)
	}
	switch f.exitCodes {
	case "default", "nagios":
	default:
		return f, fmt.Errorf("--exit-codes %q: want default or nagios", f.exitCodes)
	}
	if f.timeout < 0 || f.timeout > config.MaxTimeout {
		return f, fmt.Errorf("--timeout %s: want a duration above 0 and at most %s", f.timeout, config.MaxTimeout)
	}
	if f.lang != "" {
		if _, err := report.ParseLangFlag(f.lang); err != nil {
			return f, fmt.Errorf("--lang: %w", err)
		}
	}
	return f, nil
}

func runCheck(ctx context.Context, args []string, e env) int {
	f, err := parseCheckFlags(args, e)
	if errors.Is(err, flag.ErrHelp) {
		return exitReady
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe check: %v\n", err)
		return usageCode(f.exitCodes)
	}
	cfg, err := config.Load(f.configFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe check: %v\n", err)
		return usageCode(f.exitCodes)
	}
	if f.timeout > 0 {
		cfg.Timeout = f.timeout
	}
	opts, err := cfg.ProbeOptions()
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe check: %v\n", err)
		return usageCode(f.exitCodes)
	}
	lang := detectLang(e.getenv)
	if f.lang != "" {
		lang, _ = report.ParseLangFlag(f.lang)
	}

	// The apps go through the PC's proxy when one is set; so does the check.
	opts.Proxies = func(host string, port int) []probes.ProxySetting {
		return probes.SystemProxies(host, port, e.getenv)
	}
	machine, _ := os.Hostname()
	// The PC's prerequisites (registry and token reads, well under a
	// millisecond) are known before any host, so that a live check shows
	// them under its header.
	prereq := pcmachine.Gather()
	prober := probes.New(opts)
	targets := cfg.Targets()
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = report.Label(t.Host, t.Port)
	}
	evalOpts := agent.EvalOptions{
		Version:    programVersion(),
		Machine:    machine,
		CertExpiry: cfg.Warnings.CertExpiry,
		SlowPhase:  cfg.Warnings.SlowPhase,
	}

	// On a terminal each host appears as soon as it is done; otherwise the
	// output is written once, in table order, so it diffs and pastes cleanly.
	live := f.format == "text" && e.stdoutTTY
	textOpts := report.TextOptions{Lang: lang, Color: e.stdoutTTY && e.getenv("NO_COLOR") == ""}
	var text *report.Text
	start := time.Now()
	var done func(int, *probes.Result)
	var writeErr error
	if live {
		text = report.NewText(e.stdout, textOpts, labels)
		writeErr = text.Header(evalOpts.Version, machine, start)
		if err := text.Machine(&prereq); err != nil && writeErr == nil {
			writeErr = err
		}
		// ProbeAll calls done one host at a time, so writing here is safe.
		done = func(i int, r *probes.Result) {
			hr := agent.EvaluateHost(cfg.Hosts[i], r, time.Now(), evalOpts)
			report.LocalizeHost(&hr, lang, start)
			if err := text.Host(&hr); err != nil && writeErr == nil {
				writeErr = err
			}
		}
	}
	captive := make(chan *agent.CaptiveView, 1)
	go func() { captive <- agent.CheckCaptive(ctx, prober, cfg.CaptivePortal.URL, cfg.CaptivePortal.Expect) }()
	results := agent.ProbeAll(ctx, prober, targets, done)
	portal := <-captive
	if ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "pbprobe check: interrupted")
		return exitInternal
	}
	rep := agent.Evaluate(cfg.Hosts, results, start, time.Since(start), evalOpts)
	rep.CaptivePortal = portal
	rep.Prerequisites = &prereq
	report.Localize(&rep, lang)

	switch {
	case live:
		if err := text.Summary(&rep); err != nil && writeErr == nil {
			writeErr = err
		}
	case f.format == "json":
		writeErr = report.WriteJSON(e.stdout, &rep)
	default:
		writeErr = report.WriteText(e.stdout, &rep, textOpts)
	}
	if writeErr != nil {
		fmt.Fprintf(e.stderr, "pbprobe check: writing output: %v\n", writeErr)
		return exitInternal
	}
	return exitCode(&rep, f.exitCodes)
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

// usageCode is the bad-usage exit code of the scheme: UNKNOWN for Nagios.
func usageCode(scheme string) int {
	if strings.EqualFold(scheme, "nagios") {
		return 3
	}
	return exitUsage
}

// detectLang follows the POSIX locale variables when any is set, and the
// OS's UI language otherwise (Windows sets none of them).
func detectLang(getenv func(string) string) report.Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if getenv(k) != "" {
			return report.DetectLang(getenv)
		}
	}
	return report.LangFromLocale(osLocale())
}
