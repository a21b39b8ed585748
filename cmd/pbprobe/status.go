package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/report"
)

func runStatus(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("pbprobe status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("web.listen-address", agent.DefaultListenAddress, "`address` the agent listens on")
	format := fs.String("format", "text", "output `format`: text or json")
	lang := fs.String("lang", "", "`language` of messages and hints: en or de (default from the locale)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pbprobe status [flags]\n\nPrint the last run of the agent running on this machine (its /status document).\nExit codes as for check: 0 ready, 1 not ready, 2 bad usage, 3 agent not reachable.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitReady
		}
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "pbprobe status: --format %q: want text or json\n", *format)
		return exitUsage
	}
	l := detectLang(e.getenv)
	if *lang != "" {
		var err error
		if l, err = report.ParseLangFlag(*lang); err != nil {
			fmt.Fprintf(e.stderr, "pbprobe status: --lang: %v\n", err)
			return exitUsage
		}
	}
	rep, err := fetchStatus(ctx, "http://"+*addr+"/status")
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe status: %v\n(is the agent running? start it with 'pbprobe run' or 'pbprobe service start')\n", err)
		return exitInternal
	}
	rep = report.Localized(rep, l)
	if *format == "json" {
		err = report.WriteJSON(e.stdout, rep)
	} else {
		err = report.WriteText(e.stdout, rep, report.TextOptions{Lang: l, Color: e.stdoutTTY && e.getenv("NO_COLOR") == ""})
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pbprobe status: %v\n", err)
		return exitInternal
	}
	return exitCode(rep, "default")
}

func fetchStatus(ctx context.Context, url string) (*agent.Document, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	var rep agent.Document
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("%s: not a status document: %w", url, err)
	}
	return &rep, nil
}
