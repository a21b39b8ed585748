package page

import (
	"encoding/json"
	"flag"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/report"
	"github.com/pbprobe/pbprobe/probes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedDoc is the mixed run of the report's fixtures (one host
// intercepted, one timing out, one unknown, one warned), with a hostile
// machine name and certificate issuer, and a proxy setting.
func fixedDoc(t *testing.T) *agent.Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "doc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc agent.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// dayOfRuns is a synthetic history of doc's hosts: one run every five
// minutes for the day before doc, each host ok until two hours before,
// the failing hosts failing since then with their reason, and the
// app-updates host warned for the last hour.
func dayOfRuns(doc *agent.Document) []agent.HistoryRun {
	var runs []agent.HistoryRun
	end := doc.CheckedAt
	for at := end.Add(-24 * time.Hour).Add(5 * time.Minute); !at.After(end); at = at.Add(5 * time.Minute) {
		r := agent.HistoryRun{At: at, Ready: true}
		for _, h := range doc.Hosts {
			hh := agent.HistoryHost{Host: h.Host, Port: h.Port, State: agent.StateOK, Reason: probes.ReasonOK}
			switch {
			case !h.OK && end.Sub(at) <= 2*time.Hour:
				hh.State, hh.Reason = agent.StateFailing, h.Reason
				r.Ready = false
			case len(h.Warnings) > 0 && end.Sub(at) <= time.Hour:
				hh.State = agent.StateWarning
				hh.Warnings = []agent.WarningCode{h.Warnings[0].Code}
			}
			r.Hosts = append(r.Hosts, hh)
		}
		runs = append(runs, r)
	}
	return runs
}

func fixedHandler(t *testing.T) (http.Handler, *agent.Document, []agent.HistoryRun) {
	doc := fixedDoc(t)
	runs := dayOfRuns(doc)
	h := NewHandler(Options{
		Latest: func() *agent.Document { return doc }, Runs: func() []agent.HistoryRun { return runs },
		Zone: time.UTC, Now: func() time.Time { return doc.CheckedAt },
	})
	return h, doc, runs
}

func get(t *testing.T, h http.Handler, url, accept string) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest("GET", url, nil)
	if accept != "" {
		r.Header.Set("Accept-Language", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// The page of a fixed run and history, in English and German, is the
// golden file (go test ./agent/page -update rewrites it).
func TestPageGolden(t *testing.T) {
	t.Parallel()
	h, _, _ := fixedHandler(t)
	for _, tt := range []struct{ name, url, accept string }{
		{"en", "/", "en-US,en;q=0.9"},
		{"de", "/", "de-DE,de;q=0.9,en;q=0.5"},
	} {
		res, body := get(t, h, tt.url, tt.accept)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", tt.name, res.StatusCode)
		}
		golden := filepath.Join("testdata", "page."+tt.name+".html")
		if *update {
			if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("%s: the page differs from %s (run with -update and review the diff)", tt.name, golden)
		}
	}
}

// The host words are the check's, from the same catalog, in the
// language asked for; ?lang= wins over the browser.
func TestPageWordsFromCatalog(t *testing.T) {
	t.Parallel()
	h, doc, _ := fixedHandler(t)
	for _, tt := range []struct {
		url, accept string
		lang        report.Lang
		verdict     string
	}{
		{"/", "", report.EN, "NOT READY"},
		{"/", "de", report.DE, "NICHT BEREIT"},
		{"/?lang=de", "en", report.DE, "NICHT BEREIT"},
		{"/?lang=en", "de", report.EN, "NOT READY"},
	} {
		_, body := get(t, h, tt.url, tt.accept)
		if !strings.Contains(body, `<html lang="`+string(tt.lang)+`">`) {
			t.Errorf("%s %s: not a %s page", tt.url, tt.accept, tt.lang)
		}
		if !strings.Contains(body, `id="verdict">`+tt.verdict+`</p>`) {
			t.Errorf("%s %s: verdict %q missing", tt.url, tt.accept, tt.verdict)
		}
		local := report.Localized(doc, tt.lang)
		for _, hr := range local.Hosts {
			for _, s := range []string{hr.Host, string(hr.Reason), hr.Message, hr.Hint} {
				if s != "" && !strings.Contains(body, html.EscapeString(agent.Printable(s))) {
					t.Errorf("%s %s: %s: %q missing", tt.url, tt.accept, hr.Host, s)
				}
			}
		}
	}
}

// A hostile server's and PC's strings are shown as text: escaped, without
// control or bidi characters; and the headers forbid scripts and framing.
func TestPageEscapes(t *testing.T) {
	t.Parallel()
	h, _, _ := fixedHandler(t)
	res, body := get(t, h, "/", "")
	for _, bad := range []string{"<script", "\x1b", "\u202e", "\x07", "</title><script"} {
		if strings.Contains(body, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	for _, want := range []string{"PC-042&lt;script&gt;alert(1)&lt;/script&gt;[2J", "Evil Inspect CA &lt;/title&gt;&lt;script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks the escaped %q", want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	// No external assets: nothing is loaded from anywhere.
	if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(body) || strings.Contains(body, "<script") {
		t.Error("the page loads something from elsewhere")
	}
	for _, link := range []string{`href="/metrics"`, `href="/status"`, `href="/history"`, `href="/healthz"`} {
		if !strings.Contains(body, link) {
			t.Errorf("page lacks the link %s", link)
		}
	}
	if strings.Contains(body, "pprof") {
		t.Error("page still links pprof")
	}
}

// Before the first run the page says so and reloads itself.
func TestPageBeforeFirstRun(t *testing.T) {
	t.Parallel()
	doc := &agent.Document{Machine: "pc", Hosts: []agent.HostReport{{Host: "api.pb.test", Port: 443, Required: true, Reason: probes.NotChecked}}}
	h := NewHandler(Options{Latest: func() *agent.Document { return doc }})
	_, body := get(t, h, "/", "de")
	for _, want := range []string{`http-equiv="refresh"`, "Die erste Prüfung läuft", "api.pb.test", "not_checked"} {
		if !strings.Contains(body, want) {
			t.Errorf("page before the first run lacks %q", want)
		}
	}
}
