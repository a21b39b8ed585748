package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

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
  start | stop | restart | configure (the MSI's last step: recovery, ACLs)
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
	case "uninstall", "start", "stop", "restart", "configure":
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
	var f runFlags
	fs := newFlagSet("service install", installUsage, e)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return agentservice.Options{}, err
	}
	var set []agentservice.Flag
	agent.VisitSet(fs, func(name, value string) { set = append(set, agentservice.Flag{Name: name, Value: value}) })
	return agentservice.FromFlags(set)
}

const installUsage = `Usage: pbprobe service install [flags]

Register the agent as an OS service that runs 'pbprobe run' with these flags.
Relative paths are made absolute; the config file is checked first.
`

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
	cfg, err := f.LoadConfig()
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
	inst, err := agentservice.Install(o)
	for _, n := range inst.Notes {
		fmt.Fprintf(e.stderr, "pbprobe service install: note: %s\n", n)
	}
	if err != nil {
		return serviceFailed(e, "install", err)
	}
	fmt.Fprintf(e.stdout, "installed the %s service (%s): %s\nit starts at boot; start it now with 'pbprobe service start'\n", agentservice.Name, inst.Platform, strings.Join(inst.Command, " "))
	return exitReady
}

func serviceControl(cmd string, args []string, e env) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "pbprobe service %s: unexpected argument %q\n", cmd, args[0])
		return exitUsage
	}
	done, err := agentservice.Control(cmd)
	if err != nil {
		return serviceFailed(e, cmd, err)
	}
	fmt.Fprintln(e.stdout, done)
	return exitReady
}

// serviceFailed reports a failed service-manager call. Not being root or
// elevated is by far the likeliest cause, and the errors say so in as many
// ways as there are service managers.
func serviceFailed(e env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "pbprobe service %s: %v\n", cmd, err)
	var se *agentservice.StateError
	if errors.As(err, &se) {
		return exitInternal
	}
	if errors.Is(err, os.ErrPermission) || !agentservice.Privileged() {
		fmt.Fprintf(e.stderr, "pbprobe service %s: needs administrator rights: run it from an elevated prompt (Windows) or with sudo\n", cmd)
	}
	return exitInternal
}

const serviceStatusUsage = `Usage: pbprobe service status [flags]

Print whether the service is installed and running and, when it runs, its last
verdict. Exit codes: 0 running and ready, 1 running and not ready, 2 bad usage,
3 not installed, stopped, or not answering.
`

func serviceStatus(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("service status", serviceStatusUsage, e)
	addr := fs.String("web.listen-address", agent.DefaultListenAddress, "`address` the service listens on (as given to install)")
	lang := fs.String("lang", "", "`language` of messages and hints: en or de (default from the locale)")
	if err := parseFlags(fs, args, langOK(lang)); err != nil {
		return flagExit(err, "service status", e)
	}
	st, platform, err := agentservice.Query()
	if err != nil {
		fmt.Fprintf(e.stdout, "service %s: %s (%s): %v\n", agentservice.Name, st, platform, err)
		return exitInternal
	}
	fmt.Fprintf(e.stdout, "service %s: %s (%s)\n", agentservice.Name, st, platform)
	if st != agentservice.StateRunning {
		return exitInternal
	}
	fmt.Fprintln(e.stdout)
	return runStatus(ctx, []string{"--web.listen-address", *addr, "--lang", *lang}, e)
}

func serviceRun(ctx context.Context, args []string, e env) int {
	f, err := parseRunFlags(args, e)
	if err != nil {
		return flagExit(err, "service run", e)
	}
	start := func(ctx context.Context, managed bool, hooks []agent.RunHook) error {
		console := e.stderr
		if managed {
			// Nobody reads a service's console: the log file has the
			// detail, the OS's log the transitions.
			console = nil
		}
		return startAgent(ctx, f, console, e.getenv, nil, hooks...)
	}
	noSystemLog := func(err error) {
		fmt.Fprintf(e.stderr, "pbprobe service run: no system log; transitions go to the log file only: %v\n", err)
	}
	if err := agentservice.RunAgent(ctx, start, noSystemLog); err != nil {
		fmt.Fprintf(e.stderr, "pbprobe service run: %v\n", err)
		return daemonExit(err)
	}
	return exitReady
}
