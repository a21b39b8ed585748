package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// The history's file (HistoryOptions.File): read at start, written at
// most every minute and at shutdown, atomically.

// LoadHistory is a history with the runs of o.File, when it exists. A
// missing file is an empty history; an unreadable or malformed one is an
// empty history and an error to log (the agent starts anyway).
func LoadHistory(o HistoryOptions) (*History, error) {
	h := NewHistory(o)
	if o.File == "" {
		return h, nil
	}
	f, err := os.Open(o.File)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("history file: %w", err)
	}
	defer f.Close()
	// The file holds at most MaxBytes of runs, which JSON spells in about
	// as many bytes; twice that and more is not a file this agent wrote.
	var file historyFile
	if err := json.NewDecoder(io.LimitReader(f, 2*int64(h.o.MaxBytes)+4096)).Decode(&file); err != nil {
		return h, fmt.Errorf("history file %s: %w", o.File, err)
	}
	var last time.Time
	for _, r := range file.Runs {
		if r, ok := cleanRun(r); ok && !r.At.Before(last) {
			h.add(r)
			last = r.End()
		}
	}
	h.dirty = false
	return h, nil
}

// cleanRun makes a run read from the file safe to show: the file is on
// disk and may have been edited, so its strings are treated as the
// network's. Runs out of order are dropped.
func cleanRun(r HistoryRun) (HistoryRun, bool) {
	if r.At.IsZero() {
		return r, false
	}
	if r.Count < 2 || r.Until.Before(r.At) {
		r.Count, r.Until = 0, time.Time{}
	}
	hosts := make([]HistoryHost, 0, len(r.Hosts))
	for _, h := range r.Hosts {
		h.Host = cleanText(h.Host)
		h.Reason = probes.Reason(cleanText(string(h.Reason)))
		switch h.State {
		case StateOK, StateWarning, StateFailing, StateNotChecked:
		default:
			continue
		}
		ws := make([]WarningCode, 0, len(h.Warnings))
		for _, w := range h.Warnings {
			ws = append(ws, WarningCode(cleanText(string(w))))
		}
		h.Warnings = ws
		hosts = append(hosts, h)
	}
	r.Hosts = hosts
	return r, true
}

// Saver is a run hook that writes the file at most every minute; Save
// writes it at once (at shutdown).
func (h *History) Saver(onError func(error)) RunHook {
	return func(ev RunEvent) {
		h.Add(ev.Cur)
		if h.o.File == "" {
			return
		}
		h.mu.Lock()
		due := time.Since(h.saved) >= historySaveEvery
		h.mu.Unlock()
		if due {
			if err := h.Save(); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// Save writes the runs to the file, when there is one and anything
// changed: to a temporary file in the same folder, then renamed over the
// old one, so that a crash leaves the old file or the new, never half.
func (h *History) Save() error {
	h.mu.Lock()
	if h.o.File == "" || !h.dirty {
		h.mu.Unlock()
		return nil
	}
	runs := append([]HistoryRun(nil), h.runs...)
	h.saved, h.dirty = time.Now(), false
	h.mu.Unlock()
	body, err := json.Marshal(historyFile{Version: historyFileVersion, Runs: runs})
	if err != nil {
		return fmt.Errorf("history file: %w", err)
	}
	if err := writeAtomic(h.o.File, body); err != nil {
		return fmt.Errorf("history file: %w", err)
	}
	return nil
}

// writeAtomic writes body to name through a temporary file and a rename.
func writeAtomic(name string, body []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing is left to remove
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
