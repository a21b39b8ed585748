package report

import (
	"strings"

	"github.com/pbprobe/pbprobe/agent"
)

// proxyLine is the line under a host that went through a proxy: which
// proxy, where its setting came from, and how the direct path fared, e.g.
// "via proxy 10.0.0.5:3128 (WinHTTP) · direct: no answer within 1.0 s".
// Empty for a host probed directly.
func (t *Text) proxyLine(h *agent.HostReport) string {
	px := h.Proxy
	if px == nil {
		return ""
	}
	source := t.cat.text("proxy_short", nil)
	if key := "proxy_short." + px.Source; t.cat.has(key) {
		source = t.cat.text(key, nil)
	}
	line := t.cat.text("text.via_proxy", args{"proxy": px.Address, "source": source})
	if d := h.Direct; d != nil {
		var direct string
		switch {
		case d.OK:
			direct = t.cat.text("text.direct.ok", nil)
		case d.CutShortMS > 0:
			direct = t.cat.text("text.direct.cut", args{"grace": t.cat.dur(d.CutShortMS)})
		default:
			direct = t.cat.text("text.direct.blocked", args{"reason": string(d.Reason)})
		}
		line += " · " + direct
	}
	var b strings.Builder
	t.wrapTo(&b, indent, indent, strings.Fields(line))
	return b.String()
}
