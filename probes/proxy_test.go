package probes

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// winHTTPBlob encodes the documented registry layout. It is written apart
// from the parser, and the hex fixtures were produced by yet another
// encoder, so a fixture that matches both checks the layout, not just the
// parser against itself.
type winHTTPBlob struct {
	version, counter, flags uint32
	proxy, bypass           string
	hasAutoConfig           bool // WinHttpSettings usually stops after the bypass list
	autoConfig              string
	trailer                 int // bytes of later fields the parser ignores
}

func (b winHTTPBlob) encode() []byte {
	var out []byte
	str := func(s string) {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	out = binary.LittleEndian.AppendUint32(out, b.version)
	out = binary.LittleEndian.AppendUint32(out, b.counter)
	out = binary.LittleEndian.AppendUint32(out, b.flags)
	str(b.proxy)
	str(b.bypass)
	if b.hasAutoConfig {
		str(b.autoConfig)
	}
	return append(out, make([]byte, b.trailer)...)
}

// readHexFixture reads testdata/proxy/NAME: hex bytes separated by blanks,
// with '#' comments naming the fields.
func readHexFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	var digits strings.Builder
	for line := range strings.Lines(readFixture(tb, "proxy/"+name)) {
		line, _, _ = strings.Cut(line, "#")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return b
}

var winHTTPFixtures = []string{
	"winhttp_direct.hex", "winhttp_manual.hex", "winhttp_per_scheme.hex",
	"wininet_bypass.hex", "wininet_autodetect.hex", "wininet_pac.hex",
}

// wantSetting is a ProxySetting with the URL as a string, for tables.
type wantSetting struct {
	url        string
	bypassed   bool
	autoDetect bool
	pac        string
	raw        string
}

func checkSetting(t *testing.T, got ProxySetting, src ProxySource, want wantSetting) {
	t.Helper()
	gotURL := ""
	if got.URL != nil {
		gotURL = got.URL.String()
	}
	if got.Source != src || gotURL != want.url || got.Bypassed != want.bypassed ||
		got.AutoDetect != want.autoDetect || got.PACURL != want.pac || got.Raw != want.raw || got.Err != nil {
		t.Errorf("got {%s url=%q bypassed=%v autodetect=%v pac=%q raw=%q err=%v}\nwant {%s url=%q bypassed=%v autodetect=%v pac=%q raw=%q}",
			got.Source, gotURL, got.Bypassed, got.AutoDetect, got.PACURL, got.Raw, got.Err,
			src, want.url, want.bypassed, want.autoDetect, want.pac, want.raw)
	}
}

func TestParseWinHTTPSettings(t *testing.T) {
	const host = "api.passwordboss.com"
	tests := []struct {
		file       string
		blob       winHTTPBlob
		want       WinHTTPSettings
		configured bool
		setting    wantSetting
	}{
		{
			file: "winhttp_direct.hex",
			blob: winHTTPBlob{version: 0x18, flags: ProxyTypeDirect},
			want: WinHTTPSettings{Flags: ProxyTypeDirect},
		},
		{
			file:       "winhttp_manual.hex",
			blob:       winHTTPBlob{version: 0x28, counter: 1, flags: 3, proxy: "proxy.corp.local:8080"},
			want:       WinHTTPSettings{Flags: 3, Proxy: "proxy.corp.local:8080"},
			configured: true,
			setting:    wantSetting{url: "http://proxy.corp.local:8080", raw: "proxy=proxy.corp.local:8080"},
		},
		{
			file:       "winhttp_per_scheme.hex",
			blob:       winHTTPBlob{version: 0x28, counter: 2, flags: 3, proxy: "http=p1:80;https=p2:8443"},
			want:       WinHTTPSettings{Flags: 3, Proxy: "http=p1:80;https=p2:8443"},
			configured: true,
			setting:    wantSetting{url: "http://p2:8443", raw: "proxy=http=p1:80;https=p2:8443"},
		},
		{
			file: "wininet_bypass.hex",
			blob: winHTTPBlob{
				version: 0x46, counter: 5, flags: 3, proxy: "proxy.corp.local:8080",
				bypass: "*.corp.local;10.*;<local>", hasAutoConfig: true, trailer: 32,
			},
			want:       WinHTTPSettings{Flags: 3, Proxy: "proxy.corp.local:8080", Bypass: "*.corp.local;10.*;<local>"},
			configured: true,
			setting: wantSetting{
				url: "http://proxy.corp.local:8080",
				raw: "proxy=proxy.corp.local:8080 bypass=*.corp.local;10.*;<local>",
			},
		},
		{
			file:       "wininet_autodetect.hex",
			blob:       winHTTPBlob{version: 0x46, counter: 3, flags: 9, hasAutoConfig: true, trailer: 32},
			want:       WinHTTPSettings{Flags: 9, AutoDetect: true},
			configured: true,
			setting:    wantSetting{autoDetect: true, raw: "autodetect"},
		},
		{
			// The manual proxy is remembered but switched off; only the
			// script applies.
			file: "wininet_pac.hex",
			blob: winHTTPBlob{
				version: 0x3C, counter: 7, flags: 5, proxy: "old.corp.local:3128",
				hasAutoConfig: true, autoConfig: "http://wpad.corp.local/proxy.pac", trailer: 32,
			},
			want:       WinHTTPSettings{Flags: 5, Proxy: "old.corp.local:3128", AutoConfigURL: "http://wpad.corp.local/proxy.pac"},
			configured: true,
			setting: wantSetting{
				pac: "http://wpad.corp.local/proxy.pac",
				raw: "autoconfig=http://wpad.corp.local/proxy.pac",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			blob := readHexFixture(t, tt.file)
			if enc := tt.blob.encode(); !bytes.Equal(blob, enc) {
				t.Fatalf("fixture and Go encoding differ:\nfixture % x\nencoded % x", blob, enc)
			}
			got, err := ParseWinHTTPSettings(blob)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			set, ok := settingFromBlob(ProxySourceWinHTTP, "test", blob, host, 443)
			if ok != tt.configured {
				t.Fatalf("configured = %v, want %v", ok, tt.configured)
			}
			if ok {
				checkSetting(t, set, ProxySourceWinHTTP, tt.setting)
			}
		})
	}

	// The value a fresh Windows install carries, as commonly shown by
	// reg query: it must read as "direct", the same as the fixture.
	stock := []byte{0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(stock, readHexFixture(t, "winhttp_direct.hex")) {
		t.Error("winhttp_direct.hex is not the stock WinHttpSettings value")
	}
}

func TestWinHTTPFixtureBypass(t *testing.T) {
	blob := readHexFixture(t, "wininet_bypass.hex")
	for _, tt := range []struct {
		host     string
		bypassed bool
	}{
		{"api.passwordboss.com", false},
		{"vault.corp.local", true},
		{"10.20.30.40", true},
		{"intranet", true},
		{"corp.local", false},
		{"110.0.0.1", false},
	} {
		set, ok := settingFromBlob(ProxySourceWinINet, "test", blob, tt.host, 443)
		if !ok || set.Bypassed != tt.bypassed || (set.URL == nil) != tt.bypassed {
			t.Errorf("%s: ok=%v bypassed=%v url=%v, want bypassed=%v", tt.host, ok, set.Bypassed, set.URL, tt.bypassed)
		}
	}
}

func TestParseWinHTTPSettingsErrors(t *testing.T) {
	full := winHTTPBlob{version: 0x46, flags: 3, proxy: "proxy:8080", bypass: "<local>", hasAutoConfig: true, autoConfig: "http://w/p.pac"}.encode()
	lengthAt := func(b []byte, off int, n uint32) []byte {
		b = slices.Clone(b)
		binary.LittleEndian.PutUint32(b[off:], n)
		return b
	}
	const bypassOff = 12 + 4 + len("proxy:8080")
	const pacOff = bypassOff + 4 + len("<local>")
	tests := []struct {
		name    string
		blob    []byte
		field   string
		offset  int
		partial WinHTTPSettings
	}{
		{"empty", nil, "version", 0, WinHTTPSettings{}},
		{"short version", full[:3], "version", 0, WinHTTPSettings{}},
		{"no flags", full[:8], "flags", 8, WinHTTPSettings{}},
		{"partial flags", full[:11], "flags", 8, WinHTTPSettings{}},
		{"header only", full[:12], "proxy list length", 12, WinHTTPSettings{Flags: 3}},
		{"proxy cut", full[:20], "proxy list", 12, WinHTTPSettings{Flags: 3}},
		{"proxy length huge", lengthAt(full, 12, 0xFFFFFFFF), "proxy list", 12, WinHTTPSettings{Flags: 3}},
		{"proxy length one over", lengthAt(full[:bypassOff], 12, uint32(len("proxy:8080")+1)), "proxy list", 12, WinHTTPSettings{Flags: 3}},
		{"no bypass", full[:bypassOff], "bypass list length", bypassOff, WinHTTPSettings{Flags: 3, Proxy: "proxy:8080"}},
		{"bypass cut", full[:bypassOff+6], "bypass list", bypassOff, WinHTTPSettings{Flags: 3, Proxy: "proxy:8080"}},
		{"pac length cut", full[:pacOff+2], "auto-config URL length", pacOff, WinHTTPSettings{Flags: 3, Proxy: "proxy:8080", Bypass: "<local>"}},
		{"pac length huge", lengthAt(full, pacOff, 1<<31), "auto-config URL", pacOff, WinHTTPSettings{Flags: 3, Proxy: "proxy:8080", Bypass: "<local>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWinHTTPSettings(tt.blob)
			var be *WinHTTPBlobError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *WinHTTPBlobError", err)
			}
			if be.Field != tt.field || be.Offset != tt.offset || be.Have != len(tt.blob)-tt.offset {
				t.Errorf("got %+v, want field %q at offset %d with %d left", be, tt.field, tt.offset, len(tt.blob)-tt.offset)
			}
			if !strings.Contains(err.Error(), "offset") {
				t.Errorf("error %q does not name the offset", err)
			}
			if got != tt.partial {
				t.Errorf("partial result %+v, want %+v", got, tt.partial)
			}
		})
	}

	// A damaged blob is still reported, flagged, with what was readable.
	set, ok := settingFromBlob(ProxySourceWinHTTP, `HKLM\...\WinHttpSettings`, full[:bypassOff+6], "api.passwordboss.com", 443)
	if !ok || set.Source != ProxySourceWinHTTP || set.Err == nil || set.URL == nil || set.URL.Host != "proxy:8080" {
		t.Errorf("damaged blob: ok=%v %+v", ok, set)
	}
	if set.Err != nil && !strings.Contains(set.Err.Error(), "WinHttpSettings") {
		t.Errorf("error %q does not say which value", set.Err)
	}
	set, ok = settingFromBlob(ProxySourceWinHTTP, "x", nil, "api.passwordboss.com", 443)
	if !ok || set.Source != ProxySourceWinHTTP || set.Err == nil || set.URL != nil {
		t.Errorf("empty blob: ok=%v %+v", ok, set)
	}
}

func TestParseWinHTTPSettingsTolerance(t *testing.T) {
	tests := []struct {
		name string
		blob []byte
		want WinHTTPSettings
	}{
		{
			"counted NUL terminators",
			winHTTPBlob{version: 0x18, flags: 3, proxy: "proxy:8080\x00", bypass: "<local>\x00"}.encode(),
			WinHTTPSettings{Flags: 3, Proxy: "proxy:8080", Bypass: "<local>"},
		},
		{
			"unknown version",
			winHTTPBlob{version: 0xDEAD, flags: 2, proxy: "p:1"}.encode(),
			WinHTTPSettings{Flags: 2, Proxy: "p:1"},
		},
		{
			"every flag",
			winHTTPBlob{version: 0x46, flags: 0xF, proxy: "p:1", hasAutoConfig: true, autoConfig: "http://w/p"}.encode(),
			WinHTTPSettings{Flags: 0xF, Proxy: "p:1", AutoConfigURL: "http://w/p", AutoDetect: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWinHTTPSettings(tt.blob)
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	// Every prefix of every fixture either parses or fails with a
	// positioned error; none panics.
	for _, name := range winHTTPFixtures {
		blob := readHexFixture(t, name)
		for n := range len(blob) {
			if _, err := ParseWinHTTPSettings(blob[:n]); err != nil {
				var be *WinHTTPBlobError
				if !errors.As(err, &be) || be.Offset > n {
					t.Errorf("%s[:%d]: %v", name, n, err)
				}
			}
		}
	}
}

func TestWinINetLegacyProxy(t *testing.T) {
	set, ok := winHTTPProxySetting(ProxySourceWinINet, winINetLegacySettings(1, "proxy:3128", "<local>", ""), "api.passwordboss.com", 443)
	if !ok {
		t.Fatal("not configured")
	}
	checkSetting(t, set, ProxySourceWinINet, wantSetting{url: "http://proxy:3128", raw: "proxy=proxy:3128 bypass=<local>"})

	// ProxyEnable 0 keeps the server only as a memory.
	if set, ok := winHTTPProxySetting(ProxySourceWinINet, winINetLegacySettings(0, "proxy:3128", "", ""), "h", 443); ok {
		t.Errorf("disabled proxy reported: %+v", set)
	}
	set, ok = winHTTPProxySetting(ProxySourceWinINet, winINetLegacySettings(0, "", "", "http://wpad/p.pac"), "h", 443)
	if !ok {
		t.Fatal("script not configured")
	}
	checkSetting(t, set, ProxySourceWinINet, wantSetting{pac: "http://wpad/p.pac", raw: "autoconfig=http://wpad/p.pac"})
}

func TestProxyForHost(t *testing.T) {
	const pb = "api.passwordboss.com"
	tests := []struct {
		name         string
		list, bypass string
		host         string
		port         int
		proxy        string
		bypassed     bool
	}{
		{"nothing", "", "", pb, 443, "", false},
		{"blank list", " ; ", "", pb, 443, "", false},
		{"one for all", "proxy:8080", "", pb, 443, "proxy:8080", false},
		{"per scheme", "http=p1:80;https=p2:8443", "", pb, 443, "p2:8443", false},
		{"per scheme, http only", "http=p1:80;ftp=f:21", "", pb, 443, "", false},
		{"scheme key case", "HTTP=p1:80;HTTPS=P2:8443", "", pb, 443, "P2:8443", false},
		{"specific beats plain, plain first", "p0:3128;https=p2:8443", "", pb, 443, "p2:8443", false},
		{"specific beats plain, plain last", "https=p2:8443 p0:3128", "", pb, 443, "p2:8443", false},
		{"socks unused", "socks=s:1080", "", pb, 443, "", false},
		{"empty https entry", "https=;p0:1", "", pb, 443, "p0:1", false},
		{"scheme in value", "https=http://p2:8443", "", pb, 443, "http://p2:8443", false},
		{"whitespace separated", "http=p1:80\thttps=p2:8443", "", pb, 443, "p2:8443", false},
		{"no bypass when nothing to bypass", "", "*", pb, 443, "", false},

		{"<local> plain name", "p:1", "<local>", "intranet", 443, "", true},
		{"<local> dotted name", "p:1", "<local>", pb, 443, "p:1", false},
		{"<local> uppercase", "p:1", "<LOCAL>", "intranet", 443, "", true},
		{"<local> not IPv6", "p:1", "<local>", "::1", 443, "p:1", false},
		{"<local> not IPv4", "p:1", "<local>", "10.0.0.1", 443, "p:1", false},
		{"wildcard subdomain", "p:1", "*.corp.local", "vault.corp.local", 443, "", true},
		{"wildcard deeper", "p:1", "*.corp.local", "a.b.corp.local", 443, "", true},
		{"wildcard not the apex", "p:1", "*.corp.local", "corp.local", 443, "p:1", false},
		{"wildcard case-insensitive", "p:1", "*.CORP.local", "Vault.Corp.LOCAL", 443, "", true},
		{"leading star no dot", "p:1", "*passwordboss.com", "passwordboss.com", 443, "", true},
		{"middle star", "p:1", "api.*.com", pb, 443, "", true},
		{"exact", "p:1", pb, pb, 443, "", true},
		{"exact is not suffix", "p:1", pb, "x." + pb, 443, "p:1", false},
		{"exact is not prefix", "p:1", "api.passwordboss", pb, 443, "p:1", false},
		{"trailing dot host", "p:1", pb, pb + ".", 443, "", true},
		{"star alone", "p:1", "*", pb, 443, "", true},
		{"ip wildcard", "p:1", "10.*", "10.1.2.3", 443, "", true},
		{"ip wildcard not 110", "p:1", "10.*", "110.1.2.3", 443, "p:1", false},
		{"ip exact", "p:1", "192.168.1.10", "192.168.1.10", 443, "", true},
		{"ip entry does not match names", "p:1", "10.*", pb, 443, "p:1", false},
		{"cidr", "p:1", "10.0.0.0/8", "10.200.0.1", 443, "", true},
		{"cidr outside", "p:1", "10.0.0.0/8", "11.0.0.1", 443, "p:1", false},
		{"cidr short macOS form", "p:1", "169.254/16", "169.254.7.7", 443, "", true},
		{"cidr v6", "p:1", "2001:db8::/32", "2001:db8::7", 443, "", true},
		{"cidr never matches names", "p:1", "10.0.0.0/8", pb, 443, "p:1", false},
		{"cidr garbage", "p:1", "10.0.0.0/99", "10.0.0.1", 443, "p:1", false},
		{"ipv6 literal", "p:1", "2001:db8::1", "2001:db8::1", 443, "", true},
		{"ipv6 bracketed host", "p:1", "2001:db8::1", "[2001:db8::1]", 443, "", true},
		{"ipv6 wildcard", "p:1", "2001:db8::*", "2001:db8::5", 443, "", true},
		{"ipv6 with port", "p:1", "[2001:db8::1]:443", "2001:db8::1", 443, "", true},
		{"ipv6 other port", "p:1", "[2001:db8::1]:8443", "2001:db8::1", 443, "p:1", false},
		{"port match", "p:1", pb + ":8080", pb, 8080, "", true},
		{"port mismatch", "p:1", pb + ":8080", pb, 443, "p:1", false},
		{"port wildcard", "p:1", pb + ":*", pb, 443, "", true},
		{"port garbage", "p:1", pb + ":443x", pb, 443, "p:1", false},
		{"wildcard with port", "p:1", "*.passwordboss.com:443", pb, 443, "", true},
		{"scheme https", "p:1", "https://" + pb, pb, 443, "", true},
		{"scheme http only", "p:1", "http://" + pb, pb, 443, "p:1", false},
		{"scheme https with port", "p:1", "https://*.passwordboss.com:443", pb, 443, "", true},
		{"mixed separators", "p:1", "a.example; *.corp.local  ,10.*", "vault.corp.local", 443, "", true},
		{"empty entries", "p:1", ";;  ;", pb, 443, "p:1", false},
		{"many entries, last matches", "p:1", "a.example;b.example;<local>;*.passwordboss.com", pb, 443, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, bypassed := ProxyForHost(tt.list, tt.bypass, tt.host, tt.port)
			if proxy != tt.proxy || bypassed != tt.bypassed {
				t.Errorf("ProxyForHost(%q, %q, %q, %d) = %q, %v; want %q, %v",
					tt.list, tt.bypass, tt.host, tt.port, proxy, bypassed, tt.proxy, tt.bypassed)
			}
		})
	}
}

func TestProxyServerURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"proxy.corp.local:8080", "http://proxy.corp.local:8080"},
		{"proxy.corp.local", "http://proxy.corp.local:80"},
		{"http://p:3128", "http://p:3128"},
		{"https://p", "https://p:443"},
		{"socks5://s", "socks5://s:1080"},
		{"[2001:db8::1]:3128", "http://[2001:db8::1]:3128"},
		{"u:pw@p:3128", "http://u:pw@p:3128"},
		{"", ""},
		{":8080", ""},
		{"bad host:1", ""},
		{"[::1", ""},
	}
	for _, tt := range tests {
		u, err := proxyServerURL(tt.in)
		got := ""
		if err == nil {
			got = u.String()
		} else if strings.Contains(err.Error(), tt.in) && tt.in != "" {
			t.Errorf("%q: error %q quotes the setting", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("proxyServerURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseScutilProxy(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		proxy      string
		exceptions []string
		pac        string
		autoDetect bool
	}{
		{
			// The __SCOPED__ copy for en0 differs on purpose: it must
			// not leak into the answer.
			"fixture", readFixture(t, "proxy/scutil_proxy.txt"),
			"proxy.corp.example:8443",
			[]string{"*.local", "169.254/16", "*.corp.example", "10.*", "<local>"},
			"", false,
		},
		{
			"pac fixture", readFixture(t, "proxy/scutil_proxy_pac.txt"),
			"", []string{"*.local", "169.254/16"}, "http://wpad.corp.local/proxy.pac", true,
		},
		{
			"macOS default", readFixture(t, "proxy/scutil_proxy_none.txt"),
			"", []string{"*.local", "169.254/16"}, "", false,
		},
		{"empty", "", "", nil, "", false},
		{"empty dictionary", "<dictionary> {\n}\n", "", nil, "", false},
		{
			"ipv6 proxy",
			"<dictionary> {\n  HTTPSEnable : 1\n  HTTPSPort : 3128\n  HTTPSProxy : 2001:db8::8\n}\n",
			"[2001:db8::8]:3128", nil, "", false,
		},
		{
			"no port",
			"<dictionary> {\n  HTTPSEnable : 1\n  HTTPSProxy : proxy.x\n}\n",
			"proxy.x", nil, "", false,
		},
		{
			"bad port ignored",
			"<dictionary> {\n  HTTPSEnable : 1\n  HTTPSPort : 99999\n  HTTPSProxy : proxy.x\n}\n",
			"proxy.x", nil, "", false,
		},
		{
			"disabled https keeps nothing",
			"<dictionary> {\n  HTTPSEnable : 0\n  HTTPSPort : 3128\n  HTTPSProxy : proxy.x\n}\n",
			"", nil, "", false,
		},
		{
			"crlf and stray braces",
			"}\r\n<dictionary> {\r\n  HTTPSEnable : 1\r\n  HTTPSPort : 1\r\n  HTTPSProxy : p\r\n}\r\n}\r\n}\r\n",
			"p:1", nil, "", false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy, exc, pac, auto := ParseScutilProxy(tt.input)
			if proxy != tt.proxy || !slices.Equal(exc, tt.exceptions) || pac != tt.pac || auto != tt.autoDetect {
				t.Errorf("got %q %q %q %v; want %q %q %q %v", proxy, exc, pac, auto, tt.proxy, tt.exceptions, tt.pac, tt.autoDetect)
			}
		})
	}
}

func TestScutilProxySetting(t *testing.T) {
	full := readFixture(t, "proxy/scutil_proxy.txt")
	const raw = "https=proxy.corp.example:8443 exceptions=*.local;169.254/16;*.corp.example;10.*;<local>"
	tests := []struct {
		name, out, host string
		configured      bool
		want            wantSetting
	}{
		{"proxied", full, "api.passwordboss.com", true, wantSetting{url: "http://proxy.corp.example:8443", raw: raw}},
		{"simple hostname", full, "intranet", true, wantSetting{bypassed: true, raw: raw}},
		{"link-local", full, "169.254.3.4", true, wantSetting{bypassed: true, raw: raw}},
		{"wildcard", full, "vault.corp.example", true, wantSetting{bypassed: true, raw: raw}},
		{
			"pac", readFixture(t, "proxy/scutil_proxy_pac.txt"), "api.passwordboss.com", true,
			wantSetting{autoDetect: true, pac: "http://wpad.corp.local/proxy.pac", raw: "autoconfig=http://wpad.corp.local/proxy.pac autodiscovery"},
		},
		{"none", readFixture(t, "proxy/scutil_proxy_none.txt"), "api.passwordboss.com", false, wantSetting{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, ok := scutilProxySetting(tt.out, tt.host, 443)
			if ok != tt.configured {
				t.Fatalf("configured = %v, want %v", ok, tt.configured)
			}
			if ok {
				checkSetting(t, set, ProxySourceScutil, tt.want)
			}
		})
	}
}

// fakeEnv is a getenv over a map, case-sensitive like Unix.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// envSettings keeps the environment's entry only, so that the test says the
// same on a Windows or macOS machine whose OS settings would follow it.
func envSettings(host string, vars map[string]string) []ProxySetting {
	var out []ProxySetting
	for _, s := range SystemProxies(host, 443, fakeEnv(vars)) {
		if s.Source == ProxySourceEnv {
			out = append(out, s)
		}
	}
	return out
}

func TestEnvProxy(t *testing.T) {
	const pb = "api.passwordboss.com"
	tests := []struct {
		name       string
		host       string
		vars       map[string]string
		configured bool
		want       wantSetting
	}{
		{"nothing", pb, nil, false, wantSetting{}},
		{"no_proxy alone", pb, map[string]string{"NO_PROXY": "*"}, false, wantSetting{}},
		{
			"HTTPS_PROXY", pb, map[string]string{"HTTPS_PROXY": "http://proxy:3128"}, true,
			wantSetting{url: "http://proxy:3128", raw: "HTTPS_PROXY=http://proxy:3128"},
		},
		{
			"lowercase wins", pb, map[string]string{"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, true,
			wantSetting{url: "http://lower:2", raw: "https_proxy=http://lower:2"},
		},
		{
			"empty lowercase does not shadow", pb, map[string]string{"HTTPS_PROXY": "http://upper:1", "https_proxy": ""}, true,
			wantSetting{url: "http://upper:1", raw: "HTTPS_PROXY=http://upper:1"},
		},
		{
			"no scheme", pb, map[string]string{"HTTPS_PROXY": "proxy:3128"}, true,
			wantSetting{url: "http://proxy:3128", raw: "HTTPS_PROXY=proxy:3128"},
		},
		{
			"no port", pb, map[string]string{"HTTPS_PROXY": "http://proxy"}, true,
			wantSetting{url: "http://proxy:80", raw: "HTTPS_PROXY=http://proxy"},
		},
		{
			"HTTP_PROXY does not apply to https", pb, map[string]string{"HTTP_PROXY": "http://web:80"}, true,
			wantSetting{raw: "HTTP_PROXY=http://web:80"},
		},
		{
			"NO_PROXY domain", pb, map[string]string{"HTTPS_PROXY": "http://p:1", "NO_PROXY": "passwordboss.com"}, true,
			wantSetting{bypassed: true, raw: "HTTPS_PROXY=http://p:1 NO_PROXY=passwordboss.com"},
		},
		{
			"NO_PROXY leading dot", pb, map[string]string{"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com, .passwordboss.com"}, true,
			wantSetting{bypassed: true, raw: "HTTPS_PROXY=http://p:1 NO_PROXY=example.com, .passwordboss.com"},
		},
		{
			"NO_PROXY other host", pb, map[string]string{"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com"}, true,
			wantSetting{url: "http://p:1", raw: "HTTPS_PROXY=http://p:1 NO_PROXY=example.com"},
		},
		{
			"NO_PROXY other port", pb, map[string]string{"HTTPS_PROXY": "http://p:1", "NO_PROXY": pb + ":8443"}, true,
			wantSetting{url: "http://p:1", raw: "HTTPS_PROXY=http://p:1 NO_PROXY=" + pb + ":8443"},
		},
		{
			"no_proxy lowercase wins", pb, map[string]string{"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com", "no_proxy": pb}, true,
			wantSetting{bypassed: true, raw: "HTTPS_PROXY=http://p:1 no_proxy=" + pb},
		},
		{
			"loopback never proxied", "localhost", map[string]string{"HTTPS_PROXY": "http://p:1"}, true,
			wantSetting{bypassed: true, raw: "HTTPS_PROXY=http://p:1"},
		},
		{
			"all three", pb, map[string]string{"HTTPS_PROXY": "http://s:1", "HTTP_PROXY": "http://w:2", "NO_PROXY": "x"}, true,
			wantSetting{url: "http://s:1", raw: "HTTPS_PROXY=http://s:1 HTTP_PROXY=http://w:2 NO_PROXY=x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := envSettings(tt.host, tt.vars)
			if len(got) != map[bool]int{false: 0, true: 1}[tt.configured] {
				t.Fatalf("got %d env settings, want configured=%v: %+v", len(got), tt.configured, got)
			}
			if tt.configured {
				checkSetting(t, got[0], ProxySourceEnv, tt.want)
			}
		})
	}
}

func TestEnvProxyComesFirst(t *testing.T) {
	got := SystemProxies("api.passwordboss.com", 443, fakeEnv(map[string]string{"HTTPS_PROXY": "http://p:1"}))
	if len(got) == 0 || got[0].Source != ProxySourceEnv {
		t.Fatalf("env is not first: %+v", got)
	}
}

func TestEnvProxyNilGetenv(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://from-os-env:3128")
	t.Setenv("https_proxy", "")
	got := SystemProxies("api.passwordboss.com", 443, nil)
	if len(got) == 0 || got[0].URL == nil || got[0].URL.Host != "from-os-env:3128" {
		t.Errorf("nil getenv did not read the process environment: %+v", got)
	}
}

// TestProxyCredentialsStayOutOfReports: credentials reach the URL, for
// Proxy-Authorization, and never Raw, PACURL or an error.
func TestProxyCredentialsStayOutOfReports(t *testing.T) {
	const secret = "s3cr3t"
	check := func(t *testing.T, set ProxySetting, wantUser string) {
		t.Helper()
		for what, s := range map[string]string{"Raw": set.Raw, "PACURL": set.PACURL} {
			if strings.Contains(s, secret) || (wantUser != "" && strings.Contains(s, wantUser)) {
				t.Errorf("%s %q holds credentials", what, s)
			}
		}
		if set.Err != nil && strings.Contains(set.Err.Error(), secret) {
			t.Errorf("error %q holds credentials", set.Err)
		}
		if wantUser != "" && !strings.Contains(set.Raw, "***@") {
			t.Errorf("Raw %q does not show that credentials are set", set.Raw)
		}
	}
	passwordURL := func(u *url.URL) string {
		if u == nil || u.User == nil {
			return ""
		}
		p, _ := u.User.Password()
		return p
	}

	envTests := []struct {
		name, value, user, password string
	}{
		{"plain", "http://alice:" + secret + "@proxy:3128", "alice", secret},
		{"escaped at", "http://alice:" + secret + "%40x@proxy:3128", "alice", secret + "@x"},
		{"raw at in password", "http://alice:" + secret + "@x@proxy:3128", "alice", secret + "@x"},
		{"no scheme", "alice:" + secret + "@proxy:3128", "alice", secret},
		{"slash in password", "http://alice:" + secret + "/x@proxy:3128", "", ""},
		{"semicolon in password", "http://alice:" + secret + ";x@proxy:3128", "alice", secret + ";x"},
	}
	for _, tt := range envTests {
		t.Run("env "+tt.name, func(t *testing.T) {
			got := envSettings("api.passwordboss.com", map[string]string{"HTTPS_PROXY": tt.value})
			if len(got) != 1 {
				t.Fatalf("got %+v", got)
			}
			check(t, got[0], "alice")
			if tt.password != "" && passwordURL(got[0].URL) != tt.password {
				t.Errorf("URL %v lost the password", got[0].URL)
			}
		})
	}
	t.Run("env invalid", func(t *testing.T) {
		got := envSettings("api.passwordboss.com", map[string]string{"HTTPS_PROXY": "http://alice:" + secret + "@[::1"})
		if len(got) != 1 || got[0].Err == nil || got[0].URL != nil {
			t.Fatalf("got %+v", got)
		}
		check(t, got[0], "alice")
	})
	t.Run("wininet per-scheme list", func(t *testing.T) {
		s := WinHTTPSettings{Flags: 3, Proxy: "http=alice:" + secret + "1@p1:80;https=http://alice:" + secret + "2@p2:8443"}
		set, ok := winHTTPProxySetting(ProxySourceWinINet, s, "api.passwordboss.com", 443)
		if !ok {
			t.Fatal("not configured")
		}
		check(t, set, "alice")
		if passwordURL(set.URL) != secret+"2" || set.URL.Host != "p2:8443" {
			t.Errorf("URL %v", set.URL)
		}
		if set.Raw != "proxy=http=***@p1:80;https=http://***@p2:8443" {
			t.Errorf("Raw = %q", set.Raw)
		}
	})
	t.Run("pac url", func(t *testing.T) {
		s := WinHTTPSettings{Flags: 5, AutoConfigURL: "http://alice:" + secret + "@wpad/p.pac"}
		set, _ := winHTTPProxySetting(ProxySourceWinINet, s, "api.passwordboss.com", 443)
		check(t, set, "alice")
		if set.PACURL != "http://***@wpad/p.pac" {
			t.Errorf("PACURL = %q", set.PACURL)
		}
	})
	t.Run("scutil", func(t *testing.T) {
		out := "<dictionary> {\n  HTTPSEnable : 1\n  HTTPSPort : 1\n  HTTPSProxy : alice:" + secret + "@p\n}\n"
		set, _ := scutilProxySetting(out, "api.passwordboss.com", 443)
		check(t, set, "alice")
	})
}

func TestProxyRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"proxy:8080", "proxy:8080"},
		{"http://u:p@proxy:8080", "http://***@proxy:8080"},
		{"u:p@proxy:8080", "***@proxy:8080"},
		{"https=u:p@proxy:8080", "https=***@proxy:8080"},
		{"https=http://u:p@proxy:8080", "https=http://***@proxy:8080"},
		{"u:p=x@proxy", "***@proxy"},
		{"u:pa://ss@proxy", "***@proxy"},
		{"http://u:p@x@proxy", "http://***@proxy"},
		{"@proxy", "***@proxy"},
	}
	for _, tt := range tests {
		if got := redactToken(tt.in); got != tt.want {
			t.Errorf("redactToken(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := redactList("a:1; http=u:p@b:2 ,https=u:q@c:3"), "a:1; http=***@b:2 ,https=***@c:3"; got != want {
		t.Errorf("redactList = %q, want %q", got, want)
	}
}

func TestIsSchemeWord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"http", true},
		{"HTTPS", true},
		{"socks5", true},
		{"svn+ssh", true},
		{"x-proxy.v1", true},
		{"h", true},
		{"", false},
		{"5socks", false}, // must start with a letter
		{"+http", false},
		{"u:p", false}, // part of a password
		{"pa ss", false},
		{"päss", false},
		{"http_", false},
	}
	for _, tt := range tests {
		if got := isSchemeWord(tt.in); got != tt.want {
			t.Errorf("isSchemeWord(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseWinHTTPSettings(f *testing.F) {
	for _, name := range winHTTPFixtures {
		f.Add(readHexFixture(f, name))
	}
	f.Add([]byte{})
	f.Add(winHTTPBlob{version: 0x46, flags: 0xF, proxy: "p:1\x00", bypass: "<local>", hasAutoConfig: true, autoConfig: "http://w/p"}.encode())
	f.Add(winHTTPBlob{version: 0x18, flags: 3, proxy: "x"}.encode()[:14])
	f.Fuzz(func(t *testing.T, blob []byte) {
		s, err := ParseWinHTTPSettings(blob)
		if err != nil {
			var be *WinHTTPBlobError
			if !errors.As(err, &be) {
				t.Fatalf("untyped error %v", err)
			}
			if be.Offset < 0 || be.Offset > len(blob) || be.Have != len(blob)-be.Offset || uint64(be.Have) >= be.Need {
				t.Fatalf("inconsistent error %+v for %d bytes", be, len(blob))
			}
		}
		// Whatever was returned, error or not, comes from the blob: the
		// proxy list sits right after the header, and the three strings
		// never add up to more than the blob holds.
		if s.Proxy != "" && !bytes.HasPrefix(blob[16:], []byte(s.Proxy)) {
			t.Fatalf("proxy %q is not at offset 16", s.Proxy)
		}
		for _, v := range []string{s.Bypass, s.AutoConfigURL} {
			if !bytes.Contains(blob, []byte(v)) {
				t.Fatalf("%q is not in the blob", v)
			}
		}
		if n := len(s.Proxy) + len(s.Bypass) + len(s.AutoConfigURL); n > 0 && 12+n > len(blob) {
			t.Fatalf("strings span %d bytes of a %d-byte blob", n, len(blob))
		}
		if len(blob) >= 12 && s.Flags != binary.LittleEndian.Uint32(blob[8:]) {
			t.Fatalf("flags %#x, blob says %#x", s.Flags, binary.LittleEndian.Uint32(blob[8:]))
		}
		if s.AutoDetect != (s.Flags&ProxyTypeAutoDetect != 0) {
			t.Fatalf("AutoDetect %v with flags %#x", s.AutoDetect, s.Flags)
		}
		set, _ := settingFromBlob(ProxySourceWinHTTP, "fuzz", blob, "api.passwordboss.com", 443)
		if set.URL != nil && set.Bypassed {
			t.Fatalf("both a proxy and bypassed: %+v", set)
		}
	})
}

func FuzzProxyForHost(f *testing.F) {
	f.Add("proxy:8080", "<local>;*.corp.local;10.*", "api.passwordboss.com", 443)
	f.Add("http=p1:80;https=p2:8443", "https://*.passwordboss.com:443", "API.passwordboss.com.", 443)
	f.Add("p:1", "[2001:db8::1]:443 169.254/16 10.0.0.0/8", "[2001:db8::1]", 443)
	f.Add("https=u:p@p2:1", "***.*.*a*b*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 8080)
	f.Fuzz(func(t *testing.T, list, bypass, host string, port int) {
		proxy, bypassed := ProxyForHost(list, bypass, host, port)
		if bypassed && proxy != "" {
			t.Fatalf("bypassed with proxy %q", proxy)
		}
		if proxy != "" && !strings.Contains(list, proxy) {
			t.Fatalf("proxy %q is not from the list %q", proxy, list)
		}
		// Bypass only ever removes a proxy; it never invents one.
		unbypassed, b := ProxyForHost(list, "", host, port)
		if b || (proxy != "" && unbypassed != proxy) || (bypassed && unbypassed == "") {
			t.Fatalf("without bypass: %q, %v; with: %q, %v", unbypassed, b, proxy, bypassed)
		}
		if proxy != "" {
			if u, err := proxyServerURL(proxy); err == nil && u.Port() == "" {
				t.Fatalf("URL %v has no port", u)
			}
		}
		// Redaction keeps everything after the last '@' and nothing of the
		// userinfo.
		if r := redactList(list); strings.Count(r, "@") > strings.Count(list, "@") {
			t.Fatalf("redactList(%q) = %q", list, r)
		}
	})
}

func FuzzParseScutilProxy(f *testing.F) {
	f.Add(readFixture(f, "proxy/scutil_proxy.txt"))
	f.Add(readFixture(f, "proxy/scutil_proxy_pac.txt"))
	f.Add("}\n}\n<dictionary> {\nExceptionsList : <array> {\n0 : x\n{\n}\nHTTPSEnable : 1\nHTTPSProxy : ::1\nHTTPSPort : 0\n")
	// Found by the fuzzer: a host that is only "]" joins to "]:1".
	f.Add("<dictionary> {\nHTTPSEnable : 1\nHTTPSProxy : ]\nHTTPSPort : 1\n}\n")
	f.Fuzz(func(t *testing.T, out string) {
		proxy, exc, pac, _ := ParseScutilProxy(out)
		if proxy != "" {
			// The port may have been renormalized; the host is verbatim.
			// Strip what scutilHTTPSProxy adds (":port", brackets around a
			// host with a colon) by hand: a malformed host such as "]"
			// does not split with net.SplitHostPort.
			host := proxy
			if i := strings.LastIndexByte(proxy, ':'); i >= 0 {
				if _, err := strconv.ParseUint(proxy[i+1:], 10, 16); err == nil {
					host = proxy[:i]
					if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
						host = host[1 : len(host)-1]
					}
				}
			}
			if !strings.Contains(out, host) {
				t.Fatalf("proxy %q not from the input", proxy)
			}
		}
		for _, e := range exc {
			if e != "<local>" && !strings.Contains(out, e) {
				t.Fatalf("exception %q not from the input", e)
			}
		}
		if pac != "" && !strings.Contains(out, pac) {
			t.Fatalf("PAC %q not from the input", pac)
		}
		scutilProxySetting(out, "api.passwordboss.com", 443)
	})
}
