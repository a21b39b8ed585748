package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/pbprobe/pbprobe/agent"
)

// WriteJSON writes the run document of DESIGN.md ("Check output"), indented
// by two spaces with a trailing newline. Pass Localized(doc) for the
// message and hint fields. Empty host and warning lists are written as [] rather than
// null, so that consumers can iterate without a check.
func WriteJSON(w io.Writer, rep *agent.Document) error {
	out := *rep
	out.Hosts = make([]agent.HostReport, len(rep.Hosts))
	for i, h := range rep.Hosts {
		if h.Warnings == nil {
			h.Warnings = []agent.Warning{}
		}
		out.Hosts[i] = h
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Certificate names may hold "&" or "<"; \u0026 in a ticket helps no
	// one, and the document is never embedded in HTML.
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}

// StatusJSON renders /status: a document with its words in lang, as JSON.
func StatusJSON(lang Lang) func(*agent.Document) ([]byte, error) {
	return func(doc *agent.Document) ([]byte, error) {
		var b bytes.Buffer
		err := WriteJSON(&b, Localized(doc, lang))
		return b.Bytes(), err
	}
}
