package agent

// DefaultLogFile is where the agent logs when run as a service: the FHS
// place for system daemons' logs, which logrotate and support scripts look in.
func DefaultLogFile() string { return "/var/log/pbprobe/pbprobe.log" }

// DefaultStateDir is where the service keeps what survives a restart (the
// push backlog): the FHS place for a daemon's state, which the systemd
// unit's StateDirectory gives the dynamic service user.
func DefaultStateDir() string { return "/var/lib/pbprobe" }

// DefaultHistoryFile is the service's --history.file: the FHS place for a
// daemon's state.
func DefaultHistoryFile() string { return DefaultStateDir() + "/history.json" }
