package agent

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRouteMessageMatters: only the header of a routing message is read;
// interfaces, addresses and configured routes count, clones and ARP/NDP
// entries (which come and go with traffic) and cut messages do not.
func TestRouteMessageMatters(t *testing.T) {
	t.Parallel()
	msg := func(typ uint8, flags uint32) []byte {
		m := make([]byte, 92)
		binary.NativeEndian.PutUint16(m, uint16(len(m)))
		m[2], m[3] = unix.RTM_VERSION, typ
		binary.NativeEndian.PutUint32(m[8:], flags)
		return m
	}
	tests := []struct {
		name string
		m    []byte
		want bool
	}{
		{"new address", msg(unix.RTM_NEWADDR, 0), true},
		{"address gone", msg(unix.RTM_DELADDR, 0), true},
		{"interface up or down", msg(unix.RTM_IFINFO, 0), true},
		{"default route added", msg(unix.RTM_ADD, unix.RTF_UP|unix.RTF_GATEWAY|unix.RTF_STATIC), true},
		{"route deleted", msg(unix.RTM_DELETE, unix.RTF_UP|unix.RTF_GATEWAY), true},
		{"cloned route of one destination", msg(unix.RTM_ADD, unix.RTF_UP|unix.RTF_WASCLONED), false},
		{"ARP entry", msg(unix.RTM_DELETE, unix.RTF_UP|unix.RTF_LLINFO), false},
		{"a lookup miss", msg(unix.RTM_MISS, 0), false},
		{"cut short", []byte{0, 0, unix.RTM_VERSION}, false},
	}
	for _, tc := range tests {
		if got := routeMessageMatters(tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
