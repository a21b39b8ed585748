package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/report"
)

// runFlags are the agent's flags, named after the exporter conventions.
// They override the config file, which overrides the defaults.
type runFlags struct {
	configFile      string
	listenAddress   string
	webConfigFile   string
	enableLifecycle bool
	logLevel        string
	logFormat       string
	logFile         string
	logFileSet      bool
	interval        time.Duration
	timeout         time.Duration
	lang            string
	// hooks are run hooks beyond metrics and logging, set by code rather
	// than flags: the service adds its Event Log writer.
	hooks []agent.RunHook
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.configFile, "config.file", "", "YAML config `file` (default: the built-in Password Boss host table)")
	fs.StringVar(&f.listenAddress, "web.listen-address", agent.DefaultListenAddress, "`address` for /metrics, /status and /healthz (loopback by default)")
	fs.StringVar(&f.webConfigFile, "web.config.file", "", "exporter-toolkit web config `file` for TLS and basic auth")
	fs.BoolVar(&f.enableLifecycle, "web.enable-lifecycle", false, "serve POST /-/reload to reload the config file")
	fs.StringVar(&f.logLevel, "log.level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log.format", "logfmt", "console log `format`: logfmt or json")
	fs.StringVar(&f.logFile, "log.file", agent.DefaultLogFile(), "rotated JSON log `file`; empty for none")
	fs.DurationVar(&f.interval, "interval", 0, "time between runs (default from config, 5m)")
	fs.DurationVar(&f.timeout, "timeout", 0, "per-host deadline (default from config, 10s)")
	fs.StringVar(&f.lang, "lang", "", "`language` of the prose in /status: en or de (default from the locale)")
}

func parseRunFlags(args []string, e env) (runFlags, error) {
	var f runFlags
	fs := flag.NewFlagSet("pbprobe run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pbprobe run [flags]\n\nRun the agent in the foreground: probe now and every interval, serve Prometheus\nmetrics and the status document, log transitions. SIGHUP reloads the config file.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	fs.Visit(func(fl *flag.Flag) { f.logFileSet = f.logFileSet || fl.Name == "log.file" })
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, err := agent.ParseLogLevel(f.logLevel); err != nil {
		return f, fmt.Errorf("--log.level: %w", err)
	}
	if f.logFormat != "logfmt" && f.logFormat != "json" {
		return f, fmt.Errorf("--log.format %q: want logfmt or json", f.logFormat)
	}
	if f.interval != 0 && f.interval < config.MinInterval {
		return f, fmt.Errorf("--interval %s: want at least %s", f.interval, config.MinInterval)
	}
	if f.timeout < 0 || f.timeout > config.MaxTimeout {
		return f, fmt.Errorf("--timeout %s: want a duration above 0 and at most %s", f.timeout, config.MaxTimeout)
	}
	if f.lang != "" {
		if _, err := report.ParseLangFlag(f.lang); err != nil {
			return f, fmt.Errorf("--lang: %w", err)
		}
	}
	if f.webConfigFile != "" {
		if err := web.Validate(f.webConfigFile); err != nil {
			return f, fmt.Errorf("--web.config.file %s: %w", f.webConfigFile, err)
		}
	}
	return f, nil
}

// loadConfig reads the config file and applies the flags on top, at start
// and on every reload alike.
func (f *runFlags) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(f.configFile)
	if err != nil {
		return nil, err
	}
	if f.interval > 0 {
		cfg.Interval = f.interval
	}
	if f.timeout > 0 {
		cfg.Timeout = f.timeout
	}
	return cfg, nil
}

func runRun(ctx context.Context, args []string, e env) int {
	f, err := parseRunFlags(args, e)
	if errors.Is(err, flag.ErrHelp) {
		return exitReady
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe run: %v\n", err)
		return exitUsage
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
	var ue agent.UsageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitInternal
}

// startAgent runs the agent until ctx ends. ready, when not nil, is called
// with the listener's address once the endpoint is up (tests, the service).
func startAgent(ctx context.Context, f runFlags, console io.Writer, getenv func(string) string, ready func(addr net.Addr)) error {
	machine, _ := os.Hostname()
	return agent.RunDaemon(ctx, agent.DaemonOptions{
		LoadConfig:      f.loadConfig,
		ConfigFile:      f.configFile,
		Log:             agent.LogOptions{Level: f.logLevel, Format: f.logFormat, Console: console, File: f.logFile},
		LogFileRequired: f.logFileSet,
		ListenAddress:   f.listenAddress,
		WebConfigFile:   f.webConfigFile,
		EnableLifecycle: f.enableLifecycle,
		Version:         programVersion(),
		Machine:         machine,
		RenderStatus:    statusRenderer(chooseLang(f.lang, getenv)),
		Hooks:           f.hooks,
		Ready:           ready,
	})
}

// statusRenderer renders /status: the document with its words, as JSON.
func statusRenderer(lang report.Lang) func(*agent.Document) ([]byte, error) {
	return func(doc *agent.Document) ([]byte, error) {
		var b bytes.Buffer
		err := report.WriteJSON(&b, report.Localized(doc, lang))
		return b.Bytes(), err
	}
}
