package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

var passwordBossHosts = []Host{
	{Host: "api.passwordboss.com", Port: 443, Required: true},
	{Host: "app-updates.passwordboss.com", Port: 443, Required: true},
	{Host: "app-updates2.passwordboss.com", Port: 443, Required: true},
	{Host: "portal.passwordboss.com", Port: 443, Required: true},
	{Host: "app.passwordboss.com", Port: 443, Required: true},
}

func TestDefault(t *testing.T) {
	cfg := Default()
	if !reflect.DeepEqual(cfg.Hosts, passwordBossHosts) {
		t.Errorf("Hosts = %+v, want %+v", cfg.Hosts, passwordBossHosts)
	}
	if cfg.Timeout != 10*time.Second || cfg.Interval != 5*time.Minute {
		t.Errorf("Timeout, Interval = %v, %v; want 10s, 5m", cfg.Timeout, cfg.Interval)
	}
	if cfg.Warnings != (Warnings{CertExpiry: 14 * 24 * time.Hour, SlowPhase: 2 * time.Second}) {
		t.Errorf("Warnings = %+v", cfg.Warnings)
	}
	if len(cfg.DNS.Servers) != 0 || cfg.TLS != (TLS{}) {
		t.Errorf("DNS, TLS = %+v, %+v; want empty (OS defaults)", cfg.DNS, cfg.TLS)
	}

	// Each call is a fresh value: one caller's edits must not leak.
	cfg.Hosts[0].Host = "changed.example"
	if Default().Hosts[0].Host != "api.passwordboss.com" {
		t.Error("Default shares its host slice between calls")
	}
}

func TestLoadEmptyPathIsDefault(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("Load(\"\") = %+v, want Default()", cfg)
	}
}

func TestParseValid(t *testing.T) {
	defaultsOnly := func(t *testing.T, cfg *Config) {
		t.Helper()
		want := Default()
		if !reflect.DeepEqual(cfg.Hosts, want.Hosts) || cfg.Timeout != want.Timeout ||
			cfg.Interval != want.Interval || cfg.Warnings != want.Warnings ||
			len(cfg.DNS.Servers) != 0 || cfg.TLS != want.TLS || cfg.Network != want.Network {
			t.Errorf("got %+v, want the defaults", cfg)
		}
	}
	tests := []struct {
		file  string
		check func(t *testing.T, cfg *Config)
	}{
		{"empty.yaml", defaultsOnly},
		{"comments.yaml", defaultsOnly},
		{"explicit_document.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Interval != 10*time.Minute || !reflect.DeepEqual(cfg.Hosts, passwordBossHosts) {
				t.Errorf("got %+v", cfg)
			}
		}},
		{"captive.yaml", func(t *testing.T, cfg *Config) {
			// captive_portal.* is the older name of network.control_*.
			if cfg.Network != (Network{ControlURL: "http://127.0.0.1:9/", ControlExpect: "hi"}) {
				t.Errorf("network = %+v", cfg.Network)
			}
		}},
		{"network.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Network != (Network{ControlURL: "http://127.0.0.1:9/check", ControlExpect: "fine"}) {
				t.Errorf("network = %+v", cfg.Network)
			}
		}},
		{"network_off.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Network.ControlURL != "" {
				t.Errorf("control_url: off left %+v", cfg.Network)
			}
		}},
		{"network_off_plain.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Network.ControlURL != "" {
				t.Errorf("control_url: off (unquoted) left %+v", cfg.Network)
			}
		}},
		{"network_no_expect.yaml", func(t *testing.T, cfg *Config) {
			// Another site answers with another page: the default's
			// expected answer must not carry over.
			if cfg.Network != (Network{ControlURL: "http://127.0.0.1:9/other"}) {
				t.Errorf("network = %+v", cfg.Network)
			}
		}},
		{"minimal.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Timeout != 5*time.Second {
				t.Errorf("Timeout = %v, want 5s", cfg.Timeout)
			}
			if !reflect.DeepEqual(cfg.Hosts, passwordBossHosts) {
				t.Errorf("a file without hosts: got %+v, want the embedded table", cfg.Hosts)
			}
		}},
		{"null_sections.yaml", func(t *testing.T, cfg *Config) {
			want := Warnings{CertExpiry: DefaultCertExpiry, SlowPhase: 1500 * time.Millisecond}
			if cfg.Warnings != want || len(cfg.DNS.Servers) != 0 || cfg.TLS != (TLS{}) {
				t.Errorf("got %+v, want defaults except slow_phase 1.5s", cfg)
			}
		}},
		{"windows.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Timeout != 15*time.Second || !reflect.DeepEqual(cfg.Hosts, passwordBossHosts[:1]) {
				t.Errorf("got %+v", cfg)
			}
		}},
		{"anchors.yaml", func(t *testing.T, cfg *Config) {
			want := []Host{passwordBossHosts[0], passwordBossHosts[3]}
			if !reflect.DeepEqual(cfg.Hosts, want) {
				t.Errorf("Hosts = %+v, want %+v", cfg.Hosts, want)
			}
		}},
		{"full.yaml", func(t *testing.T, cfg *Config) {
			wantHosts := []Host{
				{Host: "api.example.com", Port: 8443, Required: false, AllowPrivate: true},
				{Host: "192.0.2.10", Port: 443, Required: true},
				{Host: "2001:db8::10", Port: 443, Required: true},
			}
			if !reflect.DeepEqual(cfg.Hosts, wantHosts) {
				t.Errorf("Hosts = %+v, want %+v", cfg.Hosts, wantHosts)
			}
			if cfg.Timeout != 20*time.Second || cfg.Interval != time.Minute {
				t.Errorf("Timeout, Interval = %v, %v", cfg.Timeout, cfg.Interval)
			}
			wantServers := []string{"10.0.0.1:53", "10.0.0.2:5353", "[2001:db8::53]:53", "[2001:db8::54]:5353"}
			if !reflect.DeepEqual(cfg.DNS.Servers, wantServers) {
				t.Errorf("DNS.Servers = %q, want %q", cfg.DNS.Servers, wantServers)
			}
			wantTLS := TLS{
				PublicRoots: filepath.Join("testdata", "valid", "roots", "public.pem"),
				SystemRoots: "/etc/pbprobe/system.pem",
			}
			if cfg.TLS != wantTLS {
				t.Errorf("TLS = %+v, want %+v", cfg.TLS, wantTLS)
			}
			if want := (Warnings{CertExpiry: 30 * 24 * time.Hour}); cfg.Warnings != want {
				t.Errorf("Warnings = %+v, want %+v", cfg.Warnings, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "valid", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(data, path)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		file string
		line int
		msg  string
	}{
		// Unknown keys, at every level.
		{"unknown_key.yaml", 3, `unknown setting "timout"; did you mean timeout?`},
		{"unknown_host_key.yaml", 3, `unknown setting "allowPrivate" in a host entry; did you mean allow_private?`},
		{"unknown_dns_key.yaml", 3, `unknown setting "search" in dns; expected servers`},
		{"merge_key.yaml", 1, `unknown setting "base"; expected one of timeout, interval, hosts, dns, tls, warnings`},
		{"merge_key_in_host.yaml", 4, "merge keys (<<) are not supported"},
		{"duplicate_key.yaml", 3, "timeout is set twice (first on line 1)"},

		// Durations.
		{"bad_duration.yaml", 3, `timeout: "10x" is not a duration (e.g. 10s, 2m)`},
		{"captive_https.yaml", 2, `captive_portal.url: "https://x.example/" is not a plain http:// URL`},
		{"network_https.yaml", 2, `network.control_url: "https://127.0.0.1:9/" is not a plain http:// URL`},
		{"duration_no_unit.yaml", 1, `interval: "300" is not a duration`},
		{"duration_list.yaml", 1, "timeout: expected a duration (e.g. 10s, 2m), got a list"},
		{"timeout_zero.yaml", 2, "timeout: 0s must be more than 0 and at most 5m"},
		{"timeout_too_long.yaml", 1, "timeout: 10m must be more than 0 and at most 5m"},
		{"interval_too_short.yaml", 1, "interval: 500ms must be at least 1s"},
		{"cert_expiry_negative.yaml", 2, "warnings.cert_expiry: -1d must not be negative"},
		{"cert_expiry_bad_days.yaml", 3, `warnings.cert_expiry: "1e3d" is not a duration (e.g. 336h, 14d)`},

		// The host list.
		{"hosts_empty.yaml", 2, "host list is empty"},
		{"hosts_null.yaml", 2, "host list is empty"},
		{"hosts_string.yaml", 2, `hosts: expected a list of entries (- host: api.passwordboss.com), got the string "api.passwordboss.com"`},
		{"hosts_item_string.yaml", 3, `hosts: expected an entry with host:`},
		{"anchor_cycle.yaml", 2, "hosts: expected an entry with host:"},
		{"host_duplicate.yaml", 4, "duplicate host api.passwordboss.com:443 (first listed on line 2)"},

		// Ports.
		{"port_out_of_range.yaml", 3, "port: 70000 is out of range; expected a port number from 1 to 65535"},
		{"port_zero.yaml", 3, "port: 0 is out of range"},
		{"port_string.yaml", 3, `port: expected a port number from 1 to 65535, got the string "443"`},
		{"port_octal.yaml", 3, "port: expected a port number from 1 to 65535 in plain decimal, got 0443"},

		// Host names.
		{"host_empty.yaml", 3, `host: "" is empty`},
		{"host_null.yaml", 2, "host: expected a host name (e.g. api.passwordboss.com), got nothing"},
		{"host_missing.yaml", 3, "host entry without host:"},
		{"host_scheme.yaml", 2, "has a scheme; write only the host name (api.passwordboss.com)"},
		{"host_path.yaml", 2, "has a path; write only the host name"},
		{"host_with_port.yaml", 2, "includes a port; write host: api.passwordboss.com and port: 443"},
		{"host_invalid_char.yaml", 2, `is not a valid host name or IP address: it contains '_'`},
		{"host_bad_ip.yaml", 2, "it ends in a number, but is not an IP address"},
		{"host_bool.yaml", 2, "host: expected a string, got true"},
		{"required_string.yaml", 3, `required: expected true or false, got the string "yes"`},

		// DNS servers.
		{"dns_server_name.yaml", 4, `dns.servers: "dns.google" is not an IP address; expected an IP address with an optional port`},
		{"dns_server_port.yaml", 2, `"10.0.0.1:0" has port 0`},
		{"dns_server_bad_port.yaml", 2, `"10.0.0.1:99999" has an invalid port`},
		{"dns_servers_string.yaml", 2, `dns.servers: expected a list of IP addresses`},

		// Other wrong types.
		{"tls_string.yaml", 1, `tls: expected settings such as public_roots: roots.pem, got the string "roots.pem"`},
		{"tls_path_list.yaml", 2, "tls.public_roots: expected a string, got a list"},
		{"top_level_list.yaml", 1, "expected settings as key: value lines (e.g. timeout: 10s), got a list"},
		{"top_level_string.yaml", 1, "expected settings as key: value lines"},

		// Documents and syntax. The lines are where the problem is, not
		// where yaml.v3 says the enclosing block started.
		{"multiple_documents.yaml", 2, "the file holds more than one YAML document"},
		{"syntax.yaml", 4, "invalid YAML: did not find expected '-' indicator"},
		{"syntax_colon.yaml", 5, "invalid YAML: mapping values are not allowed in this context"},
		{"syntax_first_line.yaml", 1, "invalid YAML: "},
		{"syntax_flow.yaml", 4, "invalid YAML: "},
		{"syntax_quote.yaml", 4, "invalid YAML: found unexpected end of stream"},
		{"syntax_second_document.yaml", 3, "invalid YAML: "},
		{"windows_syntax.yaml", 5, "invalid YAML: did not find expected '-' indicator"},
		{"windows_port.yaml", 5, "port: 99999 is out of range"},
		{"tab_indent.yaml", 2, "invalid YAML: found character that cannot start any token"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "errors", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(data, path)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want an error", cfg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			if e.File != path || e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %s:%d: %s\nwant %s:%d: …%s…", e.File, e.Line, e.Msg, path, tt.line, tt.msg)
			}
			if first := e.Msg[:1]; first != strings.ToLower(first) {
				t.Errorf("message %q starts upper-case", e.Msg)
			}
		})
	}
}

// Every error fixture is exercised by TestParseErrors, so none goes stale
// without anyone noticing.
func TestEveryErrorFixtureFails(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data, f); err == nil {
			t.Errorf("%s: Parse succeeded", f)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "pbprobe.yml", Line: 3, Msg: "bad"}, "pbprobe.yml:3: bad"},
		{Error{File: "pbprobe.yml", Msg: "bad"}, "pbprobe.yml: bad"},
		{Error{Line: 3, Msg: "bad"}, "line 3: bad"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestParseEmptyName(t *testing.T) {
	_, err := Parse([]byte("timeout: nope\n"), "")
	if err == nil || err.Error() != `config:1: timeout: "nope" is not a duration (e.g. 10s, 2m)` {
		t.Errorf("err = %v", err)
	}
}

func TestDNSServerNormalisation(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.1.1.1", "1.1.1.1:53"},
		{"1.1.1.1:5353", "1.1.1.1:5353"},
		{"::1", "[::1]:53"},
		{"[::1]", "[::1]:53"},
		{"[::1]:5353", "[::1]:5353"},
		{"2001:DB8:0:0::1", "[2001:db8::1]:53"},
		{"[fe80::1%eth0]:53", "[fe80::1%eth0]:53"},
	}
	for _, tt := range tests {
		data := "dns:\n  servers: [" + `"` + tt.in + `"` + "]\n"
		cfg, err := Parse([]byte(data), "t.yaml")
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if len(cfg.DNS.Servers) != 1 || cfg.DNS.Servers[0] != tt.want {
			t.Errorf("%q: Servers = %q, want [%q]", tt.in, cfg.DNS.Servers, tt.want)
		}
	}
	for _, bad := range []string{"", "dns.google", "1.1.1", "[1.1.1.1]", "[1.1.1.1]:53", "1.1.1.1:", "1.1.1.1:x", "::1:99999x", "https://1.1.1.1"} {
		if got, problem := normalizeServer(bad); problem == "" {
			t.Errorf("normalizeServer(%q) = %q, want a problem", bad, got)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct{ in, want, problem string }{
		{"api.passwordboss.com", "api.passwordboss.com", ""},
		{"API.PasswordBoss.com.", "api.passwordboss.com", ""},
		{"localhost", "localhost", ""},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", ""},
		{"192.0.2.1", "192.0.2.1", ""},
		{"2001:DB8::1", "2001:db8::1", ""},
		{"[2001:db8::1]", "2001:db8::1", ""},
		{"", "", "is empty"},
		{".", "", "empty label"},
		{"a..b", "", "empty label"},
		{"-a.example", "", "starts or ends with a hyphen"},
		{"a-.example", "", "starts or ends with a hyphen"},
		{strings.Repeat("a", 64) + ".example", "", "longer than 63"},
		{strings.Repeat("a.", 127) + "ab", "", "longer than 253"},
		{"bücher.example", "", "xn-- form"},
		{"api passwordboss.com", "", "contains ' '"},
		{"1.2.3", "", "ends in a number"},
		{"[192.0.2.1]", "", "contains '['"},
		{"http://", "", "has a scheme"},
		{"api.passwordboss.com?x", "", "has a path"},
		{"[2001:db8::1]:443", "", "includes a port"},
	}
	for _, tt := range tests {
		got, problem := normalizeHost(tt.in)
		if got != tt.want || !strings.Contains(problem, tt.problem) || (tt.problem == "") != (problem == "") {
			t.Errorf("normalizeHost(%q) = %q, %q; want %q, …%s…", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"10s", 10 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"0", 0, true},
		{"14d", 14 * 24 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{".5d", 12 * time.Hour, true},
		{"0d", 0, true},
		{"-1d", -24 * time.Hour, true},
		{"+2d", 48 * time.Hour, true},
		{"d", 0, false},
		{".d", 0, false},
		{"1dd", 0, false},
		{"1d12h", 0, false},
		{"1e3d", 0, false},
		{"1h2d", 0, false},
		{"1.2.3d", 0, false},
		{"10x", 0, false},
		{"", 0, false},
		{"999999999d", 0, false}, // overflows
	}
	for _, tt := range tests {
		got, ok := parseDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRelativeRootsPaths(t *testing.T) {
	data := []byte("tls:\n  public_roots: certs/public.pem\n  system_roots: /abs/system.pem\n")
	cfg, err := Parse(data, filepath.Join("etc", "pbprobe", "pbprobe.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("etc", "pbprobe", "certs", "public.pem"); cfg.TLS.PublicRoots != want {
		t.Errorf("PublicRoots = %q, want %q", cfg.TLS.PublicRoots, want)
	}
	if !filepath.IsAbs("/abs/system.pem") {
		t.Skip("no Unix-style absolute paths on this OS")
	}
	if cfg.TLS.SystemRoots != "/abs/system.pem" {
		t.Errorf("SystemRoots = %q, want it unchanged", cfg.TLS.SystemRoots)
	}
}

func TestLoadResolvesAgainstFileDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pbprobe.yml")
	writeFile(t, path, "tls:\n  public_roots: roots.pem\n")
	t.Chdir(t.TempDir()) // somewhere else entirely, as a service would be
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "roots.pem"); cfg.TLS.PublicRoots != want {
		t.Errorf("PublicRoots = %q, want %q", cfg.TLS.PublicRoots, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yml")
	_, err := Load(path)
	var e *Error
	if !errors.As(err, &e) || e.File != path || !strings.Contains(e.Msg, "cannot read the config file") {
		t.Fatalf("err = %v, want *Error about reading %s", err, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v does not wrap fs.ErrNotExist", err)
	}
}

func TestLoadErrorNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pbprobe.yml")
	writeFile(t, path, "timeout: 10s\nhosts: []\n")
	_, err := Load(path)
	if err == nil || err.Error() != path+":2: host list is empty; list at least one host, or remove hosts: to use the built-in Password Boss hosts" {
		t.Errorf("err = %v", err)
	}
}

func TestTargets(t *testing.T) {
	cfg, err := Parse([]byte(`
hosts:
  - host: b.example
    port: 8443
    allow_private: true
  - host: a.example
    required: false
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []probes.Target{
		{Host: "b.example", Port: 8443, AllowPrivate: true},
		{Host: "a.example", Port: 443},
	}
	if got := cfg.Targets(); !reflect.DeepEqual(got, want) {
		t.Errorf("Targets() = %+v, want %+v", got, want)
	}
	if got := Default().Targets(); len(got) != 5 || got[0].Host != "api.passwordboss.com" || got[4].Host != "app.passwordboss.com" {
		t.Errorf("Default().Targets() = %+v", got)
	}
}

func TestLoadPEMPool(t *testing.T) {
	dir := t.TempDir()
	cert, certPEM := newCA(t, "pbprobe test CA")
	keyPEM := "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"

	good := filepath.Join(dir, "good.pem")
	writeFile(t, good, certPEM)
	pool, err := LoadPEMPool(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Errorf("the loaded pool does not trust the certificate: %v", err)
	}

	mixed := filepath.Join(dir, "mixed.pem")
	writeFile(t, mixed, keyPEM+certPEM)
	if _, err := LoadPEMPool(mixed); err != nil {
		t.Errorf("a key block next to a certificate: %v", err)
	}

	tests := []struct {
		name, content, want string
		notExist            bool
	}{
		{"missing.pem", "", "read PEM file", true},
		{"empty.pem", "", "holds no certificate", false},
		{"key.pem", keyPEM, "holds no certificate", false},
		{"text.pem", "not a pem file\n", "holds no certificate", false},
		{"broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "certificate 1:", false},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if !tt.notExist {
			writeFile(t, path, tt.content)
		}
		_, err := LoadPEMPool(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want one naming the file and saying %q", tt.name, err, tt.want)
		}
		if tt.notExist && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: err = %v does not wrap fs.ErrNotExist", tt.name, err)
		}
	}
}

func TestProbeOptions(t *testing.T) {
	dir := t.TempDir()
	sysCert, sysPEM := newCA(t, "system CA")
	pubCert, pubPEM := newCA(t, "public CA")
	writeFile(t, filepath.Join(dir, "certs", "system.pem"), sysPEM)
	writeFile(t, filepath.Join(dir, "public.pem"), pubPEM)
	path := filepath.Join(dir, "pbprobe.yml")
	writeFile(t, path, `timeout: 7s
dns:
  servers: [127.0.0.1:5300]
tls:
  system_roots: certs/system.pem
  public_roots: public.pem
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.ProbeOptions()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Timeout != 7*time.Second || !reflect.DeepEqual(opts.Resolvers, []string{"127.0.0.1:5300"}) {
		t.Errorf("Timeout, Resolvers = %v, %q", opts.Timeout, opts.Resolvers)
	}
	if opts.SystemRoots == nil || opts.PublicRoots == nil {
		t.Fatal("root pools not loaded")
	}
	if _, err := sysCert.Verify(x509.VerifyOptions{Roots: opts.SystemRoots}); err != nil {
		t.Errorf("SystemRoots: %v", err)
	}
	if _, err := pubCert.Verify(x509.VerifyOptions{Roots: opts.PublicRoots}); err != nil {
		t.Errorf("PublicRoots: %v", err)
	}
	// The options are a copy: the prober must not see later edits.
	cfg.DNS.Servers[0] = "192.0.2.1:53"
	if opts.Resolvers[0] != "127.0.0.1:5300" {
		t.Error("Resolvers shares its backing array with the config")
	}

	def, err := Default().ProbeOptions()
	if err != nil {
		t.Fatal(err)
	}
	if def.Resolvers != nil || def.SystemRoots != nil || def.PublicRoots != nil || def.Timeout != DefaultTimeout {
		t.Errorf("Default().ProbeOptions() = %+v, want OS resolvers and stores", def)
	}
}

func TestProbeOptionsMissingPEM(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pbprobe.yml")
	writeFile(t, path, "timeout: 7s\ntls:\n  public_roots: nowhere.pem\n")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.ProbeOptions()
	var e *Error
	if !errors.As(err, &e) || e.File != path || e.Line != 3 || !strings.HasPrefix(e.Msg, "tls.public_roots: ") {
		t.Fatalf("err = %v, want %s:3: tls.public_roots: …", err, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v does not wrap fs.ErrNotExist", err)
	}

	// A path changed after loading (by a flag, say) is not the file's fault.
	cfg.TLS.PublicRoots = filepath.Join(dir, "elsewhere.pem")
	if _, err = cfg.ProbeOptions(); err == nil || errors.As(err, &e) {
		t.Errorf("err = %v, want a plain error", err)
	}

	// A Config built in code has no file to point at.
	hand := &Config{Hosts: passwordBossHosts, Timeout: time.Second, TLS: TLS{SystemRoots: filepath.Join(dir, "none.pem")}}
	_, err = hand.ProbeOptions()
	if err == nil || !strings.HasPrefix(err.Error(), "tls.system_roots: ") || errors.As(err, &e) {
		t.Errorf("err = %v, want a plain tls.system_roots error", err)
	}
}

func TestClosest(t *testing.T) {
	known := []string{"host", "port", "required", "allow_private"}
	tests := map[string]string{
		"allowPrivate":  "allow_private",
		"allow-private": "allow_private",
		"ALLOW_PRIVATE": "allow_private",
		"prot":          "port",
		"requried":      "required",
		"hostname":      "",
		"x":             "",
		"ttl":           "",
	}
	for in, want := range tests {
		if got := closest(in, known); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"port", "port", 0},
		{"prot", "port", 1},
		{"timout", "timeout", 1},
		{"kitten", "sitting", 3},
		{"ça", "ca", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// newCA makes a self-signed CA certificate and returns it with its PEM.
func newCA(t *testing.T, name string) (*x509.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Locating a syntax error re-parses prefixes of the file; a huge file must
// not make that quadratic. The rescan gives up and yaml.v3's own line stands.
func TestSyntaxErrorInHugeFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("hosts:\n")
	for i := range 5000 {
		b.WriteString("  - host: h" + strconv.Itoa(i) + ".example\n")
	}
	b.WriteString("   port: 443\n")
	data := []byte(b.String())
	if got := syntaxLine(data, 1, "did not find expected '-' indicator"); got != 0 {
		t.Errorf("syntaxLine scanned the whole file: line %d", got)
	}
	_, err := Parse(data, "huge.yaml")
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "invalid YAML") || e.Line == 0 {
		t.Fatalf("err = %v, want a located syntax error", err)
	}
}
