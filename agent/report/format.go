package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// printer formats the numbers, dates and lists inside messages the way the
// language writes them: "10.0 s" and "2026-01-02" in English, "10,0 s" and
// "02.01.2026" in German.
type printer struct{ lang Lang }

// dur renders milliseconds: "12.1 ms" below a second, "10.0 s" above.
func (p printer) dur(ms float64) string {
	if ms >= 1000 {
		return p.decimal(ms/1000) + " s"
	}
	return p.decimal(ms) + " ms"
}

func (p printer) decimal(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if p.lang == DE {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (p printer) date(t time.Time) string {
	if p.lang == DE {
		return t.UTC().Format("02.01.2006")
	}
	return t.UTC().Format("2006-01-02")
}

// quote marks a name taken from a certificate, whose words would otherwise
// run into the sentence.
func (p printer) quote(s string) string {
	if p.lang == DE {
		return "„" + s + "“"
	}
	return "'" + s + "'"
}

// list joins items as prose, naming at most three so that a host with many
// addresses still fits on a line or two.
func (p printer) list(items []string) string {
	return strings.Join(p.units(items, 3), " ")
}

// units are the pieces of a prose list that a line must not break inside:
// "a,", "b", "and", "c". An item with spaces in it ("host (reason)") stays
// whole. More than limit items (limit > 0) end in "and N more".
func (p printer) units(items []string, limit int) []string {
	and, more := "and", "more"
	if p.lang == DE {
		and, more = "und", "weitere"
	}
	parts := items
	if limit > 0 && len(items) > limit {
		parts = append(items[:limit:limit], fmt.Sprintf("%d %s", len(items)-limit, more))
	}
	out := make([]string, 0, len(parts)+1)
	for i, s := range parts {
		switch {
		case i < len(parts)-2:
			out = append(out, s+",")
		case i == len(parts)-2:
			out = append(out, s, and)
		default:
			out = append(out, s)
		}
	}
	return out
}

// quoteList quotes each item before joining.
func (p printer) quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = p.quote(s)
	}
	return p.list(q)
}

// span words a clock difference the way people say it: minutes, hours,
// days, years. A wrong time zone shows as whole hours and a dead CMOS
// battery as years, and either should be obvious at a glance.
func (p printer) span(seconds float64) string {
	type unit struct{ one, many string }
	en := map[string]unit{"min": {"minute", "minutes"}, "h": {"hour", "hours"}, "d": {"day", "days"}, "y": {"year", "years"}}
	de := map[string]unit{"min": {"Minute", "Minuten"}, "h": {"Stunde", "Stunden"}, "d": {"Tag", "Tage"}, "y": {"Jahr", "Jahre"}}
	units, about := en, "about "
	if p.lang == DE {
		units, about = de, "etwa "
	}
	n := func(v int64, u string) string {
		if v == 1 {
			return "1 " + units[u].one
		}
		return strconv.FormatInt(v, 10) + " " + units[u].many
	}
	mins := int64(math.Round(math.Abs(seconds) / 60))
	switch {
	case mins < 60:
		return n(mins, "min")
	case mins < 48*60:
		s := n(mins/60, "h")
		if mins%60 != 0 {
			s += " " + n(mins%60, "min")
		}
		return s
	case mins < 365*24*60:
		return n(int64(math.Round(float64(mins)/(24*60))), "d")
	}
	return about + n(int64(math.Round(float64(mins)/(365.25*24*60))), "y")
}

// clock renders a moment of a clock comparison to the minute, in UTC; with
// the date when it is not that of ref, so that the second of two moments
// on the same day reads "09:30 UTC".
func (p printer) clock(t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if !ref.IsZero() && t.Format("20060102") == ref.Format("20060102") {
		return t.Format("15:04") + " UTC"
	}
	return p.date(t) + " " + t.Format("15:04") + " UTC"
}
