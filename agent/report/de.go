package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// reasonDE words a reason in German, addressing the technician formally.
// It follows reasonEN sentence by sentence so that a bilingual team reads
// the same advice in both.
func reasonDE(r probes.Reason, f *facts) (msg, hint string) {
	p := printer{DE}
	server := "Der DNS-Server"
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
	tellDNS := "Informieren Sie den DNS-Verantwortlichen des Kunden."
	tellFW := "Informieren Sie den Firewall-Administrator."

	switch r {
	case probes.ReasonOK:
		msg = "Erreichbar"
		if f.version != "" {
			msg += " über " + f.version
		}
		if f.issuer != "" {
			msg += "; Zertifikat ausgestellt von " + p.quote(f.issuer)
			if !f.notAfter.IsZero() {
				msg += ", gültig bis " + p.date(f.notAfter)
			}
		}
		return msg + ".", ""

	case probes.NotChecked:
		return "Noch nicht geprüft.",
			"Führen Sie pbprobe check erneut aus oder warten Sie auf den nächsten Lauf des Agenten; bleibt es dabei, sehen Sie im pbprobe-Protokoll nach."

	case probes.DNSNXDomain:
		return fmt.Sprintf("%s meldet, dass %s nicht existiert (NXDOMAIN).", server, f.host),
			fmt.Sprintf("Ein DNS-Filter oder eine interne DNS-Zone für %s verbirgt den Namen: Geben Sie %s im Filter frei oder leiten Sie die Zone an öffentliches DNS weiter. %s",
				f.domain, f.wild, tellDNS)

	case probes.DNSServFail:
		return fmt.Sprintf("%s konnte %s nicht auflösen (SERVFAIL).", server, f.host),
			"Der Server erreicht seinen Upstream-DNS nicht, oder die DNSSEC-Prüfung schlägt fehl: Prüfen Sie seine Weiterleitungen und seinen Internetzugang, oder tragen Sie auf diesem PC einen funktionierenden DNS-Server ein. " + tellDNS

	case probes.DNSRefused:
		return fmt.Sprintf("%s hat die Abfrage von %s abgelehnt (REFUSED).", server, f.host),
			"Dieser Server ist nicht für diesen PC zuständig (eine Zugriffsliste oder ein Überbleibsel eines VPNs oder alten Netzes): Tragen Sie die richtigen DNS-Server am Netzwerkadapter oder im DHCP ein, oder erlauben Sie dieses Netz auf dem Server. Informieren Sie den Netzwerkadministrator."

	case probes.DNSTimeout:
		msg = fmt.Sprintf("Kein DNS-Server hat für %s geantwortet", f.host)
		var facts []string
		if len(f.resolvers) > 0 {
			facts = append(facts, "gefragt: "+p.list(f.resolvers))
		}
		if f.dnsMS > 0 {
			facts = append(facts, "gewartet: "+p.dur(f.dnsMS))
		}
		if len(facts) > 0 {
			msg += " (" + strings.Join(facts, "; ") + ")"
		}
		return msg + ".",
			"Prüfen Sie, ob die DNS-Server laufen und ob die Firewall UDP- und TCP-Port 53 zu ihnen erlaubt. Informieren Sie den Netzwerkadministrator."

	case probes.DNSNoAddress:
		return fmt.Sprintf("%s kennt %s, liefert aber keine IPv4- oder IPv6-Adresse dafür.", server, f.host),
			fmt.Sprintf("Ein DNS-Filter oder eine interne DNS-Zone für %s entfernt die Einträge: Geben Sie %s im Filter frei oder korrigieren Sie die Zone. %s",
				f.domain, f.wild, tellDNS)

	case probes.DNSSinkhole:
		to := p.list(f.sinkholed)
		if to == "" {
			to = "einer Adresse, die ins Leere führt"
		}
		return fmt.Sprintf("%s antwortet für %s mit %s statt der echten Adresse: Ein DNS-Filter (z. B. Cisco Umbrella, DNSFilter, Pi-hole, die DNS-Sicherheit einer Firewall) blockiert den Namen.",
				server, f.host, to),
			fmt.Sprintf("Geben Sie %s in der Richtlinie dieses DNS-Filters frei (oder entfernen Sie eine interne DNS-Zone, die %s ins LAN umleitet). Informieren Sie den Betreuer des DNS-Filters.",
				f.wild, f.domain)

	case probes.DNSError:
		switch {
		case f.resolver == "":
			return fmt.Sprintf("Auf diesem PC ist kein DNS-Server eingetragen (oder pbprobe konnte die DNS-Einstellungen des Systems nicht lesen), daher lässt sich %s nicht auflösen.", f.host),
				"Tragen Sie am Netzwerkadapter oder im DHCP einen DNS-Server ein, oder nennen Sie Server unter dns.servers in der pbprobe-Konfiguration. Informieren Sie den Netzwerkadministrator."
		case f.rcode != "":
			return fmt.Sprintf("%s hat die Abfrage von %s mit dem unerwarteten Code %s beantwortet.", server, f.host, f.rcode),
				"Dieser Server ist kein funktionierender Resolver für diesen PC: Tragen Sie am Netzwerkadapter oder im DHCP einen anderen DNS-Server ein. Informieren Sie den Netzwerkadministrator."
		}
		return fmt.Sprintf("%s ließ sich zu %s nicht befragen: Die Abfrage blieb ohne Antwort (auf Port 53 lauscht nichts, oder das Netz weist sie ab).", server, f.host),
			fmt.Sprintf("Prüfen Sie, ob %s ein laufender DNS-Server ist und die Firewall Port 53 zu ihm erlaubt, oder tragen Sie am Netzwerkadapter einen funktionierenden DNS-Server ein. Informieren Sie den Netzwerkadministrator.", f.resolver)

	case probes.TCPRefused:
		return fmt.Sprintf("%s hat die Verbindung auf TCP %d sofort abgewiesen: Eine Firewall lehnt ausgehende Verbindungen dorthin ab.", failed, f.port),
			fmt.Sprintf("Erlauben Sie in der Firewall ausgehende Verbindungen zu %s auf TCP %d (suchen Sie nach einer Reject-Regel oder einer gesperrten Kategorie). %s", f.wild, f.port, tellFW)

	case probes.TCPTimeout:
		msg = fmt.Sprintf("Keine Antwort von %s auf TCP %d", failed, f.port)
		if f.tcpMS > 0 {
			msg += " (gewartet: " + p.dur(f.tcpMS) + ")"
		}
		return msg + ": Eine Firewall verwirft die Verbindung.",
			fmt.Sprintf("Erlauben Sie in der Firewall ausgehende Verbindungen zu %s auf TCP %d; erreicht dieses Netz das Internet nur über einen Proxy, geben Sie sie dort frei. %s", f.wild, f.port, tellFW)

	case probes.TCPUnreachable:
		return fmt.Sprintf("%s ist auf TCP %d nicht erreichbar: Es gibt keine Route dorthin, oder ein Router bzw. eine Firewall weist die Verbindung als unzulässig ab.", failed, f.port),
			fmt.Sprintf("Prüfen Sie die Netzwerkverbindung und das Standard-Gateway dieses PCs und ob die Firewall ausgehende Verbindungen zu %s auf TCP %d erlaubt. Informieren Sie den Netzwerkadministrator.", f.wild, f.port)

	case probes.TLSTimeout:
		msg = fmt.Sprintf("Verbunden mit %s, aber der TLS-Handshake wurde nicht", connected)
		if f.tlsMS > 0 {
			msg += " innerhalb von " + p.dur(f.tlsMS)
		}
		return msg + " abgeschlossen: Ein Proxy oder ein Intrusion-Prevention-System (IPS) hält die Verbindung auf.",
			fmt.Sprintf("Nehmen Sie %s auf der Firewall bzw. dem Proxy von SSL-Inspection, IPS und Webfilter aus. %s", f.wild, tellFW)

	case probes.TLSReset:
		return fmt.Sprintf("Verbunden mit %s, aber die Verbindung wurde während des TLS-Handshakes getrennt: Eine Firewall oder ein Webfilter sperrt %s anhand des Namens.", connected, f.host),
			fmt.Sprintf("Geben Sie %s im Web- oder Anwendungsfilter der Firewall frei; gesperrt wird nach Name (SNI), eine Freigabe der IP-Adresse hilft daher nicht. %s", f.wild, tellFW)

	case probes.TLSProtocol:
		return fmt.Sprintf("Der TLS-Handshake mit %s ist fehlgeschlagen: Was auf Port %d antwortet, spricht kein TLS 1.2 oder neuer (ein alter Proxy, ein Filter oder eine Sperrseite).", connected, f.port),
			fmt.Sprintf("Finden Sie das Gerät im Pfad, das auf Port %d antwortet (Proxy, Webfilter der Firewall), und nehmen Sie %s davon aus. %s", f.port, f.wild, tellFW)

	case probes.TLSUntrusted:
		msg = fmt.Sprintf("Dieser PC vertraut dem Zertifikat für %s nicht", f.host)
		if f.issuer != "" {
			msg = fmt.Sprintf("Das Zertifikat für %s stammt vom Aussteller %s, dem dieser PC nicht vertraut", f.host, issuerDE(f, p))
		}
		return msg + ": Ein Proxy oder eine Firewall antwortet anstelle des echten Servers (oft mit einer Sperrseite).",
			fmt.Sprintf("Geben Sie %s im Webfilter frei oder nehmen Sie es in die Ausnahmeliste der SSL-Inspection auf. %s Ist der Aussteller eine öffentliche CA, aktualisieren Sie stattdessen die Stammzertifikate dieses PCs (Windows Update).", f.wild, tellFW)

	case probes.TLSIntercepted:
		by := "von einem Aussteller"
		if f.issuer != "" {
			by = "vom Aussteller " + issuerDE(f, p)
		}
		return fmt.Sprintf("Das Zertifikat stammt %s, dem dieser PC vertraut, das öffentliche Internet aber nicht: Ein SSL-Inspection-Proxy entschlüsselt diese Verbindung.", by),
			fmt.Sprintf("Nehmen Sie %s in die Ausnahmeliste der SSL-Inspection auf der Firewall bzw. dem Proxy auf und informieren Sie dessen Administrator. Password-Boss-Apps pinnen ihre Zertifikate und scheitern hinter einer Inspection, auch wenn Browser funktionieren.", f.wild)

	case probes.TLSExpired:
		switch {
		case f.badDate.IsZero():
			msg = fmt.Sprintf("Ein Stammzertifikat hinter der Kette für %s ist abgelaufen", f.host)
		case f.badLeaf:
			msg = fmt.Sprintf("Das Zertifikat für %s ist am %s abgelaufen", f.host, p.date(f.badDate))
		default:
			msg = fmt.Sprintf("Das Zertifikat %s in der Kette für %s ist am %s abgelaufen", p.quote(f.bad), f.host, p.date(f.badDate))
		}
		return msg + clockDE(f, p) + ".",
			"Prüfen Sie zuerst Datum, Uhrzeit und Zeitzone des PCs (Windows: w32tm /resync). Stimmt die Uhr, ist das Zertifikat wirklich veraltet: Stammt es von einem Inspection-Proxy, informieren Sie dessen Administrator, sonst den Password-Boss-Support."

	case probes.TLSNotYetValid:
		switch {
		case f.badDate.IsZero():
			msg = fmt.Sprintf("Ein Zertifikat in der Kette für %s ist noch nicht gültig", f.host)
		case f.badLeaf:
			msg = fmt.Sprintf("Das Zertifikat für %s ist erst ab %s gültig", f.host, p.date(f.badDate))
		default:
			msg = fmt.Sprintf("Das Zertifikat %s in der Kette für %s ist erst ab %s gültig", p.quote(f.bad), f.host, p.date(f.badDate))
		}
		return msg + clockDE(f, p) + ".",
			"Stellen Sie Datum, Uhrzeit und Zeitzone des PCs richtig ein (Windows: w32tm /resync; geht die Uhr nach jedem Start falsch, ist oft die CMOS-Batterie leer). Stimmt die Uhr, informieren Sie den Administrator des Proxys, der das Zertifikat ausgestellt hat."

	case probes.TLSHostnameMismatch:
		names := f.names
		if len(names) == 0 && f.subject != "" {
			names = []string{f.subject}
		}
		msg = fmt.Sprintf("Das für %s vorgelegte Zertifikat gilt nicht für diesen Namen", f.host)
		if len(names) > 0 {
			msg = fmt.Sprintf("Das für %s vorgelegte Zertifikat gilt für %s, nicht für diesen Namen", f.host, p.quoteList(names))
		}
		return msg + ": Ein Proxy, eine Firewall oder eine falsche DNS-Antwort leitet die Verbindung woandershin.",
			fmt.Sprintf("Geben Sie %s im Webfilter frei und nehmen Sie es von der SSL-Inspection aus, damit der echte Server antwortet; prüfen Sie außerdem, ob DNS die Adressen von Password Boss liefert. %s", f.wild, tellFW)

	case probes.ClockSkew:
		pc := f.pcTime()
		if pc.IsZero() {
			msg = "Die Uhr dieses PCs weicht um mehr als " + p.span(probes.MaxClockSkew.Seconds()) + " von der des Dienstes ab"
		} else {
			dir := "vor"
			if f.skew < 0 {
				dir = "nach"
			}
			msg = fmt.Sprintf("Die Uhr dieses PCs geht gegenüber der des Dienstes %s %s (PC: %s, Server: %s)",
				p.span(f.skew), dir, p.clock(pc, time.Time{}), p.clock(f.serverDate, pc))
		}
		if c := certClockDE(f, p); c != "" {
			msg += c + "."
		} else {
			msg += ": Apps, die Zeiten prüfen (Zwei-Faktor-Codes, signierte Anfragen, Zertifikate), scheitern bei einer so weit abweichenden Uhr."
		}
		hint = "Stellen Sie die Uhr richtig: Führen Sie unter Windows w32tm /resync als Administrator aus und prüfen Sie die Zeitzone."
		if f.zoneLike() {
			hint = "Eine Abweichung um ganze Stunden bedeutet meist eine falsche Zeitzone, bei der die Uhr von Hand passend gestellt wurde: Stellen Sie in den Datums- und Uhrzeiteinstellungen die richtige Zeitzone ein (tzutil /g zeigt sie) und führen Sie dann w32tm /resync als Administrator aus."
		}
		return msg, hint + " Läuft die Uhr wieder weg, prüfen Sie, ob der Dienst Windows-Zeitgeber (W32Time) läuft und seinen NTP-Server durch die Firewall erreicht (UDP 123; w32tm /query /status zeigt die Quelle); ein Domänen-PC bezieht seine Zeit von einem Domänencontroller, prüfen Sie dann auch dessen Uhr. Geht die Uhr nach jedem Start falsch, ist oft die CMOS-Batterie leer."

	case probes.HTTPBlocked:
		b := f.block
		if b.kind == blockNone {
			return fmt.Sprintf("Etwas im Pfad hat die Anfrage an %s anstelle des Dienstes beantwortet (eine Sperrseite, eine Anmeldeseite oder eine Weiterleitung).", f.host),
				fmt.Sprintf("Öffnen Sie %s im Browser dieses PCs, um zu sehen, was antwortet, und geben Sie %s auf diesem Gerät (Firewall, Proxy oder Webfilter) frei. %s", f.url(), f.wild, tellFW)
		}
		code := fmt.Sprintf(" (HTTP %d)", f.status)
		var by, why string
		switch b.kind {
		case blockServer:
			by = p.quote(b.name) + code
		case blockVendor:
			by = "eine Sperrseite, die " + p.quote(b.name) + " nennt" + code
		case blockPage:
			by = "eine Sperrseite" + code
		case blockRedirect:
			by, why = "eine Weiterleitung zu "+b.name+code, "Ein Captive Portal (Gäste- oder Hotel-WLAN) oder ein Webfilter leitet die Apps woandershin"
		case blockPortal:
			by, why = "eine Netzwerk-Anmeldung"+code, "Dieses Netz lässt nichts durch, bevor sich jemand an seinem Portal anmeldet (Gäste- oder Hotel-WLAN)"
		case blockProxy:
			by, why = "ein Proxy, der eine Anmeldung verlangt"+code, "Der Proxy lässt ohne Anmeldung nichts durch"
		default:
			// The probe's own English wording, quoted so that it reads as a
			// name rather than as broken German.
			by = p.quote(b.text)
		}
		if why == "" {
			why = "Eine Firewall, ein Proxy oder ein Webfilter im Pfad sperrt den Zugriff"
		}
		msg = fmt.Sprintf("Die Anfrage an %s beantwortete nicht der Dienst, sondern %s: %s.", f.host, by, why)
		switch b.kind {
		case blockServer:
			hint = fmt.Sprintf("Geben Sie %s im Webfilter des Geräts frei, das sich als %s meldet (suchen Sie nach einer gesperrten Kategorie oder einer URL-Regel). %s", f.wild, p.quote(b.name), tellFW)
		case blockVendor:
			hint = fmt.Sprintf("Geben Sie %s im Webfilter von %s frei (suchen Sie nach einer gesperrten Kategorie oder einer URL-Regel); %s im Browser dieses PCs zeigt die Seite. %s", f.wild, p.quote(b.name), f.url(), tellFW)
		case blockRedirect:
			hint = fmt.Sprintf("Öffnen Sie %s im Browser dieses PCs: Zeigt %s eine Anmeldeseite, melden Sie sich an (ein PC, der unbeaufsichtigt arbeiten muss, braucht eine Ausnahme im Portal); sonst geben Sie %s im Webfilter frei, der umleitet. Informieren Sie den Betreiber dieses Netzes.", f.url(), b.name, f.wild)
		case blockPortal:
			hint = "Öffnen Sie im Browser dieses PCs eine Website und melden Sie sich am Portal des Netzes an; ein PC, der unbeaufsichtigt arbeiten muss, braucht eine Ausnahme im Portal. Informieren Sie den Betreiber dieses Netzes."
		case blockProxy:
			hint = fmt.Sprintf("Nehmen Sie %s auf dem Proxy von der Authentifizierung aus, oder lassen Sie diesen PC ohne Anmeldung durch. Informieren Sie den Proxy-Administrator.", f.wild)
		default:
			hint = fmt.Sprintf("Öffnen Sie %s im Browser dieses PCs: Die Seite nennt meist das Gerät und die Regel. Geben Sie %s auf diesem Gerät (Firewall, Proxy oder Webfilter) frei. %s", f.url(), f.wild, tellFW)
		}
		return msg, hint

	case probes.ProxyUnreachable, probes.ProxyTimeout:
		what := "nicht erreichbar ist"
		if r == probes.ProxyTimeout {
			what = fmt.Sprintf("nicht antwortet (gewartet: %s)", p.dur(f.proxyMS))
		}
		msg = fmt.Sprintf("Die Apps auf diesem PC gehen zu %s über %s, eingetragen in %s, der %s", f.host, f.proxyName("den Proxy"), f.proxyWhere(true), what)
		if f.directOK {
			msg += "; ohne den Proxy funktioniert der Host"
		}
		return msg + ".",
			fmt.Sprintf("Korrigieren oder entfernen Sie %s, oder bringen Sie den Proxy wieder in Betrieb. Informieren Sie den Proxy-Administrator.", f.proxyWhere(true))

	case probes.ProxyAuthRequired:
		return fmt.Sprintf("%s verlangt eine Anmeldung (HTTP 407), bevor er zu %s verbindet; die Apps können sie möglicherweise nicht liefern.", f.proxyName("Der Proxy"), f.host),
			fmt.Sprintf("Nehmen Sie %s von der Proxy-Authentifizierung aus, oder lassen Sie die Benutzer bzw. das Computerkonto dieses PCs ohne Abfrage durch. Informieren Sie den Proxy-Administrator.", f.wild)

	case probes.ProxyDenied:
		by := ""
		if f.proxyServer != "" {
			by = " (" + p.quote(f.proxyServer) + ")"
		}
		return fmt.Sprintf("%s%s verweigert Verbindungen zu %s auf Port %d%s.", f.proxyName("Der Proxy"), by, f.host, f.port, f.proxyStatusText()),
			fmt.Sprintf("Erlauben Sie in den Regeln des Proxys CONNECT zu %s auf Port %d (gesperrte Kategorie, Portliste oder Sperrliste). Informieren Sie den Proxy-Administrator.", f.wild, f.port)

	case probes.HTTPError:
		msg = fmt.Sprintf("Verbunden mit %s über TLS, aber auf die Anfrage nach / kam keine HTTP-Antwort", connected)
		if f.httpMS > 0 {
			msg += " (nach " + p.dur(f.httpMS) + ")"
		}
		return msg + ": Ein Proxy oder ein Intrusion-Prevention-System (IPS) trennt die Verbindung nach dem Handshake, oder der Dienst ist ausgefallen.",
			fmt.Sprintf("Nehmen Sie %s auf der Firewall bzw. dem Proxy von IPS, SSL-Inspection und Webfilter aus. %s Tritt das bei allen Standorten Ihrer Kunden gleichzeitig auf, ist der Dienst selbst ausgefallen: Informieren Sie den Password-Boss-Support.", f.wild, tellFW)
	}
	return fmt.Sprintf("Die Prüfung ist mit dem Grund %s fehlgeschlagen.", r),
		"Siehe docs/reasons.md zu diesem Grund."
}

func issuerDE(f *facts, p printer) string {
	s := p.quote(f.issuer)
	if f.issuerOrg != "" && !strings.Contains(strings.ToLower(f.issuer), strings.ToLower(f.issuerOrg)) {
		s += " (" + f.issuerOrg + ")"
	}
	return s
}

func clockDE(f *facts, p printer) string {
	if f.at.IsZero() {
		return " (oder die Uhr des PCs geht falsch)"
	}
	return " (oder die Uhr des PCs geht falsch – sie zeigt den " + p.date(f.at) + ")"
}

func certClockDE(f *facts, p printer) string {
	if f.badDate.IsZero() {
		return ""
	}
	cert := "das Zertifikat für " + f.host
	if !f.badLeaf {
		cert = "das Zertifikat " + p.quote(f.bad) + " in der Kette"
	}
	if f.badFuture {
		return ", wodurch " + cert + " noch nicht gültig erscheint (gültig ab " + p.date(f.badDate) + ")"
	}
	return ", wodurch " + cert + " abgelaufen erscheint (gültig bis " + p.date(f.badDate) + ")"
}

func warningDE(w agent.Warning) string {
	p := printer{DE}
	switch w.Code {
	case agent.WarnIPv6Unreachable:
		return "IPv6 funktioniert hier nicht" + noConnDE(w.Addresses, p) + ", IPv4 aber schon: Apps, die zuerst IPv6 versuchen, können sekundenlang hängen. Beheben Sie IPv6 am Router oder an der Firewall, oder kündigen Sie es in diesem Netz nicht mehr an."
	case agent.WarnIPv4Unreachable:
		return "IPv4 funktioniert hier nicht" + noConnDE(w.Addresses, p) + ", IPv6 aber schon: Apps, die zuerst IPv4 versuchen, können sekundenlang hängen. Erlauben Sie in der Firewall ausgehende IPv4-Verbindungen auf TCP 443."
	case agent.WarnCertExpiring:
		var when string
		switch {
		case w.Days <= 0:
			when = "innerhalb eines Tages"
		case w.Days == 1:
			when = "in 1 Tag"
		default:
			when = fmt.Sprintf("in %d Tagen", w.Days)
		}
		return "Das Serverzertifikat läuft " + when + " ab (oder die Uhr des PCs geht vor). Hier ist nichts zu ändern; besteht die Warnung in ein paar Tagen noch, informieren Sie den Password-Boss-Support."
	case agent.WarnSlowDNS:
		return slowDE("Die DNS-Abfrage", w, p) + " Prüfen Sie Auslastung und Weiterleitungen der DNS-Server."
	case agent.WarnSlowTCP:
		return slowDE("Der Verbindungsaufbau", w, p) + " Die Leitung ist überlastet, oder etwas im Pfad verzögert neue Verbindungen."
	case agent.WarnSlowTLS:
		return slowDE("Der TLS-Handshake", w, p) + " Möglicherweise bremst ihn ein SSL-Inspection-Proxy oder ein IPS im Pfad."
	}
	return fmt.Sprintf("Warnung %s.", w.Code)
}

func noConnDE(addrs []string, p printer) string {
	if len(addrs) == 0 {
		return ""
	}
	return " (keine Verbindung zu " + p.list(addrs) + ")"
}

func slowDE(what string, w agent.Warning, p printer) string {
	switch {
	case w.TookMS > 0 && w.ThresholdMS > 0:
		return fmt.Sprintf("%s dauerte %s (Grenze %s): Die Apps verbinden sich dadurch nur langsam.", what, p.dur(w.TookMS), p.dur(w.ThresholdMS))
	case w.TookMS > 0:
		return fmt.Sprintf("%s dauerte %s: Die Apps verbinden sich dadurch nur langsam.", what, p.dur(w.TookMS))
	}
	return what + " war langsam: Die Apps verbinden sich dadurch nur langsam."
}

func checkDE(c machine.Check) string {
	switch c.Code {
	case machine.CodeDotNetFramework:
		switch {
		case c.Level == machine.LevelInfo:
			return ".NET-Framework-Version nicht lesbar (" + c.Value + ")"
		case c.Level == machine.LevelOK:
			return ".NET Framework " + c.Value
		case c.Value == "":
			return "kein .NET Framework 4.5 oder neuer: Die Password-Boss-Desktop-App braucht " + minDotNet + " oder neuer"
		}
		return ".NET Framework " + c.Value + " ist zu alt: Die Password-Boss-Desktop-App braucht " + minDotNet + " oder neuer"
	case machine.CodeElevated:
		switch {
		case c.Level == machine.LevelOK:
			return "als Administrator gestartet"
		case c.Level == machine.LevelWarn:
			return "nicht als Administrator gestartet: Die erste Installation der Password-Boss-Desktop-App braucht Administratorrechte"
		case c.Value == "yes":
			return "läuft als root"
		}
		return "läuft nicht als root"
	case machine.CodeOSVersion:
		return c.Value
	}
	return c.Code + ": " + c.Value
}
