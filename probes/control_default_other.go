//go:build !windows && !darwin

package probes

// The control probe's default is the URL NetworkManager's connectivity
// check uses on GNOME-based distributions, with the answer it expects.
const (
	DefaultControlURL    = "http://nmcheck.gnome.org/check_network_status.txt"
	DefaultControlExpect = "NetworkManager is online"
)
