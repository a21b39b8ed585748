package probes

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// scutilPath is absolute because the agent often runs as root from an RMM
// tool whose PATH we do not control.
const scutilPath = "/usr/sbin/scutil"

// scutilTimeout bounds the wait on configd; a wedged configd must not stall
// the whole check, and resolv.conf is a usable second source.
const scutilTimeout = 2 * time.Second

func systemResolvers() ([]string, error) {
	servers, scutilErr := scutilResolvers()
	if len(servers) > 0 {
		return servers, nil
	}
	// macOS keeps /etc/resolv.conf as a generated copy of the default
	// resolver for legacy tools, so it is the best remaining guess.
	servers, confErr := resolvConfResolvers()
	if len(servers) > 0 {
		return servers, nil
	}
	return nil, fmt.Errorf("no DNS servers found: %w", errors.Join(scutilErr, confErr))
}

func scutilResolvers() ([]string, error) {
	out, err := commandOutput(scutilTimeout, scutilPath, "--dns")
	if err != nil {
		return nil, err
	}
	servers := parseScutilDNS(string(out))
	if len(servers) == 0 {
		return nil, errors.New("scutil --dns lists no default DNS servers")
	}
	return servers, nil
}

func resolvConfResolvers() ([]string, error) {
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return nil, fmt.Errorf("reading DNS configuration: %w", err)
	}
	defer f.Close()
	servers := parseResolvConf(f)
	if len(servers) == 0 {
		return nil, errors.New("/etc/resolv.conf lists no nameserver")
	}
	return servers, nil
}
