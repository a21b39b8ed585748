package main

import (
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
	if err := parseFlags(newFlagSet("version", "Usage: pbprobe version\n", e), args); err != nil {
		return flagExit(err, "version", e)
	}
	fmt.Fprintln(e.stdout, version.Print("pbprobe"))
	return exitReady
}
