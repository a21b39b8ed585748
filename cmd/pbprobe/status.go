package main

import (
	"context"
	"fmt"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/report"
)

const statusUsage = `Usage: pbprobe status [flags]

Print the last run of the agent running on this machine (its /status document).
Exit codes as for check: 0 ready, 1 not ready, 2 bad usage, 3 agent not reachable.
`

func runStatus(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("status", statusUsage, e)
	addr := fs.String("web.listen-address", agent.DefaultListenAddress, "`address` the agent listens on")
	format := fs.String("format", "text", "output `format`: text or json")
	lang := fs.String("lang", "", "`language` of messages and hints: en or de (default from the locale)")
	now := fs.Bool("now", false, "have the agent check now and print that run (as the page's Check now button)")
	if err := parseFlags(fs, args, oneOf("format", format, "text", "json"), langOK(lang)); err != nil {
		return flagExit(err, "status", e)
	}
	rep, err := agent.FetchStatus(ctx, *addr, *now)
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe status: %v\n(is the agent running? start it with 'pbprobe run' or 'pbprobe service start')\n", err)
		return exitInternal
	}
	if err := writeDoc(e, rep, *format, textOptions(e, chooseLang(*lang, e.getenv))); err != nil {
		fmt.Fprintf(e.stderr, "pbprobe status: %v\n", err)
		return exitInternal
	}
	return exitCode(rep, "default")
}

// writeDoc writes a run document with its words, as text or JSON.
func writeDoc(e env, doc *agent.Document, format string, o report.TextOptions) error {
	local := report.Localized(doc, o.Lang)
	if format == "json" {
		return report.WriteJSON(e.stdout, local)
	}
	return report.WriteText(e.stdout, local, o)
}

// textOptions: colour only on a terminal, and never with NO_COLOR; the
// terminal's width.
func textOptions(e env, lang report.Lang) report.TextOptions {
	return report.TextOptions{Lang: lang, Color: e.stdoutTTY && e.getenv("NO_COLOR") == "", Width: report.TerminalWidth(e.stdout, e.stdoutTTY)}
}
