package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// reasonEN words a reason in English. The message says what happened with
// the facts of this host; the hint says what to change and whom to tell.
func reasonEN(r probes.Reason, f *facts) (msg, hint string) {
	p := printer{EN}
	server := "The DNS server"
	if f.resolver != "" {
		server += " " + f.resolver
	}
	failed := p.list(f.failed)
	if failed == "" {
		failed = f.host
	}
	connected := f.connected
	if connected == "" {
		connected = f.host
	}
	tellDNS := "Tell whoever manages the customer's DNS."
	tellFW := "Tell the firewall admin."

	switch r {
	case probes.ReasonOK:
		msg = "Reachable"
		if f.version != "" {
			msg += " over " + f.version
		}
		if f.issuer != "" {
			msg += "; certificate issued by " + p.quote(f.issuer)
			if !f.notAfter.IsZero() {
				msg += ", valid until " + p.date(f.notAfter)
			}
		}
		return msg + ".", ""

	case probes.NotChecked:
		return "Not checked yet.",
			"Run pbprobe check again, or wait for the agent's next run; if it stays like this, look in the pbprobe log."

	case probes.DNSNXDomain:
		return fmt.Sprintf("%s says %s does not exist (NXDOMAIN).", server, f.host),
			fmt.Sprintf("A DNS filter or an internal DNS zone for %s hides the name: allow %s in the filter, or forward the zone to public DNS. %s",
				f.domain, f.wild, tellDNS)

	case probes.DNSServFail:
		return fmt.Sprintf("%s could not look up %s (SERVFAIL).", server, f.host),
			"The server cannot reach its upstream DNS, or DNSSEC validation fails: check its forwarders and its own internet access, or give this PC a working DNS server. " + tellDNS

	case probes.DNSRefused:
		return fmt.Sprintf("%s refused to look up %s (REFUSED).", server, f.host),
			"That server does not serve this PC (an access list, or a leftover from a VPN or an old network): set the right DNS servers on the network adapter or in DHCP, or allow this network on the server. Tell the network admin."

	case probes.DNSTimeout:
		msg = fmt.Sprintf("No DNS server answered for %s", f.host)
		var facts []string
		if len(f.resolvers) > 0 {
			facts = append(facts, "asked "+p.list(f.resolvers))
		}
		if f.dnsMS > 0 {
			facts = append(facts, "waited "+p.dur(f.dnsMS))
		}
		if len(facts) > 0 {
			msg += " (" + strings.Join(facts, ", ") + ")"
		}
		return msg + ".",
			"Check that the DNS servers are up and that the firewall allows UDP and TCP port 53 to them. Tell the network admin."

	case probes.DNSNoAddress:
		return fmt.Sprintf("%s knows %s but returned no IPv4 or IPv6 address for it.", server, f.host),
			fmt.Sprintf("A DNS filter or an internal DNS zone for %s strips the records: allow %s in the filter, or fix the zone. %s",
				f.domain, f.wild, tellDNS)

	case probes.DNSSinkhole:
		to := p.list(f.sinkholed)
		if to == "" {
			to = "an address that leads nowhere"
		}
		return fmt.Sprintf("%s answered %s for %s instead of its real address: a DNS filter (e.g. Cisco Umbrella, DNSFilter, Pi-hole, a firewall's DNS security) blocks it.",
				server, to, f.host),
			fmt.Sprintf("Allow %s in that DNS filter's policy (or remove an internal DNS zone that points %s into the LAN). Tell whoever manages the DNS filter.",
				f.wild, f.domain)

	case probes.DNSError:
		switch {
		case f.resolver == "":
			return fmt.Sprintf("No DNS server is configured on this PC (or pbprobe could not read the system's DNS settings), so %s cannot be looked up.", f.host),
				"Set a DNS server on the network adapter or in DHCP, or list servers under dns.servers in the pbprobe config. Tell the network admin."
		case f.rcode != "":
			return fmt.Sprintf("%s answered the lookup of %s with the unexpected code %s.", server, f.host, f.rcode),
				"That server is not a working resolver for this PC: set a different DNS server on the network adapter or in DHCP. Tell the network admin."
		}
		return fmt.Sprintf("%s could not be asked about %s: the query failed without an answer (nothing listens on port 53, or the network rejects it).", server, f.host),
			fmt.Sprintf("Check that %s is a running DNS server and that the firewall allows port 53 to it, or set a working DNS server on the network adapter. Tell the network admin.", f.resolver)

	case probes.TCPRefused:
		return fmt.Sprintf("%s refused the connection on TCP %d at once: a firewall rejects outbound connections to it.", failed, f.port),
			fmt.Sprintf("Allow outbound TCP %d to %s on the firewall (look for a reject rule or a blocked category). %s", f.port, f.wild, tellFW)

	case probes.TCPTimeout:
		msg = fmt.Sprintf("No answer from %s on TCP %d", failed, f.port)
		if f.tcpMS > 0 {
			msg += " (waited " + p.dur(f.tcpMS) + ")"
		}
		return msg + ": a firewall drops the connection.",
			fmt.Sprintf("Allow outbound TCP %d to %s on the firewall; if this network reaches the internet only through a proxy, allow it there. %s", f.port, f.wild, tellFW)

	case probes.TCPUnreachable:
		return fmt.Sprintf("%s cannot be reached on TCP %d: there is no route to it, or a router or firewall rejects it as prohibited.", failed, f.port),
			fmt.Sprintf("Check this PC's network connection and default gateway, and that the firewall allows outbound TCP %d to %s. Tell the network admin.", f.port, f.wild)

	case probes.TLSTimeout:
		msg = fmt.Sprintf("Connected to %s, but the TLS handshake did not finish", connected)
		if f.tlsMS > 0 {
			msg += " within " + p.dur(f.tlsMS)
		}
		return msg + ": a proxy or an intrusion prevention system (IPS) holds the connection.",
			fmt.Sprintf("Exempt %s from SSL inspection, IPS and web filtering on the firewall or proxy. %s", f.wild, tellFW)

	case probes.TLSReset:
		return fmt.Sprintf("Connected to %s, but the connection was cut during the TLS handshake: a firewall or web filter blocks %s by its name.", connected, f.host),
			fmt.Sprintf("Allow %s in the firewall's web or application filter; it blocks by name (SNI), so allowing the IP address does not help. %s", f.wild, tellFW)

	case probes.TLSProtocol:
		return fmt.Sprintf("The TLS handshake with %s failed: whatever answers on port %d does not speak TLS 1.2 or newer (an old proxy, a filter or a block page).", connected, f.port),
			fmt.Sprintf("Find the device in the path that answers on port %d (a proxy, the firewall's web filter) and exempt %s from it. %s", f.port, f.wild, tellFW)

	case probes.TLSUntrusted:
		msg = fmt.Sprintf("The certificate for %s is not trusted by this PC", f.host)
		if f.issuer != "" {
			msg = fmt.Sprintf("The certificate for %s was issued by %s, which this PC does not trust", f.host, issuerEN(f, p))
		}
		return msg + ": a proxy or firewall answers in place of the real server (often with a block page).",
			fmt.Sprintf("Allow %s in the web filter, or add it to the SSL-inspection bypass list. %s If the issuer is a public CA, update this PC's root certificates (Windows Update) instead.", f.wild, tellFW)

	case probes.TLSIntercepted:
		by := "a certificate authority"
		if f.issuer != "" {
			by = issuerEN(f, p)
		}
		return fmt.Sprintf("The certificate was issued by %s, which this PC trusts but the public internet does not: an SSL-inspection proxy decrypts this connection.", by),
			fmt.Sprintf("Add %s to the SSL-inspection bypass list on the firewall or proxy and tell its admin. Password Boss apps pin their certificates and fail behind inspection, even when browsers work.", f.wild)

	case probes.TLSExpired:
		switch {
		case f.badDate.IsZero():
			msg = fmt.Sprintf("A root certificate behind the chain for %s has expired", f.host)
		case f.badLeaf:
			msg = fmt.Sprintf("The certificate for %s expired on %s", f.host, p.date(f.badDate))
		default:
			msg = fmt.Sprintf("The certificate %s in the chain for %s expired on %s", p.quote(f.bad), f.host, p.date(f.badDate))
		}
		return msg + clockEN(f, p) + ".",
			"Check the PC's date, time and time zone first (Windows: w32tm /resync). If the clock is right, the certificate really is out of date: if an inspection proxy issued it, tell its admin; otherwise tell Password Boss support."

	case probes.TLSNotYetValid:
		switch {
		case f.badDate.IsZero():
			msg = fmt.Sprintf("A certificate in the chain for %s is not valid yet", f.host)
		case f.badLeaf:
			msg = fmt.Sprintf("The certificate for %s is valid only from %s", f.host, p.date(f.badDate))
		default:
			msg = fmt.Sprintf("The certificate %s in the chain for %s is valid only from %s", p.quote(f.bad), f.host, p.date(f.badDate))
		}
		return msg + clockEN(f, p) + ".",
			"Set the PC's date, time and time zone right (Windows: w32tm /resync; a clock that is wrong after every boot points to a dead CMOS battery). If the clock is right, tell the admin of the proxy that issued the certificate."

	case probes.TLSHostnameMismatch:
		names := f.names
		if len(names) == 0 && f.subject != "" {
			names = []string{f.subject}
		}
		msg = fmt.Sprintf("The certificate presented for %s is not valid for that name", f.host)
		if len(names) > 0 {
			msg = fmt.Sprintf("The certificate presented for %s is for %s, not for this name", f.host, p.quoteList(names))
		}
		return msg + ": a proxy, a firewall or a wrong DNS answer sends the connection elsewhere.",
			fmt.Sprintf("Allow %s in the web filter and exempt it from SSL inspection so that the real server answers, and check that DNS returns Password Boss's addresses. %s", f.wild, tellFW)

	case probes.ClockSkew:
		pc := f.pcTime()
		if pc.IsZero() {
			msg = "This PC's clock is more than " + p.span(probes.MaxClockSkew.Seconds()) + " off the service's"
		} else {
			dir := "ahead of"
			if f.skew < 0 {
				dir = "behind"
			}
			msg = fmt.Sprintf("This PC's clock is %s %s the service's (PC: %s, server: %s)",
				p.span(f.skew), dir, p.clock(pc, time.Time{}), p.clock(f.serverDate, pc))
		}
		if c := certClockEN(f, p); c != "" {
			msg += c + "."
		} else {
			msg += ": apps that check times (two-factor codes, signed requests, certificates) fail with a clock this far off."
		}
		hint = "Set the clock right: on Windows, run w32tm /resync as an administrator, and check the time zone."
		if f.zoneLike() {
			hint = "A difference of whole hours usually means a wrong time zone, with the clock set by hand to make up for it: set the right time zone in the date and time settings (tzutil /g shows it), then run w32tm /resync as an administrator."
		}
		return msg, hint + " If the clock drifts again, check that the Windows Time service (W32Time) runs and reaches its NTP server through the firewall (UDP 123; w32tm /query /status shows the source); a domain PC takes its time from a domain controller, so check the DC's clock as well. A clock that is wrong after every boot points to a dead CMOS battery."

	case probes.HTTPBlocked:
		b := f.block
		if b.kind == blockNone {
			return fmt.Sprintf("Something in the path answered the request to %s instead of the service (a block page, a login page or a redirect).", f.host),
				fmt.Sprintf("Open %s in a browser on this PC to see what answers, and allow %s on that device (firewall, proxy or web filter). %s", f.url(), f.wild, tellFW)
		}
		code := fmt.Sprintf(" (HTTP %d)", f.status)
		var by, why string
		switch b.kind {
		case blockServer:
			by = p.quote(b.name) + code
		case blockVendor:
			by = "a block page naming " + p.quote(b.name) + code
		case blockPage:
			by = "a block page" + code
		case blockRedirect:
			by, why = "a redirect to "+b.name+code, "a captive portal (guest or hotel Wi-Fi) or a web filter sends the apps elsewhere"
		case blockPortal:
			by, why = "a network login"+code, "this network lets nothing through until someone signs in on its portal (guest or hotel Wi-Fi)"
		case blockProxy:
			by, why = "a proxy that wants a login"+code, "the proxy lets nothing through without a login"
		default:
			by = b.text
		}
		if why == "" {
			why = "a firewall, proxy or web filter in the path blocks it"
		}
		msg = fmt.Sprintf("The request to %s was answered by %s instead of the service: %s.", f.host, by, why)
		switch b.kind {
		case blockServer:
			hint = fmt.Sprintf("Allow %s in the web filter of the device that answered as %s (look for a blocked category or URL rule). %s", f.wild, p.quote(b.name), tellFW)
		case blockVendor:
			hint = fmt.Sprintf("Allow %s in the web filter of %s (look for a blocked category or URL rule); opening %s in a browser on this PC shows the page. %s", f.wild, p.quote(b.name), f.url(), tellFW)
		case blockRedirect:
			hint = fmt.Sprintf("Open %s in a browser on this PC: if %s shows a sign-in page, sign in (a PC that must work unattended needs an exemption from the portal); otherwise allow %s in the web filter that redirects. Tell whoever runs this network.", f.url(), b.name, f.wild)
		case blockPortal:
			hint = "Open a website in a browser on this PC and sign in on the network's portal; a PC that must work unattended needs an exemption from the portal. Tell whoever runs this network."
		case blockProxy:
			hint = fmt.Sprintf("Exempt %s from authentication on the proxy, or let this PC through without a login. Tell the proxy admin.", f.wild)
		default:
			hint = fmt.Sprintf("Open %s in a browser on this PC: the page usually names the device and the rule. Allow %s on that device (firewall, proxy or web filter). %s", f.url(), f.wild, tellFW)
		}
		return msg, hint

	case probes.ProxyUnreachable, probes.ProxyTimeout:
		what := "cannot be reached"
		if r == probes.ProxyTimeout {
			what = fmt.Sprintf("does not answer (waited %s)", p.dur(f.proxyMS))
		}
		msg = fmt.Sprintf("The apps on this PC go to %s through %s, set in %s, which %s", f.host, f.proxyName("the proxy"), f.proxyWhere(false), what)
		if f.directOK {
			msg += "; without the proxy the host works"
		}
		return msg + ".",
			fmt.Sprintf("Fix or remove %s, or bring the proxy back up. Tell whoever manages the proxy.", f.proxyWhere(false))

	case probes.ProxyAuthRequired:
		return fmt.Sprintf("%s wants a login (HTTP 407) before it connects to %s; the apps may not be able to give one.", f.proxyName("The proxy"), f.host),
			fmt.Sprintf("Exempt %s from proxy authentication, or let this PC's users or computer account through without a prompt. Tell whoever manages the proxy.", f.wild)

	case probes.ProxyDenied:
		by := ""
		if f.proxyServer != "" {
			by = " (" + p.quote(f.proxyServer) + ")"
		}
		return fmt.Sprintf("%s%s refuses connections to %s on port %d%s.", f.proxyName("The proxy"), by, f.host, f.port, f.proxyStatusText()),
			fmt.Sprintf("Allow CONNECT to %s on port %d in the proxy's rules (a blocked category, a port list or a deny list). Tell whoever manages the proxy.", f.wild, f.port)

	case probes.HTTPError:
		msg = fmt.Sprintf("Connected to %s over TLS, but no HTTP answer came back to a request for /", connected)
		if f.httpMS > 0 {
			msg += " (after " + p.dur(f.httpMS) + ")"
		}
		return msg + ": a proxy or an intrusion prevention system (IPS) cuts the connection after the handshake, or the service is down.",
			fmt.Sprintf("Exempt %s from IPS, SSL inspection and web filtering on the firewall or proxy. %s If all your customers' sites see this at the same time, the service itself is down: tell Password Boss support.", f.wild, tellFW)
	}
	return fmt.Sprintf("The check failed with reason %s.", r),
		"See docs/reasons.md for this reason."
}

// issuerEN names the issuer and, when it adds something, its organisation:
// "FortiGate SSL Inspection CA" does not say Fortinet by itself.
func issuerEN(f *facts, p printer) string {
	s := p.quote(f.issuer)
	if f.issuerOrg != "" && !strings.Contains(strings.ToLower(f.issuer), strings.ToLower(f.issuerOrg)) {
		s += " (" + f.issuerOrg + ")"
	}
	return s
}

// clockEN adds the PC's own date: a certificate that looks expired or not
// yet valid is as often a wrong clock as a wrong certificate, and only the
// technician can tell which.
func clockEN(f *facts, p printer) string {
	if f.at.IsZero() {
		return " (or the PC's clock is wrong)"
	}
	return " (or the PC's clock is wrong: it says " + p.date(f.at) + ")"
}

// certClockEN names the certificate a wrong clock makes look out of date,
// for clock_skew; empty when the chain was fine by the PC's clock.
func certClockEN(f *facts, p printer) string {
	if f.badDate.IsZero() {
		return ""
	}
	cert := "the certificate for " + f.host
	if !f.badLeaf {
		cert = "the certificate " + p.quote(f.bad) + " in the chain"
	}
	if f.badFuture {
		return ", which makes " + cert + " look not yet valid (valid from " + p.date(f.badDate) + ")"
	}
	return ", which makes " + cert + " look expired (valid until " + p.date(f.badDate) + ")"
}

func warningEN(w agent.Warning) string {
	p := printer{EN}
	switch w.Code {
	case agent.WarnIPv6Unreachable:
		return "IPv6 fails here" + noConnEN(w.Addresses, p) + " while IPv4 works: apps that try IPv6 first may stall for seconds. Fix IPv6 on the router or firewall, or stop announcing it on this network."
	case agent.WarnIPv4Unreachable:
		return "IPv4 fails here" + noConnEN(w.Addresses, p) + " while IPv6 works: apps that try IPv4 first may stall for seconds. Allow outbound TCP 443 over IPv4 on the firewall."
	case agent.WarnCertExpiring:
		var when string
		switch {
		case w.Days <= 0:
			when = "within a day"
		case w.Days == 1:
			when = "in 1 day"
		default:
			when = fmt.Sprintf("in %d days", w.Days)
		}
		return "The server certificate expires " + when + " (or the PC's clock runs ahead). Nothing to change here; if this warning is still there in a few days, tell Password Boss support."
	case agent.WarnSlowDNS:
		return slowEN("The DNS lookup", w, p) + " Check the load and the forwarders of the DNS servers."
	case agent.WarnSlowTCP:
		return slowEN("Connecting", w, p) + " The line is congested or something in the path delays new connections."
	case agent.WarnSlowTLS:
		return slowEN("The TLS handshake", w, p) + " An SSL-inspection proxy or an IPS in the path may be slowing it down."
	}
	return fmt.Sprintf("Warning %s.", w.Code)
}

func noConnEN(addrs []string, p printer) string {
	if len(addrs) == 0 {
		return ""
	}
	return " (no connection to " + p.list(addrs) + ")"
}

// slowEN states the measured time and the limit when the report has them.
func slowEN(what string, w agent.Warning, p printer) string {
	switch {
	case w.TookMS > 0 && w.ThresholdMS > 0:
		return fmt.Sprintf("%s took %s (limit %s): the apps will be slow to connect.", what, p.dur(w.TookMS), p.dur(w.ThresholdMS))
	case w.TookMS > 0:
		return fmt.Sprintf("%s took %s: the apps will be slow to connect.", what, p.dur(w.TookMS))
	}
	return what + " was slow: the apps will be slow to connect."
}

// checkEN words one machine prerequisite as a line after its level word.
func checkEN(c machine.Check) string {
	switch c.Code {
	case machine.CodeDotNetFramework:
		switch {
		case c.Level == machine.LevelInfo:
			return "could not read the .NET Framework version (" + c.Value + ")"
		case c.Level == machine.LevelOK:
			return ".NET Framework " + c.Value
		case c.Value == "":
			return "no .NET Framework 4.5 or newer: the Password Boss desktop app needs " + minDotNet + " or newer"
		}
		return ".NET Framework " + c.Value + " is too old: the Password Boss desktop app needs " + minDotNet + " or newer"
	case machine.CodeElevated:
		switch {
		case c.Level == machine.LevelOK:
			return "elevated: running with administrator rights"
		case c.Level == machine.LevelWarn:
			return "not elevated: the first install of the Password Boss desktop app needs admin rights"
		case c.Value == "yes":
			return "running as root"
		}
		return "not running as root"
	case machine.CodeOSVersion:
		return c.Value
	}
	return c.Code + ": " + c.Value
}
