package service

// Paths are the installed service's folders on this OS, the single place
// install, the service definitions and the README's table agree on.
type Paths struct {
	// ConfigDir holds the config file (and a web config with TLS keys):
	// readable by the service account, writable by administrators only.
	ConfigDir string
	// LogDir holds the rotated log; the service account writes it.
	LogDir string
	// LogFile is agent.DefaultLogFile, inside LogDir.
	LogFile string
	// DataDir is state the service keeps between runs; the service
	// account writes it.
	DataDir string
	// HistoryFile is agent.DefaultHistoryFile, inside DataDir: the
	// status page's recent runs, kept across restarts.
	HistoryFile string
}

// target is the kind of service definition an OS gets.
type target int

const (
	targetSystemd target = iota
	targetLaunchd
	targetWindows
	// targetOther is whatever kardianos/service finds on the BSDs and
	// the like, with its own stock definition.
	targetOther
)
