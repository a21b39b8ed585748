package service

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// recorder is a kardianos service.Logger that keeps what it was given, one string per
// call: "LEVEL message", with the event ID when the caller gave one.
type recorder struct{ lines []string }

func (r *recorder) add(level string, v ...any) error {
	r.lines = append(r.lines, level+" "+fmt.Sprint(v...))
	return nil
}
func (r *recorder) Error(v ...any) error   { return r.add("ERROR", v...) }
func (r *recorder) Warning(v ...any) error { return r.add("WARN", v...) }
func (r *recorder) Info(v ...any) error    { return r.add("INFO", v...) }
func (r *recorder) Errorf(f string, a ...any) error {
	return r.add("ERROR", fmt.Sprintf(f, a...))
}
func (r *recorder) Warningf(f string, a ...any) error {
	return r.add("WARN", fmt.Sprintf(f, a...))
}
func (r *recorder) Infof(f string, a ...any) error { return r.add("INFO", fmt.Sprintf(f, a...)) }

// eventRecorder also takes event IDs, as kardianos' WindowsLogger does.
type eventRecorder struct{ recorder }

func (r *eventRecorder) NInfo(id uint32, v ...any) error {
	return r.add(fmt.Sprintf("INFO[%d]", id), v...)
}
func (r *eventRecorder) NWarning(id uint32, v ...any) error {
	return r.add(fmt.Sprintf("WARN[%d]", id), v...)
}

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// report builds a run at minute m: "ok" for a host that is up, a reason
// code for one that is down.
func report(m int, states map[string]probes.Reason) *agent.Document {
	r := &agent.Document{CheckedAt: t0.Add(time.Duration(m) * time.Minute)}
	for _, host := range []string{"api.pb.test", "portal.pb.test"} {
		reason, ok := states[host]
		if !ok {
			continue
		}
		h := agent.HostReport{Host: host, Port: 443, Required: true, OK: reason == probes.ReasonOK, Reason: reason}
		if !h.OK && reason != probes.NotChecked {
			h.Stage = probes.StageTLS
			h.Error = "tls: failed to verify certificate"
			h.TLS = &agent.TLSView{Issuer: "FortiGate SSL Inspection CA"}
		}
		r.Hosts = append(r.Hosts, h)
	}
	return r
}

func TestTransitionHook(t *testing.T) {
	const (
		ok          = probes.ReasonOK
		intercepted = probes.Reason("tls_intercepted")
		refused     = probes.Reason("tcp_refused")
		notChecked  = probes.NotChecked
	)
	runs := []struct {
		name   string
		states map[string]probes.Reason
		want   []string
	}{
		{"before the first run", map[string]probes.Reason{"api.pb.test": notChecked, "portal.pb.test": notChecked}, nil},
		{"first run: the state at start", map[string]probes.Reason{"api.pb.test": ok, "portal.pb.test": intercepted}, []string{
			"INFO host up: api.pb.test:443 at_start=true",
			`WARN host down: portal.pb.test:443 reason=tls_intercepted stage=tls required=true issuer="FortiGate SSL Inspection CA" error="tls: failed to verify certificate" at_start=true`,
		}},
		{"nothing changed", map[string]probes.Reason{"api.pb.test": ok, "portal.pb.test": intercepted}, nil},
		{"reason changed while down: not a transition", map[string]probes.Reason{"api.pb.test": ok, "portal.pb.test": refused}, nil},
		{"both flip", map[string]probes.Reason{"api.pb.test": refused, "portal.pb.test": ok}, []string{
			`WARN host down: api.pb.test:443 reason=tcp_refused stage=tls required=true issuer="FortiGate SSL Inspection CA" error="tls: failed to verify certificate"`,
			"INFO host up: portal.pb.test:443 previous_reason=tcp_refused down_for=3m0s",
		}},
		{"host removed by a reload", map[string]probes.Reason{"api.pb.test": refused}, nil},
		{"back up", map[string]probes.Reason{"api.pb.test": ok}, []string{
			"INFO host up: api.pb.test:443 previous_reason=tcp_refused down_for=2m0s",
		}},
	}
	t.Run("syslog", func(t *testing.T) {
		r := &recorder{}
		hook := feed(TransitionHook(r))
		var prev *agent.Document
		for i, run := range runs {
			cur := report(i, run.states)
			r.lines = nil
			hook(prev, cur)
			if !slices.Equal(r.lines, run.want) {
				t.Errorf("%s:\n got %q\nwant %q", run.name, r.lines, run.want)
			}
			prev = cur
		}
	})

	t.Run("event log IDs", func(t *testing.T) {
		r := &eventRecorder{}
		hook := feed(TransitionHook(r))
		hook(report(0, map[string]probes.Reason{"api.pb.test": notChecked}), report(1, map[string]probes.Reason{"api.pb.test": ok}))
		hook(report(1, map[string]probes.Reason{"api.pb.test": ok}), report(2, map[string]probes.Reason{"api.pb.test": refused}))
		want := []string{
			"INFO[100] host up: api.pb.test:443 at_start=true",
			`WARN[101] host down: api.pb.test:443 reason=tcp_refused stage=tls required=true issuer="FortiGate SSL Inspection CA" error="tls: failed to verify certificate"`,
		}
		if !slices.Equal(r.lines, want) {
			t.Errorf("\n got %q\nwant %q", r.lines, want)
		}
	})
}

// feed hands a hook what the agent would: the two documents and the
// transitions between them, from one detector for the whole sequence.
func feed(hook agent.RunHook) func(prev, cur *agent.Document) {
	det := agent.NewTransitions()
	return func(prev, cur *agent.Document) {
		hook(agent.RunEvent{Prev: prev, Cur: cur, Transitions: det.Next(prev, cur)})
	}
}
