package service

import (
	"path/filepath"

	"github.com/pbprobe/pbprobe/agent"
)

const hostTarget = targetWindows

// DefaultPaths hang off %ProgramData%\pbprobe, derived from the log file so
// that the known-folder lookup lives in one place (agent.DefaultLogFile):
// config in the folder itself, logs and data in subfolders whose ACLs let
// the LocalService account write.
func DefaultPaths() Paths {
	logFile := agent.DefaultLogFile()
	logDir := filepath.Dir(logFile)
	base := filepath.Dir(logDir)
	return Paths{
		ConfigDir:   base,
		LogDir:      logDir,
		LogFile:     logFile,
		DataDir:     filepath.Join(base, "data"),
		HistoryFile: agent.DefaultHistoryFile(),
	}
}
