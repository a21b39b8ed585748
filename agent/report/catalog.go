package report

import (
	"strconv"
	"strings"

	"github.com/pbprobe/pbprobe/agent"
)

// A catalog is one language's words: every sentence, phrase and
// formatting convention the report uses, keyed by message key, as a
// template with named placeholders ("{host}", "{wild}"). The Go code around
// it is the same for every language: a selector decides which key applies
// and computes the placeholder values from the facts; the catalog only
// says how that reads. Adding a language is adding a catalog_xx.go file
// with a texts table, its Lang constant and a line in catalogs.
//
// Key scheme (see catalog_en.go for the whole table):
//
//	<reason>[.<variant>]         a host's message: tls_expired.leaf
//	<reason>.hint[.<variant>]    its remediation hint: dns_error.hint.rcode
//	<reason>.<part>              a phrase a message of that reason inserts
//	warning.<code>[.<variant>]   a warning, advice included
//	check.<code>.<variant>       a machine prerequisite
//	captive[.<variant>]          the captive-portal finding
//	summary.*, text.*            the words of the text output
//	proxy.*, proxy_source.*      the proxy and where its setting comes from
//	dns_server, issuer.org, pc_clock  phrases several reasons share
//	fmt.*, list.*, span.*, unit.*  the printer's conventions
//
// A key ending in .one or .other is a plural form, picked by plural.
type catalog struct {
	lang  Lang
	texts map[string]string
	// seen, when set, learns every key rendered: a test's way to see
	// that each key is reachable.
	seen func(key string)
}

// catalogs are the languages there are words for, in the order the usage
// messages name them. The first is the fallback for a language without a
// catalog and for a key a catalog lacks.
var catalogs = []struct {
	lang  Lang
	texts map[string]string
}{
	{EN, textsEN},
	{DE, textsDE},
}

// textsOf returns the table of lang, if there is one.
func textsOf(lang Lang) (map[string]string, bool) {
	for _, c := range catalogs {
		if c.lang == lang {
			return c.texts, true
		}
	}
	return nil, false
}

// catalogFor returns the catalog of lang, or the English one for a
// language without a catalog. It is called once per render; everything
// below takes the catalog it returns.
func catalogFor(lang Lang) *catalog {
	texts, ok := textsOf(lang)
	if !ok {
		lang, texts = catalogs[0].lang, catalogs[0].texts
	}
	return &catalog{lang: lang, texts: texts}
}

// args are the values of a template's placeholders, by name.
type args map[string]string

// text renders the template of key with a. A key the catalog lacks falls
// back to English (a test keeps the catalogs complete); a placeholder
// without a value is left as it stands, so that a test can find it.
func (c *catalog) text(key string, a args) string {
	if c.seen != nil {
		c.seen(key)
	}
	t, ok := c.texts[key]
	if !ok {
		t = catalogs[0].texts[key]
	}
	return expand(t, a)
}

// plural renders key.one for n == 1 and key.other otherwise, with n as
// {n}. English and German need no more forms; a language that does would
// extend this.
func (c *catalog) plural(key string, n int, a args) string {
	form := key + ".other"
	if n == 1 {
		form = key + ".one"
	}
	b := args{"n": strconv.Itoa(n)}
	for k, v := range a {
		b[k] = v
	}
	return c.text(form, b)
}

// has reports whether the catalog words key, for selectors that take the
// variant from data (a proxy source, a check code).
func (c *catalog) has(key string) bool {
	_, ok := c.texts[key]
	return ok
}

// expand replaces every {name} in t whose name a has a value for, in one
// pass, so that a value holding braces (a server's name) stays as it is.
func expand(t string, a args) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			break
		}
		name := t[i+1 : i+j]
		v, ok := a[name]
		if ok {
			// Values quote servers and files; a document fetched by
			// pbprobe status may not have been cleaned by the agent.
			v = agent.Printable(v)
		} else {
			v = t[i : i+j+1]
		}
		b.WriteString(t[:i])
		b.WriteString(v)
		t = t[i+j+1:]
	}
	b.WriteString(t)
	return b.String()
}
