package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	kservice "github.com/kardianos/service"

	"github.com/pbprobe/pbprobe/agent"
)

// Flag is one run flag a technician gave `service install`.
type Flag struct{ Name, Value string }

// FromFlags turns the flags given to install into the service's options:
// every flag the technician set, and only those, so that the service
// follows changes of the defaults in later versions. Paths become absolute
// (the service starts in System32 or /), and the executable is this one.
func FromFlags(set []Flag) (Options, error) {
	var o Options
	for _, f := range set {
		var err error
		switch f.Name {
		case "config.file":
			o.ConfigFile, err = absPath(f)
		case "web.config.file":
			o.WebConfigFile, err = absPath(f)
		case "history.file":
			o.NoHistoryFile = f.Value == ""
			o.HistoryFile, err = absPath(f)
		case "log.file":
			if f.Value == "" {
				return o, errors.New("--log.file: a service needs a log file; leave the flag out for the default")
			}
			o.LogFile, err = absPath(f)
		default:
			o.Args = append(o.Args, "--"+f.Name+"="+f.Value)
		}
		if err != nil {
			return o, err
		}
	}
	o = withDefaults(DefaultPaths(), o)
	exe, err := os.Executable()
	if err == nil {
		// A package manager's symlink may move; the service should run
		// what it points to now, as the technician tested it.
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return o, fmt.Errorf("cannot find this program's path: %w", err)
	}
	o.Executable = exe
	return o, nil
}

func absPath(f Flag) (string, error) {
	if f.Value == "" {
		return "", nil
	}
	a, err := filepath.Abs(f.Value)
	if err != nil {
		return "", fmt.Errorf("--%s %s: %w", f.Name, f.Value, err)
	}
	return a, nil
}

// StateError is a command that does not fit the service's state: install
// when it is installed, start when it is not.
type StateError struct {
	Op    string
	State State
}

func (e *StateError) Error() string {
	if e.State == StateNotInstalled {
		return "the service is not installed (install it with 'pbprobe service install')"
	}
	return fmt.Sprintf("the service is already installed (%s); to change its flags, run 'pbprobe service uninstall' first", e.State)
}

// Installed says what Install registered.
type Installed struct {
	Platform string
	// Command is the executable and its arguments.
	Command []string
	Notes   []string
}

// Install registers the service with o, after Check passed. It refuses to
// overwrite an installed service, and prepares its folders first.
func Install(o Options) (Installed, error) {
	c := Config(o)
	m, err := NewManager(c)
	if err != nil {
		return Installed{}, err
	}
	if st, err := m.Status(); err == nil && st != StateNotInstalled {
		return Installed{}, &StateError{Op: "install", State: st}
	}
	if err := Prepare(DefaultPaths(), o); err != nil {
		return Installed{}, err
	}
	notes, err := m.Install()
	return Installed{Platform: m.Platform(), Command: append([]string{c.Executable}, c.Arguments...), Notes: notes}, err
}

// Control runs uninstall, start, stop, restart or configure on the
// installed service and returns the confirmation, a sentence.
func Control(op string) (done string, err error) {
	if op == "configure" {
		return Configure()
	}
	m, err := NewManager(Config(Options{}))
	if err != nil {
		return "", err
	}
	if st, err := m.Status(); err == nil && st == StateNotInstalled {
		return "", &StateError{Op: op, State: st}
	}
	done, err = controlOp(m, op)
	return done + " the " + Name + " service", err
}

// controlOp runs op and returns its past tense.
func controlOp(m *Manager, op string) (string, error) {
	switch op {
	case "uninstall":
		return "removed", m.Uninstall()
	case "start":
		return "started", m.Start()
	case "stop":
		return "stopped", m.Stop()
	case "restart":
		return "restarted", m.Restart()
	}
	return "", fmt.Errorf("unknown service command %q", op)
}

// StartFunc starts the agent until ctx ends, with extra run hooks.
type StartFunc func(ctx context.Context, managed bool, hooks []agent.RunHook) error

// RunAgent is the service's entry point: under the service manager, the
// agent's transitions and a fatal error also go to the OS's log (Event Log,
// syslog), where RMM event monitors look, since nobody reads a service's
// console. Started by hand, it runs in the foreground. noSystemLog is told
// when the OS's log cannot be had.
func RunAgent(ctx context.Context, start StartFunc, noSystemLog func(error)) error {
	c := Config(Options{})
	var sl kservice.Logger
	run := func(ctx context.Context) error {
		if !Managed(ctx) {
			return start(ctx, false, nil)
		}
		var err error
		if sl, err = systemLogger(c); err != nil {
			noSystemLog(err)
			return start(ctx, true, nil)
		}
		return start(ctx, true, []agent.RunHook{TransitionHook(sl)})
	}
	err := Run(ctx, c, run)
	if err != nil && sl != nil {
		_ = sl.Error("pbprobe stopped: " + err.Error())
	}
	return err
}

// systemLogger is the OS's log (Event Log, syslog) for the service c.
func systemLogger(c *kservice.Config) (kservice.Logger, error) {
	m, err := NewManager(c)
	if err != nil {
		return nil, err
	}
	return m.SystemLogger()
}

// Query asks the service manager about the service: its state and the
// manager's name (windows-service, systemd, launchd, ...).
func Query() (State, string, error) {
	m, err := NewManager(Config(Options{}))
	if err != nil {
		return StateUnknown, "", err
	}
	st, err := m.Status()
	return st, m.Platform(), err
}
