//go:build linux

package service

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// needTools skips without the Debian tools a packaging test needs, and
// fails under CI=true, where .ci/run installs them.
func needTools(t *testing.T, tools map[string]string) {
	t.Helper()
	for tool, pkg := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing (Debian package %s; .ci/run installs it)", tool, pkg)
			}
			t.Skipf("%s is missing (apt-get install %s)", tool, pkg)
		}
	}
}

// buildMSI builds the MSI the way `make dist` does, around a stand-in
// executable: the tables do not depend on what the file holds.
func buildMSI(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	exe := filepath.Join(dir, "pbprobe.exe")
	if err := os.WriteFile(exe, []byte("MZ stand-in for pbprobe.exe"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pbprobe.msi")
	cmd := exec.Command("../../packaging/dist.sh", "msi", exe, out)
	cmd.Env = append(os.Environ(), "VERSION="+version, "SOURCE_DATE_EPOCH=1700000000")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh msi: %v\n%s", err, b)
	}
	return out
}

// msiTable is one table of an MSI as msiinfo exports it: a row per line,
// columns by name.
func msiTable(t *testing.T, msi, table string) []map[string]string {
	t.Helper()
	b, err := exec.Command("msiinfo", "export", msi, table).Output()
	if err != nil {
		t.Fatalf("msiinfo export %s: %v", table, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\r\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("%s: no header in %q", table, b)
	}
	cols := strings.Split(strings.TrimRight(lines[0], "\r"), "\t")
	var rows []map[string]string
	for _, l := range lines[3:] {
		row := map[string]string{}
		for i, v := range strings.Split(strings.TrimRight(l, "\r"), "\t") {
			if i < len(cols) {
				row[cols[i]] = v
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func rowBy(rows []map[string]string, col, value string) map[string]string {
	for _, r := range rows {
		if r[col] == value {
			return r
		}
	}
	return nil
}

// msiFormat expands [PROPERTY] as Windows Installer does, unknown ones to "".
func msiFormat(s string, props map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '[')
		j := strings.IndexByte(s[i+1:], ']')
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(props[s[i+1:i+1+j]])
		s = s[i+j+2:]
	}
}

// msiCondition evaluates the two forms of condition the property-setting
// actions use: PROPERTY (set) and NOT PROPERTY (unset).
func msiCondition(t *testing.T, cond string, props map[string]string) bool {
	t.Helper()
	name, negated := strings.CutPrefix(cond, "NOT ")
	if name == "" || strings.ContainsAny(name, " =<>()") {
		t.Fatalf("condition %q: the test knows only PROPERTY and NOT PROPERTY", cond)
	}
	return (props[name] != "") != negated
}

// splitArgs splits a command line the way CommandLineToArgvW does for
// arguments without backslashes before quotes, which is all the MSI makes.
func splitArgs(s string) []string {
	var args []string
	var cur strings.Builder
	inQuote, inArg := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote, inArg = !inQuote, true
		case r == ' ' && !inQuote:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
			}
			inArg = false
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// TestMSIServiceMatchesInstall builds the MSI and holds its service to what
// `pbprobe service install` registers with the same flags: name, account,
// start type, description and the exact command line, with the install's
// properties run through the MSI's own custom actions.
func TestMSIServiceMatchesInstall(t *testing.T) {
	needTools(t, map[string]string{"wixl": "wixl", "msiinfo": "msitools", "faketime": "faketime"})
	msi := buildMSI(t, "v1.2.3-4-gabcdef0")

	svc := rowBy(msiTable(t, msi, "ServiceInstall"), "Name", Name)
	if svc == nil {
		t.Fatal("no ServiceInstall row for " + Name)
	}
	c := configFor(targetWindows, Paths{}, Options{})
	for col, want := range map[string]string{
		"DisplayName": c.DisplayName, "Description": c.Description, "StartName": c.UserName,
		"ServiceType": "16", // own process
		"StartType":   "2",  // automatic; configure makes it delayed
	} {
		if svc[col] != want {
			t.Errorf("ServiceInstall.%s = %q, want %q", col, svc[col], want)
		}
	}

	actions := msiTable(t, msi, "CustomAction")
	sequence := msiTable(t, msi, "InstallExecuteSequence")
	for _, tc := range []struct {
		name  string
		props map[string]string
		o     Options
	}{
		{"defaults", map[string]string{}, Options{Args: []string{"--web.listen-address=127.0.0.1:9843"}}},
		{"every property", map[string]string{
			"LISTEN_ADDRESS": "0.0.0.0:9843", "INTERVAL": "10m", "CONFIG_FILE": `C:\ProgramData\pbprobe\pbprobe.yml`,
			"SITE": "acme berlin", "CUSTOMER": "acme",
			"PUSH_URL": "https://metrics.example.com/api/v1/write", "PUSH_USERNAME": "acme",
			"PUSH_PASSWORD_FILE": `C:\ProgramData\pbprobe\push password.txt`,
			"EXTRA_FLAGS":        "--log.level=debug",
		}, Options{
			ConfigFile: `C:\ProgramData\pbprobe\pbprobe.yml`,
			Args: []string{"--web.listen-address=0.0.0.0:9843", "--interval=10m",
				"--label=site=acme berlin", "--label=customer=acme",
				"--push.url=https://metrics.example.com/api/v1/write", "--push.basic_auth.username=acme",
				`--push.basic_auth.password_file=C:\ProgramData\pbprobe\push password.txt`,
				"--log.level=debug"},
		}},
		// An empty SITE passes nothing, not an empty label.
		{"site only", map[string]string{"SITE": "acme-berlin", "CUSTOMER": ""}, Options{
			Args: []string{"--web.listen-address=127.0.0.1:9843", "--label=site=acme-berlin"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"CommonAppDataFolder": `C:\ProgramData\`}
			for k, v := range tc.props {
				props[k] = v
			}
			// The property-setting actions, in their sequence, where
			// their condition (the property they read) holds.
			for _, id := range []string{"DefaultListenAddress", "SetArgConfigFile", "SetArgInterval",
				"SetArgSite", "SetArgCustomer", "SetArgPushUrl", "SetArgPushUsername", "SetArgPushPasswordFile"} {
				a, s := rowBy(actions, "Action", id), rowBy(sequence, "Action", id)
				if a == nil || s == nil {
					t.Fatalf("custom action %s: %v, sequenced %v", id, a, s)
				}
				if msiCondition(t, s["Condition"], props) {
					props[a["Source"]] = msiFormat(a["Target"], props)
				}
			}
			got := append([]string{`C:\Program Files\pbprobe\pbprobe.exe`}, splitArgs(msiFormat(svc["Arguments"], props))...)
			o := tc.o
			o.Executable = `C:\Program Files\pbprobe\pbprobe.exe`
			o.LogFile = `C:\ProgramData\pbprobe\logs\pbprobe.log`
			o.HistoryFile = `C:\ProgramData\pbprobe\data\history.json`
			wc := configFor(targetWindows, Paths{}, o)
			want := append([]string{wc.Executable}, wc.Arguments...)
			if !slices.Equal(got, want) {
				t.Errorf("the MSI's service runs\n  %q\ninstall's runs\n  %q", got, want)
			}
		})
	}
}

// TestMSIUpgrade: the upgrade code never changes, and MajorUpgrade finds
// older and newer versions.
func TestMSIUpgrade(t *testing.T) {
	needTools(t, map[string]string{"wixl": "wixl", "msiinfo": "msitools", "faketime": "faketime"})
	msi := buildMSI(t, "v1.2.3-4-gabcdef0")
	props := map[string]string{}
	for _, r := range msiTable(t, msi, "Property") {
		props[r["Property"]] = r["Value"]
	}
	if props["UpgradeCode"] != "{7D4C1B0E-5A2F-4E59-9C3B-2F1B8E6A9D01}" || props["ProductVersion"] != "1.2.3.4" || props["ALLUSERS"] != "1" {
		t.Errorf("UpgradeCode %s, ProductVersion %s, ALLUSERS %q", props["UpgradeCode"], props["ProductVersion"], props["ALLUSERS"])
	}
	found := map[string]bool{}
	for _, r := range msiTable(t, msi, "Upgrade") {
		if r["UpgradeCode"] == props["UpgradeCode"] {
			found[r["ActionProperty"]] = true
		}
	}
	if !found["WIX_UPGRADE_DETECTED"] || !found["WIX_DOWNGRADE_DETECTED"] {
		t.Errorf("Upgrade table finds %v, want older (WIX_UPGRADE_DETECTED) and newer versions", found)
	}
	// Another build of the same release (Windows Installer compares three
	// fields) is replaced, not installed beside: 1.2.3 inclusive to 1.2.4.
	same := rowBy(msiTable(t, msi, "Upgrade"), "ActionProperty", "PBPROBE_SAME_VERSION_DETECTED")
	wantRow(t, "same-release upgrade", same, map[string]string{"VersionMin": "1.2.3", "VersionMax": "1.2.4", "Attributes": "256"})
	if !strings.Contains(props["SecureCustomProperties"], "PBPROBE_SAME_VERSION_DETECTED") {
		t.Errorf("SecureCustomProperties %q lacks the same-release property", props["SecureCustomProperties"])
	}
	for _, c := range msiTable(t, msi, "Component") {
		if atoiOr(c["Attributes"], 0)&256 == 0 {
			t.Errorf("component %s is not 64-bit: its registry values would go to Wow6432Node", c["Component"])
		}
	}
}

// wantRow checks the columns of a table row.
func wantRow(t *testing.T, what string, row, want map[string]string) {
	t.Helper()
	if row == nil {
		t.Errorf("%s: no row", what)
		return
	}
	for col, v := range want {
		if row[col] != v {
			t.Errorf("%s: %s = %q, want %q", what, col, row[col], v)
		}
	}
}

// sequence maps the actions of InstallExecuteSequence to their numbers.
func sequence(t *testing.T, msi string) map[string]int {
	seq := map[string]int{}
	for i, r := range msiTable(t, msi, "InstallExecuteSequence") {
		seq[r["Action"]] = atoiOr(r["Sequence"], -i)
	}
	return seq
}

// TestMSIRemembersProperties: every property is saved to and searched in
// the registry, and the command line's value is taken before AppSearch and
// restored after it, so that it wins over the saved one.
func TestMSIRemembersProperties(t *testing.T) {
	needTools(t, map[string]string{"wixl": "wixl", "msiinfo": "msitools", "faketime": "faketime"})
	msi := buildMSI(t, "v1.2.3-4-gabcdef0")
	seq := sequence(t, msi)
	search := msiTable(t, msi, "AppSearch")
	locators := msiTable(t, msi, "RegLocator")
	registry := msiTable(t, msi, "Registry")
	for p, camel := range map[string]string{
		"LISTEN_ADDRESS": "ListenAddress", "INTERVAL": "Interval", "CONFIG_FILE": "ConfigFile",
		"SITE": "Site", "CUSTOMER": "Customer", "EXTRA_FLAGS": "ExtraFlags",
		"PUSH_URL": "PushUrl", "PUSH_USERNAME": "PushUsername", "PUSH_PASSWORD_FILE": "PushPasswordFile",
	} {
		// Type 18: a raw value, in the 64-bit view where the x64
		// components write it (not Wow6432Node).
		loc := rowBy(locators, "Signature_", rowBy(search, "Property", p)["Signature_"])
		wantRow(t, "RegLocator of "+p, loc, map[string]string{"Root": "2", "Key": `SOFTWARE\pbprobe`, "Name": p, "Type": "18"})
		reg := rowBy(registry, "Name", p)
		wantRow(t, "Registry value "+p, reg, map[string]string{"Root": "2", "Key": `SOFTWARE\pbprobe`, "Value": "[" + p + "]"})
		save, restore := seq["SaveCmd"+camel], seq["SetFromCmd"+camel]
		if save <= 0 || save >= seq["AppSearch"] || restore <= seq["AppSearch"] || restore >= seq["CostInitialize"] {
			t.Errorf("%s: saved at %d, AppSearch %d, restored at %d", p, save, seq["AppSearch"], restore)
		}
	}
}

// TestMSIConfigureAction: configure runs deferred as SYSTEM between
// installing and starting the service, and the service starts on install,
// stops on both and is removed on uninstall.
func TestMSIConfigureAction(t *testing.T) {
	needTools(t, map[string]string{"wixl": "wixl", "msiinfo": "msitools", "faketime": "faketime"})
	msi := buildMSI(t, "v1.2.3-4-gabcdef0")
	seq := sequence(t, msi)
	ca := rowBy(msiTable(t, msi, "CustomAction"), "Action", "ConfigureService")
	const deferred, noImpersonate = 0x400, 0x800
	if ca == nil || ca["Target"] != "service configure" || atoiOr(ca["Type"], 0)&(deferred|noImpersonate) != deferred|noImpersonate {
		t.Errorf("ConfigureService = %v, want `service configure`, deferred, as SYSTEM", ca)
	}
	if s := seq["ConfigureService"]; s <= seq["InstallServices"] || s >= seq["StartServices"] {
		t.Errorf("ConfigureService at %d, want between InstallServices %d and StartServices %d", s, seq["InstallServices"], seq["StartServices"])
	}
	// PURGE=1 removes the data on a real uninstall only, never on the
	// uninstall half of an upgrade, with the 64-bit cmd.exe (the 32-bit
	// one may be missing from a 64-bit Wine).
	purge := rowBy(msiTable(t, msi, "InstallExecuteSequence"), "Action", "PurgeData")
	wantRow(t, "PurgeData", purge, map[string]string{"Condition": `REMOVE="ALL" AND PURGE="1" AND NOT UPGRADINGPRODUCTCODE`})
	wantRow(t, "SetCmdExe", rowBy(msiTable(t, msi, "CustomAction"), "Action", "SetCmdExe"), map[string]string{"Target": "[System64Folder]cmd.exe"})
	ctl := rowBy(msiTable(t, msi, "ServiceControl"), "Name", Name)
	// 1 start on install, 2|32 stop on install and uninstall, 128 delete on uninstall.
	if ctl == nil || ctl["Event"] != "163" {
		t.Errorf("ServiceControl = %v, want event 163 (start on install, stop always, remove on uninstall)", ctl)
	}
}

// TestMSIReproducible: the same version and file give the same bytes.
func TestMSIReproducible(t *testing.T) {
	needTools(t, map[string]string{"wixl": "wixl", "msiinfo": "msitools", "faketime": "faketime"})
	a, err := os.ReadFile(buildMSI(t, "v1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(buildMSI(t, "v1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same MSI differ")
	}
	c, err := os.ReadFile(buildMSI(t, "v1.2.4"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Error("v1.2.3 and v1.2.4 built the same MSI: the product code must change")
	}
}

func atoiOr(s string, def int) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
	}
	if s == "" {
		return def
	}
	return n
}
