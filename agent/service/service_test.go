package service

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// blockUntilCancelled is a well-behaved agent: it runs until asked to stop.
func blockUntilCancelled(started chan<- struct{}) RunFunc {
	return func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return nil
	}
}

// TestProgramLifecycle is the service manager's view: Start must return
// without waiting for the agent (the SCM and systemd count a slow start as
// a hung service), Stop must end the loop well within the OS's stop
// deadline, and nothing may be left running afterwards. How fast Start
// returns is BenchmarkProgramStart's business.
func TestProgramLifecycle(t *testing.T) {
	defer goleak.VerifyNone(t)
	started := make(chan struct{})
	gate := make(chan struct{})
	// The run cannot begin until Start has returned: a Start that waited
	// for its run would never return.
	p := NewProgram(func(ctx context.Context) error {
		<-gate
		return blockUntilCancelled(started)(ctx)
	}, 0)
	startErr := make(chan error, 1)
	go func() { startErr <- p.Start(nil) }()
	select {
	case err := <-startErr:
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
	case <-time.After(10 * time.Second):
		close(gate)
		t.Fatal("Start waited for the run function")
	}
	close(gate)
	select {
	case <-started:
	case <-time.After(2 * time.Second):
		t.Fatal("the run function was not started")
	}
	if err := p.Start(nil); err == nil {
		t.Error("a second Start while running succeeded")
	}

	begin := time.Now()
	if err := p.Stop(nil); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Stop took %s; want under 2 s", took)
	}
	select {
	case <-p.Done():
	default:
		t.Error("Stop returned before the run function did")
	}
}

// TestProgramStopTimeout: an agent that ignores its context must not hang
// Stop, because the Windows SCM would wait for it forever.
func TestProgramStopTimeout(t *testing.T) {
	defer goleak.VerifyNone(t)
	release := make(chan struct{})
	p := NewProgram(func(context.Context) error { <-release; return nil }, 200*time.Millisecond)
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	err := p.Stop(nil)
	took := time.Since(begin)
	if err == nil || !strings.Contains(err.Error(), "did not stop within 200ms") {
		t.Errorf("Stop = %v; want the timeout error", err)
	}
	if took < 200*time.Millisecond || took > 2*time.Second {
		t.Errorf("Stop took %s; want about its 200 ms bound", took)
	}
	// The process would exit here and take the run with it; the test
	// lets it go instead, for goleak.
	close(release)
	<-p.Done()
}

// TestProgramRunEnds: whatever the run returns reaches Stop, and a run that
// ends by itself is an error even when it says nil, so that the service
// exits non-zero and its manager restarts it.
func TestProgramRunEnds(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name       string
		run        RunFunc
		byItself   bool // ends without Stop
		wantErr    error
		wantNilErr bool
	}{
		{name: "error by itself", run: func(context.Context) error { return boom }, byItself: true, wantErr: boom},
		{name: "nil by itself", run: func(context.Context) error { return nil }, byItself: true, wantErr: errStoppedByItself},
		{name: "context error when stopped", run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, wantNilErr: true},
		{name: "error while stopping", run: func(ctx context.Context) error { <-ctx.Done(); return boom }, wantErr: boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			p := NewProgram(tc.run, time.Second)
			if err := p.Start(nil); err != nil {
				t.Fatal(err)
			}
			if tc.byItself {
				select {
				case <-p.Done():
				case <-time.After(2 * time.Second):
					t.Fatal("Done was not closed when the run returned")
				}
			}
			err := p.Stop(nil)
			switch {
			case tc.wantNilErr && err != nil:
				t.Errorf("Stop = %v; want nil", err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("Stop = %v; want %v", err, tc.wantErr)
			}
		})
	}
}

// TestStopBeforeStart: the SCM may send a stop to a service whose start
// failed; Stop must not block or panic then.
func TestStopBeforeStart(t *testing.T) {
	if err := NewProgram(blockUntilCancelled(make(chan struct{})), 0).Stop(nil); err != nil {
		t.Errorf("Stop before Start = %v", err)
	}
	if err := NewProgram(nil, 0).Start(nil); err == nil {
		t.Error("Start without a run function succeeded")
	}
}

// TestRunInProcess drives Run, the entry point of `pbprobe service run`,
// through kardianos/service's own Run on this OS (Start, wait, Stop). It
// talks to no service manager: a process not started by one runs in the
// foreground.
func TestRunInProcess(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := Config(Options{})

	t.Run("stops when told", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		done := make(chan error, 1)
		go func() { done <- Run(ctx, c, blockUntilCancelled(started)) }()
		select {
		case <-started:
		case <-time.After(2 * time.Second):
			t.Fatal("the run function was not started")
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v; want nil", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Run did not return within 2 s of the stop")
		}
	})

	t.Run("returns a failed agent's error", func(t *testing.T) {
		boom := errors.New("cannot listen")
		done := make(chan error, 1)
		go func() { done <- Run(context.Background(), c, func(context.Context) error { return boom }) }()
		select {
		case err := <-done:
			if !errors.Is(err, boom) {
				t.Errorf("Run = %v; want %v", err, boom)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Run kept waiting after the agent failed")
		}
	})
}

// TestManagedReachesTheRun: how the program was started reaches the run,
// which picks the console or the OS's log by it.
func TestManagedReachesTheRun(t *testing.T) {
	for _, managed := range []bool{false, true} {
		seen := make(chan bool, 1)
		p := NewProgram(func(ctx context.Context) error {
			seen <- Managed(ctx)
			<-ctx.Done()
			return nil
		}, time.Second)
		p.setManaged(managed)
		if err := p.Start(nil); err != nil {
			t.Fatal(err)
		}
		if got := <-seen; got != managed {
			t.Errorf("Managed = %v, want %v", got, managed)
		}
		if err := p.Stop(nil); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkProgramStart is what a service manager waits for between
// starting the process's service handler and hearing "running".
func BenchmarkProgramStart(b *testing.B) {
	for b.Loop() {
		p := NewProgram(func(ctx context.Context) error { <-ctx.Done(); return nil }, 0)
		if err := p.Start(nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := p.Stop(nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
