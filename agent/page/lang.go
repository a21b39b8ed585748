package page

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/pbprobe/pbprobe/agent/report"
)

// maxLangItems bounds the Accept-Language entries read: browsers send a
// handful, and the header comes from whoever reaches the port.
const maxLangItems = 16

// chooseLang is the page's language: ?lang= when it names a language with
// a catalog, else the first supported language of Accept-Language by
// preference, else English.
func chooseLang(r *http.Request) report.Lang {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, err := report.ParseLangFlag(q); err == nil {
			return l
		}
	}
	return acceptLang(r.Header.Get("Accept-Language"))
}

// acceptLang picks from an Accept-Language value ("de-CH, de;q=0.9,
// en;q=0.8"): the supported language of highest weight, the earlier one on
// a tie; English when none is supported.
func acceptLang(header string) report.Lang {
	type choice struct {
		lang report.Lang
		q    float64
	}
	var choices []choice
	for i, item := range strings.Split(header, ",") {
		if i == maxLangItems {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" || q == 0 {
			continue
		}
		if l, err := report.ParseLang(tag); err == nil {
			choices = append(choices, choice{l, q})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	if len(choices) == 0 {
		return report.EN
	}
	return choices[0].lang
}
