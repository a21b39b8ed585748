package machine

import (
	"errors"
	"fmt"
	"math"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

const (
	ndpPath            = `SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`
	currentVersionPath = `SOFTWARE\Microsoft\Windows NT\CurrentVersion`
)

// Gather reads the prerequisites from the registry and the process token.
// It takes well under a millisecond and never fails: what cannot be read is
// reported as such.
func Gather() Facts {
	ver := osVersion()
	return Facts{
		OS: ver,
		Checks: []Check{
			dotNet(),
			// The token of an RMM tool's SYSTEM context is elevated too.
			ElevatedCheck(windows.GetCurrentProcessToken().IsElevated(), true),
			{Code: CodeOSVersion, Level: LevelInfo, Value: ver},
		},
	}
}

func dotNet() Check {
	// WOW64_64KEY: a 32-bit pbprobe reads the same view as the 64-bit
	// .NET setup wrote (the flag is ignored on 32-bit Windows).
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, ndpPath, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return DotNetCheck(0, false)
	}
	if err != nil {
		return Unreadable(CodeDotNetFramework, fmt.Errorf(`reading HKLM\%s: %w`, ndpPath, err))
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue("Release")
	switch {
	case errors.Is(err, registry.ErrNotExist):
		return DotNetCheck(0, false)
	case err != nil:
		return Unreadable(CodeDotNetFramework, fmt.Errorf(`reading HKLM\%s\Release: %w`, ndpPath, err))
	}
	return DotNetCheck(uint32(min(v, math.MaxUint32)), true)
}

// osVersion takes the numbers from RtlGetVersion, which, unlike
// GetVersionEx, is not capped by the manifest, and the names from the
// registry. A missing name only makes the answer shorter.
func osVersion() string {
	v := windows.RtlGetVersion()
	var product, display string
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, currentVersionPath, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err == nil {
		defer k.Close()
		product, _, _ = k.GetStringValue("ProductName")
		display, _, _ = k.GetStringValue("DisplayVersion")
		if display == "" {
			display, _, _ = k.GetStringValue("ReleaseId")
		}
	}
	return WindowsVersion(product, display, v.MajorVersion, v.MinorVersion, v.BuildNumber)
}
