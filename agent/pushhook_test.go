package agent

import (
	"maps"
	"testing"
)

func TestIdentityLabels(t *testing.T) {
	for _, tc := range []struct {
		labels  map[string]string
		machine string
		want    map[string]string
	}{
		{nil, "PC-042", map[string]string{"job": "pbprobe", "machine": "PC-042", "instance": "PC-042"}},
		{map[string]string{"site": "berlin", "customer": "acme"}, "PC-042",
			map[string]string{"job": "pbprobe", "machine": "PC-042", "instance": "PC-042", "site": "berlin", "customer": "acme"}},
		// The config's machine wins over the host name, and so does an
		// instance set there.
		{map[string]string{"machine": "front-desk", "instance": "fd-1"}, "PC-042",
			map[string]string{"job": "pbprobe", "machine": "front-desk", "instance": "fd-1"}},
		{nil, "", map[string]string{"job": "pbprobe"}},
	} {
		if got := identityLabels(tc.labels, tc.machine); !maps.Equal(got, tc.want) {
			t.Errorf("identityLabels(%v, %q) = %v, want %v", tc.labels, tc.machine, got, tc.want)
		}
	}
}
