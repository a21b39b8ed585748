package config

import "strconv"

// Error is a problem with a config file, located as precisely as the file
// allows so that a technician can fix it without reading YAML specs.
type Error struct {
	File string // as given to Load or Parse
	Line int    // 1-based; 0 when the problem is not tied to one line
	Msg  string
	// err is the cause when there is one (a failed read, say), so that
	// callers can still test it with errors.Is.
	err error
}

// Error formats as "FILE:LINE: MSG", the shape editors and CI logs link to.
func (e *Error) Error() string {
	switch {
	case e.File == "" && e.Line == 0:
		return e.Msg
	case e.File == "":
		return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.err }
