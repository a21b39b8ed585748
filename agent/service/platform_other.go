//go:build !windows

package service

import (
	"context"
	"os"

	kservice "github.com/kardianos/service"
)

// runService lets kardianos/service run p: Start, wait, Stop. The wait ends
// on ctx (SIGTERM from systemd or launchd, Ctrl-C by hand) and also when the
// run ends by itself, so that a failed agent exits non-zero and the service
// manager restarts it instead of keeping an idle process.
func runService(ctx context.Context, c *kservice.Config, p *Program) error {
	// On Unix the detection is reliable (launchd and systemd start us
	// without a terminal, as no one else does).
	p.setManaged(!kservice.Interactive())
	s, err := kservice.New(p, withOption(c, optRunWait, func() { p.wait(ctx) }))
	if err != nil {
		return err
	}
	return s.Run()
}

func install(s kservice.Service, _ *kservice.Config) ([]string, error) {
	var notes []string
	if hostTarget == targetSystemd && s.Platform() != "linux-systemd" {
		notes = append(notes, "no systemd on this machine ("+s.Platform()+"): the service gets kardianos/service's stock definition, which runs as root without the hardening")
	}
	return notes, s.Install()
}

// Privileged says whether the process may install services: root.
func Privileged() bool { return os.Geteuid() == 0 }
