//go:build !linux && !darwin && !windows

package service

import (
	"path/filepath"

	"github.com/pbprobe/pbprobe/agent"
)

const hostTarget = targetOther

// DefaultPaths follow hier(7) on the BSDs: third-party config under
// /usr/local/etc, daemons' state under /var/db.
func DefaultPaths() Paths {
	logFile := agent.DefaultLogFile()
	return Paths{
		ConfigDir:   "/usr/local/etc/" + Name,
		LogDir:      filepath.Dir(logFile),
		LogFile:     logFile,
		DataDir:     "/var/db/" + Name,
		HistoryFile: agent.DefaultHistoryFile(),
	}
}
