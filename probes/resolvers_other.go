//go:build !unix && !windows

package probes

import (
	"fmt"
	"runtime"
)

// Platforms such as wasm or Plan 9 have no resolver configuration we know
// how to read; saying so beats guessing servers the OS would not use. Users
// there can still name servers explicitly (Options.Resolvers).
func systemResolvers() ([]string, error) {
	return nil, fmt.Errorf("discovering DNS servers is not supported on %s; configure them explicitly", runtime.GOOS)
}
