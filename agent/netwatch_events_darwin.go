package agent

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// routeBuf bounds one read of the routing socket: a message there is a
// header and a few socket addresses, well under this; a longer one is cut.
const routeBuf = 2048

// routeEvents is a PF_ROUTE socket: every change of the routing table,
// interfaces and addresses, one message per read.
type routeEvents struct {
	f   *os.File // non-blocking, in the runtime's poller: Close ends a Read
	buf []byte
}

// OpenNetworkEvents opens the OS's network change notifications: on
// macOS the routing socket (no privileges needed).
func OpenNetworkEvents() (NetworkEvents, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("routing socket: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("routing socket: %w", err)
	}
	return &routeEvents{f: os.NewFile(uintptr(fd), "route"), buf: make([]byte, routeBuf)}, nil
}

// Wait implements NetworkEvents: it returns on the first message that is
// about interfaces, addresses or a route the PC was configured with.
func (e *routeEvents) Wait() error {
	for {
		n, err := e.f.Read(e.buf)
		if err != nil {
			return err
		}
		if routeMessageMatters(e.buf[:n]) {
			return nil
		}
	}
}

// Close implements NetworkEvents.
func (e *routeEvents) Close() error { return e.f.Close() }

// routeMessageMatters reads only the header of a routing message
// (rt_msghdr and if_msghdr begin alike: length, version, type; a route's
// flags follow at offset 8). Routes the kernel clones per destination and
// ARP/NDP entries come and go with ordinary traffic and are skipped.
func routeMessageMatters(m []byte) bool {
	if len(m) < 4 {
		return false
	}
	switch m[3] {
	case unix.RTM_NEWADDR, unix.RTM_DELADDR, unix.RTM_IFINFO:
		return true
	case unix.RTM_ADD, unix.RTM_DELETE, unix.RTM_CHANGE:
		if len(m) < 12 {
			return true
		}
		flags := binary.NativeEndian.Uint32(m[8:12])
		return flags&(unix.RTF_WASCLONED|unix.RTF_LLINFO) == 0
	}
	return false
}
