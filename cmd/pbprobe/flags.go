package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/report"
)

// newFlagSet is a command's flag set: errors and help go to stderr, help
// starts with the command's own usage text.
func newFlagSet(name, usage string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet("pbprobe "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, refuses stray arguments, then runs the checks of
// the values in order; the first failure is the error.
func parseFlags(fs *flag.FlagSet, args []string, checks ...func() error) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

// flagExit reports a flag error of a command and returns its exit code:
// 0 for --help (the flag package printed it), else bad usage.
func flagExit(err error, cmd string, e env) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitReady
	}
	fmt.Fprintf(e.stderr, "pbprobe %s: %v\n", cmd, err)
	return exitUsage
}

// oneOf checks that a flag's value is one of the allowed.
func oneOf(name string, v *string, allowed ...string) func() error {
	return func() error {
		if slices.Contains(allowed, *v) {
			return nil
		}
		return fmt.Errorf("--%s %q: want %s", name, *v, strings.Join(allowed, " or "))
	}
}

// langOK checks --lang: empty (the locale decides) or a supported language.
func langOK(v *string) func() error {
	return func() error {
		if *v == "" {
			return nil
		}
		if _, err := report.ParseLangFlag(*v); err != nil {
			return fmt.Errorf("--lang: %w", err)
		}
		return nil
	}
}

// timeoutOK checks --timeout: unset (0) or within the config's bounds.
func timeoutOK(d *time.Duration) func() error {
	return func() error {
		if *d < 0 || *d > config.MaxTimeout {
			return fmt.Errorf("--timeout %s: want a duration above 0 and at most %s", *d, config.MaxTimeout)
		}
		return nil
	}
}

// chooseLang is the language of the words: --lang, else the locale.
func chooseLang(flagValue string, getenv func(string) string) report.Lang {
	return report.ChooseLang(flagValue, getenv, osLocale())
}
