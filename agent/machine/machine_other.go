//go:build !windows

package machine

import (
	"os"
	"runtime"
)

// Gather reports the OS and whether pbprobe runs as root. The Windows
// prerequisites have no counterpart here, and root is not needed for
// anything the apps do, so it is only shown.
func Gather() Facts {
	// The kernel release as uname -r prints it, where it is a file (Linux);
	// elsewhere the OS name alone.
	release, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return Facts{
		OS:     UnixVersion(runtime.GOOS, string(release)),
		Checks: []Check{ElevatedCheck(os.Geteuid() == 0, false)},
	}
}
