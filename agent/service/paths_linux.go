package service

import (
	"path/filepath"

	"github.com/pbprobe/pbprobe/agent"
)

// hostTarget is systemd: kardianos/service also knows SysV, upstart and
// OpenRC, but those get its stock scripts without the hardening.
const hostTarget = targetSystemd

// DefaultPaths are the FHS places. The systemd unit names the same folders
// (ConfigurationDirectory, LogsDirectory, StateDirectory) so that systemd
// creates them owned by the dynamic service user.
func DefaultPaths() Paths {
	logFile := agent.DefaultLogFile()
	return Paths{
		ConfigDir:   "/etc/" + Name,
		LogDir:      filepath.Dir(logFile),
		LogFile:     logFile,
		DataDir:     "/var/lib/" + Name,
		HistoryFile: agent.DefaultHistoryFile(),
	}
}
