package report

// PageWords are the words of the status page (agent/page) in one
// language, from the same catalog as the check: the page adds only its own
// labels ("page.*" keys) and takes the verdict, host messages and hints
// from the check's keys.
type PageWords struct{ c *catalog }

// Page returns the status page's words in lang (English for a language
// without a catalog).
func Page(lang Lang) PageWords { return PageWords{catalogFor(lang)} }

// Lang is the language the words are in, for the page's lang attribute.
func (p PageWords) Lang() Lang { return p.c.lang }

// Verdict is the run's verdict word: READY or NOT READY.
func (p PageWords) Verdict(ready bool) string {
	if ready {
		return p.c.text("summary.ready", nil)
	}
	return p.c.text("summary.not_ready", nil)
}

// NotRequired marks an optional host.
func (p PageWords) NotRequired() string { return p.c.text("text.not_required", nil) }

// Title is the page's title for the machine.
func (p PageWords) Title(machine string) string {
	return p.c.text("page.title", args{"machine": machine})
}

// CheckNow is the label of the button that runs a pass at once.
func (p PageWords) CheckNow() string { return p.c.text("page.check_now", nil) }

// CheckedAt says when the run was; at is already formatted.
func (p PageWords) CheckedAt(at string) string {
	return p.c.text("page.checked_at", args{"at": at})
}

// NoRunYet stands in for the verdict before the first run.
func (p PageWords) NoRunYet() string { return p.c.text("page.no_run_yet", nil) }

// Machine heads the machine-level findings.
func (p PageWords) Machine() string { return p.c.text("page.machine", nil) }

// Hosts heads the host rows.
func (p PageWords) Hosts() string { return p.c.text("page.hosts", nil) }

// History labels the timeline of the last 24 hours.
func (p PageWords) History() string { return p.c.text("page.history", nil) }

// Since says when a host's state last changed; at is formatted.
func (p PageWords) Since(at string) string { return p.c.text("page.since", args{"at": at}) }

// SinceBefore says a host's state has not changed in the kept history,
// which begins at at.
func (p PageWords) SinceBefore(at string) string {
	return p.c.text("page.since_before", args{"at": at})
}

// Links heads the links to the machine-readable endpoints.
func (p PageWords) Links() string { return p.c.text("page.links", nil) }
