package agent

import (
	"context"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/push"
)

// newPusher builds the remote-write pusher when push.url is set (nil
// otherwise) and registers its metrics on the daemon's registry, which it
// gathers each run from.
func (d *daemon) newPusher(cfg *config.Config) (*push.Pusher, error) {
	if !cfg.Push.Enabled() {
		return nil, nil
	}
	p, err := push.New(push.Options{
		Config:   cfg.Push,
		Labels:   identityLabels(cfg.Labels, d.o.Machine),
		Dir:      push.Dir(d.stateDir()),
		Gatherer: d.reg,
		Logger:   d.logger,
	})
	if err != nil {
		return nil, err
	}
	d.reg.MustRegister(p.Collector())
	return p, nil
}

// pushRun is the run hook that queues the run for the store; it runs after
// the metrics hook, so the gather sees this run.
func (d *daemon) pushRun(ev RunEvent) {
	if d.pusher != nil {
		d.pusher.Enqueue(ev.Cur.CheckedAt)
	}
}

// identityLabels are the config's labels, with machine defaulting to the
// host name and job and instance set the way a scrape would (instance is
// the machine), so that rules written for scraped agents work on pushed
// ones.
func identityLabels(labels map[string]string, machine string) map[string]string {
	out := map[string]string{"job": "pbprobe"}
	if machine != "" {
		out["machine"] = machine
	}
	for k, v := range labels {
		out[k] = v
	}
	if _, ok := out["instance"]; !ok && out["machine"] != "" {
		out["instance"] = out["machine"]
	}
	return out
}

// stateDir is where the agent keeps what must survive a restart: the
// folder given, else the OS's place for it, else (run by hand without the
// rights for that) the user's cache folder.
func (d *daemon) stateDir() string {
	if d.o.StateDir != "" {
		return d.o.StateDir
	}
	dir := DefaultStateDir()
	// The folder may exist but belong to the service's user: try the
	// backlog's own folder, which is what must be writable.
	if writable(push.Dir(dir)) {
		return dir
	}
	if cache, err := os.UserCacheDir(); err == nil {
		d.logger.Warn("cannot use the default state folder; using the user's cache folder", zap.String("default", dir))
		return filepath.Join(cache, "pbprobe")
	}
	return dir
}

// writable reports whether dir exists or can be made, and takes a file.
func writable(dir string) bool {
	if os.MkdirAll(dir, 0o700) != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return false
	}
	f.Close()
	return os.Remove(f.Name()) == nil
}

// runPusher sends the backlog until ctx ends; a nil pusher does nothing.
func runPusher(ctx context.Context, p *push.Pusher) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if p != nil {
			p.Run(ctx)
		}
	}()
	return done
}
