package report

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"net/netip"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// The fixtures are probe results as the chain produces them, turned into
// reports by the real agent.Evaluate: the goldens show what a technician
// will see, and they change when the evaluation changes its views.

var checkedAt = time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)

const (
	api      = "api.passwordboss.com"
	updates  = "app-updates.passwordboss.com"
	updates2 = "app-updates2.passwordboss.com"
	portal   = "portal.passwordboss.com"
	app      = "app.passwordboss.com"
)

func msD(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func boolp(b bool) *bool { return &b }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// resolved is a result whose DNS stage asked 10.0.0.1 and got rcode and
// the addresses a.
func resolved(host string, dnsMS float64, rcode string, a ...string) *probes.Result {
	return &probes.Result{
		Target: probes.Target{Host: host, Port: 443},
		Start:  checkedAt,
		Reason: probes.ReasonOK,
		DNS: &probes.DNSResult{
			Duration: msD(dnsMS), Rcode: rcode, Resolver: "10.0.0.1:53", Transport: "udp",
			Addresses: addrs(a...),
			Queries: []probes.DNSQuery{
				{Type: "A", Resolver: "10.0.0.1:53", Transport: "udp", Rcode: rcode, Duration: msD(dnsMS)},
				{Type: "AAAA", Resolver: "10.0.0.1:53", Transport: "udp", Rcode: rcode, Duration: msD(dnsMS)},
			},
		},
	}
}

type try struct {
	addr string
	out  probes.TCPOutcome
	ms   float64
}

// connect adds the TCP stage; the first connected attempt is the winner.
func connect(r *probes.Result, tcpMS float64, tries ...try) *probes.Result {
	r.TCP = &probes.TCPResult{Duration: msD(tcpMS)}
	for _, t := range tries {
		a := netip.MustParseAddrPort(t.addr)
		r.TCP.Attempts = append(r.TCP.Attempts, probes.TCPAttempt{Address: a, Outcome: t.out, Duration: msD(t.ms)})
		if t.out == probes.TCPConnected && !r.TCP.Address.IsValid() {
			r.TCP.Address = a
		}
	}
	return r
}

func cert(subject, issuer, org string, from, until time.Time, names ...string) probes.CertInfo {
	sum := sha256.Sum256([]byte(subject + issuer + until.String()))
	return probes.CertInfo{
		Subject: subject, Issuer: issuer, IssuerOrg: org, DNSNames: names,
		NotBefore: from, NotAfter: until, SHA256: hex.EncodeToString(sum[:]),
	}
}

// publicChain is the chain the real hosts present, leaf valid until until.
func publicChain(until time.Time) []probes.CertInfo {
	return []probes.CertInfo{
		cert("*.passwordboss.com", "Amazon RSA 2048 M02", "Amazon", until.AddDate(0, -13, 0), until, "*.passwordboss.com", "passwordboss.com"),
		cert("Amazon RSA 2048 M02", "Amazon Root CA 1", "Amazon", day(2022, 8, 23), day(2030, 8, 23)),
	}
}

// shake adds a finished TLS handshake with the given chain and trust.
func shake(r *probes.Result, tlsMS float64, chain []probes.CertInfo, system bool, public *bool) *probes.Result {
	r.TLS = &probes.TLSResult{
		Duration: msD(tlsMS), Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
		ServerName: r.Target.Host, Chain: chain, SystemTrusted: system, PublicTrusted: public,
		Intercepted: system && public != nil && !*public,
	}
	return r
}

// broken adds a handshake that failed before a version was agreed.
func broken(r *probes.Result, tlsMS float64, reason probes.Reason, err string) *probes.Result {
	r.TLS = &probes.TLSResult{Duration: msD(tlsMS), ServerName: r.Target.Host}
	r.Reason, r.Err = reason, errors.New(err)
	return r
}

func fail(r *probes.Result, reason probes.Reason, err string) *probes.Result {
	r.Reason, r.Err = reason, errors.New(err)
	return r
}

// answer adds the HTTP stage: the answer to GET / with the server's Date
// set so that this PC's clock is skew ahead of it.
func answer(r *probes.Result, httpMS float64, status int, server string, skew time.Duration) *probes.Result {
	r.HTTP = &probes.HTTPResult{
		Duration: msD(httpMS), Status: status, Server: server,
		Date: checkedAt.Add(-skew), ClockSkew: skew,
	}
	return r
}

func ok(host string, dnsMS, tcpMS, tlsMS, httpMS float64, ip string) *probes.Result {
	r := resolved(host, dnsMS, "NOERROR", ip)
	connect(r, tcpMS, try{ip + ":443", probes.TCPConnected, tcpMS})
	shake(r, tlsMS, publicChain(day(2027, 6, 14)), true, boolp(true))
	return answer(r, httpMS, 200, "nginx", time.Second)
}

// evaluate runs the real evaluation with the default thresholds. Hosts
// without a result are reported as not checked.
func evaluate(names []string, results []*probes.Result, took time.Duration) *agent.Document {
	hosts := make([]config.Host, len(names))
	for i, n := range names {
		hosts[i] = config.Host{Host: n, Port: 443, Required: true}
	}
	rep := agent.Evaluate(hosts, results, checkedAt, took, agent.EvalOptions{
		Version:    "1.0.0",
		Machine:    "PC-042",
		CertExpiry: config.DefaultCertExpiry,
		// A fixed threshold keeps the words' goldens apart from the
		// default, which is the config's business.
		SlowPhase: 3 * time.Second,
		Now:       func() time.Time { return checkedAt },
	})
	return &rep
}

// mixedReport is a typical onboarding: two hosts fine (one with warnings),
// an inspection proxy, a firewall drop and a DNS filter.
func mixedReport() *agent.Document {
	warned := resolved(updates, 11.8, "NOERROR", "2001:db8:20::20", "203.0.113.20")
	connect(warned, 269.7,
		try{"[2001:db8:20::20]:443", probes.TCPOutTimeout, 1269.9},
		try{"203.0.113.20:443", probes.TCPConnected, 19.7})
	shake(warned, 44.2, publicChain(checkedAt.Add(5*24*time.Hour+3*time.Hour)), true, boolp(true))
	answer(warned, 88.6, 200, "nginx", time.Second)

	intercepted := resolved(updates2, 12.0, "NOERROR", "203.0.113.30")
	connect(intercepted, 21.1, try{"203.0.113.30:443", probes.TCPConnected, 21.1})
	shake(intercepted, 38.9, []probes.CertInfo{
		cert(updates2, "FortiGate SSL Inspection CA", "Fortinet", day(2026, 11, 1), day(2027, 11, 1), updates2),
		cert("FortiGate SSL Inspection CA", "FortiGate SSL Inspection CA", "Fortinet", day(2024, 1, 1), day(2034, 1, 1)),
	}, true, boolp(false))
	fail(intercepted, probes.TLSIntercepted, `tls app-updates2.passwordboss.com: chain trusted by this system but not by the public root set (issuer "CN=FortiGate SSL Inspection CA,O=Fortinet"): x509: certificate signed by unknown authority`)

	dropped := resolved(portal, 10.9, "NOERROR", "203.0.113.7")
	connect(dropped, 10000.4, try{"203.0.113.7:443", probes.TCPOutTimeout, 10000.4})
	fail(dropped, probes.TCPTimeout, "tcp portal.passwordboss.com port 443: dial tcp 203.0.113.7:443: i/o timeout")

	nx := fail(resolved(app, 8.2, "NXDOMAIN"), probes.DNSNXDomain, "dns app.passwordboss.com via 10.0.0.1:53: NXDOMAIN: the name does not exist")

	rep := evaluate([]string{api, updates, updates2, portal, app}, []*probes.Result{
		ok(api, 12.1, 20.3, 45.0, 46.8, "203.0.113.10"), warned, intercepted, dropped, nx,
	}, msD(10012.4))
	// A Windows 11 PC where the check runs from a user's prompt, as
	// machine.Gather would report it.
	windows := machine.WindowsVersion("Windows 10 Pro", "23H2", 10, 0, 22631)
	rep.Prerequisites = &machine.Facts{OS: windows, Checks: []machine.Check{
		machine.DotNetCheck(533320, true),
		machine.ElevatedCheck(false, true),
		{Code: machine.CodeOSVersion, Level: machine.LevelInfo, Value: windows},
	}}
	return rep
}

// everyReasonReport has one host per reason, in probes.Reasons() order, so
// that the goldens show every message and hint in context.
func everyReasonReport() *agent.Document {
	five := []string{api, updates, updates2, portal, app}
	var names []string
	var results []*probes.Result
	for i, reason := range probes.Reasons() {
		host := five[i%len(five)]
		names = append(names, host)
		results = append(results, reasonResult(host, reason))
	}
	// Only the clock_skew host's server sent a Date: with others that
	// agree with the PC, the run would judge that server's clock wrong
	// and its host ok (a server_clock warning).
	for i, r := range results {
		if r != nil && r.HTTP != nil && r.Reason != probes.ClockSkew {
			results[i].HTTP.Date, results[i].HTTP.ClockSkew = time.Time{}, 0
		}
	}
	rep := evaluate(names, results, msD(10021.7))
	// The machine-level proxy findings: a broken variable (ignored, so
	// the hosts went direct) and an auto-config script with WPAD.
	rep.ProxySettings = []agent.ProxySettingView{
		{Source: "env", Setting: "HTTPS_PROXY=http://***@[::1", Error: "HTTPS_PROXY is not a proxy address of the form scheme://host:port"},
		{Source: "wininet", Setting: "autoconfig=http://wpad.contoso.local/proxy.pac autodetect",
			PACURL: "http://wpad.contoso.local/proxy.pac", AutoDetect: true},
	}
	return rep
}

// reasonResult is a plausible probe result for reason; nil for not_checked.
func reasonResult(host string, reason probes.Reason) *probes.Result {
	tcpOK := func(dnsMS, tcpMS float64) *probes.Result {
		r := resolved(host, dnsMS, "NOERROR", "203.0.113.40")
		return connect(r, tcpMS, try{"203.0.113.40:443", probes.TCPConnected, tcpMS})
	}
	switch reason {
	case probes.ReasonOK:
		// Slow DNS and TLS and a dead IPv4 path: a pass with every kind of
		// warning a passing host can carry.
		r := resolved(host, 3412.6, "NOERROR", "2001:db8:40::40", "203.0.113.40")
		connect(r, 22.4,
			try{"[2001:db8:40::40]:443", probes.TCPConnected, 22.4},
			try{"203.0.113.40:443", probes.TCPOutUnreach, 0.3})
		shake(r, 3804.1, publicChain(day(2027, 6, 14)), true, boolp(true))
		return answer(r, 51.3, 200, "nginx", -2*time.Second)
	case probes.NotChecked:
		return nil
	case probes.DNSNXDomain:
		return fail(resolved(host, 8.2, "NXDOMAIN"), reason, "dns: NXDOMAIN: the name does not exist")
	case probes.DNSServFail:
		r := resolved(host, 1873.0, "SERVFAIL")
		r.DNS.Resolver = "10.0.0.2:53"
		r.DNS.Queries = append(r.DNS.Queries,
			probes.DNSQuery{Type: "A", Resolver: "10.0.0.2:53", Transport: "udp", Rcode: "SERVFAIL"},
			probes.DNSQuery{Type: "AAAA", Resolver: "10.0.0.2:53", Transport: "udp", Rcode: "SERVFAIL"})
		return fail(r, reason, "dns: SERVFAIL from resolver")
	case probes.DNSRefused:
		r := resolved(host, 3.1, "REFUSED")
		r.DNS.Resolver = "192.168.178.1:53"
		return fail(r, reason, "dns: REFUSED by resolver")
	case probes.DNSTimeout:
		r := resolved(host, 10000.2, "")
		r.DNS.Resolver = "10.0.0.2:53"
		r.DNS.Queries = append(r.DNS.Queries,
			probes.DNSQuery{Type: "A", Resolver: "10.0.0.2:53", Transport: "udp"},
			probes.DNSQuery{Type: "AAAA", Resolver: "10.0.0.2:53", Transport: "udp"})
		return fail(r, reason, "dns: no answer: i/o timeout")
	case probes.DNSNoAddress:
		return fail(resolved(host, 9.4, "NOERROR"), reason, "dns: NOERROR without A or AAAA records")
	case probes.DNSSinkhole:
		r := resolved(host, 4.0, "NOERROR")
		r.DNS.Sinkholed = addrs("0.0.0.0", "::")
		return fail(r, reason, "dns: answer points to [0.0.0.0 ::]")
	case probes.DNSError:
		r := &probes.Result{Target: probes.Target{Host: host, Port: 443}, Start: checkedAt, DNS: &probes.DNSResult{}}
		return fail(r, reason, "dns: no DNS resolver configured")
	case probes.TCPRefused:
		r := resolved(host, 9.9, "NOERROR", "203.0.113.7")
		connect(r, 21.0, try{"203.0.113.7:443", probes.TCPOutRefused, 21.0})
		return fail(r, reason, "dial tcp 203.0.113.7:443: connect: connection refused")
	case probes.TCPTimeout:
		r := resolved(host, 10.2, "NOERROR", "2001:db8:7::7", "203.0.113.7")
		connect(r, 10000.3,
			try{"[2001:db8:7::7]:443", probes.TCPOutTimeout, 10000.3},
			try{"203.0.113.7:443", probes.TCPOutTimeout, 9750.1})
		return fail(r, reason, "dial tcp 203.0.113.7:443: i/o timeout")
	case probes.TCPUnreachable:
		r := resolved(host, 9.1, "NOERROR", "203.0.113.7")
		connect(r, 0.4, try{"203.0.113.7:443", probes.TCPOutUnreach, 0.4})
		return fail(r, reason, "dial tcp 203.0.113.7:443: connect: no route to host")
	case probes.TLSTimeout:
		return broken(tcpOK(10.4, 20.8), 9968.3, reason, "tls handshake: context deadline exceeded")
	case probes.TLSReset:
		return broken(tcpOK(10.1, 3311.0), 31.2, reason, "tls handshake: read: connection reset by peer")
	case probes.TLSProtocol:
		return broken(tcpOK(9.7, 19.9), 24.6, reason, "tls handshake: remote error: tls: protocol version not supported")
	case probes.TLSUntrusted:
		r := shake(tcpOK(11.0, 20.1), 41.7, []probes.CertInfo{
			cert(host, "Sophos SSL CA_Q4HV3F2A", "Sophos", day(2026, 11, 20), day(2027, 11, 20), host),
		}, false, nil)
		return fail(r, reason, "x509: certificate signed by unknown authority")
	case probes.TLSIntercepted:
		r := shake(tcpOK(12.0, 21.1), 38.9, []probes.CertInfo{
			cert(host, "FortiGate SSL Inspection CA", "Fortinet", day(2026, 11, 1), day(2027, 11, 1), host),
		}, true, boolp(false))
		return fail(r, reason, "x509: certificate signed by unknown authority")
	case probes.TLSExpired:
		r := shake(tcpOK(10.8, 20.6), 44.9, publicChain(day(2026, 1, 2)), false, nil)
		return fail(r, reason, "x509: certificate has expired or is not yet valid")
	case probes.TLSNotYetValid:
		chain := publicChain(day(2027, 12, 10))
		chain[0].NotBefore = day(2027, 1, 10)
		r := shake(tcpOK(10.3, 19.8), 43.5, chain, false, nil)
		return fail(r, reason, "x509: certificate has expired or is not yet valid")
	case probes.TLSHostnameMismatch:
		r := shake(tcpOK(10.6, 20.2), 40.3, []probes.CertInfo{
			cert("*.cloudfront.net", "Amazon RSA 2048 M01", "Amazon", day(2026, 6, 1), day(2027, 5, 30), "*.cloudfront.net", "cloudfront.net"),
		}, false, nil)
		return fail(r, reason, "x509: certificate is valid for *.cloudfront.net, cloudfront.net, not "+host)
	case probes.ClockSkew:
		// The example of the docs: ten minutes ahead, too little for the
		// certificate to look out of date.
		r := shake(tcpOK(11.3, 20.4), 44.1, publicChain(day(2027, 6, 14)), true, boolp(true))
		answer(r, 47.5, 200, "nginx", 10*time.Minute)
		return fail(r, reason, "clock: this PC's clock differs from "+host+"'s by 10m0s (server Date 2026-11-25T09:30:00Z)")
	case probes.HTTPBlocked:
		// A FortiGate whose inspection CA the MSP listed in
		// tls.public_roots: the handshake passes, and its web filter
		// answers the request with its block page.
		r := shake(tcpOK(10.7, 19.6), 36.2, []probes.CertInfo{
			cert(host, "FortiGate SSL Inspection CA", "Fortinet", day(2026, 11, 1), day(2027, 11, 1), host),
			cert("FortiGate SSL Inspection CA", "FortiGate SSL Inspection CA", "Fortinet", day(2024, 1, 1), day(2034, 1, 1)),
		}, true, boolp(true))
		answer(r, 23.8, 403, "FortiGate", 0)
		r.HTTP.Block = probes.Block{Kind: probes.BlockFilterServer, Name: "FortiGate", Status: 403}
		return fail(r, reason, `http `+host+`: answered by "FortiGate" (HTTP 403)`)
	case probes.HTTPError:
		// An IPS that lets the handshake through and resets the
		// connection when the request follows.
		r := shake(tcpOK(10.9, 20.7), 42.8, publicChain(day(2027, 6, 14)), true, boolp(true))
		r.HTTP = &probes.HTTPResult{Duration: msD(31.5)}
		return fail(r, reason, "http "+host+": reading the answer: read tcp 10.0.0.23:51514->203.0.113.40:443: wsarecv: An existing connection was forcibly closed by the remote host.")
	case probes.ProxyUnreachable, probes.ProxyTimeout, probes.ProxyAuthRequired, probes.ProxyDenied:
		// The user's WinINet proxy on the LAN; the direct path is
		// firewalled, as at most sites that have a proxy.
		r := &probes.Result{Target: probes.Target{Host: host, Port: 443}, Start: checkedAt}
		r.Proxy = &probes.ProxyInfo{Source: probes.ProxySourceWinINet, Address: "proxy.contoso.local:8080",
			Raw: "proxy=proxy.contoso.local:8080 bypass=<local>", Duration: msD(3.2)}
		r.Direct = &probes.Result{Reason: probes.TCPTimeout}
		switch reason {
		case probes.ProxyTimeout:
			r.Proxy.Duration = msD(10000)
		case probes.ProxyAuthRequired:
			r.Proxy.Status, r.Proxy.ProxyServer = 407, "squid/5.7"
		case probes.ProxyDenied:
			r.Proxy.Status, r.Proxy.ProxyServer = 403, "squid/5.7"
		}
		return fail(r, reason, "proxy proxy.contoso.local:8080: "+string(reason))
	case probes.ProxyUnsupported:
		// A SOCKS proxy from the environment, with a login that must
		// show nowhere; it was never contacted.
		r := &probes.Result{Target: probes.Target{Host: host, Port: 443}, Start: checkedAt}
		r.Proxy = &probes.ProxyInfo{Source: probes.ProxySourceEnv, Address: "socks.contoso.local:1080",
			Raw: "HTTPS_PROXY=socks5://***@socks.contoso.local:1080", Scheme: "socks5"}
		r.Direct = &probes.Result{Reason: probes.TCPTimeout}
		return fail(r, reason, `proxy socks.contoso.local:1080: scheme "socks5" is not one pbprobe can probe through (http, https); not contacted`)
	case probes.ProxyTLS:
		// An https:// proxy whose certificate comes from an internal CA
		// this PC lacks; auto-config is set in the same source.
		r := &probes.Result{Target: probes.Target{Host: host, Port: 443}, Start: checkedAt}
		r.TCP = &probes.TCPResult{Duration: msD(2.1), Address: netip.MustParseAddrPort("10.0.0.8:3129")}
		r.Proxy = &probes.ProxyInfo{Source: probes.ProxySourceWinINet, Address: "proxy.contoso.local:3129",
			Raw:      "proxy=https://proxy.contoso.local:3129 autoconfig=http://wpad.contoso.local/proxy.pac",
			Duration: msD(6.4), Scheme: "https", TLSProblem: probes.ProxyTLSCertificate,
			PACURL: "http://wpad.contoso.local/proxy.pac"}
		r.Direct = &probes.Result{Reason: probes.TCPTimeout}
		return fail(r, reason, "proxy proxy.contoso.local:3129: TLS with the proxy: tls: failed to verify certificate: x509: certificate signed by unknown authority")
	}
	return fail(resolved(host, 1, "NOERROR"), reason, "fixture missing")
}
