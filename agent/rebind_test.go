package agent

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLocalHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1:9843": true, "127.0.0.1": true, "[::1]:9843": true, "localhost:9843": true,
		"LOCALHOST.": true, "pc.localhost:9843": true, "10.0.0.5:9843": true,
		"evil.example:9843": false, "evil.example": false, "localhost.evil.example": false,
		"127.0.0.1.nip.io:9843": false, "": false,
	} {
		if got := localHost(host); got != want {
			t.Errorf("localHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestLoopbackListenerRefusesRebinding: on a loopback listener a request
// whose Host is a DNS name (a rebinding page) gets 421 and reaches no
// handler; an address or localhost is served. On any other listener the
// Host is not judged.
func TestLoopbackListenerRefusesRebinding(t *testing.T) {
	t.Parallel()
	served := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { served++ })
	loop, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Close()
	guarded := loopbackHostOnly(loop, h)
	for host, want := range map[string]int{"evil.example:9843": http.StatusMisdirectedRequest, "127.0.0.1:9843": http.StatusOK, "localhost": http.StatusOK} {
		r := httptest.NewRequest(http.MethodPost, "/-/probe", nil)
		r.Host = host
		w := httptest.NewRecorder()
		guarded.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
	}
	if served != 2 {
		t.Errorf("handler ran %d times, want 2 (never for the rebinding name)", served)
	}
	other := fakeListener{addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 9843}}
	r := httptest.NewRequest(http.MethodGet, "/status", nil)
	r.Host = "pc-042.corp.example:9843"
	w := httptest.NewRecorder()
	loopbackHostOnly(other, h).ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("a listener on 10.0.0.5 judged the Host: %d", w.Code)
	}
}

type fakeListener struct {
	net.Listener
	addr net.Addr
}

func (f fakeListener) Addr() net.Addr { return f.addr }
