package agent

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// winEvents are the IP Helper's change notifications of interfaces,
// unicast addresses and routes, IPv4 and IPv6. Windows calls back on a
// thread of its own; the callback only drops a token in ch.
type winEvents struct {
	ch      chan struct{}
	done    chan struct{}
	once    sync.Once
	handles []windows.Handle
}

// OpenNetworkEvents opens the OS's network change notifications: on
// Windows NotifyIpInterfaceChange, NotifyUnicastIpAddressChange and
// NotifyRouteChange2 (no privileges needed).
func OpenNetworkEvents() (NetworkEvents, error) {
	e := &winEvents{ch: make(chan struct{}, 1), done: make(chan struct{})}
	// One callback for the three: each is (context, row, type). A
	// callback is never freed by Go (the process has room for about
	// 2000), which is why the agent opens this once.
	cb := windows.NewCallback(func(_, _, _ uintptr) uintptr {
		select {
		case e.ch <- struct{}{}:
		default:
		}
		return 0
	})
	notify := []struct {
		name string
		fn   func(uint16, uintptr, unsafe.Pointer, bool, *windows.Handle) error
	}{
		{"NotifyIpInterfaceChange", windows.NotifyIpInterfaceChange},
		{"NotifyUnicastIpAddressChange", windows.NotifyUnicastIpAddressChange},
		{"NotifyRouteChange2", windows.NotifyRouteChange2},
	}
	for _, n := range notify {
		var h windows.Handle
		if err := n.fn(windows.AF_UNSPEC, cb, nil, false, &h); err != nil {
			_ = e.Close()
			return nil, fmt.Errorf("%s: %w", n.name, err)
		}
		e.handles = append(e.handles, h)
	}
	return e, nil
}

// Wait implements NetworkEvents.
func (e *winEvents) Wait() error {
	select {
	case <-e.ch:
		return nil
	case <-e.done:
		return os.ErrClosed
	}
}

// Close implements NetworkEvents. CancelMibChangeNotify2 waits for a
// callback under way, so none runs after it.
func (e *winEvents) Close() error {
	var errs []error
	e.once.Do(func() {
		for _, h := range e.handles {
			if err := windows.CancelMibChangeNotify2(h); err != nil {
				errs = append(errs, err)
			}
		}
		close(e.done)
	})
	return errors.Join(errs...)
}
