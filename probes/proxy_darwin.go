package probes

import (
	"context"
	"fmt"
	"os/exec"
	"time"
)

// osProxies asks configd through scutil (path and timeout shared with the
// resolver discovery) because the dynamic store holds the settings of the
// active network service, which is what CFNetwork applies; the plist in
// /Library/Preferences holds every service and would need the same
// service-order logic reimplemented.
func osProxies(host string, port int) []ProxySetting {
	ctx, cancel := context.WithTimeout(context.Background(), scutilTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, scutilPath, "--proxy")
	// Without WaitDelay a descendant holding stdout open would keep Output
	// blocked past the timeout.
	cmd.WaitDelay = 500 * time.Millisecond
	out, err := cmd.Output()
	if err != nil {
		return []ProxySetting{{Source: ProxySourceScutil, Err: fmt.Errorf("running scutil --proxy: %w", err)}}
	}
	if s, ok := scutilProxySetting(string(out), host, port); ok {
		return []ProxySetting{s}
	}
	return nil
}
