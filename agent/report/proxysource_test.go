package report

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// windowsSources is what a Windows agent reports about its proxy
// sources, from the same mapping the Windows reader uses.
func windowsSources(f probes.WindowsProxyFacts) []agent.ProxySourceView {
	var out []agent.ProxySourceView
	for _, r := range probes.WindowsProxySources(f) {
		v := agent.ProxySourceView{Source: string(r.Source), Read: r.Read, Why: r.Unread, Account: r.Account}
		if r.Err != nil {
			v.Error = r.Err.Error()
		}
		out = append(out, v)
	}
	return out
}

// serviceAccountReport: the agent runs as a Windows service under
// LocalService and every host works directly; the user's own proxy
// setting is out of its sight.
func serviceAccountReport() *agent.Document {
	rep := healthy()
	c := controlView(probes.ReasonOK, "")
	c.Status = 200
	rep.Network = &agent.NetworkView{Status: agent.NetworkOK, Control: c}
	rep.ProxySources = windowsSources(probes.WindowsProxyFacts{Account: probes.AccountLocalService})
	return rep
}

// proxySourceVariations are the sources a document can report: every
// account, read and unread, and one unread for an error only.
var proxySourceVariations = func() [][]agent.ProxySourceView {
	out := [][]agent.ProxySourceView{
		{{Source: "env", Read: true}},
		{{Source: "env", Read: true}, {Source: "scutil", Read: true}},
		windowsSources(probes.WindowsProxyFacts{}),
		windowsSources(probes.WindowsProxyFacts{WinINetErr: errors.New("reading HKCU: Access is denied.")}),
		windowsSources(probes.WindowsProxyFacts{Account: probes.AccountLocalService, MachineWide: true}),
		{{Source: "wininet", Why: probes.UnreadServiceAccount, Account: "no_such_account"}},
	}
	for _, a := range []probes.ProcessAccount{probes.AccountLocalSystem, probes.AccountLocalService, probes.AccountNetworkService, probes.AccountService} {
		out = append(out, windowsSources(probes.WindowsProxyFacts{Account: a}))
	}
	return out
}()

// TestProxySourceFindings: one INFO line, only when a service account
// hides a source from the user, naming the account and those sources.
func TestProxySourceFindings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		sources []agent.ProxySourceView
		want    []string // in the one line; none: no line
	}{
		{"none reported", nil, nil},
		{"Linux: the environment, read", []agent.ProxySourceView{{Source: "env", Read: true}}, nil},
		{"macOS under launchd: scutil is system-wide", []agent.ProxySourceView{{Source: "env", Read: true}, {Source: "scutil", Read: true}}, nil},
		{"Windows, the user at a prompt", windowsSources(probes.WindowsProxyFacts{}), nil},
		// The error is the setting's to tell (proxy_settings), once.
		{"a reading error only", windowsSources(probes.WindowsProxyFacts{WinHTTPErr: errors.New("denied")}), nil},
		{"LocalService", windowsSources(probes.WindowsProxyFacts{Account: probes.AccountLocalService}),
			[]string{"runs as LocalService", "the HTTPS_PROXY environment variable and the user's proxy setting (Settings > Network > Proxy)", "pbprobe check as the user"}},
		{"SYSTEM with a per-machine policy: only the environment", windowsSources(probes.WindowsProxyFacts{Account: probes.AccountLocalSystem, MachineWide: true}),
			[]string{"runs as LocalSystem (SYSTEM), so it sees the HTTPS_PROXY environment variable as"}},
		{"a service under a user account", windowsSources(probes.WindowsProxyFacts{Account: probes.AccountService}),
			[]string{"runs as a Windows service under an account of its own"}},
		{"an account this build does not know", []agent.ProxySourceView{{Source: "wininet", Why: probes.UnreadServiceAccount, Account: "no_such_account"}},
			[]string{"runs as a service account"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := proxySourceFindings(catalogFor(EN), &agent.Document{ProxySources: tc.sources}, "windows")
			if tc.want == nil {
				if len(fs) != 0 {
					t.Fatalf("findings %+v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].level != levelInfo || fs[0].hint != "" {
				t.Fatalf("findings %+v, want one INFO line", fs)
			}
			for _, w := range tc.want {
				if !strings.Contains(fs[0].msg, w) {
					t.Errorf("no %q in %q", w, fs[0].msg)
				}
			}
			if strings.Contains(fs[0].msg, "WinHTTP") {
				t.Errorf("the machine-wide WinHTTP setting is read by every account: %q", fs[0].msg)
			}
		})
	}
}

// TestProxySourcesFromStatus: `pbprobe status` and the status page word
// the /status JSON, not the agent's document; the line must survive the
// round trip unchanged, in both languages.
func TestProxySourcesFromStatus(t *testing.T) {
	t.Parallel()
	rep := serviceAccountReport()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back agent.Document
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []Lang{EN, DE} {
		want := proxySourceFindings(catalogFor(lang), rep, "windows")
		if len(want) != 1 {
			t.Fatalf("%s: the fixture gives %d lines, want 1", lang, len(want))
		}
		found := false
		for _, f := range MachineFindings(&back, lang, "windows") {
			found = found || (f.Level == levelInfo && f.Message == want[0].msg)
		}
		if !found {
			t.Errorf("%s: %q is not among the findings from JSON", lang, want[0].msg)
		}
	}
}
