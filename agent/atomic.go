package agent

import (
	"sync/atomic"
	"time"
)

// atomicTime is a time.Time behind an atomic pointer.
type atomicTime struct{ p atomic.Pointer[time.Time] }

func (t *atomicTime) Store(v time.Time) { t.p.Store(&v) }

func (t *atomicTime) Load() time.Time {
	if v := t.p.Load(); v != nil {
		return *v
	}
	return time.Time{}
}
