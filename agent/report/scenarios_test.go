package report

import (
	"time"

	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// scenarios are what a technician meets most, each rendered on every OS
// whose words differ: the OS is an input of the renderer, so that all of
// them render on any machine.
var scenarios = []struct {
	name  string
	build func() *agent.Document
}{
	{"five_one_cause", fiveOneCause},
	{"mixed_causes", mixedReport},
	{"one_skewed_server", oneSkewedServer},
	{"five_skewed", fiveSkewed},
	{"proxy_auth", proxyAuth},
	{"healthy", healthy},
	{"expired_clock_right", expiredClockRight},
}

var scenarioOSes = []string{"windows", "darwin", "linux"}

var fiveHosts = []string{api, updates, updates2, portal, app}

// windowsPC are the prerequisites of a Windows 11 PC where the check runs
// from a user's prompt, as machine.Gather reports them.
func windowsPC() *machine.Facts {
	name := machine.WindowsVersion("Windows 10 Pro", "23H2", 10, 0, 22631)
	return &machine.Facts{OS: name, Checks: []machine.Check{
		machine.DotNetCheck(533320, true),
		machine.ElevatedCheck(false, true),
		{Code: machine.CodeOSVersion, Level: machine.LevelInfo, Value: name},
	}}
}

// fiveOneCause: a DNS filter that hides the whole domain.
func fiveOneCause() *agent.Document {
	var rs []*probes.Result
	for i, h := range fiveHosts {
		rs = append(rs, fail(resolved(h, 8.2+float64(i)/10, "NXDOMAIN"), probes.DNSNXDomain, "dns: NXDOMAIN: the name does not exist"))
	}
	rep := evaluate(fiveHosts, rs, msD(48.1))
	rep.Prerequisites = windowsPC()
	return rep
}

// skewed answers with this PC's clock skew ahead of the server's.
func skewed(host string, skew time.Duration) *probes.Result {
	r := resolved(host, 11.3, "NOERROR", "203.0.113.40")
	connect(r, 20.4, try{"203.0.113.40:443", probes.TCPConnected, 20.4})
	shake(r, 44.1, publicChain(day(2027, 6, 14)), true, boolp(true))
	answer(r, 47.5, 200, "nginx", skew)
	if skew > probes.MaxClockSkew || skew < -probes.MaxClockSkew {
		fail(r, probes.ClockSkew, "clock: this PC's clock differs from "+host+"'s")
	}
	return r
}

// oneSkewedServer: one server's Date is ten minutes behind; the PC's
// clock agrees with the four others.
func oneSkewedServer() *agent.Document {
	rs := []*probes.Result{skewed(api, time.Second), skewed(updates, 0), skewed(updates2, 10*time.Minute),
		skewed(portal, -time.Second), skewed(app, 2*time.Second)}
	return evaluate(fiveHosts, rs, msD(142.9))
}

// fiveSkewed: the PC's clock is ten minutes behind every server.
func fiveSkewed() *agent.Document {
	var rs []*probes.Result
	for i, h := range fiveHosts {
		rs = append(rs, skewed(h, -10*time.Minute-time.Duration(i)*time.Second))
	}
	return evaluate(fiveHosts, rs, msD(151.0))
}

// proxyAuth: the apps' proxy wants a login for every host.
func proxyAuth() *agent.Document {
	var rs []*probes.Result
	for _, h := range fiveHosts {
		rs = append(rs, reasonResult(h, probes.ProxyAuthRequired))
	}
	rep := evaluate(fiveHosts, rs, msD(36.4))
	rep.Prerequisites = windowsPC()
	return rep
}

// healthy: every host reachable, the clock right.
func healthy() *agent.Document {
	rs := []*probes.Result{
		ok(api, 12.1, 20.3, 45.0, 46.8, "203.0.113.10"), ok(updates, 11.8, 19.7, 44.2, 48.6, "203.0.113.20"),
		ok(updates2, 12.0, 21.1, 38.9, 41.2, "203.0.113.30"), ok(portal, 10.9, 20.0, 40.1, 45.5, "203.0.113.7"),
		ok(app, 8.2, 18.8, 39.9, 44.0, "203.0.113.8"),
	}
	return evaluate(fiveHosts, rs, msD(52.3))
}

// expiredClockRight: one certificate really expired, and the other servers
// vouch for the PC's clock, so the hint does not ask to check it.
func expiredClockRight() *agent.Document {
	expired := reasonResult(portal, probes.TLSExpired)
	answer(expired, 40.2, 200, "nginx", time.Second)
	rs := []*probes.Result{ok(api, 12.1, 20.3, 45.0, 46.8, "203.0.113.10"), ok(updates, 11.8, 19.7, 44.2, 48.6, "203.0.113.20"),
		ok(updates2, 12.0, 21.1, 38.9, 41.2, "203.0.113.30"), expired, ok(app, 8.2, 18.8, 39.9, 44.0, "203.0.113.8")}
	return evaluate(fiveHosts, rs, msD(61.0))
}
