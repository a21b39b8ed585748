// Package monitoring holds the Prometheus alert rules and the Grafana
// dashboard shipped with pbprobe; its only Go code is the tests that check
// them with promtool.
package monitoring

import (
	"os/exec"
	"testing"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestAlertRules checks the rules' syntax and runs their unit tests
// (alerts_test.yml) with promtool.
func TestAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		probetest.Unavailable(t, "promtool not found (Debian package prometheus)")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}
