package report

import (
	"bytes"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// placeholder is a template's {name}.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// placeholderSet is the sorted set of names a template refers to.
func placeholderSet(t string) []string {
	var names []string
	for _, m := range placeholder.FindAllString(t, -1) {
		names = append(names, m[1:len(m)-1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Every language words every key, with the same placeholders: a
// translation that drops {host} loses a fact, one that adds {foo} prints
// it raw.
func TestCatalogsAgree(t *testing.T) {
	t.Parallel()
	ref := catalogs[0]
	for _, c := range catalogs {
		for key, tmpl := range c.texts {
			if strings.TrimSpace(tmpl) == "" {
				t.Errorf("%s: %s is empty", c.lang, key)
			}
			if rest := placeholder.ReplaceAllString(tmpl, ""); strings.ContainsAny(rest, "{}") {
				t.Errorf("%s: %s has an unbalanced brace: %q", c.lang, key, tmpl)
			}
			want, ok := ref.texts[key]
			if !ok {
				t.Errorf("%s: %s is not in the %s catalog", c.lang, key, ref.lang)
				continue
			}
			if got, want := placeholderSet(tmpl), placeholderSet(want); !slices.Equal(got, want) {
				t.Errorf("%s: %s has placeholders %v, %s has %v", c.lang, key, got, ref.lang, want)
			}
		}
		for key := range ref.texts {
			if _, ok := c.texts[key]; !ok {
				t.Errorf("%s: no text for %s", c.lang, key)
			}
		}
	}
}

// Every key is reachable and renders with the facts its selector gives it:
// no placeholder is left unfilled, in any language.
func TestCatalogEveryKeyRendered(t *testing.T) {
	t.Parallel()
	for _, l := range catalogs {
		t.Run(string(l.lang), func(t *testing.T) {
			t.Parallel()
			seen := map[string]bool{}
			c := catalogFor(l.lang)
			c.seen = func(key string) { seen[key] = true }
			bad := map[string]bool{}
			for _, s := range renderAll(t, c) {
				if strings.ContainsAny(s, "{}") && !bad[s] {
					bad[s] = true
					t.Errorf("unfilled placeholder %q in %q", placeholder.FindString(s), s)
				}
			}
			for key := range l.texts {
				if !seen[key] && !seen[pluralSibling(key)] {
					t.Errorf("%s is never rendered", key)
				}
			}
		})
	}
}

// pluralSibling is the other form of a plural key ("span.days.one" for
// "span.days.other"): plural picks between them by the count alone, and
// some counts never occur (a span of one day reads "24 hours").
func pluralSibling(key string) string {
	if k, ok := strings.CutSuffix(key, ".one"); ok {
		return k + ".other"
	}
	if k, ok := strings.CutSuffix(key, ".other"); ok {
		return k + ".one"
	}
	return key
}

// renderAll renders, through c, every reason of the fixtures with and
// without its facts and with each fact varied, every warning, check,
// captive finding and summary form, and the text output.
func renderAll(t *testing.T, c *catalog) []string {
	t.Helper()
	var out []string
	rep := everyReasonReport()
	reasons := append(probes.Reasons(), "no_such_reason")
	for _, r := range reasons {
		hosts := []*agent.HostReport{{Host: api, Port: 443, Reason: r}}
		if r != "no_such_reason" {
			hosts = append(hosts, hostFor(t, rep, r))
		}
		for _, h := range hosts {
			for _, at := range []time.Time{{}, checkedAt} {
				for _, vary := range factVariations {
					for _, sc := range sceneVariations {
						f := gather(h, at)
						vary(f)
						f.os, f.clock = sc.os, sc.clock
						msg, hint := c.reason(r, f)
						out = append(out, msg, hint)
					}
				}
			}
		}
	}
	// A block page the probe named in words of its own.
	other := &agent.HostReport{Host: api, Port: 443, Reason: probes.HTTPBlocked,
		HTTP: &agent.HTTPView{Status: 200, BlockedBy: "a login page (HTTP 200)"}}
	msg, hint := c.reason(other.Reason, gather(other, time.Time{}))
	out = append(out, msg, hint)

	for _, w := range warningVariations() {
		out = append(out, c.warning(w))
	}
	for _, ch := range checkVariations {
		out = append(out, c.check(ch))
	}
	for _, v := range []*agent.CaptiveView{{URL: "http://c.example/"}, {URL: "http://c.example/", Location: "https://login.example/"}} {
		msg, hint := c.captive(v)
		out = append(out, msg, hint)
	}
	for _, sc := range sceneVariations {
		for _, skew := range []float64{-600, 600, -7200, 7200} {
			doc := &agent.Document{Hosts: []agent.HostReport{{HTTP: &agent.HTTPView{Date: checkedAt, ClockSkewS: skew}}}}
			for _, f := range clockFindings(c, doc, sc.os) {
				out = append(out, f.msg, f.hint)
			}
		}
	}
	proxied := NewText(io.Discard, TextOptions{Lang: c.lang}, nil)
	proxied.cat = c
	for _, h := range proxyOnlyReport().Hosts {
		out = append(out, proxied.proxyLine(&h))
	}
	for _, doc := range networkVariations() {
		msg, hint := c.network(doc)
		out = append(out, msg, hint)
		for _, h := range doc.Hosts {
			if !h.OK {
				out = append(out, c.text("network.host", args{"host": h.Host}))
			}
		}
	}
	for _, v := range proxySettingVariations {
		msg, hint := c.proxySetting(v)
		out = append(out, msg, hint)
	}
	for _, sources := range proxySourceVariations {
		for _, f := range proxySourceFindings(c, &agent.Document{ProxySources: sources}, "") {
			out = append(out, f.msg, f.hint)
		}
	}
	for _, s := range summaryVariations() {
		word, head, items := s.words(c)
		out = append(out, word+head+strings.Join(c.units(items, 0), " "))
	}
	for _, d := range []time.Duration{time.Minute, 3 * time.Minute, time.Hour, 2 * time.Hour, 61 * time.Minute,
		3 * 24 * time.Hour, 24 * time.Hour, 400 * 24 * time.Hour, 800 * 24 * time.Hour} {
		out = append(out, c.span(d.Seconds()))
	}
	out = append(out, c.list([]string{"a", "b", "c", "d", "e"}))
	out = append(out, renderPage(PageWords{c})...)
	return append(out, renderText(t, c))
}

// renderText writes the mixed report, with one host not required, and
// every scenario on every OS as WriteText does but through c, and an
// interrupted pass.
func renderText(t *testing.T, c *catalog) string {
	t.Helper()
	rep := mixedReport()
	rep.Hosts[len(rep.Hosts)-1].Required = false
	var b bytes.Buffer
	if err := writeText(&b, rep, TextOptions{Zone: time.UTC, Lang: c.lang}, c); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios {
		for _, os := range scenarioOSes {
			if err := writeText(&b, sc.build(), TextOptions{Zone: time.UTC, Lang: c.lang, OS: os}, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	text := newText(&b, TextOptions{Zone: time.UTC, Lang: c.lang}, nil, c)
	for _, n := range []int{1, 2} {
		if err := text.interruptedSummary(n, 5, 1234); err != nil {
			t.Fatal(err)
		}
	}
	return b.String() + c.text("live.running", args{"took": "1 s"}) + c.text("text.not_finished", nil)
}

// factVariations change one fact each, so that every variant of every
// reason is chosen at least once.
var factVariations = []func(f *facts){
	func(*facts) {},
	func(f *facts) { f.proxySource = "env" },
	func(f *facts) { f.proxySource = "wininet" },
	func(f *facts) { f.proxySource = "winhttp" },
	func(f *facts) { f.proxySource = "scutil" },
	func(f *facts) { f.proxySource = "pac" },
	func(f *facts) { f.proxy, f.proxyServer, f.proxyStatus = "", "", 0 },
	func(f *facts) { f.proxy, f.proxyServer, f.proxyStatus = "proxy.example:3128", "squid", 403 },
	func(f *facts) { f.directOK = true },
	func(f *facts) { f.issuer, f.issuerOrg = "Example Inspection CA", "Example Corp" },
	func(f *facts) { f.issuer = "" },
	func(f *facts) { f.version, f.notAfter = "", time.Time{} },
	func(f *facts) { f.bad, f.badLeaf, f.badDate = "Example Intermediate", false, day(2026, 3, 1) },
	func(f *facts) { f.bad, f.badLeaf, f.badDate = "api.passwordboss.com", true, day(2026, 3, 1) },
	func(f *facts) {
		f.bad, f.badLeaf, f.badDate, f.badFuture = "api.passwordboss.com", true, day(2027, 3, 1), true
	},
	func(f *facts) { f.serverDate, f.skew = checkedAt, -7200 },
	func(f *facts) { f.serverDate, f.skew = checkedAt, 600 },
	func(f *facts) { f.resolvers, f.dnsMS = nil, 0 },
	func(f *facts) { f.resolvers, f.dnsMS = []string{"10.0.0.1"}, 0 },
	func(f *facts) { f.resolvers, f.dnsMS = nil, 5000 },
	func(f *facts) { f.resolvers, f.dnsMS = []string{"10.0.0.1"}, 5000 },
	func(f *facts) { f.tcpMS, f.tlsMS, f.httpMS, f.proxyMS = 0, 0, 0, 0 },
	func(f *facts) { f.tcpMS, f.tlsMS, f.httpMS, f.proxyMS = 10000, 10000, 10000, 10000 },
	func(f *facts) { f.sinkholed = []string{"0.0.0.0"} },
	func(f *facts) { f.names, f.subject = []string{"*.example.net"}, "" },
	func(f *facts) { f.resolver, f.rcode = "", "" },
	func(f *facts) { f.resolver, f.rcode = "10.0.0.1", "NOTIMP" },
	func(f *facts) { f.resolver, f.rcode = "10.0.0.1", "" },
	func(f *facts) { f.block = block{kind: blockServer, name: "FortiGate"} },
	func(f *facts) { f.block = block{kind: blockVendor, name: "zscaler"} },
	func(f *facts) { f.block = block{kind: blockPage} },
	func(f *facts) { f.block = block{kind: blockRedirect, name: "login.example"} },
	func(f *facts) { f.block = block{kind: blockPortal} },
	func(f *facts) { f.block = block{kind: blockProxy} },
	func(f *facts) { f.block = block{} },
	func(f *facts) { f.proxyScheme, f.proxyTLS = "", probes.ProxyTLSNone },
	func(f *facts) { f.proxyScheme, f.proxyTLS = "socks5", probes.ProxyTLSCertificate },
	func(f *facts) { f.proxyScheme, f.proxyTLS = "https", probes.ProxyTLSNotTLS },
	func(f *facts) { f.proxyScheme, f.proxyTLS = "https", probes.ProxyTLSHandshake },
	func(f *facts) { f.proxyTLS = "no_such_problem" },
}

// sceneVariations are every OS with words of its own, and a PC clock
// unknown, right and wrong by the servers.
var sceneVariations = func() []scene {
	var out []scene
	for _, os := range []string{"", "windows", "darwin", "linux", "freebsd"} {
		for _, clock := range []clockState{{}, {agent.ClockJudgement{Servers: 5, Agree: 5, Skew: 1}}, {agent.ClockJudgement{Servers: 5, Skew: -600}}} {
			out = append(out, scene{os: os, clock: clock})
		}
	}
	return out
}()

// proxySettingVariations choose every wording of a machine-level proxy
// setting, and one that needs none.
var proxySettingVariations = []agent.ProxySettingView{
	{Source: "env", Setting: "HTTPS_PROXY=http://***@[::1", Error: "HTTPS_PROXY is not a proxy address of the form scheme://host:port"},
	{Source: "wininet", Setting: "autoconfig=http://wpad/p.pac", PACURL: "http://wpad/p.pac"},
	{Source: "winhttp", Setting: "autodetect", AutoDetect: true},
	{Source: "scutil", Setting: "autoconfig=http://wpad/p.pac autodiscovery", PACURL: "http://wpad/p.pac", AutoDetect: true},
	{Source: "no_such_source", Setting: "proxy=p:8080"},
}

func warningVariations() []agent.Warning {
	var ws []agent.Warning
	for _, code := range append(warningCodes, "no_such_warning") {
		ws = append(ws,
			agent.Warning{Code: code},
			agent.Warning{Code: code, Addresses: []string{"2001:db8::1"}, Days: 1, TookMS: 4000},
			agent.Warning{Code: code, Days: 3, TookMS: 4000, ThresholdMS: 3000, ClockSkewS: -600})
	}
	return ws
}

var checkVariations = []machine.Check{
	machine.DotNetCheck(533320, true),
	machine.DotNetCheck(394802, true),
	machine.DotNetCheck(0, true),
	machine.DotNetCheck(0, false),
	machine.Unreadable(machine.CodeDotNetFramework, errAccessDenied),
	machine.ElevatedCheck(true, true),
	machine.ElevatedCheck(false, true),
	machine.ElevatedCheck(true, false),
	machine.ElevatedCheck(false, false),
	{Code: machine.CodeOSVersion, Level: machine.LevelInfo, Value: "Windows 11 Pro 23H2"},
	{Code: "tpm", Level: machine.LevelInfo, Value: "2.0"},
}

type testError string

func (e testError) Error() string { return string(e) }

const errAccessDenied = testError("Access is denied.")

func summaryVariations() []summary {
	var ss []summary
	for required := range 3 {
		for n := range 3 {
			s := summary{required: required, warned: n, optionalFailing: n, ms: float64(n) * 2000}
			ss = append(ss, s)
			if n > 0 && required > 0 {
				s.failing = slices.Repeat([]string{"api.passwordboss.com (tcp_timeout)"}, min(n, required))
				ss = append(ss, s)
			}
		}
	}
	return ss
}

func TestLangNames(t *testing.T) {
	t.Parallel()
	_, err := ParseLang("fr")
	if err == nil || !strings.Contains(err.Error(), "(supported: en, de)") {
		t.Errorf("ParseLang: %v", err)
	}
	_, err = ParseLangFlag("fr")
	if err == nil || !strings.Contains(err.Error(), "(use en or de)") {
		t.Errorf("ParseLangFlag: %v", err)
	}
}
