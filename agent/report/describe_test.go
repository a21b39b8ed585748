package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// strayPunct is punctuation after a space, as left by an empty fact; "::"
// is an IPv6 address, not a slip.
var strayPunct = regexp.MustCompile(`\s[.,;](\s|$)|\s:\s`)

// transliterations are German written without umlauts, which reads as
// careless to a German customer.
var transliterations = []string{"fuer", "ueber", "Ueber", "koenn", "pruef", "Pruef", "aender", "oeffentl", "laeuft", "gueltig", "schlaegt", "moeglich", "Moeglich", "ausserdem", "muess", "Grosse", "waehrend"}

var warningCodes = []agent.WarningCode{
	agent.WarnIPv6Unreachable, agent.WarnIPv4Unreachable, agent.WarnCertExpiring,
	agent.WarnSlowDNS, agent.WarnSlowTCP, agent.WarnSlowTLS, agent.WarnHTTPServerError, agent.WarnServerClock,
}

// checkProse fails on text that is empty or shows a formatting slip.
func checkProse(t *testing.T, what, s string) {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		t.Errorf("%s: empty", what)
		return
	}
	for _, bad := range []string{"%!", "<nil>", "  ", "..", "0001-01-01", "01.01.0001", "()", "''", "„“"} {
		if strings.Contains(s, bad) {
			t.Errorf("%s: contains %q: %s", what, bad, s)
		}
	}
	if m := strayPunct.FindString(s); m != "" {
		t.Errorf("%s: stray punctuation %q: %s", what, m, s)
	}
	if !strings.HasSuffix(s, ".") {
		t.Errorf("%s: not a sentence (no final full stop): %s", what, s)
	}
}

func checkGerman(t *testing.T, what, s string) {
	t.Helper()
	for _, tr := range transliterations {
		if strings.Contains(s, tr) {
			t.Errorf("%s: German written without umlauts (%q): %s", what, tr, s)
		}
	}
	if strings.Contains(s, " du ") || strings.Contains(s, " dein") || strings.Contains(s, " Du ") {
		t.Errorf("%s: informal address; use Sie: %s", what, s)
	}
}

// hostFor finds the fixture host of a reason in the every-reason report.
func hostFor(t *testing.T, rep *agent.Document, r probes.Reason) *agent.HostReport {
	t.Helper()
	for i := range rep.Hosts {
		if rep.Hosts[i].Reason == r {
			return &rep.Hosts[i]
		}
	}
	t.Fatalf("the every-reason fixture has no host with reason %s", r)
	return nil
}

// Every reason the probes can return has words in every language, with and
// without the facts behind it (a report read back from JSON, or a stage
// that recorded nothing).
func TestEveryReasonDescribed(t *testing.T) {
	t.Parallel()
	rep := everyReasonReport()
	for _, r := range probes.Reasons() {
		full := hostFor(t, rep, r)
		bare := &agent.HostReport{Host: api, Port: 443, Reason: r, OK: r.OK()}
		for _, h := range []*agent.HostReport{full, bare} {
			en, enHint := Describe(h, EN)
			de, deHint := Describe(h, DE)
			name := string(r)
			checkProse(t, name+" en message", en)
			checkProse(t, name+" de message", de)
			if r == probes.ReasonOK {
				if enHint != "" || deHint != "" {
					t.Errorf("ok has a hint: %q / %q", enHint, deHint)
				}
			} else {
				checkProse(t, name+" en hint", enHint)
				checkProse(t, name+" de hint", deHint)
				if enHint == deHint {
					t.Errorf("%s: German hint equals the English one: %s", r, deHint)
				}
			}
			if en == de {
				t.Errorf("%s: German message equals the English one: %s", r, de)
			}
			if h.Error != "" && (strings.Contains(en, h.Error) || strings.Contains(de, h.Error)) {
				t.Errorf("%s: the technical error is pasted into the message", r)
			}
			checkGerman(t, string(r), de+" "+deHint)
		}
	}
}

func TestEveryWarningDescribed(t *testing.T) {
	t.Parallel()
	for _, c := range warningCodes {
		full := agent.Warning{Code: c, Addresses: []string{"2001:db8::1"}, Days: 3, Phase: probes.StageDNS, TookMS: 4000, ThresholdMS: 3000}
		bare := agent.Warning{Code: c}
		for _, w := range []agent.Warning{full, bare} {
			en, de := DescribeWarning(w, EN), DescribeWarning(w, DE)
			checkProse(t, string(c)+" en", en)
			checkProse(t, string(c)+" de", de)
			if en == de {
				t.Errorf("%s: German equals English: %s", c, de)
			}
			checkGerman(t, string(c), de)
		}
	}
}

// The messages quote the facts a technician would otherwise dig out of
// the JSON; these are the ones worth pinning down.
func TestMessagesQuoteFacts(t *testing.T) {
	t.Parallel()
	rep := everyReasonReport()
	cases := []struct {
		reason    probes.Reason
		lang      Lang
		msg, hint []string
		notInMsg  []string
	}{
		{probes.TCPTimeout, EN, []string{"2001:db8:7::7 and 203.0.113.7", "TCP 443", "10.0 s", "firewall drops"}, []string{"*.passwordboss.com", "firewall admin"}, []string{":443"}},
		{probes.TCPTimeout, DE, []string{"2001:db8:7::7 und 203.0.113.7", "10,0 s"}, []string{"*.passwordboss.com", "Firewall-Administrator"}, nil},
		{probes.TLSIntercepted, EN, []string{"'FortiGate SSL Inspection CA' (Fortinet)", "SSL-inspection proxy"}, []string{"bypass list", "pin"}, nil},
		{probes.TLSIntercepted, DE, []string{"„FortiGate SSL Inspection CA“ (Fortinet)"}, []string{"Ausnahmeliste"}, nil},
		{probes.TLSExpired, EN, []string{"expired on 2026-01-02", "clock is wrong: it says 2026-11-25"}, []string{"w32tm"}, nil},
		{probes.TLSExpired, DE, []string{"am 02.01.2026 abgelaufen", "sie zeigt den 25.11.2026"}, []string{"Uhrzeit"}, nil},
		{probes.TLSNotYetValid, EN, []string{"valid only from 2027-01-10", "it says 2026-11-25"}, []string{"date, time and time zone"}, nil},
		{probes.DNSSinkhole, EN, []string{"10.0.0.1", "0.0.0.0 and ::", "Umbrella", "Pi-hole"}, []string{"*.passwordboss.com"}, nil},
		{probes.DNSNXDomain, EN, []string{"The DNS server 10.0.0.1 says", "does not exist (NXDOMAIN)"}, []string{"internal DNS zone for passwordboss.com"}, []string{"10.0.0.1:53"}},
		{probes.DNSTimeout, EN, []string{"asked 10.0.0.1 and 10.0.0.2", "waited 10.0 s"}, []string{"port 53"}, nil},
		{probes.DNSRefused, DE, []string{"192.168.178.1", "abgelehnt"}, []string{"Netzwerkadministrator"}, nil},
		{probes.TLSHostnameMismatch, EN, []string{"'*.cloudfront.net' and 'cloudfront.net'"}, []string{"SSL inspection"}, nil},
		{probes.TLSUntrusted, EN, []string{"'Sophos SSL CA_Q4HV3F2A'", "does not trust"}, []string{"Windows Update"}, nil},
		{probes.TLSTimeout, EN, []string{"Connected to 203.0.113.40", "within 10.0 s"}, []string{"IPS"}, nil},
		{probes.TLSReset, DE, []string{"getrennt"}, []string{"SNI"}, nil},
		{probes.ReasonOK, EN, []string{"TLS 1.3", "'Amazon RSA 2048 M02'", "2027-06-14"}, nil, nil},
		{probes.ClockSkew, EN, []string{"10 minutes ahead of", "(PC: 2026-11-25 09:40 UTC, server: 09:30 UTC)"}, []string{"w32tm /resync", "CMOS", "domain controller", "time zone"}, []string{"whole hours"}},
		{probes.ClockSkew, DE, []string{"10 Minuten vor", "(PC: 25.11.2026 09:40 UTC, Server: 09:30 UTC)"}, []string{"w32tm /resync", "Windows-Zeitgeber", "Domänencontroller"}, nil},
		{probes.HTTPBlocked, EN, []string{"'FortiGate' (HTTP 403)"}, []string{"*.passwordboss.com", "'FortiGate'", "firewall admin"}, []string{`"FortiGate"`}},
		{probes.HTTPBlocked, DE, []string{"„FortiGate“ (HTTP 403)"}, []string{"„FortiGate“", "Firewall-Administrator"}, nil},
		{probes.HTTPError, EN, []string{"Connected to 203.0.113.40", "after 31.5 ms", "IPS"}, []string{"Password Boss support", "IPS"}, nil},
		{probes.HTTPError, DE, []string{"nach 31,5 ms"}, []string{"Password-Boss-Support"}, nil},
		{probes.ReasonOK, DE, []string{"TLS 1.3", "„Amazon RSA 2048 M02“", "14.06.2027"}, nil, nil},
	}
	for _, c := range cases {
		h := hostFor(t, rep, c.reason)
		msg, hint := Describe(h, c.lang)
		for _, s := range c.msg {
			if !strings.Contains(msg, s) {
				t.Errorf("%s/%s message lacks %q: %s", c.reason, c.lang, s, msg)
			}
		}
		for _, s := range c.hint {
			if !strings.Contains(hint, s) {
				t.Errorf("%s/%s hint lacks %q: %s", c.reason, c.lang, s, hint)
			}
		}
		for _, s := range c.notInMsg {
			if strings.Contains(msg, s) {
				t.Errorf("%s/%s message contains %q: %s", c.reason, c.lang, s, msg)
			}
		}
	}
}

// ok's message names the issuer of the leaf, not the subject; a quick check
// that the view and not a guess is used.
func TestOKMessageNamesIssuer(t *testing.T) {
	t.Parallel()
	rep := mixedReport()
	msg, _ := Describe(&rep.Hosts[0], EN)
	if want := "Reachable over TLS 1.3; certificate issued by 'Amazon RSA 2048 M02', valid until 2027-06-14."; msg != want {
		t.Errorf("got  %s\nwant %s", msg, want)
	}
}

// /status readers get reports without the raw result; the words must still
// carry the facts the JSON has.
func TestDescribeFromJSON(t *testing.T) {
	t.Parallel()
	rep := everyReasonReport()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back agent.Document
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	back = *Localized(&back, EN)
	for _, h := range back.Hosts {
		checkProse(t, string(h.Reason)+" from JSON", h.Message)
	}
	exp := hostFor(t, &back, probes.TLSExpired)
	for _, s := range []string{"expired on 2026-01-02", "it says 2026-11-25"} {
		if !strings.Contains(exp.Message, s) {
			t.Errorf("tls_expired from JSON lacks %q: %s", s, exp.Message)
		}
	}
	if h := hostFor(t, &back, probes.TCPTimeout); !strings.Contains(h.Message, "203.0.113.7") {
		t.Errorf("tcp_timeout from JSON lost the address: %s", h.Message)
	}
	if h := hostFor(t, &back, probes.ClockSkew); !strings.Contains(h.Message, "10 minutes ahead of the service's (PC: 2026-11-25 09:40 UTC, server: 09:30 UTC)") {
		t.Errorf("clock_skew from JSON lost the clocks: %s", h.Message)
	}
	if h := hostFor(t, &back, probes.HTTPBlocked); !strings.Contains(h.Message, "'FortiGate' (HTTP 403)") {
		t.Errorf("http_blocked from JSON lost what answered: %s", h.Message)
	}
}

// A clock far enough off makes the certificate look out of date; the
// message then says which, and whole hours point to the time zone.
func TestClockSkewVariants(t *testing.T) {
	t.Parallel()
	skewed := func(skew time.Duration, trusted bool) *agent.HostReport {
		r := reasonResult(api, probes.ClockSkew)
		r.Start = checkedAt.Add(skew)
		r.HTTP.Date, r.HTTP.ClockSkew = checkedAt, skew
		r.TLS.SystemTrusted, r.TLS.PublicTrusted = trusted, nil
		if trusted {
			r.TLS.PublicTrusted = boolp(true)
		}
		rep := evaluate([]string{api}, []*probes.Result{r}, time.Second)
		return &rep.Hosts[0]
	}
	years := -3 * 365 * 24 * time.Hour
	for _, c := range []struct {
		name      string
		h         *agent.HostReport
		lang      Lang
		msg, hint []string
		notInHint []string
	}{
		{"years behind", skewed(years, false), EN,
			[]string{"about 3 years behind the service's (PC: 2023-11-26 09:40 UTC, server: 2026-11-25 09:40 UTC)",
				"makes the certificate for api.passwordboss.com look not yet valid (valid from 2026-05-14)"},
			[]string{"CMOS battery"}, []string{"whole hours"}},
		{"years behind", skewed(years, false), DE,
			[]string{"etwa 3 Jahre nach", "noch nicht gültig erscheint (gültig ab 14.05.2026)"}, nil, nil},
		{"ahead past the end", skewed(400*24*time.Hour, false), EN,
			[]string{"about 1 year ahead of", "look expired (valid until 2027-06-14)"}, nil, nil},
		{"a wrong time zone", skewed(2*time.Hour+20*time.Second, true), EN,
			[]string{"2 hours ahead of", "(PC: 2026-11-25 11:40 UTC, server: 09:40 UTC)", "apps that check times"},
			[]string{"whole hours", "tzutil /g", "w32tm /resync"}, nil},
		{"a wrong time zone", skewed(-2*time.Hour, true), DE,
			[]string{"2 Stunden nach"}, []string{"ganze Stunden", "Zeitzone"}, nil},
		{"no facts", &agent.HostReport{Host: api, Port: 443, Reason: probes.ClockSkew}, EN,
			[]string{"more than 5 minutes off"}, nil, nil},
	} {
		msg, hint := Describe(c.h, c.lang)
		checkProse(t, c.name+" message", msg)
		checkProse(t, c.name+" hint", hint)
		for _, s := range c.msg {
			if !strings.Contains(msg, s) {
				t.Errorf("%s/%s message lacks %q: %s", c.name, c.lang, s, msg)
			}
		}
		for _, s := range c.hint {
			if !strings.Contains(hint, s) {
				t.Errorf("%s/%s hint lacks %q: %s", c.name, c.lang, s, hint)
			}
		}
		for _, s := range c.notInHint {
			if strings.Contains(hint, s) {
				t.Errorf("%s/%s hint contains %q: %s", c.name, c.lang, s, hint)
			}
		}
	}
}

// Every block kind is worded in both languages, and so is a kind this
// version does not know (quoted as the probe described it); the German
// never shows the probe's English except as a quoted name.
func TestHTTPBlockedVariants(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		view   agent.HTTPView
		en, de string
		hint   string // in the English hint
	}{
		{agent.HTTPView{Status: 302, Location: "https://login.hotel.example/portal?mac=1", BlockedBy: "a redirect to login.hotel.example (HTTP 302)", BlockKind: probes.BlockRedirect, BlockName: "login.hotel.example"},
			"a redirect to login.hotel.example (HTTP 302)", "eine Weiterleitung zu login.hotel.example (HTTP 302)", "if login.hotel.example shows a sign-in page"},
		{agent.HTTPView{Status: 511, BlockedBy: "a network login (HTTP 511)", BlockKind: probes.BlockNetworkLogin},
			"a network login (HTTP 511)", "eine Netzwerk-Anmeldung (HTTP 511)", "portal"},
		{agent.HTTPView{Status: 407, Server: "squid/5.7", BlockedBy: "a proxy that wants a login (HTTP 407)", BlockKind: probes.BlockProxyLogin},
			"a proxy that wants a login (HTTP 407)", "ein Proxy, der eine Anmeldung verlangt (HTTP 407)", "proxy admin"},
		{agent.HTTPView{Status: 403, Server: "Sophos", BlockedBy: `"Sophos" (HTTP 403)`, BlockKind: probes.BlockFilterServer, BlockName: "Sophos"},
			"'Sophos' (HTTP 403)", "„Sophos“ (HTTP 403)", "answered as 'Sophos'"},
		{agent.HTTPView{Status: 403, Server: "nginx", BlockedBy: "a zscaler block page (HTTP 403)", BlockKind: probes.BlockVendorPage, BlockName: "zscaler"},
			"a block page naming 'zscaler' (HTTP 403)", "eine Sperrseite, die „zscaler“ nennt (HTTP 403)", "web filter of 'zscaler'"},
		{agent.HTTPView{Status: 451, BlockedBy: "a block page (HTTP 451)", BlockKind: probes.BlockPage},
			"a block page (HTTP 451)", "eine Sperrseite (HTTP 451)", "Open https://api.passwordboss.com in a browser"},
		{agent.HTTPView{Status: 200, BlockedBy: "a login page (HTTP 200)"},
			"a login page (HTTP 200)", "„a login page (HTTP 200)“", "Open https://api.passwordboss.com in a browser"},
		{agent.HTTPView{},
			"Something in the path answered", "Etwas im Pfad", "Open https://api.passwordboss.com in a browser"},
	} {
		h := &agent.HostReport{Host: api, Port: 443, Reason: probes.HTTPBlocked, HTTP: &c.view}
		en, enHint := Describe(h, EN)
		de, deHint := Describe(h, DE)
		for _, s := range []string{en, enHint, de, deHint} {
			checkProse(t, c.view.BlockedBy, s)
		}
		checkGerman(t, c.view.BlockedBy, de+" "+deHint)
		if !strings.Contains(en, c.en) {
			t.Errorf("en message lacks %q: %s", c.en, en)
		}
		if !strings.Contains(de, c.de) {
			t.Errorf("de message lacks %q: %s", c.de, de)
		}
		if !strings.Contains(enHint, c.hint) {
			t.Errorf("en hint lacks %q: %s", c.hint, enHint)
		}
	}
}

func TestSpan(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	for _, c := range []struct {
		d      time.Duration
		en, de string
	}{
		{time.Minute, "1 minute", "1 Minute"},
		{-5*time.Minute - 20*time.Second, "5 minutes", "5 Minuten"},
		{time.Hour, "1 hour", "1 Stunde"},
		{90 * time.Minute, "1 hour 30 minutes", "1 Stunde 30 Minuten"},
		{47 * time.Hour, "47 hours", "47 Stunden"},
		{3 * day, "3 days", "3 Tage"},
		{364 * day, "364 days", "364 Tage"},
		{-400 * day, "about 1 year", "etwa 1 Jahr"},
		{9862 * day, "about 27 years", "etwa 27 Jahre"},
	} {
		if got := (printer{EN}).span(c.d.Seconds()); got != c.en {
			t.Errorf("%v en: %q, want %q", c.d, got, c.en)
		}
		if got := (printer{DE}).span(c.d.Seconds()); got != c.de {
			t.Errorf("%v de: %q, want %q", c.d, got, c.de)
		}
	}
}

func TestExpiredIntermediateNamed(t *testing.T) {
	t.Parallel()
	r := reasonResult(api, probes.TLSExpired)
	r.TLS.Chain = publicChain(day(2027, 6, 14))
	r.TLS.Chain[1].NotAfter = day(2026, 3, 1)
	rep := evaluate([]string{api}, []*probes.Result{r}, time.Second)
	msg, _ := Describe(&rep.Hosts[0], EN)
	if want := "The certificate 'Amazon RSA 2048 M02' in the chain for api.passwordboss.com expired on 2026-03-01 (or the PC's clock is wrong: it says 2026-11-25)."; msg != want {
		t.Errorf("got  %s\nwant %s", msg, want)
	}
	r.TLS.Chain[1].NotAfter = day(2030, 3, 1)
	rep = evaluate([]string{api}, []*probes.Result{r}, time.Second)
	if msg, _ := Describe(&rep.Hosts[0], DE); !strings.HasPrefix(msg, "Ein Stammzertifikat") {
		t.Errorf("an expired root outside the chain: %s", msg)
	}
}

func TestDNSErrorVariants(t *testing.T) {
	t.Parallel()
	base := agent.HostReport{Host: api, Port: 443, Reason: probes.DNSError}
	noServer := base
	noServer.DNS = &agent.DNSView{}
	rcode := base
	rcode.DNS = &agent.DNSView{Resolver: "10.0.0.1:53", Rcode: "NOTIMP"}
	silent := base
	silent.DNS = &agent.DNSView{Resolver: "[fd00::53]:5353"}
	for _, c := range []struct {
		h    agent.HostReport
		want string
	}{
		{noServer, "No DNS server is configured"},
		{rcode, "unexpected code NOTIMP"},
		{silent, "The DNS server [fd00::53]:5353 could not be asked"},
	} {
		msg, hint := Describe(&c.h, EN)
		if !strings.Contains(msg, c.want) {
			t.Errorf("got %q, want it to contain %q", msg, c.want)
		}
		checkProse(t, "dns_error hint", hint)
	}
}

func TestCertExpiringDays(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		days   int
		en, de string
	}{
		{0, "expires within a day", "innerhalb eines Tages"},
		{1, "expires in 1 day ", "in 1 Tag "},
		{13, "expires in 13 days", "in 13 Tagen"},
	} {
		w := agent.Warning{Code: agent.WarnCertExpiring, Days: c.days}
		if got := DescribeWarning(w, EN); !strings.Contains(got, c.en) {
			t.Errorf("%d days, en: %s", c.days, got)
		}
		if got := DescribeWarning(w, DE); !strings.Contains(got, c.de) {
			t.Errorf("%d days, de: %s", c.days, got)
		}
	}
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ host, wild, domain string }{
		{"api.passwordboss.com", "*.passwordboss.com", "passwordboss.com"},
		{"app-updates2.passwordboss.com.", "*.passwordboss.com", "passwordboss.com"},
		{"passwordboss.com", "passwordboss.com", "passwordboss.com"},
		{"203.0.113.7", "203.0.113.7", "203.0.113.7"},
		{"2001:db8::1", "2001:db8::1", "2001:db8::1"},
	} {
		if w, d := wildcard(c.host); w != c.wild || d != c.domain {
			t.Errorf("wildcard(%q) = %q, %q; want %q, %q", c.host, w, d, c.wild, c.domain)
		}
	}
}

func TestLocalizeFillsEverything(t *testing.T) {
	t.Parallel()
	rep := mixedReport()
	rep = Localized(rep, DE)
	for _, h := range rep.Hosts {
		if h.Message == "" || (!h.OK && h.Hint == "") {
			t.Errorf("%s: message %q, hint %q", h.Host, h.Message, h.Hint)
		}
		for _, w := range h.Warnings {
			if w.Message == "" {
				t.Errorf("%s: warning %s without message", h.Host, w.Code)
			}
		}
	}
}

func TestUnknownReasonStillWorded(t *testing.T) {
	t.Parallel()
	h := &agent.HostReport{Host: api, Port: 443, Reason: "captive_portal"}
	for _, l := range []Lang{EN, DE} {
		msg, hint := Describe(h, l)
		if !strings.Contains(msg, "captive_portal") || hint == "" {
			t.Errorf("%s: %q / %q", l, msg, hint)
		}
	}
}

// Every machine check, in every level it can take, has its own words in
// both languages, and the facts in them stay as found.
func TestDescribeCheck(t *testing.T) {
	t.Parallel()
	checks := []machine.Check{
		machine.DotNetCheck(533320, true),
		machine.DotNetCheck(394802, true),
		machine.DotNetCheck(0, false),
		machine.Unreadable(machine.CodeDotNetFramework, errors.New("Access is denied.")),
		machine.ElevatedCheck(true, true),
		machine.ElevatedCheck(false, true),
		machine.ElevatedCheck(true, false),
		machine.ElevatedCheck(false, false),
		{Code: machine.CodeOSVersion, Level: machine.LevelInfo, Value: "Windows 11 Pro 23H2 (10.0.22631)"},
	}
	seen := map[string]machine.Check{}
	for _, c := range checks {
		en, de := DescribeCheck(c, EN), DescribeCheck(c, DE)
		what := fmt.Sprintf("%s/%s/%q", c.Code, c.Level, c.Value)
		for _, s := range []string{en, de} {
			if strings.TrimSpace(s) == "" || strings.Contains(s, "  ") || strings.Contains(s, "()") {
				t.Errorf("%s: %q", what, s)
			}
			// "yes" and "no" are worded; versions and errors are quoted.
			if c.Code != machine.CodeElevated && !strings.Contains(s, c.Value) {
				t.Errorf("%s: the value is missing from %q", what, s)
			}
			if prev, dup := seen[s]; dup && prev != c {
				t.Errorf("%s and %+v are worded alike: %q", what, prev, s)
			}
			seen[s] = c
		}
		checkGerman(t, what, de)
		if c.Code != machine.CodeOSVersion && c.Level != machine.LevelOK && en == de {
			t.Errorf("%s: German is the English %q", what, en)
		}
	}
	if got := DescribeCheck(machine.Check{Code: "tpm", Level: machine.LevelInfo, Value: "2.0"}, DE); got != "tpm: 2.0" {
		t.Errorf("unknown code: %q", got)
	}
}

// The verb agrees with the addresses: one refused, or several.
func TestFailedAddressesAgree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reason    probes.Reason
		outcome   probes.TCPOutcome
		one, many string
	}{
		{probes.TCPRefused, probes.TCPOutRefused, "203.0.113.1 hat die Verbindung", "2001:db8::1 und 203.0.113.1 haben die Verbindung"},
		{probes.TCPUnreachable, probes.TCPOutUnreach, "203.0.113.1 ist auf TCP 443", "2001:db8::1 und 203.0.113.1 sind auf TCP 443"},
	} {
		for _, addrs := range [][]string{{"203.0.113.1:443"}, {"[2001:db8::1]:443", "203.0.113.1:443"}} {
			h := &agent.HostReport{Host: api, Port: 443, Reason: tc.reason, TCP: &agent.TCPView{}}
			for _, a := range addrs {
				h.TCP.Attempts = append(h.TCP.Attempts, agent.AttemptView{Address: a, Outcome: string(tc.outcome)})
			}
			msg, _ := Describe(h, DE)
			want := tc.one
			if len(addrs) > 1 {
				want = tc.many
			}
			if !strings.Contains(msg, want) {
				t.Errorf("%s with %d addresses: %q lacks %q", tc.reason, len(addrs), msg, want)
			}
		}
	}
}
