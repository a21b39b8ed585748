package agent

// DefaultLogFile is where the agent logs when run as a service: the FHS
// place for system daemons' logs, which logrotate and support scripts look in.
func DefaultLogFile() string { return "/var/log/pbprobe/pbprobe.log" }
