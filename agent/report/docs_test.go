package report

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pbprobe/pbprobe/probes"
)

// The hints send people to docs/reasons.md; every code must have its
// section there, or the first unusual failure leads to a dead end.
func TestDocsCoverEveryCode(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reasons.md"))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range probes.Reasons() {
		codes = append(codes, string(r))
	}
	for _, w := range warningCodes {
		codes = append(codes, string(w))
	}
	for _, c := range codes {
		heading := regexp.MustCompile(`(?m)^#{2,3} .*\b` + regexp.QuoteMeta(c) + `\b`)
		if !heading.Match(doc) {
			t.Errorf("docs/reasons.md has no section for %s", c)
		}
	}
}
