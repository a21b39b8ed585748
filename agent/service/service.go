// Package service runs the agent under the operating system's service
// manager (the Windows SCM, launchd, systemd) through kardianos/service, and
// holds what the installed service looks like on each OS: its account, its
// restart policy, its hardening and its folders.
package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	kservice "github.com/kardianos/service"
)

// The service's names. Name is what scripts and RMM tools type (sc query
// pbprobe, systemctl status pbprobe, launchctl list pbprobe), so it never
// changes; the display name is what a technician sees in services.msc.
const (
	Name        = "pbprobe"
	DisplayName = "Password Boss Connectivity Probe"
	Description = "Checks that this computer can reach the Password Boss service " +
		"(DNS, TCP, TLS) and serves the result as Prometheus metrics."
)

// DefaultStopTimeout bounds Stop. The Windows SCM waits for a stopping
// service without a deadline of its own in kardianos/service v1.2.4 (its
// issue #337), so a Stop that hung would hang `pbprobe service stop`, an
// uninstall and a shutdown; systemd and launchd kill after 90 s and 20 s,
// and the agent stops within 2 s when it is healthy.
const DefaultStopTimeout = 5 * time.Second

// RunFunc is the agent's loop: it runs until ctx is cancelled and then
// returns nil, or returns an error when it cannot go on.
type RunFunc func(ctx context.Context) error

// Program is the kardianos service.Interface around a RunFunc: Start returns
// at once, because service managers count a slow start as a hung service,
// and Stop cancels the run and waits for it a bounded time.
type Program struct {
	run         RunFunc
	stopTimeout time.Duration

	mu      sync.Mutex
	managed bool // started by a service manager, not by hand
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
}

type managedKey struct{}

// Managed reports whether the run with this context was started by a
// service manager (whose console nobody reads) rather than by hand. It is
// known for sure only once the manager has connected: under Wine,
// Interactive says "by hand" even for a service.
func Managed(ctx context.Context) bool {
	m, _ := ctx.Value(managedKey{}).(bool)
	return m
}

// setManaged records how the next Start is being made.
func (p *Program) setManaged(m bool) {
	p.mu.Lock()
	p.managed = m
	p.mu.Unlock()
}

// NewProgram wraps run; stopTimeout of zero or less means DefaultStopTimeout.
func NewProgram(run RunFunc, stopTimeout time.Duration) *Program {
	if stopTimeout <= 0 {
		stopTimeout = DefaultStopTimeout
	}
	return &Program{run: run, stopTimeout: stopTimeout}
}

// errStoppedByItself is the run's result when it returned nil without being
// asked to stop: the agent is not doing its job, and a non-zero exit makes
// the service manager restart it.
var errStoppedByItself = errors.New("the agent stopped by itself")

// Start launches the run in its own goroutine and returns.
func (p *Program) Start(kservice.Service) error {
	if p.run == nil {
		return errors.New("no run function: this service handle only controls the service")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil {
		select {
		case <-p.done:
		default:
			return errors.New("already started")
		}
	}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), managedKey{}, p.managed))
	done := make(chan struct{})
	p.cancel, p.done, p.err = cancel, done, nil
	go func() {
		err := p.run(ctx)
		if err == nil && ctx.Err() == nil {
			err = errStoppedByItself
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = nil
		}
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// Stop cancels the run and waits for it at most the stop timeout. It
// returns the run's error, or an error when the run did not end in time: the
// caller then exits and the process takes the run down with it.
func (p *Program) Stop(kservice.Service) error {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if done == nil {
		return nil
	}
	cancel()
	timer := time.NewTimer(p.stopTimeout)
	defer timer.Stop()
	select {
	case <-done:
		return p.Err()
	case <-timer.C:
		return fmt.Errorf("the agent did not stop within %s", p.stopTimeout)
	}
}

// Done is closed when the run has returned; nil before Start.
func (p *Program) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// Err is the run's error once Done is closed.
func (p *Program) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// wait blocks until ctx ends (the process is told to stop) or the run ends by
// itself, whichever is first.
func (p *Program) wait(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-p.Done():
	}
}
