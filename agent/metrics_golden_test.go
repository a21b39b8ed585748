package agent_test

import (
	"bytes"
	"context"
	"flag"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const metricsGolden = "testdata/metrics.golden"

// TestMetricsGolden renders /metrics of a fixed world — one run over six
// hosts that fail in different ways, with fixed durations and timestamps —
// and compares it with testdata/metrics.golden, byte for byte. Only the
// agent's own collector is gathered: the Go and process collectors change
// from one scrape to the next. After a deliberate change, regenerate with
// `go test ./agent -run Golden -update` and read the diff: every line of it
// is a change to what dashboards and alerts see.
//
// Not parallel: with -update it writes the file TestMetricsGoldenPromtool
// reads, and parallel tests start only after it has finished.
func TestMetricsGolden(t *testing.T) {
	got := goldenScrape(t)
	if *update {
		if err := os.WriteFile(metricsGolden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(metricsGolden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		diff := filepath.Join(t.TempDir(), "metrics.got")
		_ = os.WriteFile(diff, got, 0o644)
		t.Errorf("/metrics differs from %s; got written to %s (diff them; -update accepts it):\n%s", metricsGolden, diff, got)
	}
}

// TestMetricsGoldenPromtool runs `promtool check metrics` over the golden
// file: the naming and type conventions Prometheus lints.
func TestMetricsGoldenPromtool(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		probetest.Unavailable(t, "promtool not found (Debian package prometheus)")
	}
	golden, err := os.ReadFile(metricsGolden)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(golden)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics %s: %v\n%s", metricsGolden, err, out)
	}
}

// goldenScrape is the text exposition of the agent's collector after one
// run over the fixed world.
func goldenScrape(t *testing.T) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(goldenMetrics(t))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// goldenMetrics is the agent's collector after one run over the fixed
// world.
func goldenMetrics(tb testing.TB) *agent.Metrics {
	tb.Helper()
	hosts, results := goldenWorld()
	cfg := config.Default()
	cfg.Hosts = hosts
	a, err := agent.New(agent.Options{
		Config:    cfg,
		NewProber: func(*config.Config) (agent.Prober, error) { return noProber{}, nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	reload := agent.NewReloadStatus()
	reload.Set(true, goldenStart.Add(-time.Hour))
	m := agent.NewMetrics(a, reload)

	doc := agent.Evaluate(hosts, results, goldenStart, 1234500*time.Microsecond, agent.EvalOptions{
		Version:    "1.0.0",
		Machine:    "PC-042",
		CertExpiry: 14 * 24 * time.Hour,
		SlowPhase:  2 * time.Second,
		Now:        func() time.Time { return goldenStart },
	})
	doc.CaptivePortal = &agent.CaptiveView{URL: "http://connectivity-check.example/", MS: 31.2}
	doc.Network = &agent.NetworkView{Status: agent.NetworkOK}
	prev := a.Latest()
	agent.SetLatest(a, &doc)
	m.ObserveRun(agent.RunEvent{Prev: prev, Cur: &doc, Trigger: agent.TriggerStart})
	return m
}

// noProber is never asked: the golden world's results are made, not probed.
type noProber struct{}

func (noProber) Probe(context.Context, probes.Target) *probes.Result {
	panic("the golden world is not probed")
}

var goldenStart = time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)

// goldenWorld is six hosts and one run's results for them (documentation
// addresses only; nothing is dialled):
//   - api: ok, every phase, slightly behind on the clock;
//   - app: behind a TLS-inspection proxy (tls_intercepted);
//   - portal: nothing listens (tcp_refused);
//   - app-updates: its server's clock is 7 minutes behind while the
//     others agree with the PC's (a server_clock warning, the host ok);
//   - app-updates2: ok over IPv4 while its IPv6 address never answers
//     (ipv6_unreachable warning);
//   - extra: not required, and its name does not exist (dns_nxdomain).
func goldenWorld() ([]config.Host, []*probes.Result) {
	v4 := netip.MustParseAddr("203.0.113.7")
	v6 := netip.MustParseAddr("2001:db8::7")
	dns := func(ms int, addrs ...netip.Addr) *probes.DNSResult {
		return &probes.DNSResult{Duration: msec(ms), Rcode: "NOERROR", Resolver: "192.0.2.53:53", Transport: "udp", Addresses: addrs}
	}
	connected := func(ms int) *probes.TCPResult {
		ap := netip.AddrPortFrom(v4, 443)
		return &probes.TCPResult{Duration: msec(ms), Address: ap,
			Attempts: []probes.TCPAttempt{{Address: ap, Outcome: probes.TCPConnected, Duration: msec(ms)}}}
	}
	public := true
	notPublic := false
	leaf := func(host, issuer string) []probes.CertInfo {
		return []probes.CertInfo{{Subject: host, Issuer: issuer, IssuerOrg: issuer, DNSNames: []string{host},
			NotBefore: goldenStart.AddDate(0, -2, 0), NotAfter: goldenStart.AddDate(0, 3, 0), SHA256: "00"}}
	}
	trusted := func(ms int, host string) *probes.TLSResult {
		return &probes.TLSResult{Duration: msec(ms), Version: 0x0304, CipherSuite: 0x1301, ServerName: host,
			Chain: leaf(host, "Public CA"), SystemTrusted: true, PublicTrusted: &public}
	}
	answered := func(ms int, skew time.Duration) *probes.HTTPResult {
		return &probes.HTTPResult{Duration: msec(ms), Status: 200, Date: goldenStart.Add(-skew), ClockSkew: skew}
	}
	target := func(h string) probes.Target { return probes.Target{Host: h + ".passwordboss.test", Port: 443} }

	names := []string{"api", "app", "portal", "app-updates", "app-updates2", "extra"}
	hosts := make([]config.Host, len(names))
	for i, n := range names {
		hosts[i] = config.Host{Host: target(n).Host, Port: 443, Required: n != "extra"}
	}

	intercepted := trusted(61, target("app").Host)
	intercepted.Chain = leaf(target("app").Host, "Corp Inspection CA")
	intercepted.PublicTrusted, intercepted.Intercepted = &notPublic, true

	dualStack := connected(22)
	dualStack.Attempts = append(dualStack.Attempts, probes.TCPAttempt{
		Address: netip.AddrPortFrom(v6, 443), Outcome: probes.TCPOutTimeout, Duration: msec(1000)})

	results := []*probes.Result{
		{Target: target("api"), Reason: probes.ReasonOK, DNS: dns(12, v4), TCP: connected(20),
			TLS: trusted(45, target("api").Host), HTTP: answered(80, -time.Second)},
		{Target: target("app"), Reason: probes.TLSIntercepted, DNS: dns(9, v4), TCP: connected(18), TLS: intercepted},
		{Target: target("portal"), Reason: probes.TCPRefused, DNS: dns(11, v4),
			TCP: &probes.TCPResult{Duration: msec(3), Attempts: []probes.TCPAttempt{
				{Address: netip.AddrPortFrom(v4, 443), Outcome: probes.TCPOutRefused, Duration: msec(3)}}}},
		{Target: target("app-updates"), Reason: probes.ClockSkew, DNS: dns(14, v4), TCP: connected(25),
			TLS: trusted(180, target("app-updates").Host), HTTP: answered(350, 7*time.Minute)},
		{Target: target("app-updates2"), Reason: probes.ReasonOK, DNS: dns(10, v6, v4), TCP: dualStack,
			TLS: trusted(48, target("app-updates2").Host), HTTP: answered(95, 0)},
		{Target: target("extra"), Reason: probes.DNSNXDomain,
			DNS: &probes.DNSResult{Duration: msec(7), Rcode: "NXDOMAIN", Resolver: "192.0.2.53:53", Transport: "udp"}},
	}
	for _, r := range results {
		r.Start = goldenStart
	}
	return hosts, results
}

func msec(n int) time.Duration { return time.Duration(n) * time.Millisecond }
