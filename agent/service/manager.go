package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	kservice "github.com/kardianos/service"
)

// State is what the service manager says about the service.
type State int

// States of the installed service.
const (
	StateUnknown State = iota
	StateNotInstalled
	StateStopped
	StateRunning
)

func (s State) String() string {
	switch s {
	case StateNotInstalled:
		return "not installed"
	case StateStopped:
		return "stopped"
	case StateRunning:
		return "running"
	}
	return "unknown"
}

// ControlTimeout bounds a stop or restart as seen from the command line:
// kardianos/service v1.2.4 polls the Windows SCM until the service reports
// stopped, without a deadline (its issue #337).
const ControlTimeout = 30 * time.Second

// Manager installs and controls the service; it never runs the agent.
type Manager struct {
	s kservice.Service
	c *kservice.Config
}

// NewManager returns a Manager for the service c defines.
func NewManager(c *kservice.Config) (*Manager, error) {
	s, err := kservice.New(NewProgram(nil, 0), c)
	if err != nil {
		return nil, err
	}
	return &Manager{s: s, c: c}, nil
}

// Platform names the service manager kardianos/service found, such as
// linux-systemd, darwin-launchd or windows-service.
func (m *Manager) Platform() string { return m.s.Platform() }

// Install registers the service (it does not start it). The notes are what
// the technician should know about the result.
func (m *Manager) Install() (notes []string, err error) { return install(m.s, m.c) }

// Uninstall stops the service if it runs and removes it: systemd and the
// SCM would otherwise keep a removed service's process running.
func (m *Manager) Uninstall() error {
	if st, err := m.Status(); err == nil && st == StateRunning {
		if err := m.Stop(); err != nil {
			return fmt.Errorf("stopping the service before removing it: %w", err)
		}
	}
	return m.s.Uninstall()
}

// Start asks the service manager to start the service.
func (m *Manager) Start() error { return bounded("start", m.s.Start) }

// Stop asks the service manager to stop the service and waits for it, at
// most ControlTimeout.
func (m *Manager) Stop() error { return bounded("stop", m.s.Stop) }

// Restart stops and starts the service, waiting at most ControlTimeout.
func (m *Manager) Restart() error { return bounded("restart", m.s.Restart) }

// Status asks the service manager about the service.
func (m *Manager) Status() (State, error) {
	st, err := m.s.Status()
	switch {
	case errors.Is(err, kservice.ErrNotInstalled):
		return StateNotInstalled, nil
	case err != nil:
		return StateUnknown, err
	case st == kservice.StatusRunning:
		return StateRunning, nil
	case st == kservice.StatusStopped:
		return StateStopped, nil
	}
	return StateUnknown, nil
}

// SystemLogger opens the OS's own log for the service: the Windows Event
// Log (source pbprobe, registered by Install), syslog elsewhere.
func (m *Manager) SystemLogger() (kservice.Logger, error) { return m.s.SystemLogger(nil) }

// bounded runs a service-manager call with ControlTimeout. A call that
// overruns keeps its goroutine, which ends with the command's process.
func bounded(what string, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(ControlTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("%s: no answer from the service manager within %s", what, ControlTimeout)
	}
}

// Interactive says whether the process was started by hand rather than by
// the service manager. Under Wine it says true even for a service, because
// Wine has no session 0.
func Interactive() bool { return kservice.Interactive() }

// Run runs the agent as the service c defines until the service manager or
// ctx stops it. Started by hand, it runs in the foreground until ctx ends.
// It returns the run's error, or an error when the run did not stop within
// DefaultStopTimeout.
func Run(ctx context.Context, c *kservice.Config, run RunFunc) error {
	return runService(ctx, c, NewProgram(run, DefaultStopTimeout))
}
