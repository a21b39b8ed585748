package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/agent"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./agent/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update if the change is intended)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

var reports = []struct {
	name  string
	build func() *agent.Document
}{
	{"mixed", mixedReport},
	{"every_reason", everyReasonReport},
	{"network_ok", networkOKReport},
	{"no_internet", noInternetReport},
	{"no_network", noNetworkReport},
	{"captive", captiveReport},
	{"control_off", controlOffReport},
	{"proxy_only", proxyOnlyReport},
	{"service_account", serviceAccountReport},
}

func TestGoldenText(t *testing.T) {
	t.Parallel()
	for _, r := range reports {
		for _, lang := range []Lang{EN, DE} {
			for _, color := range []bool{false, true} {
				name := r.name + "." + string(lang)
				if color {
					name += ".color"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					var b bytes.Buffer
					if err := WriteText(&b, r.build(), TextOptions{Zone: time.UTC, Lang: lang, Color: color, OS: "windows"}); err != nil {
						t.Fatal(err)
					}
					golden(t, name+".txt.golden", b.Bytes())
				})
			}
		}
	}
}

func TestGoldenJSON(t *testing.T) {
	t.Parallel()
	for _, r := range reports {
		for _, lang := range []Lang{EN, DE} {
			name := r.name + "." + string(lang)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				rep := r.build()
				rep = Localized(rep, lang)
				var b bytes.Buffer
				if err := WriteJSON(&b, rep); err != nil {
					t.Fatal(err)
				}
				golden(t, name+".json.golden", b.Bytes())
			})
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Colour must be decoration only: the same text, the same columns.
func TestColourOnlyDecorates(t *testing.T) {
	t.Parallel()
	for _, lang := range []Lang{EN, DE} {
		var plain, colour bytes.Buffer
		if err := WriteText(&plain, mixedReport(), TextOptions{Zone: time.UTC, Lang: lang}); err != nil {
			t.Fatal(err)
		}
		if err := WriteText(&colour, mixedReport(), TextOptions{Zone: time.UTC, Lang: lang, Color: true}); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(plain.Bytes(), []byte("\x1b")) {
			t.Errorf("%s: escape codes without Color", lang)
		}
		if !bytes.Contains(colour.Bytes(), []byte("\x1b[")) {
			t.Errorf("%s: no escape codes with Color", lang)
		}
		if got := ansi.ReplaceAll(colour.Bytes(), nil); !bytes.Equal(got, plain.Bytes()) {
			t.Errorf("%s: colour output without escapes differs from plain:\n%s\n---\n%s", lang, got, plain.Bytes())
		}
	}
}

// The output is pasted into tickets and read in 100-column consoles.
func TestTextLineWidth(t *testing.T) {
	t.Parallel()
	for _, r := range reports {
		for _, lang := range []Lang{EN, DE} {
			var b bytes.Buffer
			if err := WriteText(&b, r.build(), TextOptions{Zone: time.UTC, Lang: lang}); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(b.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > 100 {
					t.Errorf("%s/%s: line of %d columns: %q", r.name, lang, n, line)
				}
			}
		}
	}
}

// A host's line must not depend on the others, since hosts finish in any
// order.
func TestTextHostStandsAlone(t *testing.T) {
	t.Parallel()
	rep := mixedReport()
	var whole bytes.Buffer
	if err := WriteText(&whole, rep, TextOptions{Zone: time.UTC, Lang: DE}); err != nil {
		t.Fatal(err)
	}
	labels := make([]string, len(rep.Hosts))
	for i, h := range rep.Hosts {
		labels[i] = Label(h.Host, h.Port)
	}
	var streamed bytes.Buffer
	text := NewText(&streamed, TextOptions{Zone: time.UTC, Lang: DE}, labels)
	if err := text.header(rep.Version, rep.Machine, osName(rep.Prerequisites), rep.CheckedAt); err != nil {
		t.Fatal(err)
	}
	if err := text.Machine(rep); err != nil {
		t.Fatal(err)
	}
	for i := len(rep.Hosts) - 1; i >= 0; i-- {
		var one bytes.Buffer
		if err := NewText(&one, TextOptions{Zone: time.UTC, Lang: DE}, labels).Host(&rep.Hosts[i]); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(whole.String(), one.String()) {
			t.Errorf("host %s rendered alone is not part of the whole output:\n%s", rep.Hosts[i].Host, one.String())
		}
		if err := text.Host(&rep.Hosts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := text.Causes(rep); err != nil {
		t.Fatal(err)
	}
	if err := text.Summary(rep); err != nil {
		t.Fatal(err)
	}
	if whole.Len() != streamed.Len() {
		t.Errorf("streamed output in reverse order has %d bytes, the table %d", streamed.Len(), whole.Len())
	}
}

func TestWriteJSONNeverNull(t *testing.T) {
	t.Parallel()
	rep := &agent.Document{Version: "1.0.0", Hosts: []agent.HostReport{{Host: api, Port: 443, Reason: "not_checked"}}}
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"warnings": []`)) {
		t.Errorf("nil warnings not written as []:\n%s", b.Bytes())
	}
	if rep.Hosts[0].Warnings != nil {
		t.Error("WriteJSON changed the caller's report")
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("}\n")) {
		t.Error("no trailing newline")
	}
	b.Reset()
	if err := WriteJSON(&b, &agent.Document{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"hosts": []`)) {
		t.Errorf("nil hosts not written as []:\n%s", b.Bytes())
	}
}

// The header says the time in the PC's zone, with the zone; the JSON stays
// UTC.
func TestHeaderZone(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone *time.Location
		want string
	}{
		{time.FixedZone("CET", 3600), "2026-11-25 10:40:00 CET"},
		{time.UTC, "2026-11-25 09:40:00 UTC"},
		{nil, at.In(time.Local).Format("2006-01-02 15:04:05 MST")},
	} {
		var b bytes.Buffer
		if err := NewText(&b, TextOptions{Zone: tc.zone}, nil).Header("1.0.0", "PC-042", at); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("header %q lacks %q", b.String(), tc.want)
		}
	}
}

// Every scenario in both languages on every OS: the words a technician
// reads, the hints with the OS's own commands.
func TestGoldenScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		for _, lang := range []Lang{EN, DE} {
			for _, os := range scenarioOSes {
				name := sc.name + "." + string(lang) + "." + os
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					var b bytes.Buffer
					if err := WriteText(&b, sc.build(), TextOptions{Zone: time.UTC, Lang: lang, OS: os}); err != nil {
						t.Fatal(err)
					}
					golden(t, "scenarios/"+name+".txt.golden", b.Bytes())
				})
			}
		}
	}
}

// Five hosts with one cause: the cause and its hint once, the whole
// output short enough for a ticket.
func TestOneCauseSaidOnce(t *testing.T) {
	t.Parallel()
	for _, lang := range []Lang{EN, DE} {
		for _, os := range scenarioOSes {
			var b bytes.Buffer
			if err := WriteText(&b, fiveOneCause(), TextOptions{Zone: time.UTC, Lang: lang, OS: os}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if n := strings.Count(out, "\n"); n > 18 {
				t.Errorf("%s/%s: %d lines, want at most 18:\n%s", lang, os, n, out)
			}
			if n := strings.Count(out, hintMark); n != 1 {
				t.Errorf("%s/%s: %d hints, want 1:\n%s", lang, os, n, out)
			}
			if n := strings.Count(out, "dns_nxdomain"); n != 5+2 {
				t.Errorf("%s/%s: dns_nxdomain %d times, want once per host, once for the cause and once in the summary:\n%s", lang, os, n, out)
			}
		}
	}
}

// At the width of an 80-column terminal no line is longer, and no reason
// code or host name is broken.
func TestTextWidth80(t *testing.T) {
	t.Parallel()
	docs := []*agent.Document{mixedReport(), everyReasonReport()}
	for _, sc := range scenarios {
		docs = append(docs, sc.build())
	}
	for _, doc := range docs {
		for _, lang := range []Lang{EN, DE} {
			var b bytes.Buffer
			if err := WriteText(&b, doc, TextOptions{Zone: time.UTC, Lang: lang, OS: "linux", Width: 80}); err != nil {
				t.Fatal(err)
			}
			words := map[string]bool{}
			for _, line := range strings.Split(b.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("%s: line of %d columns: %q", lang, n, line)
				}
				for _, w := range strings.Fields(line) {
					words[strings.Trim(w, "(),.:")] = true
				}
			}
			for _, h := range doc.Hosts {
				if !words[Label(h.Host, h.Port)] {
					t.Errorf("%s: host %s not whole on a line", lang, Label(h.Host, h.Port))
				}
				if !h.OK && !words[string(h.Reason)] {
					t.Errorf("%s: reason %s not whole on a line", lang, h.Reason)
				}
			}
		}
	}
}
