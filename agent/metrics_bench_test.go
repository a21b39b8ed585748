package agent_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"

	"github.com/pbprobe/pbprobe/agent"
)

// BenchmarkMetricsScrape serves /metrics of the golden world (six hosts,
// one run) in process, without a network, and reports what one scrape
// costs the agent: time, allocations, bytes and series. "agent" is the
// agent's collector alone; "all" adds what `pbprobe run` registers beside
// it (build info, Go and process collectors), "agent+build+go" all but the
// process collector, which reads several /proc files on every scrape.
func BenchmarkMetricsScrape(b *testing.B) {
	for _, bc := range []struct {
		name   string
		extras []prometheus.Collector
	}{
		{"agent", nil},
		{"agent+build+go", []prometheus.Collector{
			versioncollector.NewCollector("pbprobe"),
			collectors.NewGoCollector(),
		}},
		{"all", []prometheus.Collector{
			versioncollector.NewCollector("pbprobe"),
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reg := prometheus.NewRegistry()
			reg.MustRegister(goldenMetrics(b))
			reg.MustRegister(bc.extras...)
			h := agent.MetricsHandler(reg, slog.New(slog.DiscardHandler))
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			// What Prometheus 3 asks for: the agent answers in text,
			// gzipped (KiB is the size before compression).
			req.Header.Set("Accept-Encoding", "gzip")
			req.Header.Set("Accept", "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
			var rec *httptest.ResponseRecorder
			b.ReportAllocs()
			for b.Loop() {
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET /metrics: %d", rec.Code)
				}
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(zr)
			if err != nil {
				b.Fatal(err)
			}
			series := 0
			for l := range bytes.Lines(body) {
				if len(l) > 1 && l[0] != '#' {
					series++
				}
			}
			b.ReportMetric(float64(len(body))/1024, "KiB")
			b.ReportMetric(float64(series), "series")
		})
	}
}
