package main

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// hostileRune is a rune a server must not get onto the technician's
// terminal: a control (ESC, BEL, C1) or a bidi control.
func hostileRune(s string) (rune, bool) {
	for _, r := range s {
		if r == '\n' || r == '\t' { // the report's own layout
			continue
		}
		if unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') ||
			r == '\u200e' || r == '\u200f' || r == '\u061c' {
			return r, true
		}
	}
	return 0, false
}

// TestCheckPrintsNoServerEscapes: a certificate whose issuer and subject
// carry a clear-screen, colours, a bell and a right-to-left override shows
// up in `check` text and JSON with none of them, under its readable name.
func TestCheckPrintsNoServerEscapes(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	issuer := "\x1b[2J\x1b[31mEvil\a Root\u202eAC\x1b[0m\u009b"
	subject := "\x1b]0;owned\aevil\r\nsubject\u2066"
	target := w.AddNamed("evil.pb.test", subject, issuer)
	cfg := w.config(t, 2*time.Second, target)
	for _, args := range [][]string{
		{"check", "--config.file", cfg},
		{"check", "--config.file", cfg, "--lang", "de"},
		{"check", "--config.file", cfg, "--format", "json"},
	} {
		res := runCmd(t, args...)

		out := res.stdout + res.stderr
		if r, bad := hostileRune(out); bad {
			t.Errorf("%v prints %U:\n%q", args, r, out)
		}
		if !strings.Contains(out, "Evil Root") && !strings.Contains(out, "tls_untrusted") {
			t.Errorf("%v: neither the issuer nor the verdict is shown:\n%s", args, out)
		}
	}
	res := runCmd(t, "check", "--config.file", cfg, "--format", "json")
	if !strings.Contains(res.stdout, `"issuer": "[2J[31mEvil Root`) || !strings.Contains(res.stdout, "tls_untrusted") {
		t.Errorf("JSON does not carry the cleaned issuer or the verdict:\n%s", res.stdout)
	}
}
