package report

import (
	"strings"
	"testing"
)

// renderPage is every word of the status page, for the catalog tests.
func renderPage(p PageWords) []string {
	return []string{p.Verdict(true), p.Verdict(false), p.NotRequired(), p.Title("pc-1"), p.CheckNow(),
		p.CheckedAt("2026-11-30 10:00:00 UTC"), p.NoRunYet(), p.Machine(), p.Hosts(), p.History(),
		p.Since("10:00"), p.SinceBefore("09:00"), p.Links()}
}

// The page's words come in the language asked for, with the check's
// verdict words, and quote what they are given without control characters.
func TestPageWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang              Lang
		ready, check, got string
	}{
		{EN, "READY", "Check now", "pbprobe on pc-1"},
		{DE, "BEREIT", "Jetzt prüfen", "pbprobe auf pc-1"},
		{"fr", "READY", "Check now", "pbprobe on pc-1"},
	}
	for _, tt := range tests {
		p := Page(tt.lang)
		if got := p.Verdict(true); got != tt.ready {
			t.Errorf("%s: Verdict(true) = %q, want %q", tt.lang, got, tt.ready)
		}
		if got := p.CheckNow(); got != tt.check {
			t.Errorf("%s: CheckNow = %q, want %q", tt.lang, got, tt.check)
		}
		if got := p.Title("pc-\x071\u202e"); got != tt.got {
			t.Errorf("%s: Title = %q, want %q", tt.lang, got, tt.got)
		}
	}
	if l := Page("fr").Lang(); l != EN {
		t.Errorf("Page(fr).Lang() = %s, want en", l)
	}
	if s := Page(DE).SinceBefore("09:00"); !strings.Contains(s, "09:00") {
		t.Errorf("SinceBefore loses the time: %q", s)
	}
}
