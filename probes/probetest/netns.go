package probetest

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Unavailable ends a test whose prerequisite (root, a network namespace, a
// Debian package) is missing: a skip with the reason on a developer's
// machine, a failure under CI=true, so CI never passes by skipping the real
// tests.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatalf("prerequisite missing under CI=true: %s", msg)
	}
	tb.Skipf("skipped: %s (runs under CI=true, as root with iproute2 and nftables)", msg)
}

// UnreachablePort is the one port of a Blackhole that answers, with an ICMP
// host-unreachable, as a firewall that rejects rather than drops does.
const UnreachablePort = 444

// Blackhole makes a network namespace joined to this one by a veth pair and
// returns an IPv4 and an IPv6 address inside it where every TCP port but
// UnreachablePort is dropped by an nft rule:
// a SYN to it is never answered, which is what a firewall that drops (rather
// than rejects) looks like. Needs root, ip and nft; everything is removed on
// cleanup. The /30 and /64 exist only on the veth pair between this namespace and
// the test's own, so the traffic never leaves the machine.
func Blackhole(tb testing.TB) (v4, v6 netip.Addr) {
	tb.Helper()
	if os.Geteuid() != 0 {
		Unavailable(tb, "network namespace needs root")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			Unavailable(tb, "%s not found (Debian packages iproute2, nftables)", tool)
		}
	}
	// A per-process subnet keeps parallel test binaries apart.
	n := os.Getpid() % 250
	ns := fmt.Sprintf("pbprobe-bh-%d", os.Getpid())
	hostIf, nsIf := fmt.Sprintf("pbbh%dh", os.Getpid()%100000), fmt.Sprintf("pbbh%dn", os.Getpid()%100000)
	hostIP := fmt.Sprintf("10.231.%d.1", n)
	nsIP := fmt.Sprintf("10.231.%d.2", n)
	hostIP6 := fmt.Sprintf("fd00:231:%x::1", n)
	nsIP6 := fmt.Sprintf("fd00:231:%x::2", n)

	run := func(args ...string) error {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	tb.Cleanup(func() {
		_ = run("ip", "link", "del", hostIf)
		_ = run("ip", "netns", "del", ns)
	})
	steps := [][]string{
		{"ip", "netns", "add", ns},
		{"ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf},
		{"ip", "link", "set", nsIf, "netns", ns},
		{"ip", "addr", "add", hostIP + "/30", "dev", hostIf},
		{"ip", "addr", "add", hostIP6 + "/64", "dev", hostIf, "nodad"},
		{"ip", "link", "set", hostIf, "up"},
		{"ip", "-n", ns, "addr", "add", nsIP + "/30", "dev", nsIf},
		{"ip", "-n", ns, "addr", "add", nsIP6 + "/64", "dev", nsIf, "nodad"},
		{"ip", "-n", ns, "link", "set", nsIf, "up"},
		{"ip", "-n", ns, "link", "set", "lo", "up"},
		{"ip", "netns", "exec", ns, "nft", "add", "table", "inet", "pbprobe"},
		{"ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "pbprobe", "in", "{ type filter hook input priority 0; policy accept; }"},
		{"ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "pbprobe", "in", "tcp", "dport", fmt.Sprint(UnreachablePort), "reject", "with", "icmpx", "type", "host-unreachable"},
		{"ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "pbprobe", "in", "meta", "l4proto", "tcp", "drop"},
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			Unavailable(tb, "setting up the blackhole namespace: %v", err)
		}
	}
	return netip.MustParseAddr(nsIP), netip.MustParseAddr(nsIP6)
}
