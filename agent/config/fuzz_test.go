package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	seeds = append(seeds, "hosts.yaml")
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer has no per-input timeout, and a config that hangs the
		// service is as bad as one that crashes it.
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Parse hangs on %q", data)) })
		cfg, err := Parse(data, "fuzz.yaml")
		timer.Stop()
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			if e.File != "fuzz.yaml" || e.Msg == "" {
				t.Fatalf("error %#v lacks its file or message", e)
			}
			return
		}
		if len(cfg.Hosts) == 0 {
			t.Fatal("no hosts")
		}
		for _, h := range cfg.Hosts {
			if h.Host == "" || h.Port < 1 || h.Port > 65535 {
				t.Fatalf("bad host %+v", h)
			}
		}
		if cfg.Timeout <= 0 || cfg.Timeout > MaxTimeout || cfg.Interval < MinInterval {
			t.Fatalf("Timeout %v, Interval %v out of range", cfg.Timeout, cfg.Interval)
		}
		if cfg.Warnings.CertExpiry < 0 || cfg.Warnings.SlowPhase < 0 {
			t.Fatalf("negative warning threshold %+v", cfg.Warnings)
		}
		for _, s := range cfg.DNS.Servers {
			if ap, err := netip.ParseAddrPort(s); err != nil || ap.Port() == 0 {
				t.Fatalf("DNS server %q is not ip:port", s)
			}
		}
		if got := cfg.Targets(); len(got) != len(cfg.Hosts) {
			t.Fatalf("%d targets for %d hosts", len(got), len(cfg.Hosts))
		}
	})
}
