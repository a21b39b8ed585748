package report

import (
	"fmt"
	"strings"
)

// Lang is a language the messages are written in.
type Lang string

// Supported languages; each has a catalog (catalog_xx.go, registered in
// catalogs), and a language without one is not accepted. Codes, host names
// and the verdict words OK, WARN and FAIL stay English in every language:
// they are what scripts and support staff search for.
const (
	EN Lang = "en"
	DE Lang = "de"
)

// ParseLang reads a language from a flag value or a POSIX locale name
// ("de", "de_DE.UTF-8", "de-AT", "de_CH@euro"). "", "C" and "POSIX" mean
// English. A well-formed but unsupported language ("fr_FR.UTF-8") returns
// EN together with an error, so that a caller reading the environment can
// ignore the error and one reading a flag can report it.
func ParseLang(s string) (Lang, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "C", "POSIX":
		return EN, nil
	}
	lang := strings.ToLower(s)
	// The language is what comes before the territory, codeset and modifier.
	if i := strings.IndexAny(lang, "_-.@"); i >= 0 {
		lang = lang[:i]
	}
	if lang == "c" {
		// "C.UTF-8" is the C locale with a codeset.
		return EN, nil
	}
	if _, ok := textsOf(Lang(lang)); ok {
		return Lang(lang), nil
	}
	return EN, fmt.Errorf("unsupported language %q (supported: %s)", s, langNames(", "))
}

// ParseLangFlag accepts exactly the values documented for --lang, so that a
// typo on the command line is an error rather than a silent fallback.
func ParseLangFlag(s string) (Lang, error) {
	l := Lang(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := textsOf(l); ok {
		return l, nil
	}
	return EN, fmt.Errorf("unsupported language %q for --lang (use %s)", s, langNames(" or "))
}

// langNames lists the languages that have a catalog, the last two joined
// by last: "en, de" or "en or de".
func langNames(last string) string {
	var b strings.Builder
	for i, c := range catalogs {
		switch {
		case i == 0:
		case i == len(catalogs)-1:
			b.WriteString(last)
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(c.lang))
	}
	return b.String()
}

// LangFromLocale maps a locale environment value to a language, English
// for anything unsupported: a French desktop gets English rather than an
// error.
func LangFromLocale(s string) Lang {
	l, _ := ParseLang(s)
	return l
}

// DetectLang picks the language from the locale environment with POSIX
// precedence: the first of LC_ALL, LC_MESSAGES and LANG that is set decides,
// even when it names an unsupported language. Windows services have none of
// these set and get English; the caller may consult the OS's UI language
// first.
func DetectLang(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return LangFromLocale(v)
		}
	}
	return EN
}

// ChooseLang is the language of one run of a command: the --lang value
// when given (already checked with ParseLangFlag), else the locale
// environment when any of its variables is set, else the OS's UI language
// (Windows sets no locale variables; osLocale is "de-DE" there, empty
// elsewhere).
func ChooseLang(flagValue string, getenv func(string) string, osLocale string) Lang {
	if flagValue != "" {
		l, _ := ParseLangFlag(flagValue)
		return l
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if getenv(k) != "" {
			return DetectLang(getenv)
		}
	}
	return LangFromLocale(osLocale)
}
