package probetest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// proxyLoginHead is what NewHostileProxy answers CONNECT with unless
// ServerOptions.HTTPResponse says otherwise.
const proxyLoginHead = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"probetest\"\r\nVia: 1.1 probetest"

// endlessFiller is the body the endless body behaviors repeat when
// ServerOptions.HTTPBody is empty: it reads like nothing in particular.
const endlessFiller = "endless body, "

// NewHostileProxy starts a clear-text HTTP proxy on 127.0.0.1 that answers
// every CONNECT as o.Behavior says, one of the endless behaviors, with the
// head o.HTTPResponse (default: a 407 that asks for Basic credentials and
// names itself in Via). It returns the proxy's host:port; tb.Cleanup stops
// it like NewServer's servers.
func NewHostileProxy(tb testing.TB, o ServerOptions) string {
	tb.Helper()
	switch o.Behavior {
	case EndlessHeaderLine, EndlessHeaders, EndlessBody, EndlessChunkedBody:
	default:
		tb.Fatalf("probetest: NewHostileProxy: behavior %d is not an endless one", o.Behavior)
	}
	return start(tb, o, nil, true).String()
}

// serveEndless reads one request from c and answers it as o.Behavior says,
// with o.HTTPResponse or defaultHead as the status line and headers, until
// the client goes away (or the server is closed under it).
func serveEndless(c net.Conn, o ServerOptions, defaultHead string) {
	// A GET and a CONNECT have no body: the head is all there is to read.
	if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
		return
	}
	head, piece := endlessAnswer(o, defaultHead)
	w := io.Writer(c)
	if o.Sent != nil {
		w = countingWriter{c, o}
	}
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	// Big writes, so that the server keeps up with any client.
	buf := []byte(strings.Repeat(piece, 32<<10/len(piece)+1))
	for {
		if _, err := w.Write(buf); err != nil {
			return
		}
	}
}

// endlessAnswer is the head a behavior opens with and the piece it then
// repeats forever.
func endlessAnswer(o ServerOptions, defaultHead string) (head, piece string) {
	head = o.HTTPResponse
	if head == "" {
		head = defaultHead
	}
	head = strings.TrimRight(head, "\r\n") + "\r\n"
	body := o.HTTPBody
	if body == "" {
		body = endlessFiller
	}
	switch o.Behavior {
	case EndlessHeaderLine:
		return head + "X-Endless: ", strings.Repeat("a", 1024)
	case EndlessHeaders:
		return head, "X-Endless: " + strings.Repeat("a", 53) + "\r\n"
	case EndlessBody:
		return head + "Content-Length: 1099511627776\r\n\r\n", body
	}
	return head + "Transfer-Encoding: chunked\r\n\r\n", fmt.Sprintf("%x\r\n%s\r\n", len(body), body)
}

// countingWriter adds what it writes to o.Sent.
type countingWriter struct {
	w io.Writer
	o ServerOptions
}

func (cw countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.o.Sent.Add(int64(n))
	return n, err
}
