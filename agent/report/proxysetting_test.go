package report

import (
	"strings"
	"testing"

	"github.com/pbprobe/pbprobe/agent"
)

// A setting comes from the environment or the registry: its escapes,
// bidi overrides and length must not reach a terminal.
func TestProxySettingPrintable(t *testing.T) {
	t.Parallel()
	v := agent.ProxySettingView{Source: "env", Error: "bad",
		Setting: "HTTPS_PROXY=http://\x1b[2J\a\u202eevil\u200f" + strings.Repeat("x", 1000),
		PACURL:  "http://wpad/\x1b]0;title\x07p.pac"}
	for _, lang := range []Lang{EN, DE} {
		for _, v := range []agent.ProxySettingView{v, {Source: "wininet", PACURL: v.PACURL}} {
			msg, hint := DescribeProxySetting(v, lang)
			if strings.ContainsAny(msg+hint, "\x1b\a\u202e\u200f") {
				t.Errorf("%s: control or bidi characters printed: %q", lang, msg)
			}
			if len(msg) > 2*maxSettingLen+400 {
				t.Errorf("%s: %d bytes, the setting was not shortened", lang, len(msg))
			}
		}
	}
	if msg, hint := DescribeProxySetting(agent.ProxySettingView{Source: "env", Setting: "HTTPS_PROXY=http://p:8080"}, EN); msg != "" || hint != "" {
		t.Errorf("a usable manual setting got words: %q %q", msg, hint)
	}
}
