package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	agentservice "github.com/pbprobe/pbprobe/agent/service"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

// None of these tests installs, starts or stops a service: CI runs them as
// root, where that would change the machine. Install is tested up to the
// checks before it (checkInstall), and `service run` in-process, which
// talks to no service manager when no service manager started it.

func TestServiceUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{[]string{"service"}, exitUsage, "", "Usage: pbprobe service"},
		{[]string{"service", "bogus"}, exitUsage, "", `unknown command "bogus"`},
		{[]string{"service", "help"}, exitReady, "install [run flags]", ""},
		{[]string{"service", "start", "now"}, exitUsage, "", `unexpected argument "now"`},
		{[]string{"service", "status", "now"}, exitUsage, "", `unexpected argument "now"`},
		{[]string{"service", "run", "--log.level", "loud"}, exitUsage, "", "--log.level"},
		{[]string{"help"}, exitReady, "service   install and control", ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			res := runCmd(t, tc.args...)
			if res.code != tc.code || !strings.Contains(res.stdout, tc.wantStdout) || !strings.Contains(res.stderr, tc.wantStderr) {
				t.Errorf("exit %d; want %d\nstdout: %s\nstderr: %s", res.code, tc.code, res.stdout, res.stderr)
			}
		})
	}
}

// TestServiceOptions: install keeps exactly the flags given, with paths made
// absolute, because the service starts in System32 or /.
func TestServiceOptions(t *testing.T) {
	t.Parallel()
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defaultLog := agentservice.DefaultPaths().LogFile
	defaultHistory := agentservice.DefaultPaths().HistoryFile
	for _, tc := range []struct {
		name    string
		args    []string
		want    agentservice.Options
		wantErr string
	}{
		{name: "nothing", want: agentservice.Options{LogFile: defaultLog, HistoryFile: defaultHistory}},
		{
			name: "relative paths and other flags",
			args: []string{"--config.file", "pbprobe.yml", "--web.config.file=web.yml", "--web.listen-address", ":9843", "--interval", "10m", "--web.enable-lifecycle"},
			want: agentservice.Options{
				ConfigFile:    filepath.Join(cwd, "pbprobe.yml"),
				WebConfigFile: filepath.Join(cwd, "web.yml"),
				LogFile:       defaultLog,
				HistoryFile:   defaultHistory,
				Args:          []string{"--interval=10m0s", "--web.enable-lifecycle=true", "--web.listen-address=:9843"},
			},
		},
		{name: "log file", args: []string{"--log.file", "logs/p.log"}, want: agentservice.Options{LogFile: filepath.Join(cwd, "logs", "p.log"), HistoryFile: defaultHistory}},
		{name: "history file", args: []string{"--history.file", "h.json"}, want: agentservice.Options{LogFile: defaultLog, HistoryFile: filepath.Join(cwd, "h.json")}},
		{name: "no history file", args: []string{"--history.file="}, want: agentservice.Options{LogFile: defaultLog, HistoryFile: defaultHistory, NoHistoryFile: true}},
		{
			// Each label is its own flag; an empty one passes nothing; the
			// password file is made absolute and the password never appears.
			name: "labels and push",
			args: []string{"--label", "site=acme berlin", "--label=customer=acme", "--label", "desk=", "--push.url", "https://metrics.example.com/api/v1/write",
				"--push.basic_auth.username", "acme", "--push.basic_auth.password_file", "secret.txt"},
			want: agentservice.Options{LogFile: defaultLog, HistoryFile: defaultHistory, Args: []string{
				"--label=site=acme berlin", "--label=customer=acme",
				"--push.basic_auth.password_file=" + filepath.Join(cwd, "secret.txt"),
				"--push.basic_auth.username=acme", "--push.url=https://metrics.example.com/api/v1/write",
			}},
		},
		{name: "reserved label", args: []string{"--label", "host=x"}, wantErr: "host is a label of pbprobe's own series"},
		{name: "bad label name", args: []string{"--label", "__name__=x"}, wantErr: "not a label name"},
		{name: "label without value", args: []string{"--label", "site"}, wantErr: "want name=value"},
		{name: "no log file", args: []string{"--log.file="}, wantErr: "a service needs a log file"},
		{name: "argument", args: []string{"now"}, wantErr: `unexpected argument "now"`},
		{name: "unknown flag", args: []string{"--bogus"}, wantErr: "bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			o, err := serviceOptions(tc.args, env{stderr: &stderr})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Executable == "" || !filepath.IsAbs(o.Executable) {
				t.Errorf("Executable = %q; want this binary's absolute path", o.Executable)
			}
			o.Executable = ""
			if o.ConfigFile != tc.want.ConfigFile || o.WebConfigFile != tc.want.WebConfigFile || o.LogFile != tc.want.LogFile ||
				o.HistoryFile != tc.want.HistoryFile || o.NoHistoryFile != tc.want.NoHistoryFile || !slices.Equal(o.Args, tc.want.Args) {
				t.Errorf("options\n got %+v\nwant %+v", o, tc.want)
			}
			// What the service will be started with must pass the run
			// command's own validation.
			if _, err := parseRunFlags(o.RunFlags(), env{stderr: &stderr}); err != nil && !strings.Contains(err.Error(), "web.config.file") {
				t.Errorf("pbprobe run refuses the service's flags %q: %v", o.RunFlags(), err)
			}
		})
	}
}

// TestServiceInstallChecksConfig: a bad config is refused before install,
// with the line at fault, as `check` and `run` report it.
func TestServiceInstallChecksConfig(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("interval: 5m\nhosts:\n  - host: api.passwordboss.com\n    port: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"bad config", []string{"--config.file", bad}, "bad.yml:4"},
		{"missing config", []string{"--config.file", bad + ".missing"}, "bad.yml.missing"},
		{"bad flag value", []string{"--interval", "1ms"}, "--interval"},
		{"missing web config", []string{"--web.config.file", bad + ".web"}, "--web.config.file"},
		// The flags are checked with the config, as the service will be.
		{"push user without password file", []string{"--push.url", "https://metrics.example.com/api/v1/write", "--push.basic_auth.username", "acme"}, "set both username and password_file"},
		{"push credentials over http", []string{"--push.url", "http://metrics.example.com/api/v1/write", "--push.basic_auth.username", "acme", "--push.basic_auth.password_file", bad}, "need an https:// url"},
		{"push url with password", []string{"--push.url", "https://u:p@metrics.example.com/"}, "--push.url: the URL holds a user name or password"},
		{"push user without url", []string{"--push.basic_auth.username", "acme", "--push.basic_auth.password_file", bad}, "url is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := checkInstall(tc.args, env{stderr: &stderr})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v; want one with %q", err, tc.wantErr)
			}
		})
	}
}

// TestServiceRunInProcess runs `pbprobe service run` as the service manager
// would start it, minus the service manager: against the test world, until
// told to stop, which must take under 2 s.
func TestServiceRunInProcess(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	cfg := w.config(t, 2*time.Second, w.Add("api.pb.test", probetest.OK))
	addr := freeLoopbackAddr(t)
	logFile := filepath.Join(t.TempDir(), "logs", "pbprobe.log")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		e := env{stdout: &lockedBuffer{}, stderr: stderr, getenv: func(string) string { return "" }}
		done <- run(ctx, []string{"service", "run", "--config.file", cfg, "--web.listen-address", addr, "--log.file", logFile, "--interval", "1s"}, e)
	}()

	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/status")
		if err == nil {
			ok := resp.StatusCode == http.StatusOK
			resp.Body.Close()
			if ok {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("service run exited with %d before serving:\n%s", code, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("service run did not serve /status within 10 s:\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}

	begin := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != exitReady {
			t.Errorf("exit %d; want 0\n%s", code, stderr)
		}
		if took := time.Since(begin); took > 2*time.Second {
			t.Errorf("stop took %s; want under 2 s", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("service run did not stop")
	}
	if b, err := os.ReadFile(logFile); err != nil || !bytes.Contains(b, []byte("pbprobe agent stopped")) {
		t.Errorf("log file: %v\n%s", err, b)
	}
}

// TestServiceRunBadConfig: a service whose config broke exits 2 at once, so
// that its manager restarts it (and picks up the fixed file) instead of
// keeping an idle process.
func TestServiceRunBadConfig(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("hosts: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCmd(t, "service", "run", "--config.file", bad, "--log.file=", "--web.listen-address", "127.0.0.1:0")
	if res.code != exitUsage || !strings.Contains(res.stderr, "bad.yml:1") {
		t.Errorf("exit %d, stderr %q; want 2 and the line", res.code, res.stderr)
	}
	if res.took > 2*time.Second {
		t.Errorf("took %s", res.took)
	}
}
