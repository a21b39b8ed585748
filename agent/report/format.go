package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The printer: a catalog formats the numbers, dates and lists inside
// messages the way its language writes them: "10.0 s" and "2026-01-02" in
// English, "10,0 s" and "02.01.2026" in German. The conventions (decimal
// separator, date layout, quote marks, list conjunction, units) are keys of
// the catalog like any other words, so nothing here asks which language it
// is.

// printer is the printer of a language named by its Lang, for callers that
// hold no catalog.
type printer struct{ lang Lang }

func (p printer) span(seconds float64) string { return catalogFor(p.lang).span(seconds) }

// dur renders milliseconds: "12.1 ms" below a second, "10.0 s" above.
func (c *catalog) dur(ms float64) string {
	if ms >= 1000 {
		return c.text("unit.s", args{"n": c.decimal(ms / 1000)})
	}
	return c.text("unit.ms", args{"n": c.decimal(ms)})
}

func (c *catalog) decimal(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.Replace(s, ".", c.text("fmt.decimal", nil), 1)
}

func (c *catalog) date(t time.Time) string {
	return t.UTC().Format(c.text("fmt.date", nil))
}

// quote marks a name taken from a certificate, whose words would otherwise
// run into the sentence.
func (c *catalog) quote(s string) string {
	return c.text("fmt.quote", args{"text": s})
}

// list joins items as prose, naming at most three so that a host with many
// addresses still fits on a line or two.
func (c *catalog) list(items []string) string {
	return strings.Join(c.units(items, 3), " ")
}

// units are the pieces of a prose list that a line must not break inside:
// "a,", "b", "and", "c". An item with spaces in it ("host (reason)") stays
// whole. More than limit items (limit > 0) end in "and N more".
func (c *catalog) units(items []string, limit int) []string {
	parts := items
	if limit > 0 && len(items) > limit {
		more := c.text("list.more", args{"n": strconv.Itoa(len(items) - limit)})
		parts = append(items[:limit:limit], more)
	}
	and := c.text("list.and", nil)
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
func (c *catalog) quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = c.quote(s)
	}
	return c.list(q)
}

// span words a clock difference the way people say it: minutes, hours,
// days, years. A wrong time zone shows as whole hours and a dead CMOS
// battery as years, and either should be obvious at a glance.
func (c *catalog) span(seconds float64) string {
	mins := int64(math.Round(math.Abs(seconds) / 60))
	n := func(v int64, unit string) string {
		return c.plural("span."+unit, int(v), nil)
	}
	switch {
	case mins < 60:
		return n(mins, "minutes")
	case mins < 48*60:
		s := n(mins/60, "hours")
		if mins%60 != 0 {
			s = c.text("span.and", args{"hours": s, "minutes": n(mins%60, "minutes")})
		}
		return s
	case mins < 365*24*60:
		return n(int64(math.Round(float64(mins)/(24*60))), "days")
	}
	return c.text("span.about", args{"span": n(int64(math.Round(float64(mins)/(365.25*24*60))), "years")})
}

// clock renders a moment of a clock comparison to the minute, in UTC; with
// the date when it is not that of ref, so that the second of two moments
// on the same day reads "09:30 UTC".
func (c *catalog) clock(t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	tm := t.Format(c.text("fmt.time", nil))
	if !ref.IsZero() && t.Format("20060102") == ref.Format("20060102") {
		return tm
	}
	return c.text("fmt.date_time", args{"date": c.date(t), "time": tm})
}
