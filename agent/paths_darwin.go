package agent

// DefaultLogFile is where the agent logs when run as a service: the
// system-wide log folder that Console.app lists under "Log Reports".
func DefaultLogFile() string { return "/Library/Logs/pbprobe/pbprobe.log" }

// DefaultHistoryFile is a suggested --history.file: where system daemons
// keep their state on macOS.
func DefaultHistoryFile() string { return "/Library/Application Support/pbprobe/history.json" }
