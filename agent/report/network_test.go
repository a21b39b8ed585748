package report

import (
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// controlView is the control probe as the agent reports it.
func controlView(reason probes.Reason, err string) *agent.ControlView {
	return &agent.ControlView{URL: "http://www.msftconnecttest.com/connecttest.txt", Host: "www.msftconnecttest.com",
		Reason: reason, MS: 14.2, Error: err}
}

// networkOKReport: the control answers, the hosts of the mixed report
// still fail: these hosts are blocked, not the connection.
func networkOKReport() *agent.Document {
	rep := mixedReport()
	c := controlView(probes.ReasonOK, "")
	c.Status = 200
	rep.Network = &agent.NetworkView{Status: agent.NetworkOK, Control: c}
	return rep
}

// controlOffReport: the control probe is off; the hosts speak for
// themselves, in their own words.
func controlOffReport() *agent.Document {
	rep := mixedReport()
	rep.Network = &agent.NetworkView{Status: agent.NetworkNotChecked}
	return rep
}

// noInternetReport: a resolver that says NXDOMAIN for every name, the
// control's included.
func noInternetReport() *agent.Document {
	var results []*probes.Result
	names := []string{api, updates, updates2, portal, app}
	for _, n := range names {
		results = append(results, fail(resolved(n, 8.0, "NXDOMAIN"), probes.DNSNXDomain, "dns "+n+" via 10.0.0.1:53: NXDOMAIN: the name does not exist"))
	}
	rep := evaluate(names, results, msD(52.0))
	rep.Network = &agent.NetworkView{Status: agent.NetworkNoInternet,
		Route:   &agent.RouteView{Interface: "wlan0", Type: agent.RouteWiFi, Gateway: "192.168.1.1"},
		Control: controlView(probes.DNSNXDomain, "control http://www.msftconnecttest.com/connecttest.txt: dns www.msftconnecttest.com via 10.0.0.1:53: NXDOMAIN: the name does not exist")}
	return rep
}

// noNetworkReport: no route at all; the resolver cannot even be asked.
func noNetworkReport() *agent.Document {
	var results []*probes.Result
	names := []string{api, updates, updates2, portal, app}
	for _, n := range names {
		r := resolved(n, 0.1, "")
		results = append(results, fail(r, probes.DNSError, "dns "+n+" via 10.0.0.1:53: write udp 10.0.0.1:53: connect: network is unreachable"))
	}
	rep := evaluate(names, results, msD(1.2))
	rep.Network = &agent.NetworkView{Status: agent.NetworkNone,
		Control: controlView(probes.DNSError, "control http://www.msftconnecttest.com/connecttest.txt: dns www.msftconnecttest.com via 10.0.0.1:53: connect: network is unreachable")}
	return rep
}

// captiveReport: the control is redirected to a login page.
func captiveReport() *agent.Document {
	rep := noInternetReport()
	c := controlView(probes.ReasonOK, "")
	c.Status, c.Captive, c.Location = 302, probes.CaptiveRedirect, "http://login.hotel.example/"
	rep.Network = &agent.NetworkView{Status: agent.NetworkCaptive, Control: c}
	rep.CaptivePortal = &agent.CaptiveView{URL: c.URL, Detected: true, Kind: probes.CaptiveRedirect, Status: 302,
		Location: c.Location, Why: "redirected to http://login.hotel.example/ (HTTP 302)", MS: 14.2}
	return rep
}

// networkVariations are the network findings every catalog must word.
func networkVariations() []*agent.Document {
	off := noNetworkReport()
	off.Network.Control = nil
	var routed []*agent.Document
	for _, r := range []agent.RouteView{{Interface: "eth0", Type: agent.RouteEthernet, Gateway: "10.0.0.1"},
		{Interface: "tun0", Type: agent.RouteVPN}, {Interface: "bond0", Type: agent.RouteOther, Gateway: "10.0.0.1"}} {
		doc := noNetworkReport()
		doc.Network.Route = &r
		routed = append(routed, doc)
	}
	return append([]*agent.Document{networkOKReport(), noInternetReport(), noNetworkReport(), off, captiveReport()}, routed...)
}

// TestNetworkWords: when the PC is offline the words lead with that once
// and no host sends the technician to a DNS filter, a DNS server or a
// firewall; when it is online the words say the hosts are blocked.
func TestNetworkWords(t *testing.T) {
	t.Parallel()
	blame := []string{"DNS filter", "DNS server", "firewall", "DNS-Filter", "DNS-Server", "Firewall"}
	tests := []struct {
		name    string
		doc     func() *agent.Document
		lead    string // in EN
		offline bool
	}{
		{"no_internet", noInternetReport, "This PC has no internet connection: neither Password Boss nor www.msftconnecttest.com can be reached.", true},
		{"no_network", noNetworkReport, "This PC has no network connection", true},
		{"ok", networkOKReport, "So it is only the failing hosts below that are blocked", false},
	}
	for _, tc := range tests {
		for _, lang := range []Lang{EN, DE} {
			var b strings.Builder
			if err := WriteText(&b, tc.doc(), TextOptions{Zone: time.UTC, Lang: lang}); err != nil {
				t.Fatal(err)
			}
			out := strings.Join(strings.Fields(b.String()), " ")
			if m := strings.Index(out, catalogFor(lang).text("text.machine", nil)); m < 0 || m > strings.Index(out, api+":443") {
				t.Errorf("%s %s: no machine section before the hosts:\n%s", tc.name, lang, out)
			}
			if lang == EN && strings.Count(out, tc.lead) != 1 {
				t.Errorf("%s: want %q once:\n%s", tc.name, tc.lead, out)
			}
			if !tc.offline {
				continue
			}
			// The hint of the finding may say that no filter is involved;
			// the hosts' lines say nothing about one.
			hosts := out[strings.Index(out, api+":443"):]
			for _, w := range blame {
				if strings.Contains(hosts, w) {
					t.Errorf("%s %s: the hosts blame %q:\n%s", tc.name, lang, w, out)
				}
			}
			for _, h := range Localized(tc.doc(), lang).Hosts {
				if h.Hint != "" || h.Reason == probes.ReasonOK {
					t.Errorf("%s %s: host %s has hint %q", tc.name, lang, h.Host, h.Hint)
				}
			}
		}
	}
}

// proxyOnlyReport: only the proxy gets through; the direct paths were
// cut short, blocked, or work too, through proxies from every source.
func proxyOnlyReport() *agent.Document {
	rep := networkOKReport()
	sources := []string{"winhttp", "env", "wininet", "scutil", "pac"}
	for i := range rep.Hosts {
		h := &rep.Hosts[i]
		h.Proxy = &agent.ProxyView{Source: sources[i%len(sources)], Address: "10.0.0.5:3128", MS: 12.5, Status: 200}
		switch i % 3 {
		case 0:
			h.Direct = &agent.DirectView{Reason: probes.TCPTimeout, CutShortMS: 1000}
		case 1:
			h.Direct = &agent.DirectView{Reason: probes.DNSNXDomain}
		default:
			h.Direct = &agent.DirectView{OK: true, Reason: probes.ReasonOK}
		}
	}
	return rep
}

// TestProxyLine: a host that went through a proxy names it, its source
// and the direct path's fate.
func TestProxyLine(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := WriteText(&b, proxyOnlyReport(), TextOptions{Zone: time.UTC, Lang: EN}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"via proxy 10.0.0.5:3128 (WinHTTP) · direct: no answer within 1.0 s",
		"via proxy 10.0.0.5:3128 (HTTPS_PROXY) · direct: blocked (dns_nxdomain)",
		"via proxy 10.0.0.5:3128 (the user's setting) · direct: works too",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}

// TestOfflineLeadsWithTheNetwork: an offline PC's report leads with the
// network finding, and its hosts' cause blames no filter and gives no
// hint of its own: the finding explains them all.
func TestOfflineLeadsWithTheNetwork(t *testing.T) {
	t.Parallel()
	doc := noInternetReport()
	var b strings.Builder
	if err := WriteText(&b, doc, TextOptions{Zone: time.UTC, Lang: EN, OS: "linux"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	finding := strings.Index(out, "Machine:\n  FAIL This PC has no internet")
	if finding < 0 || finding > strings.Index(out, api) {
		t.Fatalf("the network finding does not lead:\n%s", out)
	}
	if strings.Contains(out, "DNS filter") || strings.Count(out, "Not reached: this PC is offline") != 1 || strings.Count(out, hintMark) != 1 {
		t.Errorf("the hosts' words do not point at the finding once, with only its hint:\n%s", out)
	}
}
