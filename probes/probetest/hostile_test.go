package probetest_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes/probetest"
)

// TestEndlessServers reads a megabyte of each endless answer, raw, and
// checks it is what the behavior promises: the head never ends, or the body
// never does.
func TestEndlessServers(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	cert := issue(t, ca, probetest.LeafOptions{DNSNames: []string{"srv.test"}})
	cfg := &tls.Config{ServerName: "srv.test", RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}
	const n = 1 << 20
	tests := []struct {
		name     string
		behavior probetest.Behavior
		opens    string // what the first bytes are
		headEnds bool   // whether a blank line ends the head within n bytes
		tail     string // what the last bytes read contain
	}{
		{"EndlessHeaderLine", probetest.EndlessHeaderLine, "HTTP/1.1 200 OK\r\nServer: probetest\r\nX-Endless: aaaa", false, "aaaaaaaa"},
		{"EndlessHeaders", probetest.EndlessHeaders, "HTTP/1.1 200 OK\r\nServer: probetest\r\nX-Endless: aaaa", false, "\r\nX-Endless: "},
		{"EndlessBody", probetest.EndlessBody, "HTTP/1.1 200 OK\r\nServer: probetest\r\nContent-Length: 1099511627776\r\n\r\nendless body", true, "endless body, "},
		{"EndlessChunkedBody", probetest.EndlessChunkedBody, "HTTP/1.1 200 OK\r\nServer: probetest\r\nTransfer-Encoding: chunked\r\n\r\ne\r\nendless body, \r\n", true, "\r\ne\r\nendless body, "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sent := new(atomic.Int64)
			port := probetest.NewServer(t, probetest.ServerOptions{Behavior: tc.behavior, Cert: cert, Sent: sent})
			c, err := dialTLS(port, cfg, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got := readEndless(t, c, "GET / HTTP/1.1\r\nHost: srv.test\r\n\r\n", n)
			checkEndless(t, got, tc.opens, tc.tail, tc.headEnds)
			if sent.Load() < n {
				t.Errorf("Sent counted %d bytes, %d were read", sent.Load(), n)
			}
		})
	}
}

// TestHostileProxy: the proxy answers CONNECT with its 407 head, then
// without end.
func TestHostileProxy(t *testing.T) {
	t.Parallel()
	addr := probetest.NewHostileProxy(t, probetest.ServerOptions{Behavior: probetest.EndlessBody})
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	got := readEndless(t, c, "CONNECT srv.test:443 HTTP/1.1\r\nHost: srv.test:443\r\n\r\n", 1<<20)
	checkEndless(t, got, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic", "endless body, ", true)
}

func readEndless(t *testing.T, c net.Conn, req string, n int) []byte {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

func checkEndless(t *testing.T, got []byte, opens, tail string, headEnds bool) {
	t.Helper()
	if !bytes.HasPrefix(got, []byte(opens)) {
		t.Errorf("opens with %q, want %q", got[:len(opens)], opens)
	}
	if ends := bytes.Contains(got, []byte("\r\n\r\n")); ends != headEnds {
		t.Errorf("head ends within %d bytes: %v, want %v", len(got), ends, headEnds)
	}
	if last := got[len(got)-4096:]; !bytes.Contains(last, []byte(tail)) {
		t.Errorf("the answer does not go on with %q: ends %q", tail, last[len(last)-64:])
	}
}
