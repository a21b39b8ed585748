package probes

// osProxies asks configd through scutil (path and timeout shared with the
// resolver discovery) because the dynamic store holds the settings of the
// active network service, which is what CFNetwork applies; the plist in
// /Library/Preferences holds every service and would need the same
// service-order logic reimplemented.
func osProxies(host string, port int) []ProxySetting {
	out, err := scutilProxyOutput()
	if err != nil {
		return []ProxySetting{{Source: ProxySourceScutil, Err: err}}
	}
	if s, ok := scutilProxySetting(string(out), host, port); ok {
		return []ProxySetting{s}
	}
	return nil
}

// osProxySources runs scutil once more rather than remembering the last
// answer: there is no state to keep it in, and it takes milliseconds.
func osProxySources() []ProxySourceRead {
	_, err := scutilProxyOutput()
	return ScutilProxySources(err)
}

func scutilProxyOutput() ([]byte, error) {
	return commandOutput(scutilTimeout, scutilPath, "--proxy")
}
