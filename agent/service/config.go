package service

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	kservice "github.com/kardianos/service"
)

// Options are what the installed service is started with.
type Options struct {
	// ConfigFile and WebConfigFile are absolute paths, or empty for the
	// built-in host table and no web config. The service starts in
	// System32 or /, so a relative path would point elsewhere.
	ConfigFile    string
	WebConfigFile string
	// LogFile is absolute; empty means Paths.LogFile. A service always
	// logs to a file: nobody sees its console.
	LogFile string
	// HistoryFile is absolute; empty means Paths.HistoryFile, in the
	// folder the service may write, so that the status page's history
	// survives a restart. NoHistoryFile (--history.file= given empty)
	// keeps it in memory only.
	HistoryFile   string
	NoHistoryFile bool
	// Args are the other run flags, as --name=value.
	Args []string
	// Executable is the binary the service runs; empty means this one.
	Executable string
}

// RunFlags are the flags of `pbprobe run` the service is started with.
func (o Options) RunFlags() []string {
	var args []string
	if o.ConfigFile != "" {
		args = append(args, "--config.file", o.ConfigFile)
	}
	if o.WebConfigFile != "" {
		args = append(args, "--web.config.file", o.WebConfigFile)
	}
	if o.LogFile != "" {
		args = append(args, "--log.file", o.LogFile)
	}
	if o.HistoryFile != "" && !o.NoHistoryFile {
		args = append(args, "--history.file", o.HistoryFile)
	}
	return append(args, o.Args...)
}

// Option names of kardianos/service v1.2.4. It exports constants for a few
// of them, and only in its Windows build; the definitions of every OS are
// built and tested on any.
const (
	optDelayedAutoStart       = "DelayedAutoStart"
	optStartType              = "StartType"
	optOnFailure              = "OnFailure"
	optOnFailureDelayDuration = "OnFailureDelayDuration"
	optOnFailureResetPeriod   = "OnFailureResetPeriod"
	optSystemdScript          = "SystemdScript"
	optLaunchdConfig          = "LaunchdConfig"
	optKeepAlive              = "KeepAlive"
	optRunAtLoad              = "RunAtLoad"
	optLogDirectory           = "LogDirectory"
	optRunWait                = "RunWait"
)

// Accounts the service runs as. LocalService has no rights on the machine
// beyond an ordinary user's and presents anonymous credentials on the
// network, which is all a probe needs; LocalSystem, kardianos' default
// without a UserName, owns the machine. On macOS, creating a dedicated
// account needs dscl and a free uid; nobody is there on every Mac.
const (
	windowsAccount = `NT AUTHORITY\LocalService`
	darwinAccount  = "nobody"
)

// Config is the service definition for this OS. The command line is always
// `pbprobe service run ...`: that entry point calls the service dispatcher
// unconditionally, where kardianos' detection of a service start fails
// under Wine (and then the SCM kills the process for not answering).
func Config(o Options) *kservice.Config {
	return configFor(hostTarget, DefaultPaths(), o)
}

func configFor(t target, p Paths, o Options) *kservice.Config {
	o = withDefaults(p, o)
	c := &kservice.Config{
		Name:        Name,
		DisplayName: DisplayName,
		Description: Description,
		Executable:  o.Executable,
		Arguments:   append([]string{"service", "run"}, o.RunFlags()...),
		Option:      kservice.KeyValue{},
	}
	switch t {
	case targetWindows:
		c.UserName = windowsAccount
		c.Option[optStartType] = "automatic"
		// After boot, when the network is more likely up: an agent
		// whose first run fails for want of DHCP raises a false alarm.
		c.Option[optDelayedAutoStart] = true
		// v1.2.4 sets recovery actions only when OnFailure is given,
		// whatever its documentation says.
		c.Option[optOnFailure] = "restart"
		c.Option[optOnFailureDelayDuration] = "5s"
		c.Option[optOnFailureResetPeriod] = 86400
	case targetLaunchd:
		c.UserName = darwinAccount
		c.Option[optLaunchdConfig] = launchdPlist
		c.Option[optKeepAlive] = true
		c.Option[optRunAtLoad] = true
		// stdout and stderr: the log file has everything, but a
		// crash's stack trace only appears here.
		c.Option[optLogDirectory] = p.LogDir
	case targetSystemd:
		c.Option[optSystemdScript] = systemdUnit
	case targetOther:
		// kardianos' stock rc script: as root, without hardening, and
		// untested here.
	}
	return c
}

// Check looks at the paths the service will use before anything is
// installed: a service that cannot read its config or write its log fails
// at every start, far from the technician who could fix it. Problems the
// service survives come back as notes.
func Check(o Options) (notes []string, err error) {
	return checkFor(hostTarget, DefaultPaths(), o)
}

// withDefaults fills in the files a service always has.
func withDefaults(p Paths, o Options) Options {
	if o.LogFile == "" {
		o.LogFile = p.LogFile
	}
	if o.HistoryFile == "" {
		o.HistoryFile = p.HistoryFile
	}
	return o
}

func checkFor(t target, p Paths, o Options) (notes []string, err error) {
	o = withDefaults(p, o)
	notes, err = checkTarget(t, p, o)
	if err != nil {
		return nil, err
	}
	// The agent starts without its history file, so this is a note.
	if o.HistoryFile != "" && !o.NoHistoryFile && p.DataDir != "" && !within(p.DataDir, o.HistoryFile) {
		notes = append(notes, fmt.Sprintf("--history.file %s: the service may not be able to write there, and then keeps its history in memory only; the default is %s", o.HistoryFile, p.HistoryFile))
	}
	return notes, nil
}

// checkTarget checks the files against what the OS's service manager lets
// the service read and write.
func checkTarget(t target, p Paths, o Options) (notes []string, err error) {
	files := []checkedFile{
		{"executable", o.Executable, "/usr/local/bin"},
		{"--config.file", o.ConfigFile, p.ConfigDir},
		{"--web.config.file", o.WebConfigFile, p.ConfigDir},
	}
	switch t {
	case targetSystemd:
		return checkSystemd(p, o, files)
	case targetLaunchd:
		for _, f := range files[1:] {
			if note := worldReadable(f.flag, f.path, "the service's user, "+darwinAccount+","); note != "" {
				notes = append(notes, note)
			}
		}
		if !within(p.LogDir, o.LogFile) {
			notes = append(notes, fmt.Sprintf("--log.file %s: the service runs as %s and may not be able to write there; the default is in %s", o.LogFile, darwinAccount, p.LogDir))
		}
	case targetWindows:
		for _, f := range files[1:] {
			if f.path != "" && !within(p.ConfigDir, f.path) {
				notes = append(notes, fmt.Sprintf("%s %s is outside %s: LocalService may not be able to read it, and whoever can change it controls the service; %s is writable by administrators only", f.flag, f.path, p.ConfigDir, p.ConfigDir))
			}
		}
		if !within(p.LogDir, o.LogFile) {
			notes = append(notes, fmt.Sprintf("--log.file %s: LocalService may not be able to write there; %s is prepared for it", o.LogFile, p.LogDir))
		}
	}
	return notes, nil
}

// checkedFile is a file the service reads, with where it belongs instead.
type checkedFile struct{ flag, path, instead string }

// checkSystemd holds the hardened unit's sandbox against the files: what
// it hides or makes read-only is an error, not a note.
func checkSystemd(p Paths, o Options, files []checkedFile) (notes []string, err error) {
	// ProtectHome=yes and PrivateTmp=yes hide these trees.
	hidden := []string{"/home", "/root", "/run/user", "/tmp", "/var/tmp"}
	for _, f := range files {
		for _, dir := range hidden {
			if f.path != "" && within(dir, f.path) {
				return nil, fmt.Errorf("%s %s: the service cannot see %s (ProtectHome, PrivateTmp); put it in %s", f.flag, f.path, dir, f.instead)
			}
		}
	}
	if !within(p.LogDir, o.LogFile) {
		return nil, fmt.Errorf("--log.file %s: the service can write only under %s (ProtectSystem=strict)", o.LogFile, p.LogDir)
	}
	// systemd expands both in ExecStart, quoted or not.
	for _, a := range append([]string{o.Executable}, o.RunFlags()...) {
		if strings.ContainsAny(a, "%$") {
			return nil, fmt.Errorf("%q: systemd would expand %% and $ in the service's command line", a)
		}
	}
	for _, f := range files[1:] {
		if note := worldReadable(f.flag, f.path, "the service's dynamic user"); note != "" {
			notes = append(notes, note)
		}
	}
	return notes, nil
}

// within says whether path is dir or below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// worldReadable returns a note when a file exists but others cannot read it:
// the service's account is neither its owner nor in its group.
func worldReadable(flag, path, who string) string {
	if path == "" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o004 != 0 {
		return ""
	}
	return fmt.Sprintf("%s %s (mode %04o): %s cannot read it unless it is readable by others (chmod o+r)", flag, path, fi.Mode().Perm(), who)
}

// withOption returns a copy of c with one more option, leaving c (and its
// option map) as it was.
func withOption(c *kservice.Config, key string, value any) *kservice.Config {
	cc := *c
	cc.Arguments = slices.Clone(c.Arguments)
	cc.Option = kservice.KeyValue{}
	for k, v := range c.Option {
		cc.Option[k] = v
	}
	cc.Option[key] = value
	return &cc
}
