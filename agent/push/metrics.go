package push

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the push's own metrics, pushed along with the rest.
type Metrics struct {
	lastSuccess, series, overBudget prometheus.Gauge
	dropped, requests               *prometheus.CounterVec
	backlogSamples, backlogBytes    *prometheus.Desc
	backlog                         *backlog
}

func newMetrics() *Metrics {
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "pbprobe", Subsystem: "push", Name: name, Help: help})
	}
	m := &Metrics{
		lastSuccess: g("last_success_timestamp_seconds", "When the store last accepted a run, as a Unix time; 0 before the first."),
		series:      g("series", "Series in the last run's push (the series budget caps it)."),
		overBudget:  g("series_over_budget", "Series of the last run left out because the series budget was reached."),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pbprobe", Subsystem: "push", Name: "dropped_samples_total",
			Help: "Samples never delivered: past the backlog's max_age or max_bytes, or refused by the store for good."}, []string{"reason"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pbprobe", Subsystem: "push", Name: "requests_total",
			Help: "Remote-write requests by result: ok, failed (kept for a retry), rejected (dropped)."}, []string{"result"}),
		backlogSamples: prometheus.NewDesc("pbprobe_push_backlog_samples", "Samples waiting in the on-disk backlog for the store.", nil, nil),
		backlogBytes:   prometheus.NewDesc("pbprobe_push_backlog_bytes", "Bytes of the on-disk backlog.", nil, nil),
	}
	for _, r := range []string{DropMaxAge, DropMaxBytes, DropRejected} {
		m.dropped.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "failed", "rejected"} {
		m.requests.WithLabelValues(r)
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range []prometheus.Collector{m.lastSuccess, m.series, m.overBudget, m.dropped, m.requests} {
		c.Describe(ch)
	}
	ch <- m.backlogSamples
	ch <- m.backlogBytes
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range []prometheus.Collector{m.lastSuccess, m.series, m.overBudget, m.dropped, m.requests} {
		c.Collect(ch)
	}
	_, samples, bytes := m.backlog.stats()
	ch <- prometheus.MustNewConstMetric(m.backlogSamples, prometheus.GaugeValue, float64(samples))
	ch <- prometheus.MustNewConstMetric(m.backlogBytes, prometheus.GaugeValue, float64(bytes))
}
