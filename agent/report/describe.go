package report

import (
	"strconv"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
)

// Describe words a host's outcome: a one-line message built from the facts
// in the report and a hint saying what to change and whom to tell. The hint
// is empty for an ok host. The technical Error is never pasted in: its
// wording depends on the OS and it is carried in the JSON anyway.
func Describe(h *agent.HostReport, lang Lang) (message, hint string) {
	return describe(h, time.Time{}, lang)
}

// describe takes the time of the run for reports without a raw result (read
// back from JSON), whose certificate messages still want the PC's date.
func describe(h *agent.HostReport, at time.Time, lang Lang) (message, hint string) {
	return catalogFor(lang).host(h, at)
}

// DescribeWarning words a warning, advice included: warnings have no hint
// field, and a warning without advice only worries people.
func DescribeWarning(w agent.Warning, lang Lang) string {
	return catalogFor(lang).warning(w)
}

// DescribeCaptive words a captive-portal finding.
func DescribeCaptive(c *agent.CaptiveView, lang Lang) (message, hint string) {
	return catalogFor(lang).captive(c)
}

func (c *catalog) captive(v *agent.CaptiveView) (message, hint string) {
	a := args{"url": v.URL, "location": v.Location}
	return c.text(pick(v.Location != "", "captive.redirect", "captive"), a), c.text("captive.hint", a)
}

// minDotNet is the oldest .NET Framework the desktop app runs on.
var minDotNet = machine.DotNetVersion(machine.MinDotNetRelease)

// DescribeCheck words one machine prerequisite in a line, without the level
// word (OK, WARN, INFO) that the text puts in front of it. The value stays
// as found: version numbers and OS names are not translated.
func DescribeCheck(c machine.Check, lang Lang) string {
	return catalogFor(lang).check(c)
}

func (c *catalog) check(ch machine.Check) string {
	return c.text(checkKey(ch), args{"code": ch.Code, "value": ch.Value, "min": minDotNet})
}

// checkKey is the catalog key of a check in the level and value it has.
func checkKey(c machine.Check) string {
	switch c.Code {
	case machine.CodeDotNetFramework:
		switch {
		case c.Level == machine.LevelInfo:
			return "check.dotnet_framework.unreadable"
		case c.Level == machine.LevelOK:
			return "check.dotnet_framework.ok"
		case c.Value == "":
			return "check.dotnet_framework.missing"
		}
		return "check.dotnet_framework.old"
	case machine.CodeElevated:
		switch {
		case c.Level == machine.LevelOK:
			return "check.elevated.ok"
		case c.Level == machine.LevelWarn:
			return "check.elevated.warn"
		case c.Value == "yes":
			return "check.elevated.root"
		}
		return "check.elevated.not_root"
	case machine.CodeOSVersion:
		return "check.os_version"
	}
	return "check.unknown"
}

func (c *catalog) warning(w agent.Warning) string {
	code := string(w.Code)
	a := args{"code": code}
	switch w.Code {
	case agent.WarnIPv6Unreachable, agent.WarnIPv4Unreachable:
		a["addresses"] = c.list(w.Addresses)
		return c.text(variant("warning."+code, pick(len(w.Addresses) > 0, "addresses", "")), a)
	case agent.WarnCertExpiring:
		if w.Days <= 0 {
			return c.text("warning.cert_expiring.today", a)
		}
		return c.plural("warning.cert_expiring.days", w.Days, a)
	case agent.WarnSlowDNS, agent.WarnSlowTCP, agent.WarnSlowTLS:
		a["slow"] = c.slow(code, w)
		return c.text("warning."+code, a)
	case agent.WarnHTTPServerError:
		a["status"] = strconv.Itoa(w.Status)
		return c.text("warning.http_server_error", a)
	case agent.WarnServerClock:
		// The skew is this PC's clock minus the server's.
		a["span"] = c.span(w.ClockSkewS)
		return c.text(pick(w.ClockSkewS < 0, "warning.server_clock.ahead", "warning.server_clock.behind"), a)
	}
	return c.text("warning.unknown", a)
}

// slow states the measured time and the limit when the report has them.
func (c *catalog) slow(code string, w agent.Warning) string {
	a := args{"what": c.text("warning."+code+".what", nil), "took": c.dur(w.TookMS), "limit": c.dur(w.ThresholdMS)}
	switch {
	case w.TookMS > 0 && w.ThresholdMS > 0:
		return c.text("warning.slow.limit", a)
	case w.TookMS > 0:
		return c.text("warning.slow.took", a)
	}
	return c.text("warning.slow", a)
}
