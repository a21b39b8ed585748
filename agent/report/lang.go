package report

import (
	"fmt"
	"strings"
)

// Lang is a language the messages are written in.
type Lang string

// Supported languages. Codes, host names and the verdict words OK, WARN and
// FAIL stay English in every language: they are what scripts and support
// staff search for.
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
	switch lang {
	case "en":
		return EN, nil
	case "de":
		return DE, nil
	case "c":
		// "C.UTF-8" is the C locale with a codeset.
		return EN, nil
	}
	return EN, fmt.Errorf("unsupported language %q (supported: en, de)", s)
}

// ParseLangFlag accepts exactly the values documented for --lang, so that a
// typo on the command line is an error rather than a silent fallback.
func ParseLangFlag(s string) (Lang, error) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case EN, DE:
		return l, nil
	}
	return EN, fmt.Errorf("unsupported language %q for --lang (use en or de)", s)
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
