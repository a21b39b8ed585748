package agent

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultRouteFromProc(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "route")
	if r := defaultRoute4(filepath.Join(dir, "route")); r == nil || *r != (RouteView{Interface: "eth0", Gateway: "192.0.2.1"}) {
		t.Errorf("IPv4: %+v, want eth0 via 192.0.2.1 (the lower metric)", r)
	}
	if r := defaultRoute4(filepath.Join(dir, "route_none")); r != nil {
		t.Errorf("no default route: %+v", r)
	}
	if r := defaultRoute6(filepath.Join(dir, "ipv6_route")); r == nil || *r != (RouteView{Interface: "wlan0", Gateway: "fe80::1"}) {
		t.Errorf("IPv6: %+v, want wlan0 via fe80::1", r)
	}
}

func TestLinkType(t *testing.T) {
	t.Parallel()
	sys := t.TempDir()
	mk := func(name string, files ...string) {
		if err := os.MkdirAll(filepath.Join(sys, name), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			content := ""
			if f == "type" {
				content = "1\n"
			}
			if err := os.WriteFile(filepath.Join(sys, name, f), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("enp3s0", "type")
	mk("wlp2s0", "type", "phy80211")
	mk("tun0", "tun_flags")
	mk("wg0")
	mk("bond9")
	for name, want := range map[string]string{"enp3s0": RouteEthernet, "wlp2s0": RouteWiFi, "tun0": RouteVPN, "wg0": RouteVPN, "bond9": RouteOther} {
		if got := linkType(sys, name); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}
