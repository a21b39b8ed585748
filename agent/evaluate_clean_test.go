package agent

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// TestEvaluateCleansServerStrings: every string a server supplies reaches
// the document without controls or bidi characters and within the cap,
// whichever view it lands in.
func TestEvaluateCleansServerStrings(t *testing.T) {
	t.Parallel()
	evil := "\x1b[2J\x1b[31mevil\a\u202e\u009b"
	huge := strings.Repeat("x", 1<<20)
	leaf := probes.CertInfo{Subject: evil, Issuer: evil, IssuerOrg: evil, DNSNames: []string{evil}}
	r := &probes.Result{
		Reason: probes.ReasonOK,
		Err:    errors.New("proxy said " + evil + huge),
		TLS:    &probes.TLSResult{Chain: []probes.CertInfo{leaf, {Subject: evil, Issuer: evil}}},
		HTTP: &probes.HTTPResult{Server: huge, Location: "https://x/" + evil,
			Block: probes.Block{Kind: probes.BlockRedirect, Name: evil, Status: 302}},
		Direct: &probes.Result{Err: errors.New(evil)},
	}
	hr := EvaluateHost(config.Host{Host: "h.example", Port: 443}, r, time.Now(), EvalOptions{})
	b, err := json.Marshal(hr)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`\u001b`, `\u0007`, "\u202e", `\u202e`, "\u009b", `\u009b`} {
		if strings.Contains(string(b), bad) {
			t.Errorf("the document holds %q:\n%.600s", bad, b)
		}
	}
	if !strings.Contains(string(b), "[2J[31mevil") {
		t.Errorf("the cleaned name is missing:\n%.600s", b)
	}
	for name, s := range map[string]string{"error": hr.Error, "server": hr.HTTP.Server, "issuer": hr.TLS.Issuer} {
		if n := utf8.RuneCountInString(s); n > MaxServerText {
			t.Errorf("%s has %d runes, over %d", name, n, MaxServerText)
		}
	}
}
