//go:build !linux && !darwin && !windows

package agent

// DefaultLogFile is where the agent logs when run as a service. The BSDs
// and illumos keep daemons' logs under /var/log as Linux does (hier(7)), so
// support finds them in the same place.
func DefaultLogFile() string { return "/var/log/pbprobe/pbprobe.log" }

// DefaultStateDir is where the service keeps what survives a restart (the
// push backlog): daemons' state under /var/lib as on Linux.
func DefaultStateDir() string { return "/var/lib/pbprobe" }

// DefaultHistoryFile is the service's --history.file: daemons' state under
// /var/lib as on Linux.
func DefaultHistoryFile() string { return DefaultStateDir() + "/history.json" }
