package probes

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// countingReader counts what is read through it: the readers under test
// promise to read no more than their caps.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func getRequest() *http.Request {
	return &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "api.passwordboss.com", Path: "/"},
		Host: "api.passwordboss.com", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}}
}

func connectRequest() *http.Request {
	dest := "api.passwordboss.com:443"
	return &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: dest}, Host: dest, Header: http.Header{}}
}

// A hostile seed is a start, a piece and how often the piece follows, so
// that the corpus holds a 70 KiB answer in a few bytes: the fuzzer mutates
// and minimizes those few bytes, not 70 KiB.
type hostileSeed struct {
	start, piece string
	times        uint16
}

// expand builds the answer a seed stands for, at most 1 MiB of it.
func expand(start, piece []byte, times uint16) []byte {
	n := int(times)
	if len(piece) > 0 {
		n = min(n, (1<<20)/len(piece))
	}
	return append(start[:len(start):len(start)], bytes.Repeat(piece, n)...)
}

// Hostile tails: just over the head cap, and many fields that together are.
var (
	overCap    = hostileSeed{piece: "aa", times: httpHeadLimit/2 + 100}
	manyFields = hostileSeed{piece: "X-Pad: 0123456789abcdef\r\n", times: httpHeadLimit/25 + 10}
)

// after is the seed with start in front of its piece.
func (h hostileSeed) after(start string) hostileSeed {
	h.start = start
	return h
}

// plain is a seed without a hostile tail.
func plain(s string) hostileSeed { return hostileSeed{start: s} }

// answerSeeds are real answers seen in the field and hostile ones.
func answerSeeds() []hostileSeed {
	return []hostileSeed{
		plain("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 30 Nov 2026 09:00:00 GMT\r\nContent-Length: 5\r\n\r\nhello"),
		plain("HTTP/1.1 204 No Content\r\nServer: probetest\r\n\r\n"),
		plain("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.passwordboss.com/\r\nContent-Length: 0\r\n\r\n"),
		plain("HTTP/1.1 302 Found\r\nLocation: http://blockpage.example.net/?url=x\r\n\r\n"),
		plain("HTTP/1.1 403 Forbidden\r\nServer: FortiGate\r\nContent-Type: text/html\r\nContent-Length: 40\r\n\r\n<html>Web Page Blocked by policy</html>\r\n"),
		plain("HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nAccess denied by\r\n5\r\n Squid\r\n0\r\n\r\n"),
		plain("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n\r\n"),
		plain("HTTP/1.1 511 Network Authentication Required\r\nContent-Length: 1099511627776\r\n\r\nlogin"),
		plain("HTTP/1.0 200 OK\n\nlf only, read to EOF"),
		{start: "HTTP/1.1 200 OK\r\nServer: ", piece: "x", times: httpHeadLimit - 200},
		overCap.after("HTTP/1.1 200 OK\r\nX-Endless: "),
		manyFields.after("HTTP/1.1 511 Network Authentication Required\r\n"),
		overCap,
		{start: "HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n", piece: "endless body ", times: 1000},
		{start: "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n", piece: "1;ext=aaaaaaaaaaaaaaaa\r\nx\r\n", times: 10000},
		plain("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
		plain("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
		plain("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"),
		plain("HTTP/1.1 200 OK\r\n folded: line\r\n\r\n"),
		plain("HTTP/1.1 2000 OK\r\n\r\n"),
		plain("HTTP/1.1 000 Zero\r\n\r\n"),
		plain("HTTP/1.1 200 OK\r\nServer: \xe2\x80\xae\x1b[2J\x00\r\n\r\n"),
		plain("\x15\x03\x03\x00\x02\x02\x28"),
		plain("\r\n"),
		plain(""),
	}
}

// FuzzReadAnswer: whatever a server sends after the handshake, the answer
// is judged without reading past the caps, and nothing kept from it is
// longer than a name may be.
func FuzzReadAnswer(f *testing.F) {
	for _, s := range answerSeeds() {
		f.Add([]byte(s.start), []byte(s.piece), s.times)
	}
	f.Fuzz(func(t *testing.T, start, piece []byte, times uint16) {
		cr := &countingReader{r: bytes.NewReader(expand(start, piece, times))}
		res, err := readAnswer(cr, getRequest(), "api.passwordboss.com", time.Now)
		if res == nil {
			t.Fatal("no result")
		}
		if cr.n > httpHeadLimit+2*httpBodyLimit {
			t.Fatalf("read %d bytes, cap %d", cr.n, httpHeadLimit+2*httpBodyLimit)
		}
		if len(res.Server) > maxHeaderValue || len(res.Location) > maxHeaderValue || len(res.Block.Name) > maxHeaderValue {
			t.Fatalf("kept server %d, location %d, name %d bytes", len(res.Server), len(res.Location), len(res.Block.Name))
		}
		if err == nil && (res.Status < 100 || res.Status > 999) {
			t.Fatalf("status %d without an error", res.Status)
		}
		if err != nil && res.Block.Kind != BlockNone {
			t.Fatalf("a block (%v) and an error (%v)", res.Block, err)
		}
	})
}

// connectSeeds are proxies' answers to CONNECT, real and hostile, some with
// the server's first TLS bytes behind them.
func connectSeeds() []hostileSeed {
	const hello = "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03"
	return []hostileSeed{
		plain("HTTP/1.1 200 Connection established\r\n\r\n" + hello),
		plain("HTTP/1.0 200 Connection established\r\nProxy-agent: Apache\r\n\r\n" + hello),
		plain("HTTP/1.1 200 OK\r\nVia: 1.1 squid\r\n\r\n"),
		plain("HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid/5.7\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 1099511627776\r\n\r\n<html>"),
		{start: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 1099511627776\r\n\r\n", piece: "endless body ", times: 1000},
		plain("HTTP/1.1 403 Forbidden\r\nServer: tinyproxy/1.11.1\r\nContent-Type: text/html\r\n\r\n<html>Access denied</html>"),
		{start: "HTTP/1.1 502 Bad Gateway\nVia: 1.1 ", piece: "x", times: httpHeadLimit - 200},
		manyFields.after("HTTP/1.1 407 Proxy Authentication Required\r\n"),
		overCap.after("HTTP/1.1 407 Proxy Authentication Required\r\nX-Endless: "),
		manyFields.after("HTTP/1.1 200 Connection established\r\n"),
		overCap,
		plain("HTTP/1.1 200 Connection established\r\n"),
		plain("HTTP/1.1 200 Connection established\r\n \r\n\r\n"),
		plain("HTTP/1.1 000 Zero\r\n\r\n"),
		plain("SSH-2.0-OpenSSH_9.2\r\n"),
		plain("\r\n\r\n"),
		plain(""),
	}
}

// FuzzConnectAnswer: whatever a proxy answers to CONNECT, it is read
// without going past the head cap, and an answer taken as complete was read
// exactly to the blank line ending its head, so that the server's TLS
// behind it is left whole for the handshake.
func FuzzConnectAnswer(f *testing.F) {
	for _, s := range connectSeeds() {
		f.Add([]byte(s.start), []byte(s.piece), s.times)
	}
	f.Fuzz(func(t *testing.T, start, piece []byte, times uint16) {
		data := expand(start, piece, times)
		r := bytes.NewReader(data)
		status, server, err := readConnectAnswer(r, connectRequest())
		read := data[:len(data)-r.Len()]
		if len(read) > httpHeadLimit+16 {
			t.Fatalf("read %d bytes, cap %d", len(read), httpHeadLimit)
		}
		if len(server) > maxHeaderValue {
			t.Fatalf("kept a %d-byte server", len(server))
		}
		if err != nil {
			return
		}
		if status < 100 || status > 999 {
			t.Fatalf("status %d without an error", status)
		}
		cut := status == http.StatusProxyAuthRequired && len(read) >= httpHeadLimit
		if !cut && !bytes.HasSuffix(read, []byte("\n\n")) && !bytes.HasSuffix(read, []byte("\n\r\n")) {
			t.Fatalf("read %q, which does not end at a blank line", read[max(0, len(read)-32):])
		}
	})
}

func TestReadHead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, head string
		err            error
	}{
		{"crlf", "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", "HTTP/1.1 200 OK\r\nA: b\r\n\r\n", nil},
		{"lf", "HTTP/1.1 200 OK\nA: b\n\nbody", "HTTP/1.1 200 OK\nA: b\n\n", nil},
		{"whitespace line is no end", "HTTP/1.1 200 OK\r\nA: b\r\n \r\n\r\nx", "HTTP/1.1 200 OK\r\nA: b\r\n \r\n\r\n", nil},
		{"cut short", "HTTP/1.1 200 OK\r\nA: b", "HTTP/1.1 200 OK\r\nA: b", io.ErrUnexpectedEOF},
		{"exactly at the cap", "HTTP/1.1 200 OK\r\nA: " + strings.Repeat("b", httpHeadLimit-24) + "\r\n\r\n", "", nil},
		{"one over the cap", "HTTP/1.1 200 OK\r\nA: " + strings.Repeat("b", httpHeadLimit-23) + "\r\n\r\n", "", errHeadTooLarge},
		{"endless line", "HTTP/1.1 200 OK\r\nA: " + strings.Repeat("a", httpHeadLimit+100), "", errHeadTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			head, err := readHead(bufio.NewReader(strings.NewReader(tc.in)), httpHeadLimit)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if len(head) > httpHeadLimit {
				t.Errorf("head of %d bytes", len(head))
			}
			if tc.head != "" && string(head) != tc.head {
				t.Errorf("head %q, want %q", head, tc.head)
			}
			if tc.err == nil && !strings.HasPrefix(tc.in, string(head)) {
				t.Errorf("head is not the input's start")
			}
		})
	}
}

func TestShorten(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"squid", 256, "squid"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abc…"},
		{"ab€€", 7, "ab…"}, // the cut falls inside the first €
		{strings.Repeat("x", 1<<20), 256, strings.Repeat("x", 253) + "…"},
	}
	for _, tc := range tests {
		got := shorten(tc.in, tc.n)
		if got != tc.want || len(got) > tc.n || !utf8.ValidString(got) {
			t.Errorf("shorten(%.20q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
