package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/net/netutil"
)

// DefaultListenAddress keeps the endpoint on loopback unless configured: the
// status document names the customer's network problems.
const DefaultListenAddress = "127.0.0.1:9843"

// ServerOptions configure the HTTP endpoints.
type ServerOptions struct {
	Agent    *Agent
	Gatherer prometheus.Gatherer
	// RenderStatus renders a document as /status; the caller chooses the
	// language of its prose (the agent itself writes none). It is called
	// once per run, and every request serves those bytes.
	RenderStatus func(*Document) ([]byte, error)
	// Reload, when not nil, is served as POST /-/reload (off unless the
	// operator enables it: it lets anyone who can reach the port reload).
	Reload func() error
	// History, when not nil, is served as GET /history.
	History *History
	// Page, when not nil, serves GET / (the status page, agent/page);
	// the agent itself renders no prose.
	Page    http.Handler
	Version string
	// Started is when the agent started, for /healthz before the first run.
	Started time.Time
	Logger  *slog.Logger
}

// NewHandler serves /metrics, /status, /history, /healthz, /-/reload,
// POST /-/probe and the status page at /.
func NewHandler(o ServerOptions) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", MetricsHandler(o.Gatherer, o.Logger))
	status := &renderCache{render: o.RenderStatus}
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		body, err := status.get(o.Agent.Latest())
		if err != nil {
			o.Logger.Error("rendering /status", "err", err)
			http.Error(w, "cannot render the status document", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		ok, why := o.Agent.Healthy(time.Now(), o.Started)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintln(w, why)
	})
	if o.Reload != nil {
		mux.HandleFunc("POST /-/reload", func(w http.ResponseWriter, _ *http.Request) {
			if err := o.Reload(); err != nil {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "error": err.Error()})
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
	if o.History != nil {
		// A day of runs is up to a megabyte of JSON, and the page a few
		// hundred KB of SVG bands: both compress tenfold.
		mux.Handle("GET /history", newFastGzip(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = o.History.WriteJSON(w)
		})))
	}
	mux.Handle("POST /-/probe", probeHandler(o, status))
	page := o.Page
	if page == nil {
		page = http.HandlerFunc(linksPage)
	}
	mux.Handle("GET /{$}", newFastGzip(page))
	return mux, nil
}

// linksPage is / when no status page is wired in: the endpoints by name.
func linksPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "pbprobe: /metrics /status /history /healthz")
}

// probeHandler serves POST /-/probe: a pass now (shared with one already
// asked for), answered with the new status document, or for the status
// page's form with a redirect back to the page. Only same-origin requests
// are served: a cross-site POST gets 403 and runs nothing, so a web page
// the user visits cannot make the agent probe. Requests without Origin
// and Sec-Fetch-Site are not from a browser (pbprobe status --now, curl)
// and are served.
func probeHandler(o ServerOptions, status *renderCache) http.Handler {
	run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), probeWait)
		defer cancel()
		doc, err := o.Agent.RunNow(ctx)
		if err != nil {
			http.Error(w, "the run did not finish in time; see /status", http.StatusServiceUnavailable)
			return
		}
		if isForm(r) {
			http.Redirect(w, r, pageURL(r.PostFormValue("lang")), http.StatusSeeOther)
			return
		}
		body, err := status.get(doc)
		if err != nil {
			http.Error(w, "cannot render the status document", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "cross-origin request refused: press the button on the agent's own page", http.StatusForbidden)
	}))
	return http.MaxBytesHandler(cop.Handler(run), 4096)
}

// probeWait bounds how long POST /-/probe waits for its pass: a pass
// takes at most the timeout and a little, and the server's write timeout
// ends the request anyway.
const probeWait = 25 * time.Second

func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// pageURL is the page to go back to, in the language the form came from;
// anything but a plain language code is dropped, never echoed.
func pageURL(lang string) string {
	if len(lang) == 2 && lang[0] >= 'a' && lang[0] <= 'z' && lang[1] >= 'a' && lang[1] <= 'z' {
		return "/?lang=" + lang
	}
	return "/"
}

// MetricsHandler serves g as /metrics: text or OpenMetrics as the scraper
// asks, gzipped at the fastest level when it accepts gzip.
func MetricsHandler(g prometheus.Gatherer, logger *slog.Logger) http.Handler {
	return newFastGzip(promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
		EnableOpenMetrics: true,
		// fastGzip compresses instead, at the fastest level.
		DisableCompression: true,
	}))
}

// renderCache keeps the rendering of the latest document: the document is
// immutable once published, so one rendering per run serves every request.
type renderCache struct {
	render func(*Document) ([]byte, error)
	mu     sync.Mutex
	doc    *Document
	body   []byte
}

func (c *renderCache) get(doc *Document) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.doc == doc && c.body != nil {
		return c.body, nil
	}
	body, err := c.render(doc)
	if err != nil {
		return nil, err
	}
	c.doc, c.body = doc, body
	return body, nil
}

// The web server's limits. The endpoints share the process with the
// probes, and every connection is a file descriptor: without them a few
// thousand idle or slow scrapers held thousands of descriptors for minutes,
// and at the descriptor limit the probes failed with "too many open files",
// a false "not ready". A scraper needs one connection and a few KB a run.
const (
	// MaxConnections caps the connections served at once; more wait in
	// the kernel's accept queue, which costs this process no descriptor.
	// Prometheus holds one per scrape target, a dashboard a few more. A
	// flood can delay a scrape (each silent connection leaves after
	// readHeaderTimeout), never a probe.
	MaxConnections = 64
	// A request head arrives at once from any real client; the status
	// document and the metrics are written in well under a second, even
	// gzipped to a slow reader.
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	// IdleTimeout closes a kept-alive connection between requests; a
	// scraper that waits longer between scrapes reconnects, which costs
	// it one handshake.
	IdleTimeout = 30 * time.Second
)

// serverLimits are the limits above, separate so that tests can shorten them.
type serverLimits struct {
	maxConns                      int
	readHeader, read, write, idle time.Duration
}

func defaultLimits() serverLimits {
	return serverLimits{maxConns: MaxConnections, readHeader: readHeaderTimeout, read: readTimeout,
		write: writeTimeout, idle: IdleTimeout}
}

// toolkitLog passes exporter-toolkit's lines on, with "TLS is disabled."
// at debug: on loopback, the default, it is no news, and at info it is the
// one line a healthy agent's log repeats at every start.
type toolkitLog struct{ slog.Handler }

func (t toolkitLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "TLS is disabled." && r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
		if !t.Handler.Enabled(ctx, r.Level) {
			return nil // the logger asked at info; debug may be off
		}
	}
	return t.Handler.Handle(ctx, r)
}

func (t toolkitLog) WithAttrs(as []slog.Attr) slog.Handler {
	return toolkitLog{t.Handler.WithAttrs(as)}
}
func (t toolkitLog) WithGroup(name string) slog.Handler { return toolkitLog{t.Handler.WithGroup(name)} }

// Serve serves h on ln, with TLS and basic auth from the exporter-toolkit
// web config file when one is given, until ctx ends; then it shuts down,
// giving open requests a second. At most MaxConnections connections are
// served at once, and idle ones close after IdleTimeout.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, webConfigFile string, logger *slog.Logger) error {
	return serve(ctx, ln, h, webConfigFile, logger, defaultLimits())
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, webConfigFile string, logger *slog.Logger, l serverLimits) error {
	srv := &http.Server{Handler: loopbackHostOnly(ln, h), ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read,
		WriteTimeout: l.write, IdleTimeout: l.idle}
	// The cap wraps the plain listener, so a TLS handshake counts too.
	ln = netutil.LimitListener(ln, l.maxConns)
	errc := make(chan error, 1)
	go func() {
		errc <- web.Serve(ln, srv, &web.FlagConfig{WebConfigFile: &webConfigFile}, slog.New(toolkitLog{logger.Handler()}))
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
