package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// fiveHosts are the five hosts of the built-in table, in a test world.
var fiveHosts = []string{"api.pb.test", "app-updates.pb.test", "app-updates2.pb.test", "portal.pb.test", "app.pb.test"}

// pageWorld is a world of the five hosts with app-updates2 behind a
// TLS-inspection proxy, and its config.
func pageWorld(t *testing.T) (cfg string, want map[string]string) {
	t.Helper()
	w := newTestWorld(t)
	want = map[string]string{}
	var targets []probes.Target
	for _, h := range fiveHosts {
		s, reason := probetest.OK, "ok"
		if h == "app-updates2.pb.test" {
			s, reason = probetest.Intercepted, "tls_intercepted"
		}
		targets = append(targets, w.Add(h, s))
		want[h] = reason
	}
	return w.config(t, 5*time.Second, targets...), want
}

type historyDoc struct {
	Runs []struct {
		At    time.Time `json:"at"`
		Hosts []struct {
			Host, State, Reason string
		} `json:"hosts"`
	} `json:"runs"`
}

func (a *testAgent) history(t *testing.T) historyDoc {
	t.Helper()
	code, body := a.get(t, "/history")
	var h historyDoc
	if err := json.Unmarshal([]byte(body), &h); code != 200 || err != nil {
		t.Fatalf("/history: %d %v\n%s", code, err, body)
	}
	return h
}

func (a *testAgent) checkedAt(t *testing.T) time.Time {
	t.Helper()
	_, body := a.get(t, "/status")
	var d struct {
		CheckedAt time.Time `json:"checked_at"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	return d.CheckedAt
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (a *testAgent) post(t *testing.T, path string, form url.Values, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", a.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// The agent's page, its history, the check-now button and status --now,
// as a technician meets them, and a restart that keeps the history.
func TestAgentPageEndToEnd(t *testing.T) {
	t.Parallel()
	cfg, want := pageWorld(t)
	histFile := filepath.Join(t.TempDir(), "state", "history.json")
	a := startTestAgent(t, cfg, "--interval", "1h", "--history.file", histFile)
	a.waitStatus(t, want)

	checkPage(t, a)

	before := a.checkedAt(t)
	resp := a.post(t, "/-/probe", url.Values{"lang": {"en"}}, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /-/probe = %d, want 403", resp.StatusCode)
	}
	res := runCmd(t, "status", "--now", "--format", "json", "--web.listen-address", strings.TrimPrefix(a.base, "http://"))
	if res.code != exitNotReady || !strings.Contains(res.stdout, `"tls_intercepted"`) {
		t.Errorf("status --now: %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	after := a.checkedAt(t)
	if !after.After(before) {
		t.Errorf("status --now did not run: checked_at %s, before %s", after, before)
	}
	if n := len(a.history(t).Runs); n != 2 {
		t.Errorf("%d runs in /history, want 2 (the first and status --now; none from the refused POST)", n)
	}

	resp = a.post(t, "/-/probe", url.Values{"lang": {"de"}}, map[string]string{"Origin": a.base, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?lang=de" {
		t.Errorf("the button: %d to %q, want 303 to /?lang=de", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := a.checkedAt(t); !got.After(after) {
		t.Error("the button did not run a pass")
	}
	runs := a.history(t).Runs

	// A restart keeps the history in the file.
	a.stop()
	b := startTestAgent(t, cfg, "--interval", "1h", "--history.file", histFile)
	b.waitStatus(t, want)
	// The history hears of a run just after /status does.
	again := b.history(t).Runs
	for deadline := time.Now().Add(5 * time.Second); len(again) <= len(runs) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		again = b.history(t).Runs
	}
	if len(again) != len(runs)+1 || !again[0].At.Equal(runs[0].At) {
		t.Errorf("after a restart /history has %d runs from %v, want %d from %v", len(again), again[0].At, len(runs)+1, runs[0].At)
	}
}

// checkPage reads a's page after its first run, in English and German.
func checkPage(t *testing.T, a *testAgent) {
	t.Helper()
	code, page := a.get(t, "/")
	if code != 200 {
		t.Fatalf("/ = %d", code)
	}
	for _, s := range append(fiveHosts, "tls_intercepted", probetest.InspectionCAName, "NOT READY", `href="/history"`) {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if n := strings.Count(page, `<rect class="band `); n != 5 {
		t.Errorf("%d bands after one run, want 5 (one per host)", n)
	}
	req, _ := http.NewRequest("GET", a.base+"/", nil)
	req.Header.Set("Accept-Language", "de-DE,de;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	de := readAll(t, resp)
	if !strings.Contains(de, "NICHT BEREIT") || !strings.Contains(de, `lang="de"`) {
		t.Error("Accept-Language: de does not give the German page")
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
