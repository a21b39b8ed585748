package service

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

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
	cmdline, err := binaryPath(s.Handle)
	if err != nil {
		return "", fmt.Errorf("reading the %s service's command line: %w", c.Name, err)
	}
	args, _ := windows.DecomposeCommandLine(cmdline)
	if err := Prepare(DefaultPaths(), Options{ConfigFile: configFileFrom(args)}); err != nil {
		return "", fmt.Errorf("preparing the folders: %w", err)
	}
	return "configured the " + c.Name + " service: " + strings.Join(append(done, "folder permissions"), ", "), nil
}

// configureService sets delayed start and the recovery actions, and says
// which it set. It asks for the service's basic config only: mgr's Config
// also queries levels that Wine lacks.
func configureService(s *mgr.Service, c *kservice.Config) ([]string, error) {
	var done []string
	if delayed, _ := c.Option[optDelayedAutoStart].(bool); delayed {
		info := windows.SERVICE_DELAYED_AUTO_START_INFO{IsDelayedAutoStartUp: 1}
		err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (*byte)(unsafe.Pointer(&info)))
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
	done = append(done, fmt.Sprintf("restart %s after a failure", r.delay))
	err := s.SetRecoveryActionsOnNonCrashFailures(true)
	switch {
	case errors.Is(err, windows.ERROR_INVALID_LEVEL) && underWine():
		done = append(done, "not after an error exit (Wine cannot)")
	case err != nil:
		return nil, fmt.Errorf("recovery after an error exit: %w", err)
	}
	return done, nil
}

// binaryPath is the service's command line, from QUERY_SERVICE_CONFIG.
func binaryPath(h windows.Handle) (string, error) {
	n := uint32(1024)
	for {
		b := make([]byte, n)
		p := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&b[0]))
		err := windows.QueryServiceConfig(h, p, n, &n)
		if err == nil {
			return windows.UTF16PtrToString(p.BinaryPathName), nil
		}
		if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) || n > 64<<10 {
			return "", err
		}
	}
}
