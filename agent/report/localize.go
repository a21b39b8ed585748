package report

import (
	"time"

	"github.com/pbprobe/pbprobe/agent"
)

// Localized returns a copy of doc with the words filled in: Message and
// Hint of every host, Message of every warning, the captive portal's and
// the proxy settings' words. doc itself is never written to: the agent
// shares it between the loop, the collector, the log and every request.
func Localized(doc *agent.Document, lang Lang) *agent.Document {
	out := *doc
	if c := doc.CaptivePortal; c != nil && c.Detected {
		local := *c
		local.Message, local.Hint = DescribeCaptive(c, lang)
		out.CaptivePortal = &local
	}
	if len(doc.ProxySettings) > 0 {
		out.ProxySettings = make([]agent.ProxySettingView, len(doc.ProxySettings))
		for i, v := range doc.ProxySettings {
			v.Message, v.Hint = DescribeProxySetting(v, lang)
			out.ProxySettings[i] = v
		}
	}
	if n := doc.Network; n != nil {
		local := *n
		local.Message, local.Hint = DescribeNetwork(doc, lang)
		out.Network = &local
	}
	offline := networkDown(doc)
	out.Hosts = make([]agent.HostReport, len(doc.Hosts))
	for i, h := range doc.Hosts {
		out.Hosts[i] = LocalizedHost(h, lang, doc.CheckedAt)
		if offline {
			out.Hosts[i] = offlineHost(out.Hosts[i], lang)
		}
	}
	return &out
}

// LocalizedHost returns h with its words filled in, for hosts shown as they
// finish; checkedAt is the run's time, which clock hints quote. The
// warnings are copied before their messages are written.
func LocalizedHost(h agent.HostReport, lang Lang, checkedAt time.Time) agent.HostReport {
	h.Message, h.Hint = describe(&h, checkedAt, lang)
	ws := make([]agent.Warning, len(h.Warnings))
	for j, w := range h.Warnings {
		w.Message = DescribeWarning(w, lang)
		ws[j] = w
	}
	h.Warnings = ws
	return h
}
