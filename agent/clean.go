package agent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxServerText caps, in runes, every string a server or middlebox supplies
// (a certificate name, a Server header, a redirect target, an error that
// quotes them). Real ones are far shorter; a 1 MB Server header would
// otherwise go into the JSON, every log line and the terminal.
const MaxServerText = 256

// cleanText makes a string from the network safe to print: control
// characters (C0 including newlines, DEL, C1) and bidirectional controls
// are removed, so that a certificate issuer cannot clear a technician's
// screen, colour it, ring its bell or reverse the text around it (U+202E);
// invalid UTF-8 becomes U+FFFD; and the result is at most MaxServerText
// runes, the last an ellipsis when it was cut. Whitespace controls become
// one space, so that words stay apart. The run document holds only cleaned
// strings, so every view of it (JSON, text, logs, metrics) gets them.
func cleanText(s string) string {
	if len(s) <= MaxServerText && isPlainASCII(s) {
		return s
	}
	return printable(s, MaxServerText)
}

// Printable is s without control and bidirectional characters, whatever
// its length: for renderers, which cannot know whether a document they
// were handed (pbprobe status fetches one over the network) was cleaned.
func Printable(s string) string {
	if isPlainASCII(s) {
		return s
	}
	return printable(s, 0)
}

// printable drops control and bidi characters from s and caps it at max
// runes (0: no cap), the last an ellipsis when it was cut.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		// Invalid UTF-8 decodes as U+FFFD, one byte at a time.
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			r = ' '
		case unicode.IsControl(r) || isBidiControl(r):
			continue
		}
		if n == max-1 && i < len(s) {
			// More follows: this last place takes the ellipsis.
			b.WriteRune('…')
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isPlainASCII: printable ASCII needs no cleaning, and most strings are
// that (host names, "nginx"), so they cost no copy.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// isBidiControl reports the characters that change the direction of the
// text around them: embeddings and overrides, isolates, and the marks.
func isBidiControl(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// cleanTexts cleans each string of a list from the network.
func cleanTexts(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = cleanText(s)
	}
	return out
}
