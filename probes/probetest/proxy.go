package probetest

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Proxy is an in-process CONNECT proxy on loopback that tunnels to
// 127.0.0.1 on the requested port. With a certificate it is an https://
// proxy: TLS first, CONNECT inside. It records what each connection sent
// first, the SNI it was asked for and the Proxy-Authorization it got, so
// that a test can tell what went over the wire in clear text.
type Proxy struct {
	ln   net.Listener
	cert *tls.Certificate
	wg   sync.WaitGroup

	mu      sync.Mutex
	conns   map[net.Conn]bool
	first   [][]byte // the first bytes of every connection, as received
	sni     []string
	auth    []string
	connect int // CONNECT requests read (in clear or inside TLS)
}

// StartProxy starts a Proxy on 127.0.0.1; with cert it speaks TLS first.
// tb.Cleanup closes it and every connection, and waits for its goroutines.
func StartProxy(tb testing.TB, cert *tls.Certificate) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln, cert: cert, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// Port is the port the proxy listens on, on 127.0.0.1.
func (p *Proxy) Port() string {
	return strconv.Itoa(p.ln.Addr().(*net.TCPAddr).Port)
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns[c] = true
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			p.serve(c)
		}()
	}
}

// bufConn reads through a bufio.Reader that has peeked at the start.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (b bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func (p *Proxy) serve(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	head, _ := br.Peek(7) // "CONNECT" is 7 bytes; a ClientHello is longer
	p.mu.Lock()
	p.first = append(p.first, append([]byte(nil), head...))
	p.mu.Unlock()
	var conn net.Conn = bufConn{c, br}
	if p.cert != nil {
		tc := tls.Server(conn, &tls.Config{
			Certificates: []tls.Certificate{*p.cert},
			GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
				p.mu.Lock()
				p.sni = append(p.sni, h.ServerName)
				p.mu.Unlock()
				return nil, nil
			},
		})
		if tc.Handshake() != nil {
			return
		}
		conn = tc
	}
	r := bufio.NewReader(conn)
	req, err := http.ReadRequest(r)
	if err != nil || req.Method != http.MethodConnect {
		// What a plain HTTP proxy says to a ClientHello.
		_, _ = io.WriteString(conn, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.connect++
	p.auth = append(p.auth, req.Header.Get("Proxy-Authorization"))
	p.mu.Unlock()
	p.tunnel(c, conn, r, req.Host)
}

// tunnel answers 200 and copies both ways until either side is done.
func (p *Proxy) tunnel(raw, conn net.Conn, r *bufio.Reader, dest string) {
	_, port, _ := net.SplitHostPort(dest)
	up, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		_, _ = io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(up, r)
		up.Close()
	}()
	_, _ = io.Copy(conn, up)
	raw.Close()
	<-done
}

// Seen returns copies of what the proxy recorded: the first bytes of
// every connection, the SNI names asked for, the Proxy-Authorization of
// every CONNECT and how many CONNECTs it read.
func (p *Proxy) Seen() (first [][]byte, sni, auth []string, connects int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.first...), append([]string(nil), p.sni...), append([]string(nil), p.auth...), p.connect
}
