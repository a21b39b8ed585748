package agent_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pbprobe/pbprobe/agent"
)

func TestDialAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"127.0.0.1:9843": "127.0.0.1:9843",
		":9843":          "127.0.0.1:9843",
		"0.0.0.0:9843":   "127.0.0.1:9843",
		"[::]:9843":      "[::1]:9843",
		"[::1]:9843":     "[::1]:9843",
		"pc042:9843":     "pc042:9843",
		"garbage":        "garbage",
	} {
		if got := agent.DialAddress(in); got != want {
			t.Errorf("DialAddress(%q) = %q; want %q", in, got, want)
		}
	}
}

// Whatever answers on the port may not be the agent: an endless or a
// foreign answer is an error, not a document.
func TestFetchStatusRejectsForeignAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, want string
		status           int
	}{
		{"not found", "", "404", http.StatusNotFound},
		{"html", "<html>hello</html>", "not a status document", http.StatusOK},
		{"endless", `{"hosts": [` + strings.Repeat(`{"host": "x"},`, 400_000), "not a status document", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := agent.FetchStatus(context.Background(), strings.TrimPrefix(srv.URL, "http://"), false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one with %q", err, tc.want)
			}
		})
	}
}
