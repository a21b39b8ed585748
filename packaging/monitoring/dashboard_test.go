package monitoring

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/pbprobe/pbprobe/agent/config"
	"github.com/pbprobe/pbprobe/agent/push"
	"github.com/pbprobe/pbprobe/probes/probetest"
)

var metricName = regexp.MustCompile(`\bpbprobe_[a-z_]+`)

// knownMetrics are the names the agent exports: its golden metrics file
// (regenerated from the code) plus the push metrics, gathered from the
// push package itself.
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{"pbprobe_build_info": true}
	f, err := os.Open(filepath.Join("..", "..", "agent", "testdata", "metrics.golden"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := metricName.FindString(sc.Text()); m != "" && !strings.HasPrefix(sc.Text(), "#") {
			known[m] = true
		}
	}
	p, err := push.New(push.Options{Config: config.Push{URL: "http://127.0.0.1:9/api/v1/write",
		Backlog: config.Backlog{MaxAge: config.DefaultBacklogMaxAge, MaxBytes: config.DefaultBacklogMaxBytes}},
		Dir: t.TempDir(), Gatherer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(p.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		known[mf.GetName()] = true
	}
	return known
}

// dashboardExprs returns every PromQL expression of the dashboard's panels
// and the selectors of its variable queries.
func dashboardExprs(t *testing.T) (exprs []string) {
	t.Helper()
	data, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard.json lacks a uid, title or panels")
	}
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	labelValues := regexp.MustCompile(`^label_values\((.+), *[a-z_]+\)$`)
	for _, v := range d.Templating.List {
		if m := labelValues.FindStringSubmatch(v.Definition); m != nil {
			exprs = append(exprs, m[1])
		} else if v.Name != "datasource" {
			t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, v.Definition)
		}
	}
	return exprs
}

// TestDashboard: the dashboard is valid JSON, every query parses as
// PromQL (promtool checks them as recording rules, with Grafana's
// variables filled in), and every metric it reads is one the agent
// exports.
func TestDashboard(t *testing.T) {
	exprs := dashboardExprs(t)
	known := knownMetrics(t)
	vars := strings.NewReplacer("$customer", ".*", "$site", ".*", "$machine", ".*", "$__rate_interval", "5m")
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, e := range exprs {
		for _, m := range metricName.FindAllString(e, -1) {
			if !known[m] {
				t.Errorf("the dashboard queries %s, which the agent does not export", m)
			}
		}
		fmt.Fprintf(&rules, "      - record: dashboard:expr_%d\n        expr: %q\n", i, vars.Replace(e))
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		probetest.Unavailable(t, "promtool not found (Debian package prometheus)")
	}
	file := filepath.Join(t.TempDir(), "dashboard_rules.yml")
	if err := os.WriteFile(file, []byte(rules.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("a dashboard query does not parse: %v\n%s", err, out)
	}
}

// TestAlertMetricsExist: every metric the alert rules read is exported.
func TestAlertMetricsExist(t *testing.T) {
	data, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &rf); err != nil {
		t.Fatal(err)
	}
	known := knownMetrics(t)
	n := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			for _, m := range metricName.FindAllString(r.Expr, -1) {
				n++
				if !known[m] {
					t.Errorf("alert %s reads %s, which the agent does not export", r.Alert, m)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no metric found in alerts.yml")
	}
}
