package main

import (
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestCheckJSONFieldPaths pins the shape of `check --format json`: the set
// of field paths (arrays as []) in a world with interception, a refused
// port, a server whose Date is 10 minutes off (while two others agree with
// this PC) and a dead IPv6 family. JSON
// fields are only ever added (DESIGN.md): a path missing from the output
// fails, and a new one must be added to the golden on purpose (-update).
func TestCheckJSONFieldPaths(t *testing.T) {
	w := newTestWorld(t)
	loop4 := []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	targets := []probes.Target{
		w.AddWith("api.pb.test", probetest.Answer{A: loop4, AAAA: []netip.Addr{netip.IPv6Loopback()}}, probetest.ServerOptions{}),
		w.Add("app.pb.test", probetest.Intercepted),
		w.Add("portal.pb.test", probetest.PortRefused),
		w.AddWith("app-updates.pb.test", probetest.Answer{}, probetest.ServerOptions{DateOffset: -10 * time.Minute}),
		// A third server with a Date: two of three vouch for this PC's
		// clock, so the skewed one is a server_clock warning every time.
		w.AddWith("app-updates2.pb.test", probetest.Answer{A: loop4}, probetest.ServerOptions{}),
	}
	res := runCmd(t, "check", "--format", "json", "--config.file", w.config(t, 3*time.Second, targets...))
	if res.code != exitNotReady {
		t.Fatalf("exit %d, want %d\n%s%s", res.code, exitNotReady, res.stdout, res.stderr)
	}
	var doc any
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.stdout)
	}
	got := map[string]bool{}
	fieldPaths(doc, "", got)
	for _, want := range []string{"hosts[].tls.intercepted", "hosts[].tcp.attempts[].outcome", "hosts[].http.clock_skew_s", "hosts[].warnings[].code", "hosts[].warnings[].clock_skew_s"} {
		if !got[want] {
			t.Errorf("the world did not produce %s: the test lost its scenarios\n%s", want, res.stdout)
		}
	}
	lines := make([]string, 0, len(got))
	for p := range got {
		lines = append(lines, p)
	}
	slices.Sort(lines)
	golden := filepath.Join("testdata", "check_fields.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(data)) {
		if !got[p] {
			t.Errorf("field %s is gone from the JSON: fields are a contract and are only ever added", p)
		}
		delete(got, p)
	}
	for p := range got {
		t.Errorf("new field %s: add it to the README's JSON description and run go test -run TestCheckJSONFieldPaths -update", p)
	}
}

// fieldPaths collects the paths of every field in v, arrays as [].
func fieldPaths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			fieldPaths(c, p, out)
		}
	case []any:
		for _, c := range x {
			fieldPaths(c, prefix+"[]", out)
		}
	}
}
