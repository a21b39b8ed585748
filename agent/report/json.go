package report

import (
	"encoding/json"
	"io"

	"github.com/pbprobe/pbprobe/agent"
)

// WriteJSON writes the run document of DESIGN.md ("Check output"), indented
// by two spaces with a trailing newline. Localize first for the message and
// hint fields. Empty host and warning lists are written as [] rather than
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
