package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestPrometheusScrapesAgent starts a real Prometheus server (Debian's
// prometheus package) on loopback, lets it scrape an agent, and finds
// pbprobe_ready and every host's series through its HTTP API.
func TestPrometheusScrapesAgent(t *testing.T) {
	t.Parallel()
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		probetest.Unavailable(t, "prometheus not found (Debian package prometheus)")
	}
	w := newTestWorld(t)
	var targets []probes.Target
	for _, h := range []string{"api", "portal"} {
		targets = append(targets, w.Add(h+".pb.test", probetest.OK))
	}
	a := startTestAgent(t, w.config(t, 2*time.Second, targets...))

	dir := t.TempDir()
	promCfg := filepath.Join(dir, "prometheus.yml")
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pbprobe\n    static_configs:\n      - targets: [%q]\n",
		strings.TrimPrefix(a.base, "http://"))
	if err := os.WriteFile(promCfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	promAddr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, promBin,
		"--config.file="+promCfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr,
		"--log.level=warn")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting prometheus: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})

	query := func(q string) []map[string]string {
		resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil {
			return nil
		}
		var series []map[string]string
		for _, s := range r.Data.Result {
			series = append(series, s.Metric)
		}
		return series
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ready := query(`pbprobe_ready == 1`)
		up := query(`pbprobe_host_up == 1`)
		if len(ready) == 1 && len(up) == len(targets) {
			hosts := map[string]bool{}
			for _, s := range up {
				hosts[s["host"]] = true
			}
			for _, tg := range targets {
				if !hosts[tg.Host] {
					t.Errorf("Prometheus has no pbprobe_host_up for %s: %v", tg.Host, up)
				}
			}
			if got := query(`pbprobe_build_info`); len(got) != 1 {
				t.Errorf("pbprobe_build_info: %v", got)
			}
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Prometheus never saw pbprobe_ready == 1 and both hosts up; its output:\n%s", out.String())
}

// freeLoopbackAddr picks a port the kernel considers free. The agent must
// be told a port, since with :0 nobody could find it; the small window in
// which another process could take the port is acceptable for a benchmark.
func freeLoopbackAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		tb.Fatal(err)
	}
	return addr
}
