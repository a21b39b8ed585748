package agent

// DefaultLogFile is where the agent logs when run as a service: the
// system-wide log folder that Console.app lists under "Log Reports".
func DefaultLogFile() string { return "/Library/Logs/pbprobe/pbprobe.log" }

// DefaultStateDir is where the service keeps what survives a restart (the
// push backlog): the data folder under Application Support that service
// install gives the daemon's user.
func DefaultStateDir() string { return "/Library/Application Support/pbprobe/data" }

// DefaultHistoryFile is the service's --history.file, in the state folder
// the daemon's user owns (the folder above it is root's).
func DefaultHistoryFile() string { return DefaultStateDir() + "/history.json" }
