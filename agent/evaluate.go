package agent

import (
	"crypto/tls"
	"net/netip"
	"slices"
	"time"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/probes"
)

// EvalOptions are the thresholds and labels of an evaluation.
type EvalOptions struct {
	Version string
	Machine string
	// CertExpiry warns when the leaf expires within this window (0: never).
	CertExpiry time.Duration
	// SlowPhase warns when one phase takes longer than this (0: never).
	SlowPhase time.Duration
	// Now is the clock for certificate expiry; nil means time.Now.
	Now func() time.Time
}

// Evaluate turns one run's results into the run document. results[i]
// belongs to hosts[i]; a missing result (nil) is reported as not_checked,
// which is not ok: readiness is never assumed.
func Evaluate(hosts []config.Host, results []*probes.Result, start time.Time, took time.Duration, o EvalOptions) Document {
	rep := Document{
		SchemaVersion: SchemaVersion,
		Version:       o.Version,
		Machine:       o.Machine,
		CheckedAt:     start.UTC(),
		DurationMS:    ms(took),
		Ready:         true,
		Hosts:         make([]HostReport, len(hosts)),
	}
	for i, h := range hosts {
		var r *probes.Result
		if i < len(results) {
			r = results[i]
		}
		hr := EvaluateHost(h, r, o.now(), o)
		if h.Required && !hr.OK {
			rep.Ready = false
		}
		rep.Hosts[i] = hr
	}
	judgeServerClocks(&rep)
	return rep
}

func (o EvalOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// EvaluateHost is the verdict on one host, for renderers that show hosts as
// they finish; Evaluate uses it for every host of a run.
func EvaluateHost(h config.Host, r *probes.Result, now time.Time, o EvalOptions) HostReport {
	hr := HostReport{Host: h.Host, Port: h.Port, Required: h.Required, Warnings: []Warning{}}
	if r == nil {
		hr.Reason = probes.NotChecked
		return hr
	}
	hr.Reason = r.Reason
	hr.Stage = r.Stage()
	if !r.Start.IsZero() {
		hr.At = r.Start.UTC()
	}
	hr.OK = r.Reason.OK()
	if r.Err != nil {
		hr.Error = cleanText(r.Err.Error()) // it can quote a server
	}
	hr.DNS = dnsView(r.DNS)
	hr.TCP = tcpView(r.TCP)
	hr.TLS = tlsView(r.TLS)
	hr.HTTP = httpView(r.HTTP)
	if px := r.Proxy; px != nil {
		hr.Proxy = &ProxyView{Source: string(px.Source), Address: px.Address, Setting: px.Raw,
			MS: ms(px.Duration), Status: px.Status, Server: cleanText(px.ProxyServer),
			Scheme: px.Scheme, TLSProblem: px.TLSProblem, PACURL: px.PACURL, AutoDetect: px.AutoDetect}
	}
	if d := r.Direct; d != nil {
		hr.Direct = &DirectView{OK: d.Reason.OK(), Reason: d.Reason, CutShortMS: ms(d.CutShort)}
		if d.Err != nil {
			hr.Direct.Error = cleanText(d.Err.Error())
		}
	}
	hr.Warnings = append(hr.Warnings, warnings(r, hr.OK, now, o)...)
	return hr
}

// warnings are the findings on a host that do not change its verdict.
func warnings(r *probes.Result, ok bool, now time.Time, o EvalOptions) []Warning {
	out := familyWarnings(r.TCP)
	if leaf := r.TLS.Leaf(); leaf != nil && ok && o.CertExpiry > 0 {
		if left := leaf.NotAfter.Sub(now); left < o.CertExpiry {
			out = append(out, Warning{Code: WarnCertExpiring, Days: int(left.Hours() / 24)})
		}
	}
	if o.SlowPhase > 0 {
		out = append(out, slowWarnings(r, o.SlowPhase)...)
	}
	if h := r.HTTP; ok && h != nil && h.Status >= 500 && h.Status <= 599 {
		// An ok host passed every check of the path (a trusted, public
		// chain and no block page), so the 5xx is the service's own.
		out = append(out, Warning{Code: WarnHTTPServerError, Status: h.Status})
	}
	return out
}

// familyWarnings flags an address family that had addresses but never
// connected while the other did: apps that try addresses in order stall.
func familyWarnings(t *probes.TCPResult) []Warning {
	if t == nil || !t.Address.IsValid() {
		return nil
	}
	winnerV4 := t.Address.Addr().Is4()
	var failed []string
	otherConnected := false
	for _, a := range t.Attempts {
		if a.Address.Addr().Is4() == winnerV4 {
			continue
		}
		if a.Outcome == probes.TCPConnected {
			otherConnected = true
		} else {
			failed = append(failed, a.Address.Addr().String())
		}
	}
	if otherConnected || len(failed) == 0 {
		return nil
	}
	code := WarnIPv6Unreachable
	if !winnerV4 {
		code = WarnIPv4Unreachable
	}
	return []Warning{{Code: code, Addresses: failed}}
}

func slowWarnings(r *probes.Result, limit time.Duration) []Warning {
	var out []Warning
	add := func(code WarningCode, phase probes.Stage, d time.Duration) {
		if d > limit {
			out = append(out, Warning{Code: code, Phase: phase, TookMS: ms(d), ThresholdMS: ms(limit)})
		}
	}
	if r.DNS != nil && r.DNS.Rcode != "" {
		add(WarnSlowDNS, probes.StageDNS, r.DNS.Duration)
	}
	if r.TCP != nil && r.TCP.Address.IsValid() {
		add(WarnSlowTCP, probes.StageTCP, r.TCP.Duration)
	}
	if r.TLS != nil && r.TLS.Version != 0 {
		add(WarnSlowTLS, probes.StageTLS, r.TLS.Duration)
	}
	return out
}

func dnsView(d *probes.DNSResult) *DNSView {
	if d == nil {
		return nil
	}
	v := &DNSView{
		MS: ms(d.Duration), Rcode: d.Rcode, Resolver: d.Resolver, Transport: d.Transport,
		Addresses: addrStrings(d.Addresses), Sinkholed: addrStrings(d.Sinkholed),
	}
	for _, q := range d.Queries {
		if q.Resolver != "" && !slices.Contains(v.Resolvers, q.Resolver) {
			v.Resolvers = append(v.Resolvers, q.Resolver)
		}
	}
	return v
}

func tcpView(t *probes.TCPResult) *TCPView {
	if t == nil {
		return nil
	}
	v := &TCPView{MS: ms(t.Duration)}
	if t.Address.IsValid() {
		v.Address = t.Address.String()
	}
	for _, a := range t.Attempts {
		v.Attempts = append(v.Attempts, AttemptView{Address: a.Address.String(), Outcome: string(a.Outcome), MS: ms(a.Duration)})
	}
	return v
}

func tlsView(t *probes.TLSResult) *TLSView {
	if t == nil {
		return nil
	}
	v := &TLSView{MS: ms(t.Duration), SystemTrusted: t.SystemTrusted, PublicTrusted: t.PublicTrusted, Intercepted: t.Intercepted, Resumed: t.Resumed}
	if t.Version != 0 {
		v.Version = tls.VersionName(t.Version)
		v.Cipher = tls.CipherSuiteName(t.CipherSuite)
	}
	if leaf := t.Leaf(); leaf != nil {
		// Names in a certificate are the server's to choose.
		v.Subject, v.Issuer, v.IssuerOrg = cleanText(leaf.Subject), cleanText(leaf.Issuer), cleanText(leaf.IssuerOrg)
		v.NotBefore, v.NotAfter, v.SHA256 = leaf.NotBefore.UTC(), leaf.NotAfter.UTC(), leaf.SHA256
		v.Names = cleanTexts(leaf.DNSNames)
	}
	for _, c := range t.Chain {
		v.Chain = append(v.Chain, cleanText(c.Subject))
		v.Certs = append(v.Certs, CertView{Subject: cleanText(c.Subject), Issuer: cleanText(c.Issuer), NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC()})
	}
	return v
}

func httpView(h *probes.HTTPResult) *HTTPView {
	if h == nil {
		return nil
	}
	// Every string here is the answering server's, or quotes it.
	v := &HTTPView{MS: ms(h.Duration), Status: h.Status, Server: cleanText(h.Server), ClockSkewS: h.ClockSkew.Seconds(),
		BlockedBy: cleanText(h.Block.String()), BlockKind: h.Block.Kind, BlockName: cleanText(h.Block.Name), Location: cleanText(h.Location)}
	if !h.Date.IsZero() {
		v.Date = h.Date.UTC()
	}
	return v
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

// ms renders a duration as milliseconds with 0.1 ms resolution, enough for
// people and stable enough for golden files.
func ms(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}
