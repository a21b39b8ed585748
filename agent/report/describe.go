package report

import (
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
	f := gather(h, at)
	if lang == DE {
		return reasonDE(h.Reason, f)
	}
	return reasonEN(h.Reason, f)
}

// DescribeWarning words a warning, advice included: warnings have no hint
// field, and a warning without advice only worries people.
func DescribeWarning(w agent.Warning, lang Lang) string {
	if lang == DE {
		return warningDE(w)
	}
	return warningEN(w)
}

// DescribeCaptive words a captive-portal finding.
func DescribeCaptive(c *agent.CaptiveView, lang Lang) (message, hint string) {
	where := c.Location
	if lang == DE {
		msg := "Ein Captive Portal fängt den Internetzugang ab: " + c.URL + " wurde nicht wie erwartet beantwortet"
		if where != "" {
			msg += ", sondern nach " + where + " umgeleitet"
		}
		return msg + ".",
			"Melden Sie sich im Portal des Netzwerks an (Gast- oder Hotel-WLAN: öffnen Sie einen Browser), oder nehmen Sie diesen PC im Portal bzw. in der Firewall davon aus. Danach diesen Check wiederholen."
	}
	msg := "A captive portal intercepts this network's internet access: " + c.URL + " did not answer as expected"
	if where != "" {
		msg += "; it redirects to " + where
	}
	return msg + ".",
		"Sign in to the network's portal (guest or hotel Wi-Fi: open a browser), or have the portal or firewall exempt this PC. Then run this check again."
}

// minDotNet is the oldest .NET Framework the desktop app runs on.
var minDotNet = machine.DotNetVersion(machine.MinDotNetRelease)

// DescribeCheck words one machine prerequisite in a line, without the level
// word (OK, WARN, INFO) that the text puts in front of it. The value stays
// as found: version numbers and OS names are not translated.
func DescribeCheck(c machine.Check, lang Lang) string {
	if lang == DE {
		return checkDE(c)
	}
	return checkEN(c)
}
