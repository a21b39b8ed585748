package agent

// Trigger says why a run started: the label value of
// pbprobe_runs_total{trigger}. Stable tokens; a new way to start a run
// (a status page's "check now" button) is one more value.
type Trigger string

// Triggers.
const (
	TriggerStart         Trigger = "start"          // the agent's first run
	TriggerInterval      Trigger = "interval"       // the schedule
	TriggerNetworkChange Trigger = "network_change" // interfaces, addresses or the default route changed
	TriggerWake          Trigger = "wake"           // the wall clock jumped: the PC woke from sleep
	TriggerReload        Trigger = "reload"         // a new config was put in force
	TriggerManual        Trigger = "manual"         // someone asked for a run now
)

// Triggers lists every trigger, so that the counter shows each at 0
// before it first happens (a rate over a series that appears late reads
// wrong).
func Triggers() []Trigger {
	return []Trigger{TriggerStart, TriggerInterval, TriggerNetworkChange, TriggerWake, TriggerReload, TriggerManual}
}

// Trigger asks the loop for a run now, for reason t. It never blocks: a
// request while one is already waiting is folded into it (the first
// reason is kept), since one run answers both.
func (a *Agent) Trigger(t Trigger) {
	select {
	case a.wake <- t:
	default:
	}
}
