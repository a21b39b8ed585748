package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParsePush(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "valid", "push.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Push
	abs, _ := filepath.Abs(filepath.Join("testdata", "valid", "secrets", "push-password"))
	want := Push{URL: "https://metrics.msp.example/api/v1/write", Username: "acme-berlin", PasswordFile: abs,
		CAFile: "/etc/pbprobe/msp-ca.pem", Backlog: Backlog{MaxAge: 48 * time.Hour, MaxBytes: 32 << 20}}
	if p != want || !p.Enabled() {
		t.Errorf("push = %+v\nwant   %+v", p, want)
	}
	if cfg.Labels["customer"] != "acme" || cfg.Labels["site"] != "berlin" || len(cfg.Labels) != 2 {
		t.Errorf("labels = %v", cfg.Labels)
	}
	d := Default()
	if d.Push.Enabled() || d.Push.Backlog.MaxAge != 24*time.Hour || d.Push.Backlog.MaxBytes != DefaultBacklogMaxBytes {
		t.Errorf("default push = %+v", d.Push)
	}
}

func TestParsePushErrors(t *testing.T) {
	tests := []struct {
		yaml string
		line int
		msg  string
	}{
		{"push:\n  url: ftp://x/\n", 2, `push.url: "ftp://x/" is not an http:// or https:// URL`},
		{"push:\n  url: https://u:pw@x/\n", 2, "push.url: the URL holds a user name or password"},
		{"push:\n  ur: https://x/\n", 2, `unknown setting "ur" in push; did you mean url?`},
		{"push:\n  ca_file: ca.pem\n", 1, "push: url is missing"},
		{"push:\n  url: https://x/\n  basic_auth:\n    username: a\n", 4, "push.basic_auth: set both username and password_file"},
		{"push:\n  url: https://x/\n  basic_auth:\n    password_file: pw\n", 4, "push.basic_auth: set both username and password_file"},
		{"push:\n  url: https://x/\n  basic_auth:\n    username: a\n    password: hunter2\n", 5, `unknown setting "password" in push.basic_auth; did you mean password_file?`},
		{"push:\n  url: https://x/\n  bearer_token_file: t\n  basic_auth:\n    username: a\n    password_file: p\n", 1, "push: set either basic_auth or bearer_token_file, not both"},
		{"push:\n  url: http://metrics.example/\n  bearer_token_file: t\n", 1, "push: credentials need an https:// url"},
		{"push:\n  url: https://x/\n  backlog:\n    max_age: 0s\n", 4, "push.backlog.max_age: 0s must be more than 0"},
		{"push:\n  url: https://x/\n  backlog:\n    max_bytes: 10\n", 4, "push.backlog.max_bytes: 10 is less than the minimum of 64KiB"},
		{"push:\n  url: https://x/\n  backlog:\n    max_bytes: lots\n", 4, `push.backlog.max_bytes: "lots" is not a size`},
		{"labels:\n  1site: x\n", 2, `labels: "1site" is not a label name`},
		{"labels:\n  __name__: x\n", 2, `labels: "__name__" is not a label name`},
		{"labels:\n  host: x\n", 2, "labels: host is a label of pbprobe's own series"},
		{"labels:\n  site: \"\"\n", 2, "labels.site: is empty"},
		{"labels:\n  site: \"a\\tb\"\n", 2, "labels.site: contains a control character"},
		{"labels:\n  site: [a]\n", 2, "labels.site: expected a string, got a list"},
		{"labels:\n  site: a\n  site: b\n", 3, "labels.site is set twice"},
		{"labels: berlin\n", 1, "labels: expected name: value lines"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.yaml), "f.yml")
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: error %v, want *Error", tc.yaml, err)
			continue
		}
		if e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q:\n got line %d: %s\nwant line %d: %s", tc.yaml, e.Line, e.Msg, tc.line, tc.msg)
		}
		if strings.Contains(e.Msg, "hunter2") || strings.Contains(e.Msg, "pw@") {
			t.Errorf("%q: the message repeats a secret: %s", tc.yaml, e.Msg)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "16MiB": 16 << 20, "500KB": 500000, "2 GiB": 2 << 30, "64KiB": 65536, "7B": 7} {
		if got, ok := parseSize(in); !ok || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1.5MB", "1e6", "99999999999999999999GiB", "16 mb"} {
		if _, ok := parseSize(in); ok {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}
