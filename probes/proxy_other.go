//go:build !windows && !darwin

package probes

// osProxies has nothing to add on Linux and the BSDs: desktop proxy
// settings (GNOME, KDE) live in per-user session stores that a service
// cannot see and that command-line programs ignore, so the environment is
// the system setting there.
func osProxies(string, int) []ProxySetting { return nil }

// osProxySources: the environment, which is all there is to read.
func osProxySources() []ProxySourceRead {
	return []ProxySourceRead{{Source: ProxySourceEnv, Read: true}}
}
