package agent

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveTest serves a handler that answers "ok" with limits l and returns
// its address.
func serveTest(t *testing.T, l serverLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, h, "", slog.New(slog.DiscardHandler), l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// get sends one keep-alive request on c and reads the answer.
func get(t *testing.T, c net.Conn, r *bufio.Reader) {
	t.Helper()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func TestDefaultLimits(t *testing.T) {
	l := defaultLimits()
	if l.idle <= 0 || l.idle >= time.Minute {
		t.Errorf("idle timeout %v, want more than 0 and well under a minute", l.idle)
	}
	if l.readHeader <= 0 || l.read <= 0 || l.write <= 0 || l.maxConns <= 0 {
		t.Errorf("limits %+v: every limit must be set", l)
	}
}

func TestServerClosesIdleKeepAlive(t *testing.T) {
	t.Parallel()
	l := defaultLimits()
	l.idle = time.Second
	addr := serveTest(t, l)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	get(t, c, r)
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(10 * time.Second))
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("idle kept-alive connection: read = %v, want EOF (closed by the server)", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("idle connection closed after %v, want about 1 s", took)
	}
}

func TestServerCapsConnections(t *testing.T) {
	t.Parallel()
	l := defaultLimits()
	l.maxConns = 2
	addr := serveTest(t, l)
	var held []net.Conn
	for range l.maxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		get(t, c, bufio.NewReader(c)) // accepted and kept alive
		held = append(held, c)
	}
	extra, err := net.Dial("tcp", addr) // the kernel queues it
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if _, err := io.WriteString(extra, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(extra)
	_ = extra.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := r.Peek(1); err == nil {
		t.Fatalf("connection %d was served while %d were open", l.maxConns+1, l.maxConns)
	}
	held[0].Close()
	_ = extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	get(t, extra, r)
}

// exporter-toolkit's "TLS is disabled." is debug, not news at info; its
// other lines keep their level.
func TestToolkitLogDemotesTLSDisabled(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	l := slog.New(toolkitLog{slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelInfo})})
	l.Info("TLS is disabled.", "http2", false)
	l.Info("Listening on", "address", "127.0.0.1:9843")
	if strings.Contains(b.String(), "TLS is disabled") || !strings.Contains(b.String(), "Listening on") {
		t.Errorf("log at info:\n%s", b.String())
	}
}
