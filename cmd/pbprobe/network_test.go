package main

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// networkDoc is the machine-level part of `check --format json`.
type networkDoc struct {
	Ready   bool `json:"ready"`
	Network struct {
		Status  string `json:"status"`
		Message string `json:"message"`
		Control struct {
			Reason string `json:"reason"`
			Host   string `json:"host"`
		} `json:"control"`
	} `json:"network"`
	Hosts []struct {
		Host   string `json:"host"`
		Reason string `json:"reason"`
		Hint   string `json:"hint"`
	} `json:"hosts"`
}

func decodeNetwork(t *testing.T, s string) networkDoc {
	t.Helper()
	var d networkDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	return d
}

// blame are the words that send a technician to a filter or a firewall
// admin, in both languages.
var blame = []string{"DNS filter", "DNS server", "firewall", "DNS-Filter", "DNS-Server", "Firewall"}

// flat joins wrapped lines, so that a phrase is found across a break.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestCheckNoInternet: a resolver that says NXDOMAIN for every name, the
// control's included, is a PC without internet: said once, leading, and
// no host blames a DNS filter.
func TestCheckNoInternet(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.control = "http://control.pb.test/check" // not in the world: NXDOMAIN
	var targets []probes.Target
	for _, name := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		targets = append(targets, w.Add(name+".pb.test", probetest.NXDomain))
	}
	cfg := w.config(t, 2*time.Second, targets...)
	res := runCmd(t, "check", "--format", "json", "--lang", "en", "--config.file", cfg)
	if res.code != exitNotReady {
		t.Errorf("exit code %d, want %d", res.code, exitNotReady)
	}
	d := decodeNetwork(t, res.stdout)
	if d.Network.Status != "no_internet" || d.Network.Control.Reason != "dns_nxdomain" {
		t.Fatalf("network %+v, want no_internet with the control's dns_nxdomain", d.Network)
	}
	for _, h := range d.Hosts {
		if h.Reason != "dns_nxdomain" || h.Hint != "" {
			t.Errorf("%s: reason %s hint %q; the reason stays, the advice goes", h.Host, h.Reason, h.Hint)
		}
	}
	for lang, lead := range map[string]string{
		"en": "This PC has no internet connection: neither Password Boss nor control.pb.test can be reached.",
		"de": "Dieser PC hat keine Internetverbindung: Weder Password Boss noch control.pb.test sind erreichbar.",
	} {
		text := flat(runCmd(t, "check", "--lang", lang, "--config.file", cfg).stdout)
		if strings.Count(text, lead) != 1 || strings.Index(text, lead) > strings.Index(text, "api.pb.test") {
			t.Errorf("%s: want %q once, before the hosts:\n%s", lang, lead, text)
		}
		for _, b := range blame {
			if strings.Contains(text, b) {
				t.Errorf("%s: the text blames %q:\n%s", lang, b, text)
			}
		}
	}
}

// TestCheckCaptiveControl: the control answered by a 302 to a login page.
func TestCheckCaptiveControl(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.control = probetest.Portal(t)
	cfg := w.config(t, 2*time.Second, w.Add("api.pb.test", probetest.OK))
	d := decodeNetwork(t, runCmd(t, "check", "--format", "json", "--config.file", cfg).stdout)
	if d.Network.Status != "captive_portal" {
		t.Errorf("network %+v, want captive_portal", d.Network)
	}
}

// TestCheckControlOff: control_url: off leaves the verdict to the hosts.
func TestCheckControlOff(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.control = "off"
	cfg := w.config(t, 2*time.Second, w.Add("api.pb.test", probetest.OK))
	res := runCmd(t, "check", "--format", "json", "--config.file", cfg)
	d := decodeNetwork(t, res.stdout)
	if d.Network.Status != "not_checked" || !d.Ready || strings.Contains(res.stdout, `"control"`) {
		t.Errorf("network %+v ready %v, want not_checked and no control facts", d.Network, d.Ready)
	}
}

// TestCheckHostsBlockedInternetUp: the hosts are dropped by an nft rule
// while the control site answers: the PC is online, each host is
// tcp_timeout, and the words say it is these hosts that are blocked.
// Not parallel: Blackhole's namespace is one per test process.
func TestCheckHostsBlockedInternetUp(t *testing.T) {
	v4, _ := probetest.Blackhole(t)
	w := newTestWorld(t)
	var targets []probes.Target
	for _, name := range []string{"api", "portal"} {
		host := name + ".pb.test"
		w.DNS.Set(host, probetest.Answer{A: []netip.Addr{v4}})
		targets = append(targets, probes.Target{Host: host, Port: 443, AllowPrivate: true})
	}
	cfg := w.config(t, 1500*time.Millisecond, targets...)
	d := decodeNetwork(t, runCmd(t, "check", "--format", "json", "--config.file", cfg).stdout)
	if d.Network.Status != "ok" {
		t.Errorf("network %+v, want ok", d.Network)
	}
	for _, h := range d.Hosts {
		if h.Reason != "tcp_timeout" {
			t.Errorf("%s: reason %s, want tcp_timeout", h.Host, h.Reason)
		}
	}
	text := flat(runCmd(t, "check", "--lang", "en", "--config.file", cfg).stdout)
	if !strings.Contains(text, "This PC has internet: 127.0.0.1 answers as expected. So it is only the failing hosts below that are blocked") {
		t.Errorf("the words do not say these hosts are blocked:\n%s", text)
	}
}

// TestCheckProxyOnlyNetwork: direct TCP to the hosts is dropped, the
// proxy (HTTPS_PROXY) gets through: ready, exit 0, done in about the
// family grace rather than the 10 s timeout, and the text names the
// proxy. Not parallel: Blackhole's namespace is one per test process.
func TestCheckProxyOnlyNetwork(t *testing.T) {
	v4, _ := probetest.Blackhole(t)
	w := newTestWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	w.DNS.Set("api.pb.test", probetest.Answer{A: []netip.Addr{v4}})
	target.AllowPrivate = true
	px := probetest.StartProxy(t, nil)
	env := map[string]string{"HTTPS_PROXY": "http://127.0.0.1:" + px.Port()}
	// The control site is dropped too, as on a network where only the
	// proxy gets out: it must not hold the check either.
	w.control = "http://" + v4.String() + "/check"
	cfg := w.config(t, 10*time.Second, target)

	res := runCmdEnv(t, false, env, "check", "--lang", "en", "--config.file", cfg)
	if res.code != exitReady {
		t.Errorf("exit code %d, want %d\n%s%s", res.code, exitReady, res.stdout, res.stderr)
	}
	if res.took > 2*time.Second {
		t.Errorf("took %s with a 10 s timeout: the check waited on the dropped direct path", res.took)
	}
	want := "via proxy 127.0.0.1:" + px.Port() + " (HTTPS_PROXY) · direct: no answer within 1.0 s"
	if !strings.Contains(res.stdout, want) {
		t.Errorf("no %q in:\n%s", want, res.stdout)
	}
	if d := decodeNetwork(t, runCmdEnv(t, false, env, "check", "--format", "json", "--config.file", cfg).stdout); d.Network.Status != "ok" {
		t.Errorf("network %+v, want ok: a host was reached", d.Network)
	}
	t.Logf("proxy-only check took %s", res.took.Round(10*time.Millisecond))
}
