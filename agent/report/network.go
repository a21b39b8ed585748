package report

import (
	"github.com/pbprobe/pbprobe/agent"
)

// DescribeNetwork words the machine-level network finding of doc: empty
// when there is nothing to say (online and every host fine, the control
// off, or a captive portal, which has words of its own).
func DescribeNetwork(doc *agent.Document, lang Lang) (message, hint string) {
	return catalogFor(lang).network(doc)
}

func (c *catalog) network(doc *agent.Document) (message, hint string) {
	n := doc.Network
	if n == nil {
		return "", ""
	}
	a := args{}
	if n.Control != nil {
		a["control"], a["reason"] = n.Control.Host, string(n.Control.Reason)
	}
	switch n.Status {
	case agent.NetworkNone:
		key := pick(n.Control != nil, "network.no_network", "network.no_network.no_control")
		return c.text(key, a) + c.route(n.Route), c.text("network.no_network.hint", a)
	case agent.NetworkNoInternet:
		return c.text("network.no_internet", a) + c.route(n.Route), c.text("network.no_internet.hint", a)
	case agent.NetworkOK:
		if n.Control != nil && n.Control.Reason.OK() && anyHostFails(doc) {
			return c.text("network.ok_blocked", a), ""
		}
	}
	return "", ""
}

// route words the default route, when the OS told it, as a sentence of
// its own after the finding.
func (c *catalog) route(r *agent.RouteView) string {
	if r == nil {
		return ""
	}
	kind := c.text("network.route_type."+agent.RouteOther, nil)
	if key := "network.route_type." + r.Type; c.has(key) {
		kind = c.text(key, nil)
	}
	a := args{"interface": r.Interface, "type": kind, "gateway": r.Gateway}
	return " " + c.text(pick(r.Gateway != "", "network.route", "network.route.no_gateway"), a)
}

// networkDown: the PC has no internet at all, so a failing host says
// nothing about a filter or a firewall on the way to it.
func networkDown(doc *agent.Document) bool {
	return doc.Network != nil && (doc.Network.Status == agent.NetworkNone || doc.Network.Status == agent.NetworkNoInternet)
}

func anyHostFails(doc *agent.Document) bool {
	for _, h := range doc.Hosts {
		if !h.OK {
			return true
		}
	}
	return false
}

// offlineHost rewords a failing host of an offline PC: the reason code
// stays (the fact), the words point at the finding that explains it
// instead of at a DNS filter or a firewall.
func offlineHost(h agent.HostReport, lang Lang) agent.HostReport {
	if h.OK || h.Reason == "not_checked" {
		return h
	}
	h.Message, h.Hint = catalogFor(lang).text("network.host", args{"host": h.Host}), ""
	return h
}

// networkFindings: no network or no internet explains every failing host
// at once, so it leads the machine section; with internet and failing
// hosts, it says that only they are blocked.
func networkFindings(c *catalog, doc *agent.Document, _ string) []finding {
	msg, hint := c.network(doc)
	if msg == "" {
		return nil
	}
	return []finding{{level: pick(networkDown(doc), verdictFail, levelInfo), msg: msg, hint: hint}}
}

// hostWords are a failing host's message and hint in its scene, reworded
// when the PC is offline (offlineHost).
func (t *Text) hostWords(h *agent.HostReport, sc scene) (message, hint string) {
	if sc.offline && h.Reason != "not_checked" {
		return t.cat.text("network.host", args{"host": h.Host}), ""
	}
	return t.cat.hostIn(h, t.at, sc)
}
