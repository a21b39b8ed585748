package agent

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// netlinkGroups are the kernel's multicast groups of links, addresses and
// routes, IPv4 and IPv6: what the fingerprint describes.
const netlinkGroups = unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR |
	unix.RTMGRP_IPV4_ROUTE | unix.RTMGRP_IPV6_ROUTE

// netlinkBuf bounds one read. Nothing in a message is parsed (that one
// arrived is all the watcher needs), so a longer one is cut, not followed.
const netlinkBuf = 4096

// netlinkEvents is a NETLINK_ROUTE socket subscribed to netlinkGroups. It
// sees the network namespace of the thread that opened it.
type netlinkEvents struct {
	f   *os.File // non-blocking, in the runtime's poller: Close ends a Read
	buf []byte
}

// OpenNetworkEvents opens the OS's network change notifications: on
// Linux a netlink socket (no privileges needed).
func OpenNetworkEvents() (NetworkEvents, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: netlinkGroups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink bind: %w", err)
	}
	return &netlinkEvents{f: os.NewFile(uintptr(fd), "netlink"), buf: make([]byte, netlinkBuf)}, nil
}

// Wait implements NetworkEvents.
func (e *netlinkEvents) Wait() error {
	_, err := e.f.Read(e.buf)
	if errors.Is(err, unix.ENOBUFS) {
		// The kernel dropped messages because too many came at once: a
		// change for sure.
		return nil
	}
	return err
}

// Close implements NetworkEvents.
func (e *netlinkEvents) Close() error { return e.f.Close() }
