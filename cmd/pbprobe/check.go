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
	prober, err := agent.NewProber(cfg, agent.ProberOptions{Getenv: e.getenv})
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe check: %v\n", err)
		return usageCode(f.exitCodes)
	}
	lang := chooseLang(f.lang, e.getenv)
	doc, writeErr := checkPass(ctx, prober, cfg, f, lang, e)
	if doc == nil {
		fmt.Fprintln(e.stderr, "pbprobe check: interrupted")
		return exitInternal
	}
	if writeErr != nil {
		fmt.Fprintf(e.stderr, "pbprobe check: writing output: %v\n", writeErr)
		return exitInternal
	}
	return exitCode(doc, f.exitCodes)
}

// checkPass runs the pass and writes its document. On a terminal each host
// appears as soon as it is done; otherwise the output is written once, in
// table order, so it diffs and pastes cleanly. The document is nil when
// ctx ended first.
func checkPass(ctx context.Context, prober agent.Prober, cfg *config.Config, f checkFlags, lang report.Lang, e env) (*agent.Document, error) {
	machine, _ := os.Hostname()
	// The PC's prerequisites (registry and token reads, well under a
	// millisecond) are known before any host, so that a live check shows
	// them under its header.
	prereq := pcmachine.Gather()
	o := agent.PassOptions{Version: programVersion(), Machine: machine}
	textOpts := report.TextOptions{Lang: lang, Color: e.stdoutTTY && e.getenv("NO_COLOR") == ""}
	live := f.format == "text" && e.stdoutTTY
	var text *report.Text
	var writeErr error
	keep := func(err error) {
		if writeErr == nil {
			writeErr = err
		}
	}
	start := time.Now()
	if live {
		labels := make([]string, len(cfg.Hosts))
		for i, h := range cfg.Hosts {
			labels[i] = report.Label(h.Host, h.Port)
		}
		text = report.NewText(e.stdout, textOpts, labels)
		keep(text.Header(o.Version, machine, start))
		keep(text.Machine(&prereq))
		o.OnHost = func(_ int, h agent.HostReport) {
			local := report.LocalizedHost(h, lang, start)
			keep(text.Host(&local))
		}
	}
	doc, err := agent.Pass(ctx, prober, cfg, o)
	if err != nil {
		return nil, nil
	}
	doc.Prerequisites = &prereq
	local := report.Localized(doc, lang)
	switch {
	case live:
		keep(text.Summary(local))
	case f.format == "json":
		keep(report.WriteJSON(e.stdout, local))
	default:
		keep(report.WriteText(e.stdout, local, textOpts))
	}
	return doc, writeErr
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

// chooseLang is the language of the words: the --lang flag (already
// validated), else the locale.
func chooseLang(flagValue string, getenv func(string) string) report.Lang {
	if flagValue != "" {
		l, _ := report.ParseLangFlag(flagValue)
		return l
	}
	return detectLang(getenv)
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
