package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// dnsAnswer is the outcome of one question (A or AAAA) to one resolver.
type dnsAnswer struct {
	query DNSQuery
	rcode int // -1 when there was no response
	addrs []netip.Addr
}

// resolve runs the DNS stage: A and AAAA in parallel against each resolver in
// turn, moving on only when a resolver gives no definitive answer (timeout,
// SERVFAIL, REFUSED), as the OS stub resolvers do. ctx carries the DNS
// phase's deadline.
func (p *Prober) resolve(ctx context.Context, t Target) (*DNSResult, Reason, error) {
	start := time.Now()
	res := &DNSResult{}
	defer func() { res.Duration = time.Since(start) }()

	if ip, err := netip.ParseAddr(t.Host); err == nil {
		// An IP literal needs no DNS; it is still subject to the sinkhole
		// rule, because a config that points at 0.0.0.0 is as broken.
		res.Addresses = []netip.Addr{ip.Unmap()}
		return finishDNS(res, t)
	}
	if len(p.resolvers) == 0 {
		err := p.resolverErr
		if err == nil {
			err = errNoResolver
		}
		return res, DNSError, fmt.Errorf("dns: %w", err)
	}

	name := dns.Fqdn(t.Host)

	var answers []dnsAnswer
	for i, server := range p.resolvers {
		// Share what is left fairly between the resolvers still to try, so a
		// dead first resolver cannot eat the budget of the second.
		actx, acancel := ctx, context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok {
			share := time.Until(dl) / time.Duration(len(p.resolvers)-i)
			actx, acancel = context.WithTimeout(ctx, share)
		}
		answers = p.askBoth(actx, server, name)
		acancel()
		for _, a := range answers {
			res.Queries = append(res.Queries, a.query)
		}
		res.Resolver = server
		if definitive(answers) || ctx.Err() != nil {
			break
		}
	}
	reason, rcode, err := classifyDNS(answers)
	res.Rcode = rcode
	for _, a := range answers {
		if a.query.Transport != "" {
			res.Transport = a.query.Transport
		}
		res.Addresses = append(res.Addresses, a.addrs...)
	}
	if reason != ReasonOK {
		return res, reason, fmt.Errorf("dns %s via %s: %w", t.Host, res.Resolver, err)
	}
	return finishDNS(res, t)
}

// finishDNS splits the answers into usable and sinkholed addresses.
func finishDNS(res *DNSResult, t Target) (*DNSResult, Reason, error) {
	good := res.Addresses[:0:0]
	for _, a := range res.Addresses {
		if IsSinkhole(a, t.AllowPrivate) {
			res.Sinkholed = append(res.Sinkholed, a)
		} else {
			good = append(good, a)
		}
	}
	res.Addresses = good
	if len(res.Sinkholed) > 0 {
		// Even one such answer means something rewrites DNS for this name: a
		// filter answering 0.0.0.0 for A and a real AAAA is still a filter.
		return res, DNSSinkhole, fmt.Errorf("dns %s: answer points to %v", t.Host, res.Sinkholed)
	}
	return res, ReasonOK, nil
}

// IsSinkhole reports whether an answer for a public host points somewhere a
// DNS filter would send it. Addresses that lead nowhere (unspecified, the
// rest of 0.0.0.0/8, the reserved 240.0.0.0/4 with the broadcast address,
// multicast) are a sinkhole always: no host, on a LAN or not, takes a TCP
// connection there. Loopback, link-local, private, unique-local and CGNAT
// space are one unless the host is allowed to be private. An IPv6 address
// that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by
// the IPv4 address inside, as that is where the traffic is meant to go.
func IsSinkhole(a netip.Addr, allowPrivate bool) bool {
	if !a.IsValid() || a.IsUnspecified() {
		return true
	}
	a = embeddedIPv4(a)
	if leadsNowhere(a) {
		return true
	}
	if allowPrivate {
		return false
	}
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || cgnat.Contains(a)
}

// Prefixes net/netip has no classification for.
var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")     // "this network": a source, never a destination
	reserved4   = netip.MustParsePrefix("240.0.0.0/4")   // reserved, with 255.255.255.255 (broadcast) at its end
	cgnat       = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT, shared address space (RFC 6598)
	v4Compat    = netip.MustParsePrefix("::/96")         // IPv4-compatible ::a.b.c.d (RFC 4291, deprecated)
	nat64       = netip.MustParsePrefix("64:ff9b::/96")  // NAT64 well-known prefix (RFC 6052)
	sixToFour   = netip.MustParsePrefix("2002::/16")     // 6to4: 2002:aabb:ccdd::/48 (RFC 3056)
)

// leadsNowhere: no host can be reached at a, so only a filter answers it.
func leadsNowhere(a netip.Addr) bool {
	return a.IsUnspecified() || a.IsMulticast() || thisNetwork.Contains(a) || reserved4.Contains(a)
}

// embeddedIPv4 returns the IPv4 address inside a, when a is an IPv6 form
// of one; else a. A filter can hide 127.0.0.1 or 10.0.0.1 in any of them.
func embeddedIPv4(a netip.Addr) netip.Addr {
	b := a.As16()
	switch {
	case a.Is4(), a.Is4In6():
		return a.Unmap()
	case a.IsLoopback():
		// ::1 lies in ::/96 too, but is IPv6's own loopback.
		return a
	case v4Compat.Contains(a), nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16]))
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6]))
	}
	return a
}

// askBoth asks for A and AAAA at the same time: sequential queries would
// double the time a slow resolver costs.
func (p *Prober) askBoth(ctx context.Context, server, name string) []dnsAnswer {
	out := make([]dnsAnswer, 2)
	var wg sync.WaitGroup
	for i, qt := range []uint16{dns.TypeAAAA, dns.TypeA} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = ask(ctx, server, name, qt)
		}()
	}
	wg.Wait()
	return out
}

// ask sends one question over UDP, and over TCP when the answer is truncated
// or UDP itself fails (some environments break UDP sockets outright, and a
// TCP answer is better than a wrong verdict).
func ask(ctx context.Context, server, name string, qtype uint16) dnsAnswer {
	start := time.Now()
	msg := new(dns.Msg)
	msg.SetQuestion(name, qtype)
	msg.RecursionDesired = true
	msg.SetEdns0(1232, false)

	ans := dnsAnswer{rcode: -1, query: DNSQuery{Type: dns.TypeToString[qtype], Resolver: server}}
	resp, transport, err := exchangeUDP(ctx, server, msg)
	if (err == nil && resp.Truncated) || (err != nil && !isTimeout(err) && ctx.Err() == nil) {
		resp, transport, err = exchange(ctx, "tcp", server, msg)
	}
	ans.query.Transport = transport
	ans.query.Duration = time.Since(start)
	if err != nil {
		ans.query.Err = err
		return ans
	}
	ans.query.Bytes = msg.Len() + resp.Len()
	ans.rcode = resp.Rcode
	ans.query.Rcode = rcodeName(resp.Rcode)
	if resp.Rcode == dns.RcodeSuccess {
		ans.addrs = AddressesFromMsg(name, qtype, resp)
	}
	ans.query.Answers = len(ans.addrs)
	return ans
}

// udpFirstTry is how long the first UDP query waits before it is sent
// again; each resend waits twice as long, within the phase's budget. One
// lost packet then costs a second, not the verdict (stub resolvers resend
// the same way).
const udpFirstTry = time.Second

func exchangeUDP(ctx context.Context, server string, msg *dns.Msg) (*dns.Msg, string, error) {
	for try := udpFirstTry; ; try *= 2 {
		tctx, cancel := context.WithTimeout(ctx, try)
		resp, transport, err := exchange(tctx, "udp", server, msg)
		cancel()
		if err == nil || !isTimeout(err) || ctx.Err() != nil {
			return resp, transport, err
		}
	}
}

func exchange(ctx context.Context, network, server string, msg *dns.Msg) (*dns.Msg, string, error) {
	c := &dns.Client{Net: network}
	if dl, ok := ctx.Deadline(); ok {
		// The client's own 2 s default would otherwise cap the context's
		// deadline; the context is the one budget.
		c.Timeout = time.Until(dl)
		if c.Timeout <= 0 {
			return nil, network, context.DeadlineExceeded
		}
	}
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, network, err
	}
	defer conn.Close()
	// miekg/dns honours only the deadline of a context, not its
	// cancellation; closing the conn makes a stop end the read at once.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, msg, conn)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return resp, network, err
}

// AddressesFromMsg returns the A or AAAA addresses that answer qname,
// following the CNAME chain inside the answer section. Records for other
// owners are ignored: a resolver may add them, and they do not answer us.
func AddressesFromMsg(qname string, qtype uint16, m *dns.Msg) []netip.Addr {
	if m == nil {
		return nil
	}
	owner := answerOwner(qname, m.Answer)
	var out []netip.Addr
	for _, rr := range m.Answer {
		if !hasHeader(rr) || strings.ToLower(rr.Header().Name) != owner {
			continue
		}
		if a, ok := answerAddr(rr, qtype); ok {
			out = append(out, a)
		}
	}
	return out
}

// hasHeader reports whether rr can be looked at: a hostile or broken
// answer may hold nil records.
func hasHeader(rr dns.RR) bool {
	return rr != nil && rr.Header() != nil
}

// answerOwner follows qname's CNAME chain inside answer and returns the
// lower-cased name whose records answer the question.
func answerOwner(qname string, answer []dns.RR) string {
	owner := strings.ToLower(dns.Fqdn(qname))
	// Bound the chain: a CNAME loop in a hostile answer must not spin.
	for hops := 0; hops < 16; hops++ {
		next := cnameTarget(owner, answer)
		if next == "" {
			break
		}
		owner = next
	}
	return owner
}

// cnameTarget returns the lower-cased target of the first CNAME owned by
// owner, or "" when there is none.
func cnameTarget(owner string, answer []dns.RR) string {
	for _, rr := range answer {
		if !hasHeader(rr) {
			continue
		}
		if c, ok := rr.(*dns.CNAME); ok && strings.ToLower(c.Hdr.Name) == owner {
			return strings.ToLower(dns.Fqdn(c.Target))
		}
	}
	return ""
}

// answerAddr returns rr's address when rr is an address record of qtype.
func answerAddr(rr dns.RR, qtype uint16) (netip.Addr, bool) {
	var ip net.IP
	switch r := rr.(type) {
	case *dns.A:
		if qtype == dns.TypeA {
			ip = r.A.To4()
		}
	case *dns.AAAA:
		if qtype == dns.TypeAAAA {
			ip = r.AAAA.To16()
		}
	}
	a, ok := netip.AddrFromSlice(ip)
	if ok && qtype == dns.TypeA {
		a = a.Unmap()
	}
	return a, ok
}

// definitive reports whether a resolver settled the question: an answer
// with data, or NXDOMAIN / NOERROR, which another resolver would repeat.
func definitive(answers []dnsAnswer) bool {
	for _, a := range answers {
		if a.rcode == dns.RcodeSuccess || a.rcode == dns.RcodeNameError {
			return true
		}
	}
	return false
}

// classifyDNS turns one resolver's answers into a reason. Addresses win; then
// the most specific failure: NXDOMAIN, SERVFAIL, REFUSED, no answer at all,
// another error, and last an empty NOERROR.
func classifyDNS(answers []dnsAnswer) (Reason, string, error) {
	return tallyDNS(answers).verdict()
}

// dnsTally is what one resolver's answers said, gathered before judging.
type dnsTally struct {
	addrs                                 int
	nx, servfail, refused, timeout, noerr bool
	otherRcode                            int // -1 when none
	firstErr, timeoutErr                  error
}

func tallyDNS(answers []dnsAnswer) dnsTally {
	t := dnsTally{otherRcode: -1}
	for _, a := range answers {
		switch {
		case a.rcode == dns.RcodeSuccess:
			t.noerr = true
			t.addrs += len(a.addrs)
		case a.rcode == dns.RcodeNameError:
			t.nx = true
		case a.rcode == dns.RcodeServerFailure:
			t.servfail = true
		case a.rcode == dns.RcodeRefused:
			t.refused = true
		case a.rcode >= 0:
			t.otherRcode = a.rcode
		case isTimeout(a.query.Err):
			t.timeout = true
			t.timeoutErr = a.query.Err
		case t.firstErr == nil:
			t.firstErr = a.query.Err
		}
	}
	return t
}

// verdict picks the reason in classifyDNS's order of precedence.
func (t dnsTally) verdict() (Reason, string, error) {
	switch {
	case t.addrs > 0:
		return ReasonOK, "NOERROR", nil
	case t.nx:
		return DNSNXDomain, "NXDOMAIN", errors.New("NXDOMAIN: the name does not exist")
	case t.servfail:
		return DNSServFail, "SERVFAIL", errors.New("SERVFAIL from resolver")
	case t.refused:
		return DNSRefused, "REFUSED", errors.New("REFUSED by resolver")
	case t.timeout:
		return DNSTimeout, "", fmt.Errorf("no answer: %w", t.timeoutErr)
	case t.otherRcode >= 0:
		return DNSError, rcodeName(t.otherRcode), fmt.Errorf("unexpected rcode %s", rcodeName(t.otherRcode))
	case t.firstErr != nil:
		return DNSError, "", t.firstErr
	case t.noerr:
		return DNSNoAddress, "NOERROR", errors.New("NOERROR without A or AAAA records")
	}
	return DNSError, "", errors.New("no DNS answer")
}

func rcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}
