package report

import "testing"

func TestParseLang(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		want    Lang
		wantErr bool
	}{
		{"en", EN, false},
		{"de", DE, false},
		{"DE", DE, false},
		{"de_DE.UTF-8", DE, false},
		{"de-AT", DE, false},
		{"de_CH@euro", DE, false},
		{"en_GB.UTF-8", EN, false},
		{"", EN, false},
		{"C", EN, false},
		{"POSIX", EN, false},
		{"C.UTF-8", EN, false},
		{"fr", EN, true},
		{"fr_FR.UTF-8", EN, true},
		{"deutsch", EN, true},
	} {
		got, err := ParseLang(c.in)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, error %v", c.in, got, err, c.want, c.wantErr)
		}
		if l := LangFromLocale(c.in); l != c.want {
			t.Errorf("LangFromLocale(%q) = %q, want %q", c.in, l, c.want)
		}
	}
}

func TestParseLangFlag(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		want    Lang
		wantErr bool
	}{
		{"en", EN, false},
		{"de", DE, false},
		{" DE ", DE, false},
		{"de_DE.UTF-8", EN, true},
		{"", EN, true},
		{"fr", EN, true},
	} {
		got, err := ParseLangFlag(c.in)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("ParseLangFlag(%q) = %q, %v; want %q, error %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestDetectLang(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		want Lang
	}{
		{nil, EN},
		{map[string]string{"LANG": "de_DE.UTF-8"}, DE},
		{map[string]string{"LANG": "de_DE.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "de_AT.UTF-8"}, DE},
		{map[string]string{"LC_ALL": "de_DE", "LC_MESSAGES": "en_US", "LANG": "en_US"}, DE},
		// The first variable set decides, even for a language we lack:
		// falling through to LANG would contradict the user's choice.
		{map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, EN},
		{map[string]string{"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, EN},
	} {
		getenv := func(k string) string { return c.env[k] }
		if got := DetectLang(getenv); got != c.want {
			t.Errorf("DetectLang(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}
