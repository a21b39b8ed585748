package service

import (
	"strings"
	"time"
)

// Configure finishes a service that something other than Install
// registered, the MSI above all: wixl, which builds it, cannot set delayed
// start or recovery actions, nor folder ACLs. It gives the installed
// service exactly what Install gives it (Config's options and Prepare's
// folders) and returns what it did, as a sentence. Outside Windows it
// changes nothing: the systemd unit and the LaunchDaemon carry their
// restart policy, and their packages create the folders.
func Configure() (string, error) {
	return configure(Config(Options{}))
}

// configFileFrom finds --config.file in a service's arguments, in either
// form the flag package accepts; the last one wins, as it does there.
func configFileFrom(args []string) string {
	var file string
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if name != "-config.file" && name != "config.file" {
			continue
		}
		switch {
		case hasValue:
			file = value
		case i+1 < len(args):
			file = args[i+1]
		}
	}
	return file
}

// recovery is what Config asks of the Windows SCM after a failure.
type recovery struct {
	delay, reset time.Duration
}

// recoveryFrom reads Config's recovery options back, so that Configure and
// Install cannot drift apart.
func recoveryFrom(opt map[string]any) recovery {
	r := recovery{delay: time.Second, reset: 10 * time.Second}
	if s, ok := opt[optOnFailureDelayDuration].(string); ok {
		if d, err := time.ParseDuration(s); err == nil {
			r.delay = d
		}
	}
	if n, ok := opt[optOnFailureResetPeriod].(int); ok {
		r.reset = time.Duration(n) * time.Second
	}
	return r
}
