//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// BenchmarkCheckBinary builds the stripped release binary and runs
// `pbprobe check` as a process against five healthy hosts of a test world:
// what a technician's PC pays. Reported: the binary's size and the peak RSS
// of a check (the kernel's maxrss of the child).
func BenchmarkCheckBinary(b *testing.B) {
	bin := buildRelease(b)
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}

	cfg := fiveHealthyHosts(b)

	var maxRSS int64
	for b.Loop() {
		cmd := exec.Command(bin, "check", "--format", "json", "--config.file", cfg)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("check: %v\n%s", err, out)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			maxRSS = max(maxRSS, ru.Maxrss) // KiB on Linux, hence the build tag
		}
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "binary-MiB")
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
}

// buildRelease builds the stripped binary, as `make build` does, into a
// temporary directory and returns its path.
func buildRelease(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "pbprobe")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// fiveHealthyHosts is a test world with the five Password Boss names, all
// ok, and the config file that points pbprobe at it.
func fiveHealthyHosts(tb testing.TB) string {
	tb.Helper()
	w := newTestWorld(tb)
	var targets []probes.Target
	for _, h := range []string{"api", "app-updates", "app-updates2", "portal", "app"} {
		targets = append(targets, w.Add(h+".pb.test", probetest.OK))
	}
	return w.config(tb, 5*time.Second, targets...)
}
