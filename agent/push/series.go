package push

import (
	"math"
	"slices"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// DefaultMaxSeries is the series budget of one agent: a central store
// bills and slows down by series, and a fleet of thousands of PCs
// multiplies every one.
const DefaultMaxSeries = 100

// priority lists the families that go first when the budget is tight: the
// verdict, the reason and what the alert rules and dashboard read. The
// rest follows in name order.
var priority = []string{
	"pbprobe_ready", "pbprobe_host_up", "pbprobe_host_reason", "pbprobe_internet_up",
	"pbprobe_tls_intercepted", "pbprobe_tls_cert_not_after_timestamp_seconds",
	"pbprobe_last_run_timestamp_seconds", "pbprobe_push_last_success_timestamp_seconds",
	"pbprobe_push_backlog_samples", "pbprobe_push_dropped_samples_total", "pbprobe_build_info",
}

// stateSets are families exported as state sets (1 for the current state,
// 0 for every other): only the current state is pushed, so that a store
// holds one series per host, and a change of state ends the old series
// with a stale marker.
var stateSets = []string{"pbprobe_host_reason"}

// flags are families whose series exist only while a condition holds (1
// for each current warning); like a state set's states they end with 0.
var flags = []string{"pbprobe_host_reason", "pbprobe_host_warning"}

// ended are the samples that end a series gone from this run: a stale
// marker, which ends it for instant queries. A state or flag gets a final
// 0 just before, because last_over_time (which the rules need, pushes
// being further apart than the lookback) skips stale markers and would
// otherwise keep the old reason current for its whole range.
func ended(ls []Label, ms int64) []Sample {
	i := slices.IndexFunc(ls, func(l Label) bool { return l.Name == "__name__" })
	if i >= 0 && slices.Contains(flags, ls[i].Value) {
		return []Sample{{Value: 0, TimeMS: ms}, {Value: staleNaN, TimeMS: ms + 1}}
	}
	return []Sample{{Value: staleNaN, TimeMS: ms}}
}

// builder turns one gather of the agent's registry into the series of one
// run. It remembers the previous run's series to end the ones that are
// gone.
type builder struct {
	identity  []Label
	maxSeries int
	prev      map[string][]Label
}

func newBuilder(identity map[string]string, maxSeries int) *builder {
	var id []Label
	for k, v := range identity {
		id = append(id, Label{k, v})
	}
	if maxSeries <= 0 {
		maxSeries = DefaultMaxSeries
	}
	return &builder{identity: id, maxSeries: maxSeries}
}

// build returns the run's series (each with one sample at ts), the stale
// markers for series that ended, and how many series the budget left out.
func (b *builder) build(mfs []*dto.MetricFamily, ts time.Time) (out []Series, kept, over int) {
	ms := ts.UnixMilli()
	cur := map[string][]Label{}
	for _, mf := range orderFamilies(mfs) {
		for _, m := range mf.GetMetric() {
			v, ok := value(mf, m)
			if !ok {
				continue
			}
			if len(cur) >= b.maxSeries {
				over++
				continue
			}
			ls := b.labels(mf.GetName(), m.GetLabel())
			key := seriesKey(ls)
			cur[key] = ls
			out = append(out, Series{Labels: ls, Samples: []Sample{{Value: v, TimeMS: ms}}})
		}
	}
	for key, ls := range b.prev {
		if _, still := cur[key]; !still {
			out = append(out, Series{Labels: ls, Samples: ended(ls, ms)})
		}
	}
	b.prev = cur
	return out, len(cur), over
}

// orderFamilies keeps the agent's own families, those of priority first,
// and leaves out histograms and summaries (a bucket per series would eat
// the budget; the last phase durations are gauges already).
func orderFamilies(mfs []*dto.MetricFamily) []*dto.MetricFamily {
	var out []*dto.MetricFamily
	for _, mf := range mfs {
		name := mf.GetName()
		t := mf.GetType()
		if !strings.HasPrefix(name, "pbprobe_") || t == dto.MetricType_HISTOGRAM || t == dto.MetricType_SUMMARY || t == dto.MetricType_GAUGE_HISTOGRAM {
			continue
		}
		out = append(out, mf)
	}
	rank := func(mf *dto.MetricFamily) int {
		if i := slices.Index(priority, mf.GetName()); i >= 0 {
			return i
		}
		return len(priority)
	}
	slices.SortStableFunc(out, func(a, b *dto.MetricFamily) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.GetName(), b.GetName())
	})
	return out
}

// value is a metric's sample value, false for a state set's inactive
// states and for types that are not pushed.
func value(mf *dto.MetricFamily, m *dto.Metric) (float64, bool) {
	var v float64
	switch {
	case m.Gauge != nil:
		v = m.Gauge.GetValue()
	case m.Counter != nil:
		v = m.Counter.GetValue()
	case m.Untyped != nil:
		v = m.Untyped.GetValue()
	default:
		return 0, false
	}
	if slices.Contains(stateSets, mf.GetName()) && v != 1 {
		return 0, false
	}
	return v, !math.IsNaN(v)
}

// labels builds a series' sorted label set: the name, the metric's own
// labels and the identity labels.
func (b *builder) labels(name string, lps []*dto.LabelPair) []Label {
	ls := make([]Label, 0, 1+len(lps)+len(b.identity))
	ls = append(ls, Label{"__name__", name})
	for _, lp := range lps {
		ls = append(ls, Label{lp.GetName(), lp.GetValue()})
	}
	for _, l := range b.identity {
		if !slices.ContainsFunc(ls, func(x Label) bool { return x.Name == l.Name }) {
			ls = append(ls, l)
		}
	}
	slices.SortFunc(ls, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	return ls
}

func seriesKey(ls []Label) string {
	var sb strings.Builder
	for _, l := range ls {
		sb.WriteString(l.Name)
		sb.WriteByte(0)
		sb.WriteString(l.Value)
		sb.WriteByte(0)
	}
	return sb.String()
}
