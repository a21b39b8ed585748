// Package page is the agent's status page at /: the last run for people,
// in the browser's language, with a day of history drawn per host and a
// button that runs a pass now. It renders the run document with the
// check's catalog (agent/report) and html/template, and loads nothing from
// outside: the PC it runs on may have no internet, which is the point.
package page

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/pbprobe/pbprobe/agent"
)

//go:embed page.html.tmpl
var pageTemplate string

// Options say where the page reads from; tests give fixed ones.
type Options struct {
	// Latest is the last run's document (agent.Agent.Latest).
	Latest func() *agent.Document
	// Runs are the recent runs, oldest first; nil for none.
	Runs func() []agent.HistoryRun
	// Zone the times are shown in; nil means the PC's.
	Zone *time.Location
	// Now is the clock the timeline ends at; nil means time.Now.
	Now func() time.Time
}

// New is the page of a running agent and its history, the shape
// agent.DaemonOptions.Page takes.
func New(a *agent.Agent, h *agent.History) http.Handler {
	return NewHandler(Options{Latest: a.Latest, Runs: h.Runs})
}

// handler serves the page.
type handler struct {
	o    Options
	tmpl *template.Template
}

// NewHandler serves the page for GET / (and HEAD).
func NewHandler(o Options) http.Handler {
	if o.Zone == nil {
		o.Zone = time.Local
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Runs == nil {
		o.Runs = func() []agent.HistoryRun { return nil }
	}
	return &handler{o: o, tmpl: template.Must(template.New("page").Parse(pageTemplate))}
}

// contentSecurity forbids what the page never does (scripts, anything from
// elsewhere, being framed, forms that post elsewhere): should a hostile
// string ever get past the escaping, it can do nothing.
const contentSecurity = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := h.view(chooseLang(r))
	var b bytes.Buffer
	if err := h.tmpl.Execute(&b, v); err != nil {
		http.Error(w, fmt.Sprintf("cannot render the page: %v", err), http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", contentSecurity)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Add("Vary", "Accept-Language")
	_, _ = w.Write(b.Bytes())
}
