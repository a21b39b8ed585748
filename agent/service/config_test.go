package service

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	kservice "github.com/kardianos/service"
)

// The definitions below are rendered the way kardianos/service v1.2.4
// renders them at install time: its template functions and data structs
// are unexported, so the test supplies equivalents with the same names,
// fields and behaviour. A template that used anything else would fail here
// as it would fail in Install.

// systemdFuncs behave as kardianos' "cmd" (quote an argument for ExecStart)
// and "cmdEscape" (escape the spaces of the executable's path).
var systemdFuncs = template.FuncMap{
	"cmd":       func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` },
	"cmdEscape": func(s string) string { return strings.ReplaceAll(s, " ", `\x20`) },
}

// systemdData has the fields of the struct kardianos' systemd Install
// passes to the template.
type systemdData struct {
	*kservice.Config
	Path                 string
	HasOutputFileSupport bool
	ReloadSignal         string
	PIDFile              string
	LimitNOFILE          int
	Restart              string
	SuccessExitStatus    string
	LogOutput            bool
	LogDirectory         string
}

func renderSystemd(t *testing.T, c *kservice.Config, exe string) string {
	t.Helper()
	script, ok := c.Option[optSystemdScript].(string)
	if !ok || script == "" {
		t.Fatal("no SystemdScript option: kardianos would install its stock unit")
	}
	tmpl, err := template.New("").Funcs(systemdFuncs).Parse(script)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = tmpl.Execute(&b, &systemdData{Config: c, Path: exe, HasOutputFileSupport: true, LimitNOFILE: -1, Restart: "always", LogDirectory: "/var/log"})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// unitValues maps each key of a unit file to its values, in order.
func unitValues(unit string) map[string][]string {
	kv := map[string][]string{}
	for _, line := range strings.Split(unit, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		kv[k] = append(kv[k], v)
	}
	return kv
}

func linuxOptions() Options {
	return Options{
		ConfigFile: "/etc/pbprobe/pbprobe.yml",
		LogFile:    "/var/log/pbprobe/pbprobe.log",
		Args:       []string{"--web.listen-address=0.0.0.0:9843"},
	}
}

var linuxPaths = Paths{ConfigDir: "/etc/pbprobe", LogDir: "/var/log/pbprobe", LogFile: "/var/log/pbprobe/pbprobe.log", DataDir: "/var/lib/pbprobe", HistoryFile: "/var/lib/pbprobe/history.json"}

func TestSystemdUnit(t *testing.T) {
	unit := renderSystemd(t, configFor(targetSystemd, linuxPaths, linuxOptions()), "/usr/local/bin/pbprobe")
	kv := unitValues(unit)
	for _, want := range []struct{ key, value string }{
		{"ExecStart", `/usr/local/bin/pbprobe "service" "run" "--config.file" "/etc/pbprobe/pbprobe.yml" "--log.file" "/var/log/pbprobe/pbprobe.log" "--history.file" "/var/lib/pbprobe/history.json" "--web.listen-address=0.0.0.0:9843"`},
		{"Restart", "always"},
		{"RestartSec", "5"},
		{"StartLimitIntervalSec", "0"},
		{"DynamicUser", "yes"},
		{"NoNewPrivileges", "yes"},
		{"ProtectSystem", "strict"},
		{"ProtectHome", "yes"},
		{"PrivateTmp", "yes"},
		{"LogsDirectory", "pbprobe"},
		{"StateDirectory", "pbprobe"},
		{"ConfigurationDirectory", "pbprobe"},
		{"CapabilityBoundingSet", ""},
		{"AmbientCapabilities", ""},
		{"RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX AF_NETLINK"},
		{"ExecReload", "/bin/kill -HUP $MAINPID"},
		{"WantedBy", "multi-user.target"},
		{"Description", Description},
	} {
		t.Run(want.key, func(t *testing.T) {
			got := kv[want.key]
			if len(got) != 1 || got[0] != want.value {
				t.Errorf("%s = %q; want exactly [%q]", want.key, got, want.value)
			}
		})
	}
	// kardianos' stock unit would bring these; the hardening forbids User=.
	for _, absent := range []string{"User", "RestartSec=120", "EnvironmentFile"} {
		if strings.Contains(unit, "\n"+absent) {
			t.Errorf("the unit has %s:\n%s", absent, unit)
		}
	}
	if t.Failed() {
		t.Logf("unit:\n%s", unit)
	}
}

// TestSystemdUnitQuoting: paths with spaces and quotes survive ExecStart.
func TestSystemdUnitQuoting(t *testing.T) {
	o := linuxOptions()
	o.ConfigFile = `/etc/pbprobe/my "site".yml`
	unit := renderSystemd(t, configFor(targetSystemd, linuxPaths, o), "/opt/pb probe/pbprobe")
	exec := unitValues(unit)["ExecStart"]
	want := `/opt/pb\x20probe/pbprobe "service" "run" "--config.file" "/etc/pbprobe/my \"site\".yml"`
	if len(exec) != 1 || !strings.HasPrefix(exec[0], want) {
		t.Errorf("ExecStart = %q; want it to start with %q", exec, want)
	}
}

// TestSystemdAnalyzeVerify has systemd parse the unit, where its tools are
// installed: it catches misspelt keys and bad values the string checks
// cannot. It only reads files in a temporary folder.
func TestSystemdAnalyzeVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unitFile := filepath.Join(dir, Name+".service")
	unit := renderSystemd(t, configFor(targetSystemd, linuxPaths, linuxOptions()), exe)
	if err := os.WriteFile(unitFile, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", unitFile).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Skipf("systemd-analyze cannot run here: %v", err)
	}
	// Without a running systemd, verify also complains about the
	// machine (no /etc/machine-id, no bus); only lines about the unit
	// matter.
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, Name+".service") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
	if t.Failed() {
		t.Logf("unit:\n%s", unit)
	}
}

func TestWindowsConfig(t *testing.T) {
	p := Paths{ConfigDir: `C:\ProgramData\pbprobe`, LogDir: `C:\ProgramData\pbprobe\logs`, LogFile: `C:\ProgramData\pbprobe\logs\pbprobe.log`, DataDir: `C:\ProgramData\pbprobe\data`}
	c := configFor(targetWindows, p, Options{ConfigFile: `C:\ProgramData\pbprobe\pbprobe.yml`})
	if c.Name != "pbprobe" || c.DisplayName != "Password Boss Connectivity Probe" || c.Description == "" {
		t.Errorf("names = %q, %q, %q", c.Name, c.DisplayName, c.Description)
	}
	if c.UserName != `NT AUTHORITY\LocalService` {
		t.Errorf("UserName = %q; want LocalService, not kardianos' default LocalSystem", c.UserName)
	}
	wantArgs := []string{"service", "run", "--config.file", `C:\ProgramData\pbprobe\pbprobe.yml`, "--log.file", `C:\ProgramData\pbprobe\logs\pbprobe.log`}
	if !slices.Equal(c.Arguments, wantArgs) {
		t.Errorf("Arguments = %q; want %q", c.Arguments, wantArgs)
	}
	// kardianos reads options with type assertions and silently falls
	// back to its defaults on a wrong type, so the types matter too.
	for _, want := range []struct {
		key   string
		value any
	}{
		{"DelayedAutoStart", true},
		{"StartType", "automatic"},
		{"OnFailure", "restart"},
		{"OnFailureDelayDuration", "5s"},
		{"OnFailureResetPeriod", 86400},
	} {
		if got, ok := c.Option[want.key]; !ok || got != want.value {
			t.Errorf("Option[%s] = %#v; want %#v", want.key, got, want.value)
		}
	}
	if d, err := time.ParseDuration(c.Option["OnFailureDelayDuration"].(string)); err != nil || d != 5*time.Second {
		t.Errorf("OnFailureDelayDuration parses as %v, %v", d, err)
	}
	for _, key := range []string{optSystemdScript, optLaunchdConfig, optKeepAlive} {
		if _, ok := c.Option[key]; ok {
			t.Errorf("Windows config has the %s option", key)
		}
	}
}

// launchdData has the fields of the struct kardianos' launchd Install
// passes to the template.
type launchdData struct {
	*kservice.Config
	Path                 string
	KeepAlive, RunAtLoad bool
	SessionCreate        bool
	StandardOutPath      string
	StandardErrorPath    string
}

// renderLaunchd renders the plist as kardianos would, with the booleans
// read from the options with its defaults (KeepAlive true, RunAtLoad
// false) and its log paths.
func renderLaunchd(t *testing.T, c *kservice.Config, exe string) string {
	t.Helper()
	plist, ok := c.Option[optLaunchdConfig].(string)
	if !ok || plist == "" {
		t.Fatal("no LaunchdConfig option")
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{
		"bool": func(v bool) string {
			if v {
				return "true"
			}
			return "false"
		},
	}).Parse(plist)
	if err != nil {
		t.Fatal(err)
	}
	option := func(key string, def bool) bool {
		if v, ok := c.Option[key].(bool); ok {
			return v
		}
		return def
	}
	logDir, _ := c.Option[optLogDirectory].(string)
	var b strings.Builder
	err = tmpl.Execute(&b, &launchdData{
		Config: c, Path: exe,
		KeepAlive: option(optKeepAlive, true), RunAtLoad: option(optRunAtLoad, false),
		StandardOutPath: logDir + "/" + c.Name + ".out.log", StandardErrorPath: logDir + "/" + c.Name + ".err.log",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// plistDict parses the top-level dict of a plist: strings, integers and
// booleans as text ("true", "false"), arrays as []string.
func plistDict(t *testing.T, doc string) map[string]any {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	dict := map[string]any{}
	var key string
	var array []string
	inArray := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return dict
		}
		if err != nil {
			t.Fatalf("the plist is not well-formed XML: %v\n%s", err, doc)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "array" {
				dict[key], inArray = array, false
			}
			continue
		}
		switch se.Name.Local {
		case "key":
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			key = s
		case "string", "integer":
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			if inArray {
				array = append(array, s)
			} else {
				dict[key] = s
			}
		case "true", "false":
			dict[key] = se.Name.Local
		case "array":
			array, inArray = nil, true
		}
	}
}

func TestLaunchdConfig(t *testing.T) {
	p := Paths{ConfigDir: "/Library/Application Support/pbprobe", LogDir: "/Library/Logs/pbprobe", LogFile: "/Library/Logs/pbprobe/pbprobe.log", DataDir: "/Library/Application Support/pbprobe/data"}
	o := Options{ConfigFile: "/Library/Application Support/pbprobe/a&b <c>.yml"}
	c := configFor(targetLaunchd, p, o)
	for _, want := range []struct {
		key   string
		value any
	}{
		{"KeepAlive", true},
		{"RunAtLoad", true},
		{"LogDirectory", "/Library/Logs/pbprobe"},
	} {
		if got, ok := c.Option[want.key]; !ok || got != want.value {
			t.Errorf("Option[%s] = %#v; want %#v", want.key, got, want.value)
		}
	}
	dict := plistDict(t, renderLaunchd(t, c, "/usr/local/bin/pbprobe"))
	for key, want := range map[string]any{
		"Label":             "pbprobe",
		"KeepAlive":         "true",
		"RunAtLoad":         "true",
		"UserName":          "nobody",
		"ThrottleInterval":  "5",
		"StandardErrorPath": "/Library/Logs/pbprobe/pbprobe.err.log",
		"ProgramArguments": []string{"/usr/local/bin/pbprobe", "service", "run",
			"--config.file", "/Library/Application Support/pbprobe/a&b <c>.yml",
			"--log.file", "/Library/Logs/pbprobe/pbprobe.log"},
	} {
		got := dict[key]
		if ws, ok := want.([]string); ok {
			if gs, _ := got.([]string); !slices.Equal(gs, ws) {
				t.Errorf("%s = %q; want %q", key, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %#v; want %#v", key, got, want)
		}
	}
}

// TestCheckSystemd: what the hardened unit would hide or forbid is refused
// before anything is installed.
func TestCheckSystemd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(*Options)
		wantErr string
	}{
		{name: "defaults", change: func(*Options) {}},
		{name: "config in home", change: func(o *Options) { o.ConfigFile = "/home/tech/pbprobe.yml" }, wantErr: "cannot see /home"},
		{name: "config in /root", change: func(o *Options) { o.ConfigFile = "/root/pbprobe.yml" }, wantErr: "cannot see /root"},
		{name: "web config in tmp", change: func(o *Options) { o.WebConfigFile = "/tmp/web.yml" }, wantErr: "cannot see /tmp"},
		{name: "binary in home", change: func(o *Options) { o.Executable = "/home/tech/pbprobe" }, wantErr: "cannot see /home"},
		{name: "home-like name", change: func(o *Options) { o.ConfigFile = "/homes.yml" }},
		{name: "log elsewhere", change: func(o *Options) { o.LogFile = "/srv/pbprobe.log" }, wantErr: "only under /var/log/pbprobe"},
		{name: "log in subfolder", change: func(o *Options) { o.LogFile = "/var/log/pbprobe/agent/pbprobe.log" }},
		{name: "percent", change: func(o *Options) { o.Args = []string{"--web.listen-address=%H:9843"} }, wantErr: "systemd would expand"},
		{name: "dollar", change: func(o *Options) { o.ConfigFile = "/etc/pbprobe/$X.yml" }, wantErr: "systemd would expand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := linuxOptions()
			o.Executable = "/usr/local/bin/pbprobe"
			tc.change(&o)
			notes, err := checkFor(targetSystemd, linuxPaths, o)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v; want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v; want one with %q", err, tc.wantErr)
			}
			if len(notes) > 0 {
				t.Errorf("notes %q; want none", notes)
			}
		})
	}
}

// TestWorldReadable: the dynamic user (and macOS' nobody) reads the config
// only through the "others" bits.
func TestWorldReadable(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mode     os.FileMode
		wantNote bool
	}{
		{0o600, true},
		{0o640, true},
		{0o644, false},
		{0o604, false},
	} {
		path := filepath.Join(dir, tc.mode.String()+".yml")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		note := worldReadable("--config.file", path, "the service's dynamic user")
		if got := note != ""; got != tc.wantNote || (got && !strings.Contains(note, "chmod o+r")) {
			t.Errorf("mode %04o: note %q; want a note: %v", tc.mode, note, tc.wantNote)
		}
	}
	if note := worldReadable("--config.file", filepath.Join(dir, "missing.yml"), "x"); note != "" {
		t.Errorf("a missing file gets note %q; the config check reports it", note)
	}
}
