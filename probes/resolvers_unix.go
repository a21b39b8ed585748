//go:build unix && !darwin

package probes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// resolvConfPath is where every libc on these systems reads its resolvers.
const resolvConfPath = "/etc/resolv.conf"

// maxResolvConfServers mirrors MAXNS in glibc and musl (and Go's own
// resolver): nameserver lines after the third are never queried, so probing
// them could report a host reachable that applications cannot resolve.
const maxResolvConfServers = 3

func systemResolvers() ([]string, error) {
	f, err := os.Open(resolvConfPath)
	if errors.Is(err, fs.ErrNotExist) {
		return localResolvers(), nil
	}
	if err != nil {
		// Unlike libc we do not fall back here: an unreadable file is
		// likely a restriction on this process, not on the applications
		// whose view we want, so guessing would misreport their DNS.
		return nil, fmt.Errorf("reading DNS configuration: %w", err)
	}
	defer f.Close()
	servers := parseResolvConf(f)
	if len(servers) == 0 {
		return localResolvers(), nil
	}
	if len(servers) > maxResolvConfServers {
		servers = servers[:maxResolvConfServers]
	}
	return servers, nil
}

// localResolvers is what the C library (and Go's resolver) query when
// resolv.conf is missing or names no server: a resolver on this machine.
// We return it rather than an error because it is what applications on
// this PC really do; if nothing listens there, the DNS probe reports that
// as a DNS failure with the resolver it tried, which tells the technician
// more than "no resolvers configured" would.
func localResolvers() []string {
	return []string{"127.0.0.1:53", "[::1]:53"}
}
