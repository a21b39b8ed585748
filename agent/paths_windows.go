package agent

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// DefaultLogFile is where the agent logs when run as a service: under
// %ProgramData%, which the SYSTEM account can write and technicians can read
// without knowing which user installed the MSI. The known-folder API comes
// first because the service's environment may lack ProgramData; the
// variable and then the stock path are fallbacks for a failing API.
func DefaultLogFile() string {
	return filepath.Join(programData(), "pbprobe", "logs", "pbprobe.log")
}

// DefaultHistoryFile is the service's --history.file, in the data folder
// LocalService may write (the config folder above it it may only read).
func DefaultHistoryFile() string {
	return filepath.Join(DefaultStateDir(), "history.json")
}

func programData() string {
	base, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0)
	if err != nil || base == "" {
		base = os.Getenv("ProgramData")
	}
	if base == "" {
		base = `C:\ProgramData`
	}
	return base
}

// DefaultStateDir is where the service keeps what survives a restart (the
// push backlog): %ProgramData%\pbprobe\data, the folder service install
// lets LocalService write.
func DefaultStateDir() string {
	return filepath.Join(filepath.Dir(filepath.Dir(DefaultLogFile())), "data")
}
