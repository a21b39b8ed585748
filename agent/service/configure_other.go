//go:build !windows

package service

import (
	"fmt"

	kservice "github.com/kardianos/service"
)

func configure(c *kservice.Config) (string, error) {
	return fmt.Sprintf("nothing to configure for %s here: its %s definition already holds the restart policy and start order, and its folders come with it ('service configure' finishes the Windows MSI's install)", c.Name, platformName()), nil
}

// platformName is the service manager this OS's definition is for.
func platformName() string {
	switch hostTarget {
	case targetSystemd:
		return "systemd"
	case targetLaunchd:
		return "launchd"
	}
	return "service manager's"
}
