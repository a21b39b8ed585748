package push

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The backlog keeps each run as one file, named for its time, a sequence
// number and its sample count:
//
//	<unix ms, 16 digits>-<seq, 6 digits>-<samples>.rw
//
// holding the run's encoded WriteRequest. Names sort oldest first, the
// bounds are applied from the names and sizes alone, and a file is written
// under a temporary name and renamed, so a crash leaves whole runs only.
const (
	backlogExt = ".rw"
	tmpExt     = ".tmp"
	// maxEntryBytes bounds the read of one file: a run of the series
	// budget is a few kilobytes; anything larger was not written by us.
	maxEntryBytes = 4 << 20
)

// Drop reasons, the values of pbprobe_push_dropped_samples_total{reason}.
const (
	DropMaxAge   = "max_age"
	DropMaxBytes = "max_bytes"
	DropRejected = "rejected"
)

type entry struct {
	name    string
	at      time.Time
	samples int
	size    int64
}

// backlog is the on-disk queue of runs not yet accepted by the store. The
// hook adds runs, the sender takes the oldest; mu guards the index.
type backlog struct {
	dir      string
	maxAge   time.Duration
	maxBytes int64

	mu      sync.Mutex
	entries []entry // oldest first
	bytes   int64
	seq     int
	// sending names the run the sender has taken and is sending, not
	// yet removed: the bounds skip it (and do not count its bytes), or a
	// run that reaches the store would also be counted as dropped.
	sending string
}

func openBacklog(dir string, maxAge time.Duration, maxBytes int64) (*backlog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("push backlog: %w", err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("push backlog: %w", err)
	}
	b := &backlog{dir: dir, maxAge: maxAge, maxBytes: maxBytes}
	for _, de := range names {
		if strings.HasSuffix(de.Name(), tmpExt) {
			_ = os.Remove(filepath.Join(dir, de.Name())) // a write cut short by a crash
			continue
		}
		e, ok := parseEntryName(de.Name())
		info, ierr := de.Info()
		if !ok || ierr != nil || !info.Mode().IsRegular() {
			continue // not ours: leave it alone
		}
		e.size = info.Size()
		b.entries = append(b.entries, e)
		b.bytes += e.size
	}
	slices.SortFunc(b.entries, func(x, y entry) int { return strings.Compare(x.name, y.name) })
	return b, nil
}

func parseEntryName(name string) (entry, bool) {
	base, ok := strings.CutSuffix(name, backlogExt)
	parts := strings.Split(base, "-")
	if !ok || len(parts) != 3 || len(parts[0]) != 16 {
		return entry{}, false
	}
	ms, err1 := strconv.ParseInt(parts[0], 10, 64)
	_, err2 := strconv.Atoi(parts[1])
	n, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || n < 0 {
		return entry{}, false
	}
	return entry{name: name, at: time.UnixMilli(ms), samples: n}, true
}

// add stores a run, then applies the bounds; it returns the samples
// dropped by them, per reason.
func (b *backlog) add(at time.Time, samples int, data []byte, now time.Time) (map[string]int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq = (b.seq + 1) % 1000000
	name := fmt.Sprintf("%016d-%06d-%d%s", at.UnixMilli(), b.seq, samples, backlogExt)
	path := filepath.Join(b.dir, name)
	if err := writeFile(path, data); err != nil {
		return nil, err
	}
	b.entries = append(b.entries, entry{name: name, at: at, samples: samples, size: int64(len(data))})
	slices.SortFunc(b.entries, func(x, y entry) int { return strings.Compare(x.name, y.name) })
	b.bytes += int64(len(data))
	return b.trimLocked(now), nil
}

func writeFile(path string, data []byte) error {
	tmp := path + tmpExt
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("push backlog: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("push backlog: %w", err)
	}
	return nil
}

// trim applies the bounds now; the sender calls it before each send so
// that runs past max_age are dropped even while no new run arrives.
func (b *backlog) trim(now time.Time) map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.trimLocked(now)
}

// trimLocked drops the oldest runs past max_age, then the oldest until
// the rest fits max_bytes; the run being sent is neither dropped nor
// counted (it is on its way; if it fails, the next trim judges it).
func (b *backlog) trimLocked(now time.Time) map[string]int {
	dropped := map[string]int{}
	for i := 0; i < len(b.entries) && now.Sub(b.entries[i].at) > b.maxAge; {
		if b.entries[i].name == b.sending {
			i++
			continue
		}
		dropped[DropMaxAge] += b.removeLocked(i)
	}
	for i := 0; i < len(b.entries) && b.bytes-b.sendingSizeLocked() > b.maxBytes; {
		if b.entries[i].name == b.sending {
			i++
			continue
		}
		dropped[DropMaxBytes] += b.removeLocked(i)
	}
	return dropped
}

// sendingSizeLocked is the size of the run being sent, 0 when none is.
func (b *backlog) sendingSizeLocked() int64 {
	for _, e := range b.entries {
		if e.name == b.sending {
			return e.size
		}
	}
	return 0
}

func (b *backlog) removeLocked(i int) int {
	e := b.entries[i]
	_ = os.Remove(filepath.Join(b.dir, e.name))
	b.entries = slices.Delete(b.entries, i, i+1)
	b.bytes -= e.size
	return e.samples
}

// oldest returns the oldest run and its bytes, and marks it as being
// sent until remove or release.
func (b *backlog) oldest() (entry, []byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.entries) == 0 {
		return entry{}, nil, false, nil
	}
	e := b.entries[0]
	b.sending = e.name
	data, err := readCapped(filepath.Join(b.dir, e.name), maxEntryBytes)
	return e, data, true, err
}

func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = errors.New("larger than a run can be")
	}
	return data, err
}

// remove deletes a run the store accepted (or refused for good); it
// returns the run's samples, 0 when it was gone already (dropped by a
// bound meanwhile).
func (b *backlog) remove(name string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sending == name {
		b.sending = ""
	}
	i := slices.IndexFunc(b.entries, func(e entry) bool { return e.name == name })
	if i < 0 {
		return 0
	}
	return b.removeLocked(i)
}

// release ends the sending mark of a run that stays (the send failed).
func (b *backlog) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sending = ""
}

// stats are the runs, samples and bytes waiting.
func (b *backlog) stats() (runs, samples int, bytes int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		samples += e.samples
	}
	return len(b.entries), samples, b.bytes
}
