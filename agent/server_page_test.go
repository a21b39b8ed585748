package agent

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbprobe/pbprobe/agent/config"
)

// The page and /history are served gzipped to a browser that accepts it;
// nothing else answers at / paths the agent does not serve (no pprof).
func TestPageRoutes(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	a, err := New(Options{Config: cfg, NewProber: func(*config.Config) (Prober, error) { return newGateProber(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	hist := NewHistory(HistoryOptions{})
	hist.Add(&Document{CheckedAt: time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC), Hosts: []HostReport{{Host: "api.pb.test", Port: 443}}})
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Add("Vary", "Accept-Language")
		_, _ = io.WriteString(w, "the page")
	})
	h, err := NewHandler(ServerOptions{Agent: a, Gatherer: prometheus.NewRegistry(), History: hist, Page: page,
		RenderStatus: func(d *Document) ([]byte, error) { return json.Marshal(d) }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *http.Response {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result()
	}
	unzip := func(res *http.Response) string {
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("not gzipped: %v", res.Header)
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		return string(b)
	}
	res := get("/")
	if body := unzip(res); body != "the page" {
		t.Errorf("/ = %q", body)
	}
	if v := res.Header.Values("Vary"); len(v) != 2 {
		t.Errorf("Vary %v, want Accept-Encoding and Accept-Language", v)
	}
	var hd struct {
		Runs []HistoryRun `json:"runs"`
	}
	if err := json.Unmarshal([]byte(unzip(get("/history"))), &hd); err != nil || len(hd.Runs) != 1 || hd.Runs[0].Hosts[0].Host != "api.pb.test" {
		t.Errorf("/history: %+v %v", hd, err)
	}
	for _, path := range []string{"/debug/pprof/", "/index.html", "/-/probe"} {
		if code := get(path).StatusCode; code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s = %d, want 404 or 405", path, code)
		}
	}
}
