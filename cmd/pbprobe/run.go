package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap"

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
		var ue usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitInternal
	}
	return exitReady
}

// usageError marks a start-up failure caused by the operator's input (a bad
// config, a taken port): exit code 2, not 3.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// startAgent runs the agent until ctx ends. ready, when not nil, is called
// with the listener's address once the endpoint is up (tests, the service).
func startAgent(ctx context.Context, f runFlags, console io.Writer, getenv func(string) string, ready func(addr net.Addr)) error {
	cfg, err := f.loadConfig()
	if err != nil {
		return usageError{err}
	}
	logOpts := agent.LogOptions{Level: f.logLevel, Format: f.logFormat, Console: console, File: f.logFile}
	logger, closeLog, err := agent.NewLogger(logOpts)
	if err != nil && !f.logFileSet {
		// The default file is in a system folder; running by hand as a
		// user, the console has to do. An explicit --log.file must work.
		logOpts.File = ""
		logger, closeLog, err = agent.NewLogger(logOpts)
		if err == nil {
			logger.Warn("no log file: cannot open the default log file; logging to the console only (set --log.file)", zap.String("path", f.logFile))
		}
	}
	if err != nil {
		return usageError{err}
	}
	defer func() { _ = closeLog() }()
	slogger := agent.SlogFor(logger)

	lang := detectLang(getenv)
	if f.lang != "" {
		lang, _ = report.ParseLangFlag(f.lang)
	}
	machine, _ := os.Hostname()
	reloadStatus := agent.NewReloadStatus()
	var metrics *agent.Metrics
	a, err := agent.New(agent.Options{
		Config: cfg,
		Eval:   agent.EvalOptions{Version: programVersion(), Machine: machine},
		Hooks: append([]agent.RunHook{
			func(prev, cur *agent.Document) { metrics.Observe(prev, cur) },
			agent.LogRuns(logger),
		}, f.hooks...),
	})
	if err != nil {
		return usageError{err}
	}
	metrics = agent.NewMetrics(a, reloadStatus)

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		metrics,
		versioncollector.NewCollector("pbprobe"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)

	reload := func() error {
		c, err := f.loadConfig()
		if err == nil {
			err = a.Reload(c)
		}
		reloadStatus.Set(err == nil, time.Now())
		if err != nil {
			logger.Error("config reload failed; keeping the previous config", zap.String("file", f.configFile), zap.Error(err))
			return err
		}
		logger.Info("config reloaded", zap.String("file", f.configFile), zap.Int("hosts", len(c.Hosts)), zap.Duration("interval", c.Interval))
		return nil
	}
	var httpReload func() error
	if f.enableLifecycle {
		httpReload = reload
	}
	started := time.Now()
	h, err := agent.NewHandler(agent.ServerOptions{
		Agent:    a,
		Gatherer: reg,
		WriteStatus: func(w io.Writer, rep *agent.Document) error {
			local := *rep
			local.Hosts = append([]agent.HostReport(nil), rep.Hosts...)
			report.Localize(&local, lang)
			return report.WriteJSON(w, &local)
		},
		Reload:  httpReload,
		Version: programVersion(),
		Started: started,
		Logger:  slogger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listenAddress)
	if err != nil {
		return usageError{fmt.Errorf("--web.listen-address: %w", err)}
	}
	logger.Info("pbprobe agent starting",
		zap.String("version", programVersion()), zap.String("listen", ln.Addr().String()),
		zap.Int("hosts", len(cfg.Hosts)), zap.Duration("interval", cfg.Interval), zap.Duration("timeout", cfg.Timeout),
		zap.String("log_file", logOpts.File))
	if ready != nil {
		ready(ln.Addr())
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = reload()
			}
		}
	}()

	serveErr := make(chan error, 1)
	go func() { serveErr <- agent.Serve(ctx, ln, h, f.webConfigFile, slogger) }()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = a.Run(ctx)
	}()

	select {
	case <-ctx.Done():
	case err = <-serveErr:
		cancel()
		<-loopDone
		logger.Error("web server stopped", zap.Error(err))
		return err
	}
	<-loopDone
	if err := <-serveErr; err != nil {
		logger.Error("web server", zap.Error(err))
	}
	logger.Info("pbprobe agent stopped", zap.Uint64("runs", a.Runs()))
	return nil
}
