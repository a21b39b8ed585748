package probes_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// proxyEnv probes target with HTTPS_PROXY set to proxy, found through
// SystemProxies as the CLI and the agent wire it.
func proxyEnv(w *probetest.World, proxy string) probes.Options {
	opts := w.Options()
	env := map[string]string{"HTTPS_PROXY": proxy}
	opts.Proxies = func(host string, port int) []probes.ProxySetting {
		return probes.SystemProxies(host, port, func(k string) string { return env[k] })
	}
	return opts
}

const (
	proxyUser = "tech"
	proxyPass = "s3cret-pw"
)

// noCredentials fails the test when the password or its Basic encoding is
// anywhere in s.
func noCredentials(t *testing.T, what, s string) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(proxyUser + ":" + proxyPass))
	if strings.Contains(s, proxyPass) || strings.Contains(s, basic) {
		t.Errorf("%s carries the proxy credentials: %s", what, s)
	}
}

// resultText is every string of a result a report or log could show.
func resultText(r *probes.Result) string {
	var b strings.Builder
	for x := r; x != nil; x = x.Direct {
		if x.Err != nil {
			b.WriteString(x.Err.Error() + "\n")
		}
		if px := x.Proxy; px != nil {
			b.WriteString(px.Address + " " + px.Raw + " " + px.Scheme + " " + px.PACURL + "\n")
		}
	}
	return b.String()
}

// An https:// proxy gets a TLS ClientHello for its own name, never a
// clear-text CONNECT; the login travels inside that session, and the
// target is reached through it.
func TestHTTPSProxySpeaksTLSFirst(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	cert, err := w.Public.Issue(probetest.LeafOptions{DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	px := probetest.StartProxy(t, &cert)
	url := "https://" + proxyUser + ":" + proxyPass + "@localhost:" + px.Port()

	r := probes.New(proxyEnv(w, url)).Probe(context.Background(), target)
	if r.Reason != probes.ReasonOK {
		t.Fatalf("reason %s (%v), want ok through the https proxy", r.Reason, r.Err)
	}
	if r.Proxy == nil || r.Proxy.Scheme != "https" || r.Proxy.Status != 200 {
		t.Errorf("proxy facts %+v", r.Proxy)
	}
	first, sni, auth, connects := px.Seen()
	if len(first) != 1 || len(first[0]) < 2 || first[0][0] != 0x16 || first[0][1] != 0x03 {
		t.Fatalf("the proxy's first bytes were %q, want a TLS handshake record (0x16 0x03)", first)
	}
	for _, f := range first {
		if strings.HasPrefix(string(f), "CONNECT") {
			t.Errorf("a clear-text CONNECT reached the https proxy: %q", f)
		}
	}
	if len(sni) != 1 || sni[0] != "localhost" {
		t.Errorf("SNI %q, want the proxy's host name", sni)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(proxyUser+":"+proxyPass))
	if connects != 1 || len(auth) != 1 || auth[0] != want {
		t.Errorf("CONNECT inside TLS: %d requests, Proxy-Authorization %q", connects, auth)
	}
	noCredentials(t, "the result", resultText(r))
}

// An http:// proxy (and one without a scheme) still gets CONNECT in clear
// text, as the apps send it.
func TestHTTPProxyStaysClearText(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	px := probetest.StartProxy(t, nil)
	for _, proxy := range []string{"http://127.0.0.1:" + px.Port(), "127.0.0.1:" + px.Port()} {
		r := probes.New(proxyEnv(w, proxy)).Probe(context.Background(), target)
		if r.Reason != probes.ReasonOK || r.Proxy == nil || r.Proxy.Scheme != "http" {
			t.Fatalf("%s: reason %s (%v), proxy %+v", proxy, r.Reason, r.Err, r.Proxy)
		}
	}
	first, _, _, connects := px.Seen()
	if connects != 2 || !strings.HasPrefix(string(first[0]), "CONNECT") {
		t.Errorf("%d CONNECTs, first bytes %q", connects, first)
	}
}

// A failed TLS session with an https:// proxy is proxy_tls, classified by
// what failed, and no CONNECT (no login) follows it.
func TestHTTPSProxyTLSFailures(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	selfSigned, err := w.Public.Issue(probetest.LeafOptions{DNSNames: []string{"localhost"}, SelfSigned: true})
	if err != nil {
		t.Fatal(err)
	}
	otherName, err := w.Public.Issue(probetest.LeafOptions{DNSNames: []string{"proxy.elsewhere.test"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cert *tls.Certificate // nil: a plain http proxy set as https://
		want probes.ProxyTLSProblem
	}{
		{"untrusted certificate", &selfSigned, probes.ProxyTLSCertificate},
		{"certificate for another name", &otherName, probes.ProxyTLSCertificate},
		{"http proxy set as https", nil, probes.ProxyTLSNotTLS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			px := probetest.StartProxy(t, tc.cert)
			url := "https://" + proxyUser + ":" + proxyPass + "@localhost:" + px.Port()
			r := probes.New(proxyEnv(w, url)).Probe(context.Background(), target)
			if r.Reason != probes.ProxyTLS || r.Stage() != probes.StageProxy {
				t.Fatalf("reason %s (%v), want proxy_tls", r.Reason, r.Err)
			}
			if r.Proxy == nil || r.Proxy.TLSProblem != tc.want {
				t.Errorf("proxy facts %+v, want TLS problem %q", r.Proxy, tc.want)
			}
			first, _, auth, connects := px.Seen()
			if connects != 0 || len(auth) != 0 {
				t.Errorf("the proxy got %d CONNECTs (auth %q) after a failed TLS session", connects, auth)
			}
			for _, f := range first {
				if len(f) < 2 || f[0] != 0x16 || f[1] != 0x03 {
					t.Errorf("first bytes %q, want a ClientHello", f)
				}
			}
			if r.Direct == nil || r.Direct.Reason != probes.ReasonOK {
				t.Errorf("direct path %+v", r.Direct)
			}
			noCredentials(t, "the result", resultText(r))
		})
	}
}

// countingDialer counts every dial.
type countingDialer struct {
	n atomic.Int32
	d net.Dialer
}

func (c *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c.n.Add(1)
	return c.d.DialContext(ctx, network, addr)
}

// A SOCKS proxy (or any scheme but http and https) is never contacted:
// no connection, no credentials; the finding is proxy_unsupported and the
// direct path is still reported.
func TestUnsupportedProxySchemeNotContacted(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepts atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	for _, scheme := range []string{"socks5", "socks5h", "socks4", "ftp"} {
		opts := proxyEnv(w, scheme+"://"+proxyUser+":"+proxyPass+"@127.0.0.1:"+port)
		dialer := &countingDialer{}
		opts.Dialer = dialer
		r := probes.New(opts).Probe(context.Background(), target)
		if r.Reason != probes.ProxyUnsupported || r.Stage() != probes.StageProxy {
			t.Fatalf("%s: reason %s (%v), want proxy_unsupported", scheme, r.Reason, r.Err)
		}
		if r.Proxy == nil || r.Proxy.Scheme != scheme || r.TCP != nil {
			t.Errorf("%s: proxy facts %+v, tcp %+v", scheme, r.Proxy, r.TCP)
		}
		if r.Direct == nil || r.Direct.Reason != probes.ReasonOK {
			t.Errorf("%s: direct path %+v", scheme, r.Direct)
		}
		// One dial: the direct path's, to the target.
		if n := dialer.n.Load(); n != 1 {
			t.Errorf("%s: %d dials, want only the direct path's", scheme, n)
		}
		noCredentials(t, scheme+" result", resultText(r))
	}
	// A dial to the listener would be in its backlog by now; give Accept
	// a moment to see it.
	time.Sleep(100 * time.Millisecond)
	if n := accepts.Load(); n != 0 {
		t.Errorf("the SOCKS proxy was contacted %d times", n)
	}
}

// A proxy setting that is not a proxy address is reported (ProxySetting.Err,
// credentials masked) and the host is probed directly, as Go programs do.
func TestMalformedProxySettingGoesDirect(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	for _, value := range []string{"http://" + proxyUser + ":" + proxyPass + "@[::1", ":::", "http://[::1"} {
		opts := proxyEnv(w, value)
		p := probes.New(opts)
		r := p.Probe(context.Background(), target)
		if r.Reason != probes.ReasonOK || r.Proxy != nil || r.DNS == nil {
			t.Errorf("%q: reason %s (%v), proxy %+v: want a direct probe", value, r.Reason, r.Err, r.Proxy)
		}
		settings := p.ProxySettings(target)
		if len(settings) != 1 || settings[0].Err == nil || settings[0].URL != nil {
			t.Fatalf("%q: settings %+v, want one with an error and no URL", value, settings)
		}
		noCredentials(t, "the setting", settings[0].Raw+" "+settings[0].Err.Error())
	}
}

// A proxy that fails the handshake otherwise (an old TLS version, a reset)
// is proxy_tls "handshake"; one that never answers it is proxy_timeout.
func TestHTTPSProxyHandshakeFailures(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("api.pb.test", probetest.OK)
	cert, err := w.Public.Issue(probetest.LeafOptions{DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		b       probetest.Behavior
		want    probes.Reason
		problem probes.ProxyTLSProblem
	}{
		{"TLS 1.0 only", probetest.ServeTLS10Only, probes.ProxyTLS, probes.ProxyTLSHandshake},
		{"reset after hello", probetest.ResetAfterHello, probes.ProxyTLS, probes.ProxyTLSHandshake},
		{"silent", probetest.StallAfterHello, probes.ProxyTimeout, probes.ProxyTLSNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := probetest.NewServer(t, probetest.ServerOptions{Behavior: tc.b, Cert: cert})
			url := "https://" + proxyUser + ":" + proxyPass + "@localhost:" + strconv.Itoa(port)
			r := probes.New(proxyEnv(w, url)).Probe(context.Background(), target)
			if r.Reason != tc.want || r.Proxy == nil || r.Proxy.TLSProblem != tc.problem {
				t.Fatalf("reason %s (%v), proxy %+v; want %s with problem %q", r.Reason, r.Err, r.Proxy, tc.want, tc.problem)
			}
			noCredentials(t, "the result", resultText(r))
		})
	}
}
