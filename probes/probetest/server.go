package probetest

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Behavior is what a test server does with a connection.
type Behavior int

// Behaviors. The names that would collide with the Scenario constants of the
// same meaning (Stall, NotTLS) carry an AfterHello suffix, like the others
// that act once the ClientHello is in.
const (
	// Serve completes TLS 1.2 or 1.3 handshakes, then answers any HTTP/1.1
	// request with 204 No Content until the client closes.
	Serve Behavior = iota
	// ServeTLS10Only speaks TLS 1.0 and nothing newer, like an old
	// middlebox; a modern client fails with a protocol_version alert.
	ServeTLS10Only
	// ResetAfterHello reads the ClientHello, then aborts the connection so
	// that the client sees a TCP RST, as when a firewall kills a flow based
	// on the SNI it just saw.
	ResetAfterHello
	// CloseAfterHello reads the ClientHello, then closes normally: the
	// client sees EOF instead of a ServerHello.
	CloseAfterHello
	// StallAfterHello accepts and reads but never answers, like a proxy
	// that swallows the connection.
	StallAfterHello
	// HTTPAfterHello answers the ClientHello with a plain HTTP 400, as a
	// server that does not speak TLS on that port would.
	HTTPAfterHello

	// The endless behaviors complete the handshake like Serve, read one
	// request, then answer with a head (HTTPResponse, or "200 OK" with
	// Server: probetest) that never ends the way it should: a client that
	// reads without a bound grows its memory or reads until its deadline.
	// NewHostileProxy answers CONNECT the same way in clear text.

	// EndlessHeaderLine opens a header line and never ends it.
	EndlessHeaderLine
	// EndlessHeaders sends header lines without end.
	EndlessHeaders
	// EndlessBody announces a 1 TiB Content-Length and sends a body without
	// end (HTTPBody repeated, or filler).
	EndlessBody
	// EndlessChunkedBody sends a chunked body (HTTPBody repeated, or
	// filler) whose last chunk never comes.
	EndlessChunkedBody
)

// tls reports whether the behavior completes a handshake, and so needs a
// certificate.
func (b Behavior) tls() bool {
	switch b {
	case Serve, ServeTLS10Only, EndlessHeaderLine, EndlessHeaders, EndlessBody, EndlessChunkedBody:
		return true
	}
	return false
}

// ServerOptions configure NewServer.
type ServerOptions struct {
	Behavior Behavior
	// Cert is what Serve and ServeTLS10Only present; the other behaviors
	// never get that far and ignore it.
	Cert tls.Certificate
	// HandshakeDelay holds back the server's first reaction (handshake, RST,
	// HTTP answer, ...) after accepting, to simulate a slow path.
	HandshakeDelay time.Duration
	// DateOffset shifts the Date header of HTTP answers: a server whose
	// clock differs from the PC's by that much.
	DateOffset time.Duration
	// HTTPResponse, when set, is the status line and headers (without the
	// final blank line) that Serve answers HTTP requests with, e.g. a
	// firewall's block page; Date is added.
	HTTPResponse string
	// HTTPBody follows HTTPResponse's headers (set Content-Length there).
	// The endless body behaviors repeat it.
	HTTPBody string
	// Sent, when set, counts the bytes the endless behaviors wrote (TLS
	// payload), so that a test can tell a client that stopped reading from
	// one that drained until its deadline.
	Sent *atomic.Int64
}

// notTLSResponse is what a plain HTTP server says to bytes it cannot parse.
const notTLSResponse = "HTTP/1.1 400 Bad Request\r\n\r\n"

// NewServer starts a server on 127.0.0.1 and returns its port. tb.Cleanup
// closes the listener and every connection still open, and waits for all of
// the server's goroutines.
func NewServer(tb testing.TB, o ServerOptions) (port int) {
	tb.Helper()
	var cfg *tls.Config
	switch {
	case o.Behavior.tls():
		if len(o.Cert.Certificate) == 0 {
			tb.Fatalf("probetest: NewServer: behavior %d needs ServerOptions.Cert", o.Behavior)
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{o.Cert}}
		if o.Behavior == ServeTLS10Only {
			cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
		}
	case o.Behavior >= ResetAfterHello && o.Behavior <= HTTPAfterHello:
	default:
		tb.Fatalf("probetest: NewServer: unknown behavior %d", o.Behavior)
	}
	return start(tb, o, cfg, false).Port
}

// start listens on 127.0.0.1 and serves o there until tb's cleanup: over TLS
// with cfg, or as a clear-text proxy when proxy is set.
func start(tb testing.TB, o ServerOptions, cfg *tls.Config, proxy bool) *net.TCPAddr {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("probetest: %v", err)
	}
	s := &server{
		opts:  o,
		cfg:   cfg,
		proxy: proxy,
		ln:    ln,
		done:  make(chan struct{}),
		conns: map[net.Conn]struct{}{},
	}
	s.wg.Go(s.accept)
	tb.Cleanup(s.close)
	return ln.Addr().(*net.TCPAddr)
}

type server struct {
	opts  ServerOptions
	cfg   *tls.Config
	proxy bool // a clear-text proxy (NewHostileProxy), not a TLS server
	ln    net.Listener
	// done cuts HandshakeDelay short on close.
	done chan struct{}
	wg   sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func (s *server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Anything else is transient (EMFILE under a heavy benchmark):
			// a real server keeps accepting, and so does this one.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		// Added under the lock, so that close, which takes the lock before
		// waiting, never waits on a counter that is about to grow.
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.handle(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *server) close() {
	s.mu.Lock()
	s.closed = true
	close(s.done)
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *server) handle(c net.Conn) {
	defer c.Close()
	if d := s.opts.HandshakeDelay; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.done:
			return
		}
	}
	switch {
	case s.proxy:
		serveEndless(c, s.opts, proxyLoginHead)
	case s.opts.Behavior.tls():
		s.serveTLS(c)
	default:
		s.misbehave(c)
	}
}

// serveTLS completes the handshake, then answers as the behavior says.
func (s *server) serveTLS(c net.Conn) {
	tc := tls.Server(c, s.cfg)
	if tc.Handshake() != nil {
		return
	}
	if s.opts.Behavior == Serve || s.opts.Behavior == ServeTLS10Only {
		serveHTTP(tc, s.opts)
		return
	}
	serveEndless(tc, s.opts, "HTTP/1.1 200 OK\r\nServer: probetest")
}

// misbehave is what the behaviors that never complete a handshake do.
func (s *server) misbehave(c net.Conn) {
	switch s.opts.Behavior {
	case ResetAfterHello:
		if readRecord(c) != nil {
			return
		}
		if tcp, ok := c.(*net.TCPConn); ok {
			// Linger 0 turns Close into an abort: RST instead of FIN.
			_ = tcp.SetLinger(0)
		}
	case CloseAfterHello:
		_ = readRecord(c)
	case StallAfterHello:
		_, _ = io.Copy(io.Discard, c)
	case HTTPAfterHello:
		if readRecord(c) != nil {
			return
		}
		_, _ = io.WriteString(c, notTLSResponse)
	}
}

// serveHTTP answers HTTP/1.1 requests with an empty 204 that carries a Date,
// so that a client checking reachability or clock skew over the connection
// gets an answer. It stays open like a real server until the client is done,
// so that the client, not the server, decides when the connection ends.
func serveHTTP(c net.Conn, o ServerOptions) {
	r := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			// Whatever the client sent that is not HTTP is still read to
			// the end, for the same reason readRecord reads the whole hello.
			_, _ = io.Copy(io.Discard, r)
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
		head := o.HTTPResponse
		if head == "" {
			head = "HTTP/1.1 204 No Content\r\nServer: probetest"
		}
		date := time.Now().Add(o.DateOffset).UTC().Format(http.TimeFormat)
		if _, err := fmt.Fprintf(c, "%s\r\nDate: %s\r\n\r\n%s", strings.TrimRight(head, "\r\n"), date, o.HTTPBody); err != nil || req.Close {
			return
		}
	}
}

// readRecord reads one TLS record, which holds the whole ClientHello of any
// client we meet (records carry up to 16 KiB). Reading all of it matters:
// closing a socket with unread data sends RST, which would turn
// CloseAfterHello into a reset.
func readRecord(c net.Conn) error {
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint16(hdr[3:])
	_, err := io.CopyN(io.Discard, c, int64(n))
	return err
}
