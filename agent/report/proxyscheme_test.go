package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/report"
	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

const (
	proxyUser   = "tech"
	proxySecret = "s3cret-pw"
)

// proxyPass runs one pass over target with HTTPS_PROXY set to proxy, as
// `check` and the agent wire it, and renders it every way a person, a
// script or a log sees it: JSON and text in both languages, and the log
// lines of the run.
func proxyPass(t *testing.T, w *probetest.World, target probes.Target, proxy string) (*agent.Document, string) {
	t.Helper()
	opts := w.Options()
	env := map[string]string{"HTTPS_PROXY": proxy}
	opts.Proxies = func(host string, port int) []probes.ProxySetting {
		return probes.SystemProxies(host, port, func(k string) string { return env[k] })
	}
	cfg := config.Default()
	cfg.Network = config.Network{} // the control probe is not what these tests are about
	cfg.Hosts = []config.Host{{Host: target.Host, Port: target.Port, Required: true, AllowPrivate: target.AllowPrivate}}
	doc, err := agent.Pass(context.Background(), probes.New(opts), cfg, agent.PassOptions{Version: "test", Machine: "PC-1"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, lang := range []report.Lang{report.EN, report.DE} {
		if err := report.WriteJSON(&out, report.Localized(doc, lang)); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteText(&out, doc, report.TextOptions{Zone: time.UTC, Lang: lang}); err != nil {
			t.Fatal(err)
		}
	}
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&out), zap.DebugLevel)
	agent.LogRuns(zap.New(core))(agent.RunEvent{Prev: &agent.Document{}, Cur: doc})
	return doc, out.String()
}

func noCredentials(t *testing.T, out string) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(proxyUser + ":" + proxySecret))
	if strings.Contains(out, proxySecret) || strings.Contains(out, basic) {
		t.Errorf("the output carries the proxy credentials:\n%s", out)
	}
}

// Through an https:// proxy with a login, the host is reached and the
// login appears in no JSON, text or log line.
func TestHTTPSProxyCredentialsInNoOutput(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	cert, err := w.Public.Issue(probetest.LeafOptions{DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	px := probetest.StartProxy(t, &cert)
	doc, out := proxyPass(t, w, target, "https://"+proxyUser+":"+proxySecret+"@localhost:"+px.Port())
	h := doc.Hosts[0]
	if !h.OK || h.Proxy == nil || h.Proxy.Scheme != "https" || !doc.Ready {
		t.Fatalf("host %+v proxy %+v", h, h.Proxy)
	}
	if _, _, auth, _ := px.Seen(); len(auth) != 1 || auth[0] == "" {
		t.Errorf("the login did not reach the proxy inside TLS: %q", auth)
	}
	if !strings.Contains(out, `"scheme": "https"`) || !strings.Contains(out, "***@localhost") {
		t.Errorf("the output does not show the masked https proxy:\n%s", out)
	}
	noCredentials(t, out)
}

// A socks5:// setting with a login is reported as proxy_unsupported in
// words, and the login shows nowhere.
func TestUnsupportedProxyInOutput(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	doc, out := proxyPass(t, w, target, "socks5://"+proxyUser+":"+proxySecret+"@127.0.0.1:1080")
	h := doc.Hosts[0]
	if h.Reason != probes.ProxyUnsupported || h.OK || doc.Ready || h.Direct == nil || !h.Direct.OK {
		t.Fatalf("host %+v direct %+v", h, h.Direct)
	}
	for _, want := range []string{"a socks5 proxy, which pbprobe cannot check through", "einen socks5-Proxy", `"reason": "proxy_unsupported"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	noCredentials(t, out)
}

// A malformed setting is a machine-level finding; the host is probed
// directly and its verdict stands.
func TestMalformedProxySettingShown(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	doc, out := proxyPass(t, w, target, "http://"+proxyUser+":"+proxySecret+"@[::1")
	h := doc.Hosts[0]
	if !h.OK || h.Proxy != nil || !doc.Ready {
		t.Fatalf("host %+v proxy %+v, want ok and probed directly", h, h.Proxy)
	}
	if len(doc.ProxySettings) != 1 || doc.ProxySettings[0].Error == "" || doc.ProxySettings[0].Source != "env" {
		t.Fatalf("proxy settings %+v, want the env setting with its error", doc.ProxySettings)
	}
	for _, want := range []string{"WARN A proxy setting in the HTTPS_PROXY",
		`"proxy_settings": [`, "HTTPS_PROXY=http://***@[::1", "ist nicht verwendbar"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	noCredentials(t, out)
}
