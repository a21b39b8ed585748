package agent

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// testNamespace makes an empty network namespace with loopback up and
// returns its name. Needs root and ip.
func testNamespace(t *testing.T, tag string) string {
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
	ip(t, "-n", ns, "link", "set", "lo", "up")
	return ns
}

func ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// inNamespace runs f on a thread switched into the namespace ns: a
// netlink socket, and the interface list, belong to the namespace of the
// thread that opens them. The thread is dropped if it cannot switch back.
func inNamespace(ns string, f func()) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer home.Close()
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		f()
		if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns back: %w", err) // the locked thread ends with the goroutine
			return
		}
		runtime.UnlockOSThread()
		errc <- nil
	}()
	return <-errc
}

// TestNetlinkWatcherSeesAddressChange: in a namespace of its own, the
// native watcher reports adding and removing an address, with both polls
// an hour apart, so only netlink can wake it; the bar is 10 s.
func TestNetlinkWatcherSeesAddressChange(t *testing.T) {
	t.Parallel()
	ns := testNamespace(t, "watch")
	looked := make(chan struct{})
	var once sync.Once
	fp := func() (s string, err error) {
		defer once.Do(func() { close(looked) })
		if nerr := inNamespace(ns, func() { s, err = NetworkFingerprint() }); nerr != nil {
			return "", nerr
		}
		return s, err
	}
	open := func() (ev NetworkEvents, err error) {
		if nerr := inNamespace(ns, func() { ev, err = OpenNetworkEvents() }); nerr != nil {
			return nil, nerr
		}
		return ev, err
	}
	w := NativeWatcher{
		Poll:     PollWatcher{Every: time.Hour, Fingerprint: fp},
		SlowPoll: time.Hour, Open: open,
		Fallback: func(err error) { t.Errorf("fallback: %v", err) },
	}
	got := make(chan Trigger, 8)
	ctx, cancel := context.WithCancel(t.Context())
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		w.Watch(ctx, func(tr Trigger) { got <- tr })
	}()
	<-looked // the first fingerprint is taken before the address comes
	for _, op := range []string{"add", "del"} {
		start := time.Now()
		ip(t, "-n", ns, "addr", op, "198.51.100.9/32", "dev", "lo")
		waitTrigger(t, got, TriggerNetworkChange)
		took := time.Since(start)
		t.Logf("address %s: reported after %s", op, took.Round(time.Millisecond))
		if took > 10*time.Second {
			t.Errorf("address %s reported after %s, the bar is 10 s", op, took)
		}
	}
	cancel()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return after ctx ended: the netlink read was not unblocked")
	}
}
