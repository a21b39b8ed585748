package agent

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxServerText)
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "Let's Encrypt R3", "Let's Encrypt R3"},
		{"empty", "", ""},
		{"unicode kept", "Zertifizierungsstelle Müller – 日本", "Zertifizierungsstelle Müller – 日本"},
		{"clear screen and colour", "\x1b[2J\x1b[31mEvil CA\x1b[0m", "[2J[31mEvil CA[0m"},
		{"bell and NUL", "Evil\a\x00 CA", "Evil CA"},
		{"DEL", "Evil\x7f CA", "Evil CA"},
		{"C1 CSI", "Evil\u009b2J CA", "Evil2J CA"},
		{"newlines become spaces", "line1\r\nline2\tend", "line1  line2 end"},
		{"line separator", "a\u2028b", "a b"},
		{"right-to-left override", "moc.evil\u202e.com", "moc.evil.com"},
		{"every bidi control", "a\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061cb", "ab"},
		{"invalid UTF-8", "a\xff\xfeb", "a\ufffd\ufffdb"},
		{"at the cap", long, long},
		{"over the cap", long + "b", strings.Repeat("a", MaxServerText-1) + "…"},
		{"multibyte over the cap", strings.Repeat("é", 2*MaxServerText), strings.Repeat("é", MaxServerText-1) + "…"},
		{"controls do not count", strings.Repeat("\x1b", 1000) + "ok", "ok"},
	} {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("%s: cleanText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCleanTextHugeHeader(t *testing.T) {
	t.Parallel()
	got := cleanText(strings.Repeat("nginx ", 1<<20/6))
	if n := utf8.RuneCountInString(got); n != MaxServerText || !strings.HasSuffix(got, "…") {
		t.Errorf("a 1 MB header cleaned to %d runes ending %q, want %d ending in an ellipsis", n, got[len(got)-8:], MaxServerText)
	}
}

func TestCleanTextPlainASCIINoCopy(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = cleanText("api.passwordboss.com") }); n != 0 {
		t.Errorf("cleaning a plain host name allocates %v times, want 0", n)
	}
}

// FuzzCleanText: whatever a server sends, the cleaned string is valid
// UTF-8, holds no control or bidi character and is within the cap.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "Evil CA", "\x1b[2J\x1b[31m", "\u202eabc", "a\xffb", "\u0085\u009b", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("cleanText(%q) = %q, not valid UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > MaxServerText {
			t.Fatalf("cleanText(%q) has %d runes, over %d", s, n, MaxServerText)
		}
		for _, r := range got {
			if unicode.IsControl(r) || isBidiControl(r) {
				t.Fatalf("cleanText(%q) = %q keeps %U", s, got, r)
			}
		}
		if cleanText(got) != got {
			t.Fatalf("cleanText is not idempotent on %q", s)
		}
	})
}
