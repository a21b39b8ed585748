package agent

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]bool{
		"":                       false,
		"gzip":                   true,
		"GZIP":                   true,
		"gzip, deflate, br":      true,
		"br, gzip;q=0.5":         true,
		"gzip;q=0":               false,
		"gzip; q=0.000":          false,
		"deflate":                false,
		"x-gzip-not-really":      false,
		"identity, gzip;q=1.0":   true,
		"zstd,gzip;q=0.9,*;q=.1": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// The handler's body arrives whole, compressed or not as the client asked,
// and a length set for the uncompressed body never reaches the client.
func TestFastGzip(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("pbprobe_host_up{host=\"api.passwordboss.com\"} 1\n", 500)
	h := newFastGzip(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "99999")
		_, _ = io.WriteString(w, body)
	}))
	for _, enc := range []string{"gzip", ""} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var r io.Reader = rec.Body
		if enc == "gzip" {
			if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != "" {
				t.Fatalf("headers %v; want gzip without the handler's length", rec.Header())
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != body {
			t.Errorf("Accept-Encoding %q: %d bytes (%v), want the %d of the body", enc, len(got), err, len(body))
		}
	}
}
