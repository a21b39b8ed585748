package agent

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/pbprobe/pbprobe/agent/config"
)

// Flags are the agent's command-line flags, named after the exporter
// conventions; `run`, `service install` and `service run` share them (as
// exporter-toolkit provides its web flags). They override the config file,
// which overrides the defaults.
type Flags struct {
	ConfigFile      string
	ListenAddress   string
	WebConfigFile   string
	EnableLifecycle bool
	LogLevel        string
	LogFormat       string
	LogFile         string
	// LogFileSet: --log.file was given, so it must open (Check sets it).
	LogFileSet bool
	Interval   time.Duration
	Timeout    time.Duration
	// HistoryFile keeps the status page's recent runs across restarts.
	HistoryFile string
	// Labels and the Push* fields override the config file's labels: and
	// push: (an installer passes them; the file stays the MSP's). Empty
	// means not given.
	Labels           Labels
	PushURL          string
	PushUsername     string
	PushPasswordFile string
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.ConfigFile, "config.file", "", "YAML config `file` (default: the built-in Password Boss host table)")
	fs.StringVar(&f.ListenAddress, "web.listen-address", DefaultListenAddress, "`address` for /metrics, /status and /healthz (loopback by default)")
	fs.StringVar(&f.WebConfigFile, "web.config.file", "", "exporter-toolkit web config `file` for TLS and basic auth")
	fs.BoolVar(&f.EnableLifecycle, "web.enable-lifecycle", false, "serve POST /-/reload to reload the config file")
	fs.StringVar(&f.LogLevel, "log.level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&f.LogFormat, "log.format", LogFormatLogfmt, "console log `format`: logfmt or json")
	fs.StringVar(&f.LogFile, "log.file", DefaultLogFile(), "rotated JSON log `file`; empty for none")
	fs.Var((*Duration)(&f.Interval), "interval", "`duration` between runs (default from config, 5m)")
	fs.Var((*AbsPath)(&f.HistoryFile), "history.file", "`file` that keeps the recent runs of / and /history across restarts, e.g. "+DefaultHistoryFile()+" (default: memory only)")
	fs.Var(&f.Labels, "label", "identity `name=value` label for pushed series, e.g. site=berlin; repeatable, over the config's labels:; an empty value sets nothing")
	fs.StringVar(&f.PushURL, "push.url", "", "remote-write `URL`, over the config's push.url")
	fs.StringVar(&f.PushUsername, "push.basic_auth.username", "", "basic-auth `user` for push, over the config's")
	fs.Var((*AbsPath)(&f.PushPasswordFile), "push.basic_auth.password_file", "`file` holding the push password (never the password itself), over the config's")
	fs.Var((*Duration)(&f.Timeout), "timeout", "per-host `deadline` for DNS, TCP, TLS and HTTP (default from config, 10s)")
}

// AbsPath is a file flag made absolute as it is set: `service install`
// passes it on to a service that starts in / or System32, where a relative
// path would name another file.
type AbsPath string

func (p *AbsPath) String() string { return string(*p) }

// Set makes s absolute against the working directory; empty stays empty.
func (p *AbsPath) Set(s string) error {
	if s == "" {
		*p = ""
		return nil
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	*p = AbsPath(abs)
	return nil
}

// Duration is a duration flag whose error says what to write: "10" is
// the likeliest mistake, and Go's own message for it ("missing unit in
// duration") does not say which units there are.
type Duration time.Duration

func (d *Duration) String() string { return time.Duration(*d).String() }

// Set parses a Go duration; a bare number asks for a unit.
func (d *Duration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
			return fmt.Errorf("%q has no unit: use a unit, e.g. %ss or %sm", s, s, s)
		}
		return fmt.Errorf("%q is not a duration: use a number with a unit, e.g. 10s, 500ms or 5m", s)
	}
	*d = Duration(v)
	return nil
}

// Check checks the values once fs is parsed, so that a mistake is a usage
// error now rather than a service that fails to start later.
func (f *Flags) Check(fs *flag.FlagSet) error {
	fs.Visit(func(fl *flag.Flag) { f.LogFileSet = f.LogFileSet || fl.Name == "log.file" })
	if _, err := ParseLogLevel(f.LogLevel); err != nil {
		return fmt.Errorf("--log.level: %w", err)
	}
	if f.LogFormat != LogFormatLogfmt && f.LogFormat != LogFormatJSON {
		return fmt.Errorf("--log.format %q: want %s or %s", f.LogFormat, LogFormatLogfmt, LogFormatJSON)
	}
	if f.Interval != 0 && f.Interval < config.MinInterval {
		return fmt.Errorf("--interval %s: want at least %s", f.Interval, config.MinInterval)
	}
	if f.Timeout < 0 || f.Timeout > config.MaxTimeout {
		return fmt.Errorf("--timeout %s: want a duration above 0 and at most %s", f.Timeout, config.MaxTimeout)
	}
	if err := f.checkPush(); err != nil {
		return err
	}
	if f.WebConfigFile != "" {
		if err := web.Validate(f.WebConfigFile); err != nil {
			return fmt.Errorf("--web.config.file %s: %w", f.WebConfigFile, err)
		}
	}
	return nil
}

// LoadConfig reads the config file and applies the flags on top, at start
// and on every reload alike.
func (f *Flags) LoadConfig() (*config.Config, error) {
	cfg, err := config.Load(f.ConfigFile)
	if err != nil {
		return nil, err
	}
	if f.Interval > 0 {
		cfg.Interval = f.Interval
	}
	if f.Timeout > 0 {
		cfg.Timeout = f.Timeout
	}
	if err := f.applyPush(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (f *Flags) checkPush() error {
	if f.PushURL != "" {
		if err := config.CheckPushURL(f.PushURL); err != nil {
			return fmt.Errorf("--push.url: %w", err)
		}
	}
	if f.PushUsername != "" {
		if err := config.CheckPushUsername(f.PushUsername); err != nil {
			return fmt.Errorf("--push.basic_auth.username: %w", err)
		}
	}
	return nil
}

// applyPush puts the --label and --push.* flags over the config's labels
// and push settings, and checks the result as the file's are checked
// (e.g. a username from a flag and a password file from the config).
func (f *Flags) applyPush(cfg *config.Config) error {
	if len(f.Labels) > 0 {
		labels := make(map[string]string, len(cfg.Labels)+len(f.Labels))
		for k, v := range cfg.Labels {
			labels[k] = v
		}
		for _, l := range f.Labels {
			labels[l.Name] = l.Value
		}
		cfg.Labels = labels
	}
	if f.PushURL != "" {
		cfg.Push.URL = f.PushURL
	}
	if f.PushUsername != "" {
		cfg.Push.Username = f.PushUsername
	}
	if f.PushPasswordFile != "" {
		cfg.Push.PasswordFile = f.PushPasswordFile
	}
	if err := cfg.Push.Check(); err != nil {
		return fmt.Errorf("the config with the --push flags: %w", err)
	}
	return nil
}

// Label is one --label name=value.
type Label struct{ Name, Value string }

// Labels is the repeatable --label flag, in the order given; a name given
// again replaces its value, so that an installer's later flag wins.
type Labels []Label

func (l *Labels) String() string { return strings.Join(l.Values(), ",") }

// Set adds name=value, checked with the config's rules for labels:. An
// empty value sets nothing: an installer passes --label site= for a site
// left blank.
func (l *Labels) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: want name=value, e.g. site=berlin", s)
	}
	if err := config.CheckLabel(name, value); err != nil {
		return err
	}
	if value == "" {
		return nil
	}
	for i := range *l {
		if (*l)[i].Name == name {
			(*l)[i].Value = value
			return nil
		}
	}
	*l = append(*l, Label{name, value})
	return nil
}

// Values are the labels as name=value, one per flag to pass on.
func (l *Labels) Values() []string {
	out := make([]string, 0, len(*l))
	for _, x := range *l {
		out = append(out, x.Name+"="+x.Value)
	}
	return out
}

// VisitSet calls fn for every flag set on fs, once per value of a
// repeatable flag (--label), so that `service install` can pass each on.
func VisitSet(fs *flag.FlagSet, fn func(name, value string)) {
	fs.Visit(func(fl *flag.Flag) {
		if m, ok := fl.Value.(interface{ Values() []string }); ok {
			for _, v := range m.Values() {
				fn(fl.Name, v)
			}
			return
		}
		fn(fl.Name, fl.Value.String())
	})
}

// DaemonOptions are the daemon's options from the flags; the caller adds
// the version, machine, renderer, hooks and Ready.
func (f *Flags) DaemonOptions(console io.Writer) DaemonOptions {
	return DaemonOptions{
		LoadConfig:      f.LoadConfig,
		ConfigFile:      f.ConfigFile,
		Log:             LogOptions{Level: f.LogLevel, Format: f.LogFormat, Console: console, File: f.LogFile},
		LogFileRequired: f.LogFileSet,
		ListenAddress:   f.ListenAddress,
		WebConfigFile:   f.WebConfigFile,
		EnableLifecycle: f.EnableLifecycle,
		HistoryFile:     f.HistoryFile,
	}
}
