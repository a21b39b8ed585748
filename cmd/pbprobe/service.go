package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"

	kservice "github.com/kardianos/service"

	"github.com/pbprobe/pbprobe/agent"
	agentservice "github.com/pbprobe/pbprobe/agent/service"
)

const serviceUsage = `Usage: pbprobe service <command> [flags]

Run the agent as an OS service: a Windows service (as LocalService), a launchd
daemon (as nobody) or a hardened systemd unit (as a dynamic user). It starts at
boot and restarts after a failure. Every command but status needs administrator
rights: an elevated prompt on Windows, sudo elsewhere.

Commands:
  install [run flags]   register the service, started with these 'pbprobe run'
                        flags (paths made absolute); does not start it
  uninstall             stop and remove the service
  start | stop | restart
  status [flags]        installed? running? and, when running, its last verdict
  run [run flags]       the installed service's entry point; by hand, it runs
                        in the foreground

Run 'pbprobe run --help' for the run flags.
`

func runServiceCmd(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, serviceUsage)
		return exitUsage
	}
	switch args[0] {
	case "install":
		return serviceInstall(args[1:], e)
	case "uninstall", "start", "stop", "restart":
		return serviceControl(args[0], args[1:], e)
	case "status":
		return serviceStatus(ctx, args[1:], e)
	case "run":
		return serviceRun(ctx, args[1:], e)
	case "help", "--help", "-h", "-help":
		fmt.Fprint(e.stdout, serviceUsage)
		return exitReady
	}
	fmt.Fprintf(e.stderr, "pbprobe service: unknown command %q\n\n%s", args[0], serviceUsage)
	return exitUsage
}

// serviceOptions turns the flags given to install into the service's
// options: every flag the technician set, and only those, so that the
// service follows changes of the defaults in later versions.
func serviceOptions(args []string, e env) (agentservice.Options, error) {
	var o agentservice.Options
	var f runFlags
	fs := flag.NewFlagSet("pbprobe service install", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pbprobe service install [flags]\n\nRegister the agent as an OS service that runs 'pbprobe run' with these flags.\nRelative paths are made absolute; the config file is checked first.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	abs := func(name, path string) string {
		if err != nil {
			return path
		}
		if path == "" {
			if name == "log.file" {
				err = errors.New("--log.file: a service needs a log file; leave the flag out for the default")
			}
			return path
		}
		a, aerr := filepath.Abs(path)
		if aerr != nil {
			err = fmt.Errorf("--%s %s: %w", name, path, aerr)
		}
		return a
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "config.file":
			o.ConfigFile = abs(fl.Name, fl.Value.String())
		case "web.config.file":
			o.WebConfigFile = abs(fl.Name, fl.Value.String())
		case "log.file":
			o.LogFile = abs(fl.Name, fl.Value.String())
		default:
			o.Args = append(o.Args, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	if err != nil {
		return o, err
	}
	if o.LogFile == "" {
		o.LogFile = agentservice.DefaultPaths().LogFile
	}
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

// checkInstall validates the service's flags and config exactly as the
// service will read them: a mistake found now costs a retry, one found by
// the service manager costs a restart loop on a machine nobody watches.
func checkInstall(args []string, e env) (agentservice.Options, error) {
	o, err := serviceOptions(args, e)
	if err != nil {
		return o, err
	}
	f, err := parseRunFlags(o.RunFlags(), e)
	if err != nil {
		return o, err
	}
	cfg, err := f.loadConfig()
	if err != nil {
		return o, err
	}
	if _, err := cfg.ProbeOptions(); err != nil {
		return o, err
	}
	notes, err := agentservice.Check(o)
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "pbprobe service install: note: %s\n", n)
	}
	return o, err
}

func serviceInstall(args []string, e env) int {
	o, err := checkInstall(args, e)
	if errors.Is(err, flag.ErrHelp) {
		return exitReady
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe service install: %v\n", err)
		return exitUsage
	}
	c := agentservice.Config(o)
	m, err := agentservice.NewManager(c)
	if err != nil {
		return serviceFailed(e, "install", err)
	}
	if st, err := m.Status(); err == nil && st != agentservice.StateNotInstalled {
		fmt.Fprintf(e.stderr, "pbprobe service install: the service is already installed (%s); to change its flags, run 'pbprobe service uninstall' first\n", st)
		return exitInternal
	}
	if err := agentservice.Prepare(agentservice.DefaultPaths(), o); err != nil {
		return serviceFailed(e, "install", err)
	}
	notes, err := m.Install()
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "pbprobe service install: note: %s\n", n)
	}
	if err != nil {
		return serviceFailed(e, "install", err)
	}
	fmt.Fprintf(e.stdout, "installed the %s service (%s): %s", agentservice.Name, m.Platform(), c.Executable)
	for _, a := range c.Arguments {
		fmt.Fprintf(e.stdout, " %s", a)
	}
	fmt.Fprintf(e.stdout, "\nit starts at boot; start it now with 'pbprobe service start'\n")
	return exitReady
}

func serviceControl(cmd string, args []string, e env) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "pbprobe service %s: unexpected argument %q\n", cmd, args[0])
		return exitUsage
	}
	m, err := agentservice.NewManager(agentservice.Config(agentservice.Options{}))
	if err != nil {
		return serviceFailed(e, cmd, err)
	}
	if st, err := m.Status(); err == nil && st == agentservice.StateNotInstalled {
		fmt.Fprintf(e.stderr, "pbprobe service %s: the service is not installed (install it with 'pbprobe service install')\n", cmd)
		return exitInternal
	}
	var done string
	switch cmd {
	case "uninstall":
		err, done = m.Uninstall(), "removed"
	case "start":
		err, done = m.Start(), "started"
	case "stop":
		err, done = m.Stop(), "stopped"
	case "restart":
		err, done = m.Restart(), "restarted"
	}
	if err != nil {
		return serviceFailed(e, cmd, err)
	}
	fmt.Fprintf(e.stdout, "%s the %s service\n", done, agentservice.Name)
	return exitReady
}

// serviceFailed reports a failed service-manager call. Not being root or
// elevated is by far the likeliest cause, and the errors say so in as many
// ways as there are service managers.
func serviceFailed(e env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "pbprobe service %s: %v\n", cmd, err)
	if errors.Is(err, os.ErrPermission) || !agentservice.Privileged() {
		fmt.Fprintf(e.stderr, "pbprobe service %s: needs administrator rights: run it from an elevated prompt (Windows) or with sudo\n", cmd)
	}
	return exitInternal
}

func serviceStatus(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("pbprobe service status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("web.listen-address", agent.DefaultListenAddress, "`address` the service listens on (as given to install)")
	lang := fs.String("lang", "", "`language` of messages and hints: en or de (default from the locale)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pbprobe service status [flags]\n\nPrint whether the service is installed and running and, when it runs, its last\nverdict. Exit codes: 0 running and ready, 1 running and not ready, 2 bad usage,\n3 not installed, stopped, or not answering.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitReady
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "pbprobe service status: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	m, err := agentservice.NewManager(agentservice.Config(agentservice.Options{}))
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe service status: %v\n", err)
		return exitInternal
	}
	st, err := m.Status()
	if err != nil {
		fmt.Fprintf(e.stdout, "service %s: %s (%s): %v\n", agentservice.Name, st, m.Platform(), err)
		return exitInternal
	}
	fmt.Fprintf(e.stdout, "service %s: %s (%s)\n", agentservice.Name, st, m.Platform())
	if st != agentservice.StateRunning {
		return exitInternal
	}
	fmt.Fprintln(e.stdout)
	statusArgs := []string{"--web.listen-address", dialAddress(*addr)}
	if *lang != "" {
		statusArgs = append(statusArgs, "--lang", *lang)
	}
	return runStatus(ctx, statusArgs, e)
}

// dialAddress turns a listen address into one to connect to: ":9843" and
// "0.0.0.0:9843" listen everywhere, which includes loopback.
func dialAddress(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

func serviceRun(ctx context.Context, args []string, e env) int {
	f, err := parseRunFlags(args, e)
	if errors.Is(err, flag.ErrHelp) {
		return exitReady
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe service run: %v\n", err)
		return exitUsage
	}
	c := agentservice.Config(agentservice.Options{})
	reportErr := func(error) {}
	run := func(ctx context.Context) error {
		if !agentservice.Managed(ctx) {
			return startAgent(ctx, f, e.stderr, e.getenv, nil)
		}
		// Nobody reads a service's console: the log file has the detail,
		// and the OS's log gets the transitions and a fatal error, where
		// RMM event monitors look.
		ff := f
		sl, err := systemLogger(c)
		if err != nil {
			fmt.Fprintf(e.stderr, "pbprobe service run: no system log; transitions go to the log file only: %v\n", err)
		} else {
			ff.hooks = append(slices.Clone(f.hooks), agentservice.TransitionHook(sl))
			reportErr = func(err error) { _ = sl.Error("pbprobe stopped: " + err.Error()) }
		}
		return startAgent(ctx, ff, nil, e.getenv, nil)
	}
	if err := agentservice.Run(ctx, c, run); err != nil {
		fmt.Fprintf(e.stderr, "pbprobe service run: %v\n", err)
		reportErr(err)
		return daemonExit(err)
	}
	return exitReady
}

// systemLogger is the OS's log (Event Log, syslog) for the service c.
func systemLogger(c *kservice.Config) (kservice.Logger, error) {
	m, err := agentservice.NewManager(c)
	if err != nil {
		return nil, err
	}
	return m.SystemLogger()
}
