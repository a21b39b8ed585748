package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// sourcesProber answers every probe with a failure and reports the proxy
// sources it was given, as a Windows agent under a service account would.
type sourcesProber struct{ reads []probes.ProxySourceRead }

func (p sourcesProber) Probe(_ context.Context, t probes.Target) *probes.Result {
	return &probes.Result{Target: t, Reason: probes.DNSError, Err: errors.New("dns: no resolver")}
}

func (p sourcesProber) ProxySources() []probes.ProxySourceRead { return p.reads }

func sourcesPass(t *testing.T, p agent.Prober) *agent.Document {
	t.Helper()
	cfg := config.Default()
	cfg.Network = config.Network{} // no control probe: nothing leaves the test
	doc, err := agent.Pass(context.Background(), p, cfg, agent.PassOptions{Version: "test", Machine: "PC-1"})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestProxySourcesInDocument: the prober's typed facts become the
// document's proxy_sources, in order, with the reading error cleaned.
func TestProxySourcesInDocument(t *testing.T) {
	t.Parallel()
	facts := probes.WindowsProxyFacts{
		Account:    probes.AccountLocalService,
		WinHTTPErr: errors.New("reading HKLM\\...\\WinHttpSettings: Access is denied.\x1b[2J"),
	}
	doc := sourcesPass(t, sourcesProber{reads: probes.WindowsProxySources(facts)})
	out, err := json.Marshal(doc.ProxySources)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"source":"env","read":false,"why":"service_account","account":"local_service"},` +
		`{"source":"wininet","read":false,"why":"service_account","account":"local_service"},` +
		`{"source":"winhttp","read":false,"why":"error","error":"reading HKLM\\...\\WinHttpSettings: Access is denied.[2J"}]`
	if string(out) != want {
		t.Errorf("proxy_sources\n got %s\nwant %s", out, want)
	}
}

// TestProxySourcesAbsent: a prober that cannot say (a test double, an
// older prober) leaves the field out rather than claiming anything.
func TestProxySourcesAbsent(t *testing.T) {
	t.Parallel()
	doc := sourcesPass(t, sourcesProber{}.withoutSources())
	if doc.ProxySources != nil {
		t.Errorf("proxy_sources %+v from a prober that reports none", doc.ProxySources)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "proxy_sources") {
		t.Errorf("empty proxy_sources in %s", out)
	}
}

// plainProber probes but does not list proxy sources.
type plainProber struct{ p sourcesProber }

func (p plainProber) Probe(ctx context.Context, t probes.Target) *probes.Result {
	return p.p.Probe(ctx, t)
}

func (p sourcesProber) withoutSources() agent.Prober { return plainProber{p} }

// TestNewProberReportsSources: the prober `check` and the agent build
// reports the OS's sources; on Linux that is the environment, read.
func TestNewProberReportsSources(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the sources differ by OS; probes tests their mapping everywhere")
	}
	p, err := agent.NewProber(config.Default(), agent.ProberOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := p.ProxySources()
	if len(got) != 1 || got[0].Source != probes.ProxySourceEnv || !got[0].Read {
		t.Errorf("sources %+v, want the environment, read", got)
	}
}
