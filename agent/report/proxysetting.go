package report

import (
	"strings"
	"unicode"

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
		"setting": c.quote(printable(v.Setting)),
		"pac":     printable(v.PACURL),
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

// printable drops control and bidi formatting characters from a setting
// before it is printed, so that a hostile value cannot move the cursor or
// reorder the line, and shortens it.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxSettingLen {
		s = string(r[:maxSettingLen]) + "…"
	}
	return s
}
