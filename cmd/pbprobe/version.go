package main

import (
	"flag"
	"fmt"

	"github.com/prometheus/common/version"
)

// programVersion is the release version, set at build time through
// github.com/prometheus/common/version.Version; "dev" for `go run`.
func programVersion() string {
	if version.Version == "" {
		return "dev"
	}
	return version.Version
}

func runVersion(args []string, e env) int {
	fs := flag.NewFlagSet("pbprobe version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	fmt.Fprintln(e.stdout, version.Print("pbprobe"))
	return exitReady
}
