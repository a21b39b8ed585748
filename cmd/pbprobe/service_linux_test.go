package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestServiceInstallChecksUnitLimits: install refuses what the hardened
// systemd unit would make fail at every start: here the log file outside
// LogsDirectory or, first, the test binary itself when it is in /tmp.
func TestServiceInstallChecksUnitLimits(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	_, err := checkInstall([]string{"--log.file", "/srv/pbprobe.log"}, env{stderr: &stderr})
	if err == nil || !strings.Contains(err.Error(), "only under /var/log/pbprobe") && !strings.Contains(err.Error(), "cannot see /tmp") {
		t.Errorf("error %v; want a limit of the unit", err)
	}
}
