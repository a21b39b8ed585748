package service

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the service definitions under packaging/ from the program")

// Packaged service definitions: the deb/rpm ship the systemd unit and the
// macOS tarball the LaunchDaemon that `pbprobe service install` would write
// for the same flags, rendered here from the same templates and options.
// `go test ./agent/service -run PackagedDefinitions -update` rewrites them.
var (
	// The packages install the binary as /usr/bin/pbprobe and ship the
	// config file as a conffile (an absent --config.file is an error).
	packagedLinux = Options{
		Executable: "/usr/bin/pbprobe",
		ConfigFile: "/etc/pbprobe/pbprobe.yml",
		LogFile:    "/var/log/pbprobe/pbprobe.log",
	}
	packagedDarwin = Options{
		Executable: "/usr/local/bin/pbprobe",
		ConfigFile: "/Library/Application Support/pbprobe/pbprobe.yml",
		LogFile:    "/Library/Logs/pbprobe/pbprobe.log",
	}
	darwinPaths = Paths{
		ConfigDir:   "/Library/Application Support/pbprobe",
		LogDir:      "/Library/Logs/pbprobe",
		LogFile:     "/Library/Logs/pbprobe/pbprobe.log",
		DataDir:     "/Library/Application Support/pbprobe/data",
		HistoryFile: "/Library/Application Support/pbprobe/data/history.json",
	}
)

func TestPackagedDefinitions(t *testing.T) {
	for _, tc := range []struct {
		file string
		got  string
	}{
		{"linux/pbprobe.service", renderSystemd(t, configFor(targetSystemd, linuxPaths, packagedLinux), packagedLinux.Executable)},
		{"macos/pbprobe.plist", renderLaunchd(t, configFor(targetLaunchd, darwinPaths, packagedDarwin), packagedDarwin.Executable)},
	} {
		path := filepath.Join("..", "..", "packaging", filepath.FromSlash(tc.file))
		if *update {
			if err := os.WriteFile(path, []byte(tc.got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != tc.got {
			t.Errorf("%s is not what install writes; run go test ./agent/service -run PackagedDefinitions -update\n--- file\n%s\n--- program\n%s", tc.file, want, tc.got)
		}
	}
	// The shipped plist parses, and says what launchd needs.
	plist, err := os.ReadFile(filepath.Join("..", "..", "packaging", "macos", "pbprobe.plist"))
	if err != nil {
		t.Fatal(err)
	}
	d := plistDict(t, string(plist))
	if d["Label"] != Name || d["UserName"] != darwinAccount || d["KeepAlive"] != "true" {
		t.Errorf("pbprobe.plist: Label %v, UserName %v, KeepAlive %v", d["Label"], d["UserName"], d["KeepAlive"])
	}
	// The packaged definitions pass install's own checks.
	if notes, err := checkFor(targetSystemd, linuxPaths, packagedLinux); err != nil || len(notes) > 0 {
		t.Errorf("the packaged unit fails install's check: %q, %v", notes, err)
	}
}
