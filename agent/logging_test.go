package agent_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// The helpers here carry a log prefix: other test files of the package
// define their own ok/fail results under the short names.

var logT0 = time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)

var logHosts = []string{"a.test", "b.test", "c.test", "d.test", "e.test"}

func logTable() []config.Host {
	var out []config.Host
	for _, h := range logHosts {
		out = append(out, config.Host{Host: h, Port: 443, Required: true})
	}
	return out
}

func logOK(host string) *probes.Result {
	addr := netip.MustParseAddrPort("203.0.113.7:443")
	return &probes.Result{
		Target: probes.Target{Host: host, Port: 443},
		Reason: probes.ReasonOK,
		DNS: &probes.DNSResult{Duration: 12 * time.Millisecond, Rcode: "NOERROR", Resolver: "192.0.2.53:53",
			Addresses: []netip.Addr{addr.Addr()}},
		TCP: &probes.TCPResult{Duration: 20 * time.Millisecond, Address: addr,
			Attempts: []probes.TCPAttempt{{Address: addr, Outcome: probes.TCPConnected}}},
		TLS: &probes.TLSResult{Duration: 45 * time.Millisecond, Version: 0x0304, SystemTrusted: true,
			Chain: []probes.CertInfo{{Subject: host, Issuer: "Public CA", NotAfter: logT0.AddDate(0, 3, 0)}}},
	}
}

// logOKv6Broken connects over IPv4 while the IPv6 address times out: an
// ipv6_unreachable warning on an ok host.
func logOKv6Broken(host string) *probes.Result {
	r := logOK(host)
	v6 := netip.MustParseAddrPort("[2001:db8::7]:443")
	r.TCP.Attempts = append([]probes.TCPAttempt{{Address: v6, Outcome: probes.TCPOutTimeout}}, r.TCP.Attempts...)
	return r
}

func logTCPTimeout(host string) *probes.Result {
	return &probes.Result{
		Target: probes.Target{Host: host, Port: 443},
		Reason: probes.TCPTimeout,
		Err:    errors.New("dial tcp 203.0.113.7:443: i/o timeout"),
		DNS: &probes.DNSResult{Duration: 11 * time.Millisecond, Rcode: "NOERROR", Resolver: "192.0.2.53:53",
			Addresses: []netip.Addr{netip.MustParseAddr("203.0.113.7")}},
		TCP: &probes.TCPResult{Duration: 3 * time.Second, Attempts: []probes.TCPAttempt{
			{Address: netip.MustParseAddrPort("203.0.113.7:443"), Outcome: probes.TCPOutTimeout}}},
	}
}

func logIntercepted(host string) *probes.Result {
	r := logOK(host)
	r.Reason = probes.TLSIntercepted
	r.Err = errors.New("certificate trusted by the system but not by the public roots")
	public := false
	r.TLS.PublicTrusted, r.TLS.Intercepted = &public, true
	r.TLS.Chain[0].Issuer = "Contoso Inspection CA"
	return r
}

// logClockSkew is a PC ten minutes ahead of the server's Date.
func logClockSkew(host string) *probes.Result {
	r := logOK(host)
	r.Reason = probes.ClockSkew
	r.Err = errors.New("clock: this PC's clock differs from " + host + "'s by 10m0s")
	r.HTTP = &probes.HTTPResult{Duration: 40 * time.Millisecond, Status: 200,
		Date: logT0.Add(-10 * time.Minute), ClockSkew: 10 * time.Minute}
	return r
}

// logRun is one run of the table: every host ok unless listed.
func logRun(n int, override map[string]*probes.Result) *agent.Document {
	var rs []*probes.Result
	for _, h := range logHosts {
		r, ok := override[h]
		if !ok {
			r = logOK(h)
		}
		rs = append(rs, r)
	}
	rep := agent.Evaluate(logTable(), rs, logT0.Add(time.Duration(n)*5*time.Minute), time.Second,
		agent.EvalOptions{Now: func() time.Time { return logT0 }})
	return &rep
}

// logNotChecked is the report an agent holds before its first run.
func logNotChecked() *agent.Document {
	rep := agent.Evaluate(logTable(), nil, time.Time{}, 0, agent.EvalOptions{})
	rep.CheckedAt = time.Time{}
	return &rep
}

// absent marks a field that must not be on the line.
type absent struct{}

type logWant struct {
	level  zapcore.Level
	msg    string
	fields map[string]any
}

func checkEntries(t *testing.T, got []observer.LoggedEntry, want []logWant) {
	t.Helper()
	if len(got) != len(want) {
		var lines []string
		for _, e := range got {
			lines = append(lines, fmt.Sprintf("%s %q %v", e.Level, e.Message, e.ContextMap()))
		}
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		e := got[i]
		if e.Level != w.level || e.Message != w.msg {
			t.Errorf("line %d: %s %q, want %s %q", i, e.Level, e.Message, w.level, w.msg)
			continue
		}
		ctx := e.ContextMap()
		for k, v := range w.fields {
			have, ok := ctx[k]
			if _, no := v.(absent); no {
				if ok {
					t.Errorf("line %d %q: field %s = %v, want none", i, w.msg, k, have)
				}
				continue
			}
			// Sprint compares across the observer's types (int64 for int,
			// []any for []string).
			if !ok || fmt.Sprint(have) != fmt.Sprint(v) {
				t.Errorf("line %d %q: field %s = %v (present %v), want %v", i, w.msg, k, have, ok, v)
			}
		}
	}
}

func TestLogRunsTransitions(t *testing.T) {
	t.Parallel()
	hostUpInitial := func(h string) logWant {
		return logWant{zapcore.InfoLevel, "host up", map[string]any{"host": h, "port": 443, "initial": true, "down_for": absent{}}}
	}
	type step struct {
		name     string
		override map[string]*probes.Result
		want     []logWant
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"down, reason change, up", []step{
			{"first run all ok logs the starting state", nil, []logWant{
				hostUpInitial("a.test"), hostUpInitial("b.test"), hostUpInitial("c.test"),
				hostUpInitial("d.test"), hostUpInitial("e.test"),
				{zapcore.InfoLevel, "ready", map[string]any{"hosts": 5, "ok": 5, "failing": 0, "initial": true}},
			}},
			{"healthy again is silent", nil, nil},
			{"a host goes down", map[string]*probes.Result{"b.test": logTCPTimeout("b.test")}, []logWant{
				{zapcore.WarnLevel, "host down", map[string]any{
					"host": "b.test", "port": 443, "required": true, "reason": "tcp_timeout", "stage": "tcp",
					"error": "dial tcp 203.0.113.7:443: i/o timeout", "resolver": "192.0.2.53:53",
					"rcode": "NOERROR", "addresses": []string{"203.0.113.7"}, "initial": absent{},
				}},
				{zapcore.WarnLevel, "not ready", map[string]any{
					"hosts": 5, "ok": 4, "failing": 1, "required_failing": 1, "failing_hosts": []string{"b.test:443"},
					"initial": absent{},
				}},
			}},
			{"the same failure is silent", map[string]*probes.Result{"b.test": logTCPTimeout("b.test")}, nil},
			{"the reason changes", map[string]*probes.Result{"b.test": logIntercepted("b.test")}, []logWant{
				{zapcore.WarnLevel, "host reason changed", map[string]any{
					"host": "b.test", "port": 443, "reason": "tls_intercepted", "previous_reason": "tcp_timeout",
					"stage": "tls", "address": "203.0.113.7:443", "issuer": "Contoso Inspection CA",
				}},
			}},
			{"it comes back after three runs", nil, []logWant{
				{zapcore.InfoLevel, "host up", map[string]any{
					"host": "b.test", "port": 443, "previous_reason": "tls_intercepted",
					"down_for": 15 * time.Minute, "initial": absent{},
				}},
				{zapcore.InfoLevel, "ready", map[string]any{"hosts": 5, "ok": 5, "initial": absent{}}},
			}},
			{"and stays", nil, nil},
		}},
		{"down from the start", []step{
			{"first run with a failing host", map[string]*probes.Result{"c.test": logTCPTimeout("c.test")}, []logWant{
				hostUpInitial("a.test"), hostUpInitial("b.test"),
				{zapcore.WarnLevel, "host down", map[string]any{"host": "c.test", "reason": "tcp_timeout", "initial": true}},
				hostUpInitial("d.test"), hostUpInitial("e.test"),
				{zapcore.WarnLevel, "not ready", map[string]any{"failing_hosts": []string{"c.test:443"}, "initial": true}},
			}},
			{"still down", map[string]*probes.Result{"c.test": logTCPTimeout("c.test")}, nil},
			{"up: down_for counts from the first run", nil, []logWant{
				{zapcore.InfoLevel, "host up", map[string]any{"host": "c.test", "down_for": 10 * time.Minute}},
				{zapcore.InfoLevel, "ready", nil},
			}},
		}},
		{"clock skew", []step{
			{"a PC ten minutes ahead", map[string]*probes.Result{"a.test": logClockSkew("a.test")}, []logWant{
				{zapcore.WarnLevel, "host down", map[string]any{
					"host": "a.test", "reason": "clock_skew", "stage": "http", "clock_skew_s": 600.0,
					"server_date": logT0.Add(-10 * time.Minute), "blocked_by": absent{}, "issuer": absent{}, "initial": true,
				}},
				hostUpInitial("b.test"), hostUpInitial("c.test"), hostUpInitial("d.test"), hostUpInitial("e.test"),
				{zapcore.WarnLevel, "not ready", map[string]any{"failing_hosts": []string{"a.test:443"}, "initial": true}},
			}},
		}},
		{"warnings", []step{
			{"a warning at the start is raised", map[string]*probes.Result{"a.test": logOKv6Broken("a.test")}, []logWant{
				hostUpInitial("a.test"),
				{zapcore.InfoLevel, "warning raised", map[string]any{
					"host": "a.test", "port": 443, "code": "ipv6_unreachable", "addresses": []string{"2001:db8::7"},
				}},
				hostUpInitial("b.test"), hostUpInitial("c.test"), hostUpInitial("d.test"), hostUpInitial("e.test"),
				{zapcore.InfoLevel, "ready", nil},
			}},
			{"a standing warning is silent", map[string]*probes.Result{"a.test": logOKv6Broken("a.test")}, nil},
			{"a failing host clears nothing", map[string]*probes.Result{"a.test": logTCPTimeout("a.test")}, []logWant{
				{zapcore.WarnLevel, "host down", map[string]any{"host": "a.test"}},
				{zapcore.WarnLevel, "not ready", nil},
			}},
			{"back with the warning: no second raise", map[string]*probes.Result{"a.test": logOKv6Broken("a.test")}, []logWant{
				{zapcore.InfoLevel, "host up", map[string]any{"host": "a.test", "down_for": 5 * time.Minute}},
				{zapcore.InfoLevel, "ready", nil},
			}},
			{"the warning goes away", nil, []logWant{
				{zapcore.InfoLevel, "warning cleared", map[string]any{"host": "a.test", "port": 443, "code": "ipv6_unreachable"}},
			}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			core, logs := observer.New(zapcore.InfoLevel)
			hook := feed(agent.LogRuns(zap.New(core)))
			prev := logNotChecked()
			for i, s := range tc.steps {
				cur := logRun(i, s.override)
				hook(prev, cur)
				t.Run(s.name, func(t *testing.T) { checkEntries(t, logs.TakeAll(), s.want) })
				prev = cur
			}
		})
	}
}

func TestLogRunsProbeAtDebug(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.DebugLevel)
	hook := feed(agent.LogRuns(zap.New(core)))
	first := logRun(0, map[string]*probes.Result{"a.test": logOKv6Broken("a.test")})
	hook(logNotChecked(), first)
	hook(first, logRun(1, map[string]*probes.Result{"a.test": logOKv6Broken("a.test"), "b.test": logTCPTimeout("b.test")}))

	lines := logs.FilterMessage("probe").AllUntimed()
	if len(lines) != 2*len(logHosts) {
		t.Fatalf("%d probe lines, want one per host per run (%d)", len(lines), 2*len(logHosts))
	}
	checkEntries(t, lines[5:7], []logWant{
		{zapcore.DebugLevel, "probe", map[string]any{
			"host": "a.test", "port": 443, "ok": true, "reason": "ok", "dns_ms": 12, "tcp_ms": 20, "tls_ms": 45,
			"address": "203.0.113.7:443", "resolver": "192.0.2.53:53", "warnings": []string{"ipv6_unreachable"},
			"error": absent{},
		}},
		{zapcore.DebugLevel, "probe", map[string]any{
			"host": "b.test", "reason": "tcp_timeout", "dns_ms": 11, "tcp_ms": 3000, "tls_ms": absent{},
			"address": absent{}, "error": "dial tcp 203.0.113.7:443: i/o timeout", "warnings": []string{},
		}},
	})
}

// logProber answers every target with the result its host maps to.
type logProber map[string]*probes.Result

func (p logProber) Probe(_ context.Context, t probes.Target) *probes.Result {
	if r, ok := p[t.Host]; ok {
		return r
	}
	return logOK(t.Host)
}

// The hook's idea of a first run must match what the Agent hands it.
func TestLogRunsWithAgent(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Hosts = logTable()[:2]
	core, logs := observer.New(zapcore.InfoLevel)
	a, err := agent.New(agent.Options{
		Config:    cfg,
		NewProber: func(*config.Config) (agent.Prober, error) { return logProber{"b.test": logTCPTimeout("b.test")}, nil },
		Hooks:     []agent.RunHook{agent.LogRuns(zap.New(core))},
	})
	if err != nil {
		t.Fatal(err)
	}
	a.RunOnce(t.Context())
	checkEntries(t, logs.TakeAll(), []logWant{
		{zapcore.InfoLevel, "host up", map[string]any{"host": "a.test", "initial": true}},
		{zapcore.WarnLevel, "host down", map[string]any{"host": "b.test", "initial": true}},
		{zapcore.WarnLevel, "not ready", map[string]any{"initial": true}},
	})
	a.RunOnce(t.Context())
	checkEntries(t, logs.TakeAll(), nil)
}

func TestParseLogLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    zapcore.Level
		wantErr bool
	}{
		{"", zapcore.InfoLevel, false},
		{"debug", zapcore.DebugLevel, false},
		{"info", zapcore.InfoLevel, false},
		{"warn", zapcore.WarnLevel, false},
		{"WARNING", zapcore.WarnLevel, false},
		{" Error ", zapcore.ErrorLevel, false},
		{"fatal", 0, true},
		{"verbose", 0, true},
	}
	for _, tc := range tests {
		got, err := agent.ParseLogLevel(tc.in)
		switch {
		case tc.wantErr && err == nil:
			t.Errorf("ParseLogLevel(%q) = %v, want an error", tc.in, got)
		case tc.wantErr:
			if msg := err.Error(); !strings.Contains(msg, "debug, info, warn, error") || !strings.Contains(msg, tc.in) {
				t.Errorf("ParseLogLevel(%q): %q should name the value and the valid levels", tc.in, msg)
			}
		case err != nil || got != tc.want:
			t.Errorf("ParseLogLevel(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// readJSONLines parses every line of the file as one JSON object.
func readJSONLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestNewLoggerFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level string
		want  []string
	}{
		{"debug", []string{"d", "i", "w", "e"}},
		{"info", []string{"i", "w", "e"}},
		{"warn", []string{"w", "e"}},
		{"error", []string{"e"}},
	}
	for _, tc := range tests {
		t.Run(tc.level, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "logs")
			path := filepath.Join(dir, "pbprobe.log")
			l, closeLog, err := agent.NewLogger(agent.LogOptions{Level: tc.level, File: path})
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("d", zap.String("host", "a.test"))
			l.Info("i", zap.String("host", "a.test"), zap.Duration("down_for", 90*time.Second))
			l.Warn("w", zap.Int("port", 443))
			l.Error("e")
			if err := closeLog(); err != nil {
				t.Fatal(err)
			}
			lines := readJSONLines(t, path)
			var msgs []string
			for _, m := range lines {
				msgs = append(msgs, fmt.Sprint(m["msg"]))
				if _, ok := m["ts"]; !ok {
					t.Errorf("line %v has no ts", m)
				}
				if _, ok := m["stacktrace"]; ok {
					t.Errorf("line %v has a stack trace", m)
				}
			}
			if fmt.Sprint(msgs) != fmt.Sprint(tc.want) {
				t.Fatalf("messages %v, want %v", msgs, tc.want)
			}
			last := lines[len(lines)-1]
			if last["level"] != "error" {
				t.Errorf("level %v, want error", last["level"])
			}
			if tc.level == "info" && (lines[0]["host"] != "a.test" || lines[0]["down_for"] != "1m30s") {
				t.Errorf("fields of %v", lines[0])
			}
			if runtime.GOOS == "windows" {
				return
			}
			for p, want := range map[string]fs.FileMode{dir: 0o750, path: 0o640} {
				if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
					t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode().Perm(), err, want)
				}
			}
		})
	}
}

func TestNewLoggerRotates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "pbprobe.log")
	l, closeLog, err := agent.NewLogger(agent.LogOptions{File: path, MaxSizeMB: 1})
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 1000)
	for range 1500 {
		l.Info("filler", zap.String("pad", pad))
	}
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
	// Compression runs in lumberjack's goroutine; wait for it to finish
	// so that the temporary directory can be removed under it.
	var gz, plain []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		gz, _ = filepath.Glob(filepath.Join(dir, "pbprobe-*.log.gz"))
		plain, _ = filepath.Glob(filepath.Join(dir, "pbprobe-*.log"))
		if len(gz) > 0 && len(plain) == 0 {
			break
		}
	}
	if len(gz) != 1 || len(plain) != 0 {
		t.Fatalf("backups: compressed %v, uncompressed %v; want one compressed", gz, plain)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() >= 1<<20 {
		t.Errorf("current file is %d bytes after rotation", fi.Size())
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("the new file after rotation has mode %v, want 0640", fi.Mode().Perm())
	}
}

func TestNewLoggerConsole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format   string
		wantJSON bool
		contains []string
	}{
		{"", false, []string{` level=warn msg="host down" host=a.test down_for=1m30s`}},
		{"logfmt", false, []string{"ts=", ` level=warn msg="host down" host=a.test down_for=1m30s`}},
		{"json", true, []string{`"level":"warn"`, `"msg":"host down"`, `"host":"a.test"`}},
	}
	for _, tc := range tests {
		t.Run("format="+tc.format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			l, closeLog, err := agent.NewLogger(agent.LogOptions{Format: tc.format, Console: &buf})
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("hidden at info")
			l.Warn("host down", zap.String("host", "a.test"), zap.Duration("down_for", 90*time.Second))
			if err := closeLog(); err != nil {
				t.Fatal(err)
			}
			if err := l.Sync(); err != nil {
				t.Errorf("Sync: %v", err)
			}
			line := strings.TrimSuffix(buf.String(), "\n")
			if strings.Contains(line, "\n") || strings.Contains(line, "hidden") {
				t.Fatalf("want one line at info, got %q", buf.String())
			}
			if json.Valid([]byte(line)) != tc.wantJSON {
				t.Errorf("JSON = %v, want %v: %q", !tc.wantJSON, tc.wantJSON, line)
			}
			for _, s := range tc.contains {
				if !strings.Contains(line, s) {
					t.Errorf("%q does not contain %q", line, s)
				}
			}
		})
	}
}

func TestNewLoggerErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		opts     agent.LogOptions
		contains []string
	}{
		{"directory is a file", agent.LogOptions{File: filepath.Join(regular, "pbprobe.log")}, []string{filepath.Join(regular, "pbprobe.log")}},
		{"file is a directory", agent.LogOptions{File: dir}, []string{dir}},
		{"bad level", agent.LogOptions{Level: "loud"}, []string{`"loud"`, "debug, info, warn, error"}},
		{"bad format", agent.LogOptions{Format: "xml", Console: &bytes.Buffer{}}, []string{`"xml"`, "logfmt", "json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := agent.NewLogger(tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestNewLoggerNowhere(t *testing.T) {
	t.Parallel()
	l, closeLog, err := agent.NewLogger(agent.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("goes nowhere")
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
}

func TestSlogForLogs(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.InfoLevel)
	s := agent.SlogFor(zap.New(core).Named("web").With(zap.String("machine", "PC-042")))
	s.Debug("hidden")
	s.Error("http: TLS handshake error", "remote", "192.0.2.9:51234")
	got := logs.AllUntimed()
	checkEntries(t, got, []logWant{{zapcore.ErrorLevel, "http: TLS handshake error", map[string]any{
		"remote": "192.0.2.9:51234", "machine": "PC-042",
	}}})
	if got[0].LoggerName != "web" || got[0].Stack != "" {
		t.Errorf("logger %q, stack %q; want web and no stack", got[0].LoggerName, got[0].Stack)
	}
}

func TestDefaultLogFileIsAbsolute(t *testing.T) {
	t.Parallel()
	p := agent.DefaultLogFile()
	if !filepath.IsAbs(p) || filepath.Base(p) != "pbprobe.log" || !strings.Contains(p, "pbprobe") {
		t.Errorf("DefaultLogFile() = %q", p)
	}
}

// feed hands a hook what the agent would: the two documents and the
// transitions between them, from one detector for the whole sequence.
func feed(hook agent.RunHook) func(prev, cur *agent.Document) {
	det := agent.NewTransitions()
	return func(prev, cur *agent.Document) {
		hook(agent.RunEvent{Prev: prev, Cur: cur, Transitions: det.Next(prev, cur)})
	}
}
