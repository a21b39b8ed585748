package probes

import (
	"crypto/tls"
	"sync"
	"time"
)

// NewSessionCache is a TLS session cache whose sessions are used for at
// most maxAge, so that a full handshake, with the server's current chain
// on the wire, happens at least that often even while tickets stay valid.
func NewSessionCache(capacity int, maxAge time.Duration) tls.ClientSessionCache {
	return &sessionCache{inner: tls.NewLRUClientSessionCache(capacity), maxAge: maxAge, stored: map[string]time.Time{}}
}

type sessionCache struct {
	inner  tls.ClientSessionCache
	maxAge time.Duration

	mu     sync.Mutex
	stored map[string]time.Time
}

func (c *sessionCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	at, ok := c.stored[key]
	if ok && time.Since(at) > c.maxAge {
		// Forget the stamp so that the full handshake this miss causes
		// starts a new age.
		delete(c.stored, key)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	return c.inner.Get(key)
}

func (c *sessionCache) Put(key string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	if cs == nil {
		delete(c.stored, key)
	} else if _, ok := c.stored[key]; !ok {
		// The age counts from the full handshake: a resumed session
		// handing out a fresh ticket must not extend it forever.
		c.stored[key] = time.Now()
	}
	c.mu.Unlock()
	c.inner.Put(key, cs)
}
