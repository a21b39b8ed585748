package agent

// DefaultLogFile is where the agent logs when run as a service: the
// system-wide log folder that Console.app lists under "Log Reports".
func DefaultLogFile() string { return "/Library/Logs/pbprobe/pbprobe.log" }
