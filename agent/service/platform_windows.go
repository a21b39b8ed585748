package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	kservice "github.com/kardianos/service"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// runService always tries the service dispatcher first. kardianos/service
// decides by svc.IsWindowsService, which is false under Wine's service
// manager; it would then never answer the SCM, which gives up with error
// 1053. Started by hand, the dispatcher fails at once with 1063 and the
// agent runs in the foreground instead.
func runService(ctx context.Context, c *kservice.Config, p *Program) error {
	h := &handler{p: p}
	err := svc.Run(c.Name, h)
	if errors.Is(err, windows.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
		return foreground(ctx, p)
	}
	if err != nil {
		return err
	}
	return h.result()
}

// handler answers the SCM. It replaces kardianos' own, which cannot notice
// the agent ending by itself: the service would stay "running" with
// nothing behind it. Returning an error exit code instead lets the
// recovery actions (which install enables for that case) restart it.
type handler struct {
	p *Program

	mu  sync.Mutex
	err error
}

// Service-specific exit codes, shown by `sc query pbprobe`.
const (
	exitStartFailed = 1
	exitRunFailed   = 2
	exitStopFailed  = 3
)

func (h *handler) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	changes <- svc.Status{State: svc.StartPending}
	h.p.setManaged(true)
	if err := h.p.Start(nil); err != nil {
		h.setResult(err)
		return true, exitStartFailed
	}
	changes <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case c := <-r:
			switch c.Cmd {
			case svc.Interrogate:
				changes <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				changes <- svc.Status{State: svc.StopPending, WaitHint: uint32((DefaultStopTimeout + time.Second).Milliseconds())}
				if err := h.p.Stop(nil); err != nil {
					h.setResult(err)
					return true, exitStopFailed
				}
				return false, 0
			}
		case <-h.p.Done():
			h.setResult(h.p.Err())
			return true, exitRunFailed
		}
	}
}

func (h *handler) setResult(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.err = err
}

func (h *handler) result() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

func install(s kservice.Service, c *kservice.Config) ([]string, error) {
	var notes []string
	err := s.Install()
	if errors.Is(err, windows.ERROR_INVALID_LEVEL) && underWine() {
		// Wine does not implement delayed automatic start; x/sys's
		// CreateService has already removed the half-made service.
		retry, nerr := kservice.New(NewProgram(nil, 0), withOption(c, optDelayedAutoStart, false))
		if nerr != nil {
			return notes, nerr
		}
		err = retry.Install()
		notes = append(notes, "Wine: no delayed automatic start; the service starts with the others at boot")
	}
	if err != nil {
		return notes, err
	}
	if err := restartOnNonCrashFailure(c.Name); err != nil {
		notes = append(notes, fmt.Sprintf("the service restarts after a crash, but not after it stops with an error: %v", err))
	}
	return notes, nil
}

// restartOnNonCrashFailure makes the recovery actions also apply when the
// service stops with an error exit code, which is how it reports an agent
// that failed (a bad config, a taken port) rather than crashed.
func restartOnNonCrashFailure(name string) error {
	m, err := mgr.Connect()
	if err != nil {
		return err
	}
	defer func() { _ = m.Disconnect() }()
	s, err := m.OpenService(name)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.SetRecoveryActionsOnNonCrashFailures(true)
}

// underWine tells Wine by the export its ntdll has and Windows' lacks.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// Privileged says whether the process may install services: elevated.
func Privileged() bool { return windows.GetCurrentProcessToken().IsElevated() }

// foreground runs p until ctx ends or the run ends by itself: what the
// service does when no service manager started it.
func foreground(ctx context.Context, p *Program) error {
	if err := p.Start(nil); err != nil {
		return err
	}
	p.wait(ctx)
	return p.Stop(nil)
}
