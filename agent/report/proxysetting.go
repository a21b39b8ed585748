package report

import (
	"github.com/pbprobe/pbprobe/agent"
)

// DescribeProxySetting words a machine-level proxy setting worth a word
// (agent.ProxySettingView.Worth): one that cannot be used, an auto-config
// script, WPAD. It returns empty strings for any other setting.
func DescribeProxySetting(v agent.ProxySettingView, lang Lang) (message, hint string) {
	return catalogFor(lang).proxySetting(v)
}

func (c *catalog) proxySetting(v agent.ProxySettingView) (message, hint string) {
	if !v.Worth() {
		return "", ""
	}
	a := args{
		"where":   c.proxyWhere(&facts{proxySource: v.Source}),
		"setting": c.quote(shorten(v.Setting)),
		"pac":     shorten(v.PACURL),
	}
	switch {
	case v.Error != "":
		return c.text("proxy_setting.error", a), c.text("proxy_setting.hint.error", a)
	case v.PACURL != "" && v.AutoDetect:
		return c.text("proxy_setting.pac_wpad", a), c.text("proxy_setting.hint.auto", a)
	case v.PACURL != "":
		return c.text("proxy_setting.pac", a), c.text("proxy_setting.hint.auto", a)
	}
	return c.text("proxy_setting.wpad", a), c.text("proxy_setting.hint.auto", a)
}

// maxSettingLen bounds a setting quoted in a sentence: it comes from the
// environment or the registry, and a real one is far shorter.
const maxSettingLen = 200

// shorten cuts a setting to maxSettingLen runes for a sentence; control
// and bidi characters are dropped where every value is filled in (expand).
func shorten(s string) string {
	if r := []rune(s); len(r) > maxSettingLen {
		return string(r[:maxSettingLen]) + "…"
	}
	return s
}
