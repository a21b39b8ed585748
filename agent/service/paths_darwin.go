package service

import (
	"path/filepath"

	"github.com/pbprobe/pbprobe/agent"
)

const hostTarget = targetLaunchd

// DefaultPaths are the system-wide domain's folders: logs where Console.app
// lists them, config and state under Application Support, which Apple
// reserves for exactly that and keeps across OS upgrades. State gets a
// subfolder because the daemon's user owns it and root owns the config.
func DefaultPaths() Paths {
	logFile := agent.DefaultLogFile()
	support := filepath.Join("/Library/Application Support", Name)
	return Paths{
		ConfigDir:   support,
		LogDir:      filepath.Dir(logFile),
		LogFile:     logFile,
		DataDir:     filepath.Join(support, "data"),
		HistoryFile: agent.DefaultHistoryFile(),
	}
}
