package agent

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// loopbackHostOnly guards an agent that listens on loopback against DNS
// rebinding: a web page the user visits can point its own name at
// 127.0.0.1 and then, as far as the browser is concerned, be same-origin
// with the agent, read /status and press Check now. Such a request still
// carries the page's name in Host, so on a loopback listener only an IP
// address or localhost is accepted. A listener on another address is
// reached by whatever name the network gives it and is left alone.
func loopbackHostOnly(ln net.Listener, h http.Handler) http.Handler {
	ap, err := netip.ParseAddrPort(ln.Addr().String())
	if err != nil || !ap.Addr().IsLoopback() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localHost(r.Host) {
			http.Error(w, "pbprobe listens on loopback and answers only to an IP address or localhost in Host", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// localHost: the Host header names an IP address, localhost or a name
// under .localhost (RFC 6761), which no DNS server may answer.
func localHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
