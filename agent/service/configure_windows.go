package service

import (
	"errors"
	"fmt"
	"strings"

	kservice "github.com/kardianos/service"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// configure gives the installed service Config's delayed start and
// recovery actions, and prepares its folders with Prepare's ACLs (the
// config file it names included).
func configure(c *kservice.Config) (string, error) {
	m, err := mgr.Connect()
	if err != nil {
		return "", fmt.Errorf("connecting to the service manager: %w", err)
	}
	defer func() { _ = m.Disconnect() }()
	s, err := m.OpenService(c.Name)
	if err != nil {
		return "", fmt.Errorf("the %s service: %w", c.Name, err)
	}
	defer s.Close()
	done, err := configureService(s, c)
	if err != nil {
		return "", err
	}
	sc, err := s.Config()
	if err != nil {
		return "", fmt.Errorf("reading the %s service's command line: %w", c.Name, err)
	}
	args, _ := windows.DecomposeCommandLine(sc.BinaryPathName)
	if err := Prepare(DefaultPaths(), Options{ConfigFile: configFileFrom(args)}); err != nil {
		return "", fmt.Errorf("preparing the folders: %w", err)
	}
	return "configured the " + c.Name + " service: " + strings.Join(append(done, "folder permissions"), ", "), nil
}

// configureService sets delayed start and the recovery actions, and says
// which it set.
func configureService(s *mgr.Service, c *kservice.Config) ([]string, error) {
	var done []string
	sc, err := s.Config()
	if err != nil {
		return nil, fmt.Errorf("reading the %s service: %w", c.Name, err)
	}
	if delayed, _ := c.Option[optDelayedAutoStart].(bool); delayed && !sc.DelayedAutoStart {
		sc.DelayedAutoStart = true
		err := s.UpdateConfig(sc)
		switch {
		case errors.Is(err, windows.ERROR_INVALID_LEVEL) && underWine():
			done = append(done, "no delayed start (Wine has none)")
		case err != nil:
			return nil, fmt.Errorf("delayed start: %w", err)
		default:
			done = append(done, "delayed start")
		}
	}
	r := recoveryFrom(c.Option)
	actions := []mgr.RecoveryAction{{Type: mgr.ServiceRestart, Delay: r.delay}}
	if err := s.SetRecoveryActions(actions, uint32(r.reset.Seconds())); err != nil {
		return nil, fmt.Errorf("recovery actions: %w", err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return nil, fmt.Errorf("recovery after an error exit: %w", err)
	}
	return append(done, fmt.Sprintf("restart %s after a failure", r.delay)), nil
}
