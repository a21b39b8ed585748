package agent

import (
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

const namespace = "pbprobe"

// phaseBuckets are the upper bounds of pbprobe_phase_duration_seconds, one
// for each boundary between a healthy and a broken phase rather than an
// even spread: every bucket is a series per host and phase.
//   - 25 ms: local or cached (a LAN resolver, a nearby edge; a refused
//     connect lands here too);
//   - 100 ms: a round trip or two on a broadband line;
//   - 250 ms: slow but healthy (mobile, another continent, a full TLS
//     handshake with its chain);
//   - 1 s: the first DNS retry and the family grace; above it the phase
//     waited on a lost packet or a dead address family;
//   - 2 s: the default slow-phase threshold, above which the host carries
//     a slow_* warning;
//   - 10 s: the default timeout; +Inf holds a longer configured one.
var phaseBuckets = []float64{.025, .1, .25,
	probes.DefaultFamilyGrace.Seconds(), config.DefaultSlowPhase.Seconds(), config.DefaultTimeout.Seconds()}

// Metrics exports the agent's latest report as Prometheus metrics. Gauges
// are built at scrape time from the stored report (a scrape never probes);
// the histogram and counter accumulate over runs through Observe.
type Metrics struct {
	agent *Agent

	ready, hostUp, hostReason, hostWarning, lastPhase    *prometheus.Desc
	notAfter, intercepted, lastRun, lastRunDuration      *prometheus.Desc
	reloadOK, reloadTime, clockSkew, captive, proxyInUse *prometheus.Desc
	internetUp                                           *prometheus.Desc

	phase  *prometheus.HistogramVec
	probes *prometheus.CounterVec
	runs   *prometheus.CounterVec

	reload *ReloadStatus
	gauges atomic.Pointer[docGauges]
}

// ReloadStatus is the outcome of the last config reload, for the
// conventional pbprobe_config_last_reload_* metrics.
type ReloadStatus struct {
	ok   atomic.Bool
	when atomicTime
}

// NewMetrics builds the collector for a; register it on a registry.
func NewMetrics(a *Agent, reload *ReloadStatus) *Metrics {
	hostLabels := []string{"host", "port"}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
	}
	runs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "runs_total",
		Help:      "Runs finished, by what started them: start, interval, network_change, wake, reload, manual.",
	}, []string{"trigger"})
	for _, t := range Triggers() {
		runs.WithLabelValues(string(t))
	}
	return &Metrics{
		runs:            runs,
		agent:           a,
		reload:          reload,
		ready:           d("ready", "1 when every required host is ok in the last run, else 0."),
		hostUp:          d("host_up", "1 when DNS, TCP and TLS to the host succeeded in the last run and nothing tampered with the path.", "host", "port", "required"),
		hostReason:      d("host_reason", "The host's reason in the last run: 1 for the current reason, 0 for every other (state set).", "host", "port", "reason"),
		hostWarning:     d("host_warning", "1 for each warning the host had in the last run.", "host", "port", "warning"),
		lastPhase:       d("last_phase_duration_seconds", "Duration of each phase that ran in the last run.", "host", "port", "phase"),
		notAfter:        d("tls_cert_not_after_timestamp_seconds", "NotAfter of the certificate the host presented in the last run, as a Unix time.", hostLabels...),
		intercepted:     d("tls_intercepted", "1 when the host's chain is trusted by this system but not by the public roots (TLS inspection).", hostLabels...),
		lastRun:         d("last_run_timestamp_seconds", "When the last run started, as a Unix time; 0 before the first run."),
		lastRunDuration: d("last_run_duration_seconds", "How long the last run took."),
		reloadOK:        d("config_last_reload_successful", "1 when the last config reload succeeded (or none was tried)."),
		reloadTime:      d("config_last_reload_success_timestamp_seconds", "When the config was last loaded successfully, as a Unix time."),
		captive:         d("captive_portal", "1 when the captive-portal check found a portal in the last run; absent when the check is off."),
		proxyInUse:      d("proxy_in_use", "1 when the host is reached through a proxy (as the apps on this PC would), else 0.", hostLabels...),
		internetUp:      d("internet_up", "1 when this PC has internet in the last run (network.status ok), 0 when it has no network, no internet or sits behind a captive portal; absent when the control probe is off."),
		clockSkew:       d("clock_skew_seconds", "This PC's clock minus the servers' (HTTP Date), median over the hosts that answered in the last run."),
		phase: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "phase_duration_seconds",
			Help:      "Duration of each probe phase over all runs.",
			Buckets:   phaseBuckets,
		}, []string{"host", "port", "phase"}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "probes_total",
			Help:      "Probes run per host, by result (the reason code; ok for success).",
		}, []string{"host", "port", "result"}),
	}
}

// Observe is the agent hook that feeds the histogram and the counter.
func (m *Metrics) Observe(_, cur *Document) {
	for i := range cur.Hosts {
		h := &cur.Hosts[i]
		port := strconv.Itoa(h.Port)
		m.probes.WithLabelValues(h.Host, port, string(h.Reason)).Inc()
		for _, p := range phases(h) {
			m.phase.WithLabelValues(h.Host, port, string(p.stage)).Observe(p.seconds)
		}
	}
}

// ObserveRun is Observe plus the run counter: the hook the daemon uses.
func (m *Metrics) ObserveRun(ev RunEvent) {
	m.Observe(ev.Prev, ev.Cur)
	t := ev.Trigger
	if !slices.Contains(Triggers(), t) {
		t = TriggerManual // the label set stays bounded
	}
	m.runs.WithLabelValues(string(t)).Inc()
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.ready, m.hostUp, m.hostReason, m.hostWarning, m.lastPhase,
		m.notAfter, m.intercepted, m.lastRun, m.lastRunDuration, m.reloadOK, m.reloadTime, m.clockSkew, m.captive, m.proxyInUse, m.internetUp} {
		ch <- d
	}
	m.phase.Describe(ch)
	m.probes.Describe(ch)
	m.runs.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, g := range m.docGauges(m.agent.Latest()) {
		ch <- g
	}
	if m.reload != nil {
		ch <- prometheus.MustNewConstMetric(m.reloadOK, prometheus.GaugeValue, b2f(m.reload.ok.Load()))
		ch <- prometheus.MustNewConstMetric(m.reloadTime, prometheus.GaugeValue, float64(m.reload.when.Load().UnixNano())/1e9)
	}
	m.phase.Collect(ch)
	m.probes.Collect(ch)
	m.runs.Collect(ch)
}

// docGauges are the gauges of a run document. They are built on the first
// scrape after a run and sent again on every scrape until the next run: a
// stored document never changes, and scrapes come far more often than runs
// (every 15 s against every 5 min by default), so most scrapes neither
// rebuild nor re-validate a few hundred label sets.
func (m *Metrics) docGauges(rep *Document) []prometheus.Metric {
	if c := m.gauges.Load(); c != nil && c.doc == rep {
		return c.metrics
	}
	c := &docGauges{doc: rep, metrics: m.buildGauges(rep)}
	m.gauges.Store(c)
	return c.metrics
}

// docGauges caches the gauges of one document.
type docGauges struct {
	doc     *Document
	metrics []prometheus.Metric
}

func (m *Metrics) buildGauges(rep *Document) []prometheus.Metric {
	var out []prometheus.Metric
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		out = append(out, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...))
	}
	gauge(m.ready, b2f(rep.Ready))
	var started float64
	if !rep.CheckedAt.IsZero() {
		started = float64(rep.CheckedAt.UnixNano()) / 1e9
	}
	gauge(m.lastRun, started)
	gauge(m.lastRunDuration, rep.DurationMS/1000)
	m.machineGauges(rep, gauge)
	if skew, ok := MedianClockSkew(rep); ok {
		gauge(m.clockSkew, skew)
	}
	reasons := probes.Reasons()
	for i := range rep.Hosts {
		h := &rep.Hosts[i]
		port := strconv.Itoa(h.Port)
		gauge(m.hostUp, b2f(h.OK), h.Host, port, strconv.FormatBool(h.Required))
		if h.Reason != probes.NotChecked {
			gauge(m.proxyInUse, b2f(h.Proxy != nil), h.Host, port)
		}
		for _, r := range reasons {
			gauge(m.hostReason, b2f(h.Reason == r), h.Host, port, string(r))
		}
		for _, w := range h.Warnings {
			gauge(m.hostWarning, 1, h.Host, port, string(w.Code))
		}
		for _, p := range phases(h) {
			gauge(m.lastPhase, p.seconds, h.Host, port, string(p.stage))
		}
		if h.TLS != nil && !h.TLS.NotAfter.IsZero() {
			gauge(m.notAfter, float64(h.TLS.NotAfter.Unix()), h.Host, port)
		}
		if h.TLS != nil && h.TLS.Version != "" {
			gauge(m.intercepted, b2f(h.TLS.Intercepted), h.Host, port)
		}
	}
	return out
}

// machineGauges are the machine-level findings: the captive portal and
// whether the PC has internet.
func (m *Metrics) machineGauges(rep *Document, gauge func(*prometheus.Desc, float64, ...string)) {
	if c := rep.CaptivePortal; c != nil && c.Error == "" {
		gauge(m.captive, b2f(c.Detected))
	}
	if n := rep.Network; n != nil && n.Status != NetworkNotChecked {
		gauge(m.internetUp, b2f(n.Status == NetworkOK))
	}
}

// MedianClockSkew is the median skew over the hosts whose servers sent a Date:
// one server with a wrong clock must not make the PC look wrong. The
// metric reports it; JudgeClock decides by it and by a majority.
func MedianClockSkew(rep *Document) (float64, bool) {
	var s []float64
	for i := range rep.Hosts {
		if h := rep.Hosts[i].HTTP; h != nil && !h.Date.IsZero() {
			s = append(s, h.ClockSkewS)
		}
	}
	if len(s) == 0 {
		return 0, false
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// ClockJudgement is what the servers' Date headers say about this PC's
// clock. A majority decides, never one server: with one server right and
// one wrong, nobody can tell whose clock is off, and neither is named.
type ClockJudgement struct {
	Servers int     // hosts whose server sent a Date
	Agree   int     // of them, within probes.MaxClockSkew of this PC's clock
	Skew    float64 // the median skew, MedianClockSkew
}

// JudgeClock counts the servers that vouch for this PC's clock.
func JudgeClock(doc *Document) ClockJudgement {
	var j ClockJudgement
	for i := range doc.Hosts {
		if h := doc.Hosts[i].HTTP; h != nil && !h.Date.IsZero() {
			j.Servers++
			if math.Abs(h.ClockSkewS) <= probes.MaxClockSkew.Seconds() {
				j.Agree++
			}
		}
	}
	j.Skew, _ = MedianClockSkew(doc)
	return j
}

// Right: more than half of the servers agree with this PC's clock.
func (j ClockJudgement) Right() bool { return j.Servers > 0 && 2*j.Agree > j.Servers }

// Wrong: more than half of the servers disagree with this PC's clock, and
// their median says by how much.
func (j ClockJudgement) Wrong() bool {
	return j.Servers > 0 && 2*j.Agree < j.Servers && math.Abs(j.Skew) > probes.MaxClockSkew.Seconds()
}

type phaseTime struct {
	stage   probes.Stage
	seconds float64
}

// phases lists the phases of a host that ran, with their durations.
func phases(h *HostReport) []phaseTime {
	var out []phaseTime
	if h.DNS != nil {
		out = append(out, phaseTime{probes.StageDNS, h.DNS.MS / 1000})
	}
	if h.TCP != nil {
		out = append(out, phaseTime{probes.StageTCP, h.TCP.MS / 1000})
	}
	if h.TLS != nil {
		out = append(out, phaseTime{probes.StageTLS, h.TLS.MS / 1000})
	}
	if h.HTTP != nil {
		out = append(out, phaseTime{probes.StageHTTP, h.HTTP.MS / 1000})
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// NewReloadStatus starts as "loaded successfully now".
func NewReloadStatus() *ReloadStatus {
	r := &ReloadStatus{}
	r.Set(true, time.Now())
	return r
}

// Set records a reload attempt; the timestamp moves only on success.
func (r *ReloadStatus) Set(ok bool, at time.Time) {
	r.ok.Store(ok)
	if ok {
		r.when.Store(at)
	}
}
