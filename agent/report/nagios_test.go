package report

import (
	"testing"

	"github.com/pbprobe/pbprobe/agent"
)

// Labels are the first DNS label when that is unique, host and port when
// it is not, and never hold what a perfdata label cannot.
func TestNagiosLabels(t *testing.T) {
	t.Parallel()
	got := nagiosLabels([]agent.HostReport{
		{Host: "api.passwordboss.com", Port: 443},
		{Host: "app.passwordboss.com", Port: 443},
		{Host: "app.example.org", Port: 8443},
		{Host: "weird=name'x", Port: 443},
	})
	want := []string{"api", "app.passwordboss.com_443", "app.example.org_8443", "weird_name_x"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("labels %q, want %q", got, want)
			break
		}
	}
}
