package agent

import (
	"testing"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

func TestJudgeServerClocks(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 9, 40, 0, 0, time.UTC)
	valid := []CertView{{Subject: "leaf", NotBefore: at.AddDate(0, -1, 0), NotAfter: at.AddDate(0, 2, 0)}}
	expired := []CertView{{Subject: "leaf", NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.AddDate(0, -1, 0)}}
	host := func(skew time.Duration, certs []CertView) HostReport {
		h := HostReport{Host: "h.test", Port: 443, Required: true, OK: true, Reason: probes.ReasonOK, At: at,
			TLS: &TLSView{Certs: certs}, HTTP: &HTTPView{Status: 200, Date: at.Add(-skew), ClockSkewS: skew.Seconds()}}
		if skew > probes.MaxClockSkew || skew < -probes.MaxClockSkew {
			h.OK, h.Reason, h.Stage = false, probes.ClockSkew, probes.StageHTTP
		}
		return h
	}
	const off = 10 * time.Minute
	for _, tc := range []struct {
		name       string
		hosts      []HostReport
		wantReason probes.Reason
		wantWarned bool
		wantReady  bool
	}{
		{"one server behind, the others agree", []HostReport{host(off, valid), host(0, valid), host(time.Second, valid)},
			probes.ReasonOK, true, true},
		{"one server ahead with an expired certificate", []HostReport{host(-off, expired), host(0, valid), host(0, valid)},
			probes.TLSExpired, true, false},
		{"every server: the PC's clock", []HostReport{host(off, valid), host(off, valid), host(off+time.Second, valid)},
			probes.ClockSkew, false, false},
		{"the only server with a Date", []HostReport{host(off, valid)},
			probes.ClockSkew, false, false},
		// One right, one wrong: nobody can tell whose clock is off (the
		// median of two would be half the skew, and which side of the
		// limit it lands on would be luck).
		{"one server each way", []HostReport{host(off, valid), host(0, valid)},
			probes.ClockSkew, false, false},
		{"two of four agree", []HostReport{host(off, valid), host(off, valid), host(0, valid), host(time.Second, valid)},
			probes.ClockSkew, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := &Document{Ready: false, Hosts: tc.hosts}
			judgeServerClocks(doc)
			h := doc.Hosts[0]
			if h.Reason != tc.wantReason || h.OK != tc.wantReason.OK() || h.Stage != tc.wantReason.Stage() {
				t.Errorf("reason %s ok %v stage %q, want %s", h.Reason, h.OK, h.Stage, tc.wantReason)
			}
			warned := len(h.Warnings) == 1 && h.Warnings[0].Code == WarnServerClock && h.Warnings[0].ClockSkewS == h.HTTP.ClockSkewS
			if warned != tc.wantWarned {
				t.Errorf("warnings %+v, want server_clock: %v", h.Warnings, tc.wantWarned)
			}
			if tc.wantReason != probes.ClockSkew && doc.Ready != tc.wantReady {
				t.Errorf("ready %v, want %v", doc.Ready, tc.wantReady)
			}
		})
	}
}

func TestJudgeClock(t *testing.T) {
	t.Parallel()
	withDate := func(skews ...float64) *Document {
		doc := &Document{}
		for _, s := range skews {
			doc.Hosts = append(doc.Hosts, HostReport{HTTP: &HTTPView{Date: time.Unix(1e9, 0), ClockSkewS: s}})
		}
		doc.Hosts = append(doc.Hosts, HostReport{}, HostReport{HTTP: &HTTPView{}}) // no Date: not counted
		return doc
	}
	for _, tc := range []struct {
		name         string
		doc          *Document
		right, wrong bool
	}{
		{"no Date at all", withDate(), false, false},
		{"all agree", withDate(0, 1, 0.5), true, false},
		{"one of three off", withDate(600, 1, 0), true, false},
		{"all off", withDate(600, 601, 599), false, true},
		{"two of three off", withDate(600, 601, 0), false, true},
		{"one each way", withDate(600, 0), false, false},
		{"off both ways", withDate(600, -600, 601, -601, 0), false, false},
		{"the only one, off", withDate(-600), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := JudgeClock(tc.doc)
			if j.Right() != tc.right || j.Wrong() != tc.wrong {
				t.Errorf("%+v: right %v wrong %v, want %v %v", j, j.Right(), j.Wrong(), tc.right, tc.wrong)
			}
		})
	}
}
