package page

import (
	"net/http/httptest"
	"testing"

	"github.com/pbprobe/pbprobe/agent/report"
)

func TestChooseLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, accept string
		want              report.Lang
	}{
		{"nothing", "/", "", report.EN},
		{"german browser", "/", "de-DE,de;q=0.9,en;q=0.8", report.DE},
		{"english first", "/", "en-US,de;q=0.5", report.EN},
		{"weights decide", "/", "en;q=0.3, de-AT;q=0.7", report.DE},
		{"unsupported skipped", "/", "fr-FR, de;q=0.2", report.DE},
		{"only unsupported", "/", "fr, it", report.EN},
		{"q=0 refuses", "/", "de;q=0, en;q=0.1", report.EN},
		{"bad weight ignored", "/", "de;q=abc, en", report.EN},
		{"star ignored", "/", "*, de;q=0.1", report.DE},
		{"query wins", "/?lang=de", "en", report.DE},
		{"query english", "/?lang=en", "de", report.EN},
		{"bad query falls back", "/?lang=xx", "de", report.DE},
		{"garbage", "/", ";;;,,,q=", report.EN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", tt.url, nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if got := chooseLang(r); got != tt.want {
				t.Errorf("chooseLang(%q, %q) = %s, want %s", tt.url, tt.accept, got, tt.want)
			}
		})
	}
}
