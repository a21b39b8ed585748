package agent_test

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
)

func TestDurationFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"10s", 10 * time.Second, ""},
		{"1m30s", 90 * time.Second, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{"10", 0, "use a unit, e.g. 10s or 10m"},
		{"2.5", 0, "use a unit, e.g. 2.5s or 2.5m"},
		{"soon", 0, "use a number with a unit"},
		{"", 0, "use a number with a unit"},
	} {
		var d agent.Duration
		err := d.Set(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Set(%q) = %v; want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || time.Duration(d) != tc.want {
			t.Errorf("Set(%q) = %v, %v; want %v", tc.in, time.Duration(d), err, tc.want)
		}
	}
}

// --history.file is absolute once set, so that the service it is passed on
// to finds the same file.
func TestAbsPathFlag(t *testing.T) {
	t.Parallel()
	var p agent.AbsPath
	if err := p.Set("state/history.json"); err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(p.String()) || !strings.HasSuffix(p.String(), filepath.Join("state", "history.json")) {
		t.Errorf("Set(state/history.json) = %q, want it absolute", p.String())
	}
	if err := p.Set(""); err != nil || p.String() != "" {
		t.Errorf("Set(\"\") = %q, %v; want empty", p.String(), err)
	}
}

// TestLabelsFlag: --label takes the config's rules for labels:, an empty
// value sets nothing, and a name given again takes the later value.
func TestLabelsFlag(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"one", []string{"site=berlin"}, []string{"site=berlin"}, ""},
		{"spaces and equals in the value", []string{"site=acme berlin=1"}, []string{"site=acme berlin=1"}, ""},
		{"empty value sets nothing", []string{"site=berlin", "customer="}, []string{"site=berlin"}, ""},
		{"later wins", []string{"site=a", "customer=c", "site=b"}, []string{"site=b", "customer=c"}, ""},
		{"no equals", []string{"site"}, nil, "want name=value"},
		{"reserved", []string{"reason=x"}, nil, "reason is a label of pbprobe's own series"},
		{"reserved even when empty", []string{"host="}, nil, "host is a label of pbprobe's own series"},
		{"double underscore", []string{"__name__=x"}, nil, "not a label name"},
		{"leading digit", []string{"1site=x"}, nil, "not a label name"},
		{"control character", []string{"site=a\nb"}, nil, "control character"},
		{"too long", []string{"site=" + strings.Repeat("x", 129)}, nil, "longer than 128"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l agent.Labels
			var err error
			for _, a := range tc.args {
				if err = l.Set(a); err != nil {
					break
				}
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Values(); !slices.Equal(got, tc.want) {
				t.Errorf("labels %q; want %q", got, tc.want)
			}
		})
	}
}

// TestFlagsOverConfig: --label and --push.* win over the config file, at
// start and after a reload that changed the file, and the result is checked
// as a whole.
func TestFlagsOverConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pbprobe.yml")
	write := func(customer string) {
		t.Helper()
		body := "labels:\n  site: from-file\n  customer: " + customer + "\n" +
			"push:\n  url: https://file.example.com/api/v1/write\n  basic_auth:\n    username: file-user\n    password_file: file-pass\n"
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("acme")
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var f agent.Flags
	f.Register(fs)
	err := fs.Parse([]string{"--config.file", file, "--label", "site=from-flag", "--label", "desk=7",
		"--push.url", "https://flag.example.com/api/v1/write", "--push.basic_auth.username", "flag-user"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(fs); err != nil {
		t.Fatal(err)
	}
	for _, customer := range []string{"acme", "acme2"} {
		write(customer)
		cfg, err := f.LoadConfig()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"site": "from-flag", "customer": customer, "desk": "7"}
		if !maps.Equal(cfg.Labels, want) {
			t.Errorf("labels %v; want %v", cfg.Labels, want)
		}
		p := cfg.Push
		if p.URL != "https://flag.example.com/api/v1/write" || p.Username != "flag-user" || p.PasswordFile != filepath.Join(dir, "file-pass") {
			t.Errorf("push %+v; want the flags' url and user, the file's password file", p)
		}
	}

	// Without a config, a user needs a password file and a URL.
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--push.url", "https://x.example.com/", "--push.basic_auth.username", "u"}, "set both username and password_file"},
		{[]string{"--push.basic_auth.username", "u", "--push.basic_auth.password_file", "p"}, "url is missing"},
		{[]string{"--push.url", "http://x.example.com/", "--push.basic_auth.username", "u", "--push.basic_auth.password_file", "p"}, "need an https:// url"},
	} {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		var f agent.Flags
		f.Register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if err := f.Check(fs); err != nil {
			t.Fatal(err)
		}
		if _, err := f.LoadConfig(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q: error %v; want %q", tc.args, err, tc.wantErr)
		}
	}
}

// TestVisitSet: a repeatable flag is visited once per value, the others once.
func TestVisitSet(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var f agent.Flags
	f.Register(fs)
	if err := fs.Parse([]string{"--label", "site=a", "--interval", "10m", "--label", "customer=b"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	agent.VisitSet(fs, func(name, value string) { got = append(got, name+" "+value) })
	want := []string{"interval 10m0s", "label site=a", "label customer=b"}
	if !slices.Equal(got, want) {
		t.Errorf("visited %q; want %q", got, want)
	}
}
