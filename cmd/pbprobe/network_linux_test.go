package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// emptyNamespace makes a network namespace with nothing in it, not even
// loopback up: a PC without any network. It returns its name.
func emptyNamespace(t *testing.T, tag string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		probetest.Unavailable(t, "network namespace needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		probetest.Unavailable(t, "ip not found (Debian package iproute2)")
	}
	ns := fmt.Sprintf("pbprobe-%s-%d", tag, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		probetest.Unavailable(t, "ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	return ns
}

// TestCheckNoNetwork runs the built binary in an empty namespace, as on a
// PC without any network: network.status no_network, exit 1, within the
// timeout, and no word sends the technician to a DNS server or firewall.
func TestCheckNoNetwork(t *testing.T) {
	t.Parallel()
	ns := emptyNamespace(t, "nonet")
	bin := buildRelease(t)
	cfg := filepath.Join(t.TempDir(), "pbprobe.yml")
	// Addresses in documentation space: the namespace has no route to
	// them, nor to anything else.
	conf := "timeout: 3s\ndns:\n  servers: [\"192.0.2.53:53\"]\nnetwork:\n  control_url: http://control.pb.test/check\nhosts:\n" +
		"  - host: api.pb.test\n  - host: app.pb.test\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int, time.Duration) {
		start := time.Now()
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns, bin, "check", "--config.file", cfg}, args...)...).Output()
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code, time.Since(start)
	}
	out, code, took := run("--format", "json")
	if code != exitNotReady {
		t.Errorf("exit code %d, want %d", code, exitNotReady)
	}
	if took > 4*time.Second {
		t.Errorf("took %s with a 3 s timeout", took)
	}
	if d := decodeNetwork(t, out); d.Network.Status != "no_network" {
		t.Fatalf("network %+v, want no_network\n%s", d.Network, out)
	}
	for _, lang := range []string{"en", "de"} {
		text, _, _ := run("--lang", lang)
		if !strings.Contains(flat(text), pick(lang == "en", "This PC has no network connection", "Dieser PC hat keine Netzwerkverbindung")) {
			t.Errorf("%s: no network finding:\n%s", lang, text)
		}
		for _, b := range blame {
			if strings.Contains(text, b) {
				t.Errorf("%s: the text blames %q:\n%s", lang, b, text)
			}
		}
	}
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// TestRunFollowsNetworkChange: the agent, interval 5 m, runs again within
// 10 s of an address being added in its namespace.
func TestRunFollowsNetworkChange(t *testing.T) {
	t.Parallel()
	ns := emptyNamespace(t, "follow")
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v: %s", err, out)
	}
	bin := buildRelease(t)
	dir := t.TempDir()
	cfg, logFile := filepath.Join(dir, "pbprobe.yml"), filepath.Join(dir, "pbprobe.log")
	// Nothing answers in the namespace: the runs fail fast, which is all
	// this test needs of them.
	conf := "interval: 5m\ntimeout: 2s\ndns:\n  servers: [\"127.0.0.1:53\"]\nnetwork:\n  control_url: \"off\"\nhosts:\n  - host: api.pb.test\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, bin, "run", "--config.file", cfg, "--log.file", logFile,
		"--log.level", "debug", "--web.listen-address", "127.0.0.1:9641")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	runs := func() (probes int, changes int) {
		b, _ := os.ReadFile(logFile)
		for _, line := range strings.Split(string(b), "\n") {
			// One debug "probe" line per host and run.
			if strings.Contains(line, `"msg":"probe"`) && strings.Contains(line, `"host":"api.pb.test"`) {
				probes++
			}
			if strings.Contains(line, `"trigger":"network_change"`) {
				changes++
			}
		}
		return probes, changes
	}
	waitUntil(t, 15*time.Second, "the first run", func() bool { p, _ := runs(); return p >= 1 })
	if out, err := exec.Command("ip", "-n", ns, "addr", "add", "198.51.100.7/32", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("addr add: %v: %s", err, out)
	}
	added := time.Now()
	waitUntil(t, 10*time.Second, "a run after the address change", func() bool { p, c := runs(); return p >= 2 && c >= 1 })
	t.Logf("re-probed %s after the address was added", time.Since(added).Round(100*time.Millisecond))
	// The agent followed netlink, not the fallback poll.
	if b, _ := os.ReadFile(logFile); strings.Contains(string(b), `"msg":"network watch"`) {
		t.Errorf("the agent fell back to polling:\n%s", b)
	}
}

// waitUntil polls cond until it holds, failing after limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
