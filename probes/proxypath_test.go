package probes_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// startTinyproxy runs Debian's tinyproxy on loopback with CONNECT allowed
// only to allowedPort, and basic auth when user is set. It returns the
// proxy's address.
func startTinyproxy(t *testing.T, allowedPort int, user, pass string) string {
	t.Helper()
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		probetest.Unavailable(t, "tinyproxy not found (Debian package tinyproxy)")
	}
	port := probetest.FreePort(t)
	dir := t.TempDir()
	conf := fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 10\nMaxClients 10\nAllow 127.0.0.1\nConnectPort %d\nLogLevel Info\nPidFile %q\nLogFile %q\n",
		port, allowedPort, filepath.Join(dir, "tp.pid"), filepath.Join(dir, "tp.log"))
	if os.Geteuid() == 0 {
		conf += "User root\nGroup root\n"
	}
	if user != "" {
		conf += fmt.Sprintf("BasicAuth %s %s\n", user, pass)
	}
	path := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-d", "-c", path)
	if err := cmd.Start(); err != nil {
		t.Fatalf("tinyproxy: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := (&netDialer).Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "tp.log"))
	t.Fatalf("tinyproxy did not come up on %s:\n%s", addr, log)
	return ""
}

// TestProxyPath probes through a real proxy: the apps on a PC with a proxy
// setting use it, so its answer is the verdict.
func TestProxyPath(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	// tinyproxy resolves names with the system resolver: localhost is the
	// one name it and the test world agree on.
	ok := w.AddWith("localhost", probetest.Answer{}, probetest.ServerOptions{})
	open := startTinyproxy(t, ok.Port, "", "")
	auth := startTinyproxy(t, ok.Port, "tech", "s3cret")
	dead := "127.0.0.1:" + strconv.Itoa(probetest.ClosedPort(t))

	tests := []struct {
		name, proxy string
		target      probes.Target
		want        probes.Reason
		status      int
	}{
		{"allowed CONNECT", "http://" + open, ok, probes.ReasonOK, 200},
		{"login required", "http://" + auth, ok, probes.ProxyAuthRequired, 407},
		{"login given", "http://tech:s3cret@" + auth, ok, probes.ReasonOK, 200},
		{"destination denied", "http://" + open, probes.Target{Host: "localhost", Port: ok.Port + 1, AllowPrivate: true}, probes.ProxyDenied, 403},
		{"proxy not listening", "http://" + dead, ok, probes.ProxyUnreachable, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tc.proxy)
			if err != nil {
				t.Fatal(err)
			}
			opts := w.Options()
			opts.Proxies = func(string, int) []probes.ProxySetting {
				return []probes.ProxySetting{{Source: probes.ProxySourceEnv, URL: u, Raw: "test"}}
			}
			r := probes.New(opts).Probe(context.Background(), tc.target)
			if r.Reason != tc.want || r.Stage() != tc.want.Stage() {
				t.Fatalf("reason %s (%v), want %s", r.Reason, r.Err, tc.want)
			}
			if r.Proxy == nil || r.Proxy.Status != tc.status {
				t.Errorf("proxy facts %+v, want CONNECT status %d", r.Proxy, tc.status)
			}
			if r.Direct == nil {
				t.Errorf("the direct path was not probed alongside")
			}
			if r.Err != nil && strings.Contains(r.Err.Error(), "s3cret") {
				t.Errorf("the error carries the proxy password: %v", r.Err)
			}
			if tc.want.OK() && (r.TLS == nil || !r.TLS.SystemTrusted || r.DNS != nil) {
				t.Errorf("through the proxy: tls %+v dns %+v", r.TLS, r.DNS)
			}
		})
	}
}

// TestProxyFromEnvironment: HTTPS_PROXY pointing at a dead port is
// proxy_unreachable, found through SystemProxies as the CLI wires it.
func TestProxyFromEnvironment(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("env.pb.test", probetest.OK)
	env := map[string]string{"HTTPS_PROXY": "http://127.0.0.1:" + strconv.Itoa(probetest.ClosedPort(t))}
	opts := w.Options()
	opts.Proxies = func(host string, port int) []probes.ProxySetting {
		return probes.SystemProxies(host, port, func(k string) string { return env[k] })
	}
	r := probes.New(opts).Probe(context.Background(), target)
	if r.Reason != probes.ProxyUnreachable {
		t.Fatalf("reason %s (%v), want proxy_unreachable", r.Reason, r.Err)
	}
	if r.Direct == nil || r.Direct.Reason != probes.ReasonOK {
		t.Errorf("direct path: %+v", r.Direct)
	}
}

var netDialer net.Dialer

// TestProxyOnlyNetwork: direct TCP to the host is dropped by an nft rule,
// only the proxy gets through. The verdict comes in the proxy's time, not
// the 10 s timeout: the direct path gets the family grace after the
// proxied one is done and is reported as a timeout of that grace.
//
// Not parallel: Blackhole's namespace is one per test process.
func TestProxyOnlyNetwork(t *testing.T) {
	v4, _ := probetest.Blackhole(t)
	w := probetest.NewWorld(t)
	// tinyproxy resolves localhost itself (to the world's server); the
	// probe's own resolver sends the direct path into the blackhole.
	target := w.AddWith("localhost", probetest.Answer{}, probetest.ServerOptions{})
	w.DNS.Set("localhost", probetest.Answer{A: []netip.Addr{v4}})
	inproc := probetest.StartProxy(t, nil)
	proxies := map[string]string{
		"tinyproxy":  "http://" + startTinyproxy(t, target.Port, "", ""),
		"in-process": "http://127.0.0.1:" + inproc.Port(),
	}
	for name, proxy := range proxies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(proxy)
			if err != nil {
				t.Fatal(err)
			}
			opts := w.Options()
			opts.Timeout = 10 * time.Second
			opts.Proxies = func(string, int) []probes.ProxySetting {
				return []probes.ProxySetting{{Source: probes.ProxySourceEnv, URL: u, Raw: proxy}}
			}
			r := probes.New(opts).Probe(context.Background(), target)
			if r.Reason != probes.ReasonOK {
				t.Fatalf("reason %s (%v), want ok through the proxy", r.Reason, r.Err)
			}
			if d := r.Direct; d == nil || d.Reason != probes.TCPTimeout || d.CutShort != probes.DefaultFamilyGrace {
				t.Fatalf("direct path %+v, want tcp_timeout cut short after %s", d, probes.DefaultFamilyGrace)
			}
			// The grace plus the proxy's few milliseconds, far from the
			// 10 s the direct path would have waited.
			if r.Duration > 2*time.Second {
				t.Errorf("took %s with a %s timeout: the check waited on the dead direct path", r.Duration, opts.Timeout)
			}
		})
	}
}

// TestDirectPathCutShortWithoutNamespace: the same without root: the
// resolver never answers the direct path, the proxy works.
func TestDirectPathCutShortWithoutNamespace(t *testing.T) {
	t.Parallel()
	w := probetest.NewWorld(t)
	target := w.Add("silent.pb.test", probetest.OK)
	w.DNS.Set("silent.pb.test", probetest.Answer{Silent: true})
	px := probetest.StartProxy(t, nil)
	u, err := url.Parse("http://127.0.0.1:" + px.Port())
	if err != nil {
		t.Fatal(err)
	}
	opts := w.Options()
	opts.Timeout = 10 * time.Second
	opts.Proxies = func(string, int) []probes.ProxySetting {
		return []probes.ProxySetting{{Source: probes.ProxySourceEnv, URL: u, Raw: u.String()}}
	}
	r := probes.New(opts).Probe(context.Background(), target)
	if r.Reason != probes.ReasonOK {
		t.Fatalf("reason %s (%v), want ok through the proxy", r.Reason, r.Err)
	}
	if d := r.Direct; d == nil || d.Reason != probes.DNSTimeout || d.CutShort == 0 {
		t.Fatalf("direct path %+v, want dns_timeout cut short", d)
	}
	if r.Duration > 5*time.Second {
		t.Errorf("took %s with a %s timeout: the check waited on the dead direct path", r.Duration, opts.Timeout)
	}
}
