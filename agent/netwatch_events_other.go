//go:build !linux && !darwin && !windows

package agent

import "errors"

// OpenNetworkEvents: no notifications here; NativeWatcher polls.
func OpenNetworkEvents() (NetworkEvents, error) {
	return nil, errors.New("not implemented on this OS")
}
