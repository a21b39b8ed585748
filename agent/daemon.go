package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"go.uber.org/zap"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/push"
)

// DaemonOptions configure the agent as a long-running process: what
// `pbprobe run` and the installed service start.
type DaemonOptions struct {
	// LoadConfig reads the config (the file, then the flags on top); it is
	// called at start and on every reload.
	LoadConfig func() (*config.Config, error)
	// ConfigFile names the config file in log lines; empty for the
	// built-in table.
	ConfigFile string
	Log        LogOptions
	// LogFileRequired: the log file was asked for explicitly and must
	// open. Otherwise a default file that cannot be opened (a system
	// folder, run by hand as a user) falls back to the console.
	LogFileRequired bool
	ListenAddress   string
	// WebConfigFile is the exporter-toolkit web config (TLS, basic auth).
	WebConfigFile string
	// EnableLifecycle serves POST /-/reload.
	EnableLifecycle bool
	Version         string
	Machine         string
	// RenderStatus renders /status in the operator's language: the agent
	// itself writes no prose.
	RenderStatus func(*Document) ([]byte, error)
	// Hooks run after every run, after the metrics and the log (the
	// service adds its Event Log writer).
	Hooks []RunHook
	// Ready, when not nil, is called with the listener's address once the
	// endpoints are up.
	Ready func(net.Addr)
	// Watcher reports network changes and wakes from sleep, each of which
	// starts a run; nil means NativeWatcher with its defaults.
	Watcher NetworkWatcher
	// Page, when not nil, builds the status page served at / (agent/page):
	// the agent writes no prose itself.
	Page func(*Agent, *History) http.Handler
	// HistoryFile, when set, keeps the recent runs across restarts.
	HistoryFile string
	// StateDir keeps what survives a restart (the push backlog); empty
	// means DefaultStateDir.
	StateDir string
}

// UsageError marks a start-up failure caused by the operator's input (a
// bad config, a taken port), as opposed to a failure of the agent.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// IsUsageError reports whether err is, or wraps, a UsageError.
func IsUsageError(err error) bool {
	var ue UsageError
	return errors.As(err, &ue)
}

// daemon is one running agent process: the loop, its endpoints, its log.
type daemon struct {
	o       DaemonOptions
	logger  *zap.Logger
	agent   *Agent
	reg     *prometheus.Registry
	reloads *ReloadStatus
	history *History
	pusher  *push.Pusher // nil unless push.url is set
}

// RunDaemon runs the agent until ctx ends: it probes now and every
// interval, serves /metrics, /status and /healthz, logs transitions,
// reloads the config on SIGHUP (and POST /-/reload when enabled), and on
// the way out stops the web server and the loop before closing the log.
func RunDaemon(ctx context.Context, o DaemonOptions) error {
	cfg, err := o.LoadConfig()
	if err != nil {
		return UsageError{err}
	}
	logger, closeLog, err := openDaemonLog(o)
	if err != nil {
		return UsageError{err}
	}
	defer func() { _ = closeLog() }()
	d := &daemon{o: o, logger: logger, reloads: NewReloadStatus()}
	if err := d.build(cfg); err != nil {
		return UsageError{err}
	}
	ln, err := net.Listen("tcp", o.ListenAddress)
	if err != nil {
		return UsageError{fmt.Errorf("--web.listen-address: %w", err)}
	}
	logger.Info("pbprobe agent starting",
		zap.String("version", o.Version), zap.String("listen", ln.Addr().String()),
		zap.Int("hosts", len(cfg.Hosts)), zap.Duration("interval", cfg.Interval), zap.Duration("timeout", cfg.Timeout),
		zap.String("log_file", o.Log.File))
	return d.serve(ctx, ln)
}

// openDaemonLog opens the log, falling back to the console when the
// default file cannot be opened.
func openDaemonLog(o DaemonOptions) (*zap.Logger, func() error, error) {
	logger, closeLog, err := NewLogger(o.Log)
	if err == nil || o.LogFileRequired || o.Log.File == "" {
		return logger, closeLog, err
	}
	console := o.Log
	console.File = ""
	logger, closeLog, err = NewLogger(console)
	if err == nil {
		logger.Warn("no log file: cannot open the default log file; logging to the console only (set --log.file)", zap.String("path", o.Log.File))
	}
	return logger, closeLog, err
}

// build makes the agent, its metrics and the registry they are served from.
func (d *daemon) build(cfg *config.Config) error {
	var metrics *Metrics
	hooks := append([]RunHook{
		func(ev RunEvent) { metrics.ObserveRun(ev) },
		LogRuns(d.logger),
		d.openHistory(),
		d.pushRun,
	}, d.o.Hooks...)
	a, err := New(Options{Config: cfg, Eval: EvalOptions{Version: d.o.Version, Machine: d.o.Machine}, Hooks: hooks})
	if err != nil {
		return err
	}
	metrics = NewMetrics(a, d.reloads)
	d.agent = a
	d.reg = prometheus.NewRegistry()
	d.reg.MustRegister(
		metrics,
		versioncollector.NewCollector("pbprobe"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Push: after each run, the run's series go to the backlog; a
	// goroutine of their own sends them (serve), so the store never holds
	// up the schedule.
	if d.pusher, err = d.newPusher(cfg); err != nil {
		return err
	}
	return nil
}

// reload reads the config again and puts it in force; a bad config keeps
// the previous one.
func (d *daemon) reload() error {
	c, err := d.o.LoadConfig()
	if err == nil {
		err = d.agent.Reload(c)
	}
	d.reloads.Set(err == nil, time.Now())
	if err != nil {
		d.logger.Error("config reload failed; keeping the previous config", zap.String("file", d.o.ConfigFile), zap.Error(err))
		return err
	}
	d.logger.Info("config reloaded", zap.String("file", d.o.ConfigFile), zap.Int("hosts", len(c.Hosts)), zap.Duration("interval", c.Interval))
	return nil
}

// serve runs the endpoints and the loop until ctx ends or the web server
// fails, then stops both, the web server first.
func (d *daemon) serve(ctx context.Context, ln net.Listener) error {
	slogger := SlogFor(d.logger)
	var httpReload func() error
	if d.o.EnableLifecycle {
		httpReload = d.reload
	}
	h, err := NewHandler(ServerOptions{
		Agent: d.agent, Gatherer: d.reg, RenderStatus: d.o.RenderStatus, Reload: httpReload,
		Version: d.o.Version, Started: time.Now(), Logger: slogger,
		History: d.history, Page: d.page(),
	})
	if err != nil {
		ln.Close()
		return err
	}
	if d.o.Ready != nil {
		d.o.Ready(ln.Addr())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go d.reloadOnHangup(ctx)
	go d.followNetwork(ctx)

	serveErr := make(chan error, 1)
	go func() { serveErr <- Serve(ctx, ln, h, d.o.WebConfigFile, slogger) }()
	pushDone := runPusher(ctx, d.pusher)
	defer func() { cancel(); <-pushDone }()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = d.agent.Run(ctx)
	}()
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		cancel()
		<-loopDone
		d.saveHistory()
		d.logger.Error("web server stopped", zap.Error(err))
		return err
	}
	<-loopDone
	if err := <-serveErr; err != nil && !errors.Is(err, context.Canceled) {
		d.logger.Error("web server", zap.Error(err))
	}
	d.saveHistory()
	d.logger.Info("pbprobe agent stopped", zap.Uint64("runs", d.agent.Runs()))
	return nil
}

// followNetwork starts a run whenever the watcher sees the network change
// or the PC wake, until ctx ends.
func (d *daemon) followNetwork(ctx context.Context) {
	w := d.o.Watcher
	if w == nil {
		w = NativeWatcher{Fallback: func(err error) { d.logger.Warn("network watch", zap.Error(err)) }}
	}
	w.Watch(ctx, func(t Trigger) {
		d.logger.Info("probing now", zap.String("trigger", string(t)))
		d.agent.Trigger(t)
	})
}

// reloadOnHangup reloads the config on SIGHUP until ctx ends. Windows
// never sends it; there the service is restarted instead.
func (d *daemon) reloadOnHangup(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = d.reload()
		}
	}
}

// The status page's history (history.go): loaded from the file at start,
// fed by a run hook, written at most every minute and at the end.

// openHistory loads the history and returns the hook that feeds it. A file
// that cannot be read is logged and starts an empty history.
func (d *daemon) openHistory() RunHook {
	h, err := LoadHistory(HistoryOptions{File: d.o.HistoryFile})
	if err != nil {
		d.logger.Warn("history not restored; starting an empty one", zap.Error(err))
	}
	d.history = h
	return h.Saver(func(err error) { d.logger.Warn("history not saved", zap.Error(err)) })
}

func (d *daemon) saveHistory() {
	if err := d.history.Save(); err != nil {
		d.logger.Warn("history not saved", zap.Error(err))
	}
}

// page is the status page's handler, nil when none is wired in.
func (d *daemon) page() http.Handler {
	if d.o.Page == nil {
		return nil
	}
	return d.o.Page(d.agent, d.history)
}
