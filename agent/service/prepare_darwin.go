package service

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// Prepare creates the log and data folders owned by the daemon's user:
// launchd starts it as nobody, and nobody can write nowhere else. The config
// folder stays root's; nobody reads it because files there are created
// world-readable.
func Prepare(p Paths, _ Options) error {
	u, err := user.Lookup(darwinAccount)
	if err != nil {
		return fmt.Errorf("the service's user: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return fmt.Errorf("the service's user %s: uid %q: %w", darwinAccount, u.Uid, err)
	}
	if err := os.MkdirAll(p.ConfigDir, 0o755); err != nil {
		return err
	}
	for _, d := range []string{p.LogDir, p.DataDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
		// Group wheel (0): admins read the logs without sudo.
		if err := os.Chown(d, uid, 0); err != nil {
			return err
		}
	}
	return nil
}
