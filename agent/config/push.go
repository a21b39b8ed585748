package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Push defaults and limits.
const (
	DefaultBacklogMaxAge   = 24 * time.Hour
	DefaultBacklogMaxBytes = 16 << 20
	// MinBacklogBytes keeps room for at least a few runs, so that a typo
	// ("64" meaning megabytes) does not silently keep nothing.
	MinBacklogBytes = 64 << 10
	// MaxLabelValue bounds an identity label's value: it is sent with
	// every series of every run.
	MaxLabelValue = 128
)

// Push configures remote-write to a central Prometheus-compatible store.
// It is off while URL is empty.
type Push struct {
	URL             string
	Username        string // basic auth, with PasswordFile
	PasswordFile    string
	BearerTokenFile string
	CAFile          string // PEM roots for the store, instead of the system's
	Backlog         Backlog
}

// Backlog bounds what is kept on disk while the store is unreachable.
type Backlog struct {
	MaxAge   time.Duration
	MaxBytes int64
}

// Enabled reports whether pushing is configured.
func (p Push) Enabled() bool { return p.URL != "" }

// reservedLabels are the label names the agent's own series use; an
// identity label of the same name would overwrite them.
var reservedLabels = []string{"host", "port", "required", "reason", "warning", "phase", "result", "le", "quantile", "version", "revision", "branch", "goversion", "goos", "goarch", "tags", "trigger", "status"}

var labelNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

func defaultPush() Push {
	return Push{Backlog: Backlog{MaxAge: DefaultBacklogMaxAge, MaxBytes: DefaultBacklogMaxBytes}}
}

func (p *parser) push(k, v *yaml.Node, cfg *Config) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "push: expected settings such as url: https://metrics.example.com/api/v1/write, got %s", describe(v))
	}
	keys := []string{"url", "basic_auth", "bearer_token_file", "ca_file", "backlog"}
	err := p.fields(v, "push.", " in push", keys, func(key string, _, v *yaml.Node) error {
		if isNull(v) {
			return nil
		}
		switch key {
		case "url":
			return p.pushURL(v, &cfg.Push)
		case "basic_auth":
			return p.basicAuth(v, &cfg.Push)
		case "bearer_token_file", "ca_file":
			s, err := p.str(v, "push."+key)
			if err != nil {
				return err
			}
			if key == "ca_file" {
				cfg.Push.CAFile = resolvePath(p.dir, s)
			} else {
				cfg.Push.BearerTokenFile = resolvePath(p.dir, s)
			}
			return nil
		case "backlog":
			return p.backlog(v, &cfg.Push.Backlog)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return p.checkPush(k, cfg.Push)
}

// checkPush checks the settings against each other once all are read.
func (p *parser) checkPush(k *yaml.Node, c Push) error {
	if msg := c.problem(); msg != "" {
		return p.errorf(k, "%s", msg)
	}
	return nil
}

// Check checks the settings against each other, as the config's push:
// section is checked; the agent's --push.* flags apply on top of the file
// and are checked again with it.
func (c Push) Check() error {
	if msg := c.problem(); msg != "" {
		return errors.New(msg)
	}
	return nil
}

func (c Push) problem() string {
	auth := c.Username != "" || c.BearerTokenFile != ""
	switch {
	case c.URL == "" && (auth || c.CAFile != ""):
		return "push: url is missing; set push.url to the store's remote-write address"
	case c.Username != "" && c.BearerTokenFile != "":
		return "push: set either basic_auth or bearer_token_file, not both"
	case (c.Username == "") != (c.PasswordFile == ""):
		return "push.basic_auth: set both username and password_file (the password is read from that file, never from the config)"
	case auth && strings.HasPrefix(c.URL, "http://") && !loopbackURL(c.URL):
		// The password would cross the customer's network in clear text.
		return fmt.Sprintf("push: credentials need an https:// url; %s is plain http", quote(c.URL))
	}
	return ""
}

func loopbackURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

func (p *parser) pushURL(v *yaml.Node, c *Push) error {
	s, err := p.str(v, "push.url")
	if err != nil {
		return err
	}
	if msg := pushURLProblem(s); msg != "" {
		return p.errorf(v, "push.url: %s", msg)
	}
	c.URL = s
	return nil
}

// CheckPushURL checks a push.url value (the --push.url flag's too).
func CheckPushURL(s string) error {
	if msg := pushURLProblem(s); msg != "" {
		return errors.New(msg)
	}
	return nil
}

func pushURLProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return quote(s) + " is not an http:// or https:// URL (e.g. https://metrics.example.com/api/v1/write)"
	case u.User != nil:
		// Never echo the URL: it holds a password.
		return "the URL holds a user name or password; put them in push.basic_auth (password_file) instead"
	case u.Fragment != "":
		return quote(s) + " has a #fragment, which HTTP never sends; remove it"
	}
	return ""
}

// CheckPushUsername checks a push.basic_auth.username value (the flag's too).
func CheckPushUsername(s string) error {
	if strings.ContainsAny(s, ":\r\n") || s == "" {
		return errors.New("must not be empty or contain ':' or line breaks")
	}
	return nil
}

func (p *parser) basicAuth(v *yaml.Node, c *Push) error {
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "push.basic_auth: expected username: and password_file:, got %s", describe(v))
	}
	keys := []string{"username", "password_file"}
	err := p.fields(v, "push.basic_auth.", " in push.basic_auth", keys, func(key string, _, v *yaml.Node) error {
		if isNull(v) {
			return nil
		}
		s, err := p.str(v, "push.basic_auth."+key)
		if err != nil {
			return err
		}
		if key == "username" {
			if err := CheckPushUsername(s); err != nil {
				return p.errorf(v, "push.basic_auth.username: %v", err)
			}
			c.Username = s
		} else {
			c.PasswordFile = resolvePath(p.dir, s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if (c.Username == "") != (c.PasswordFile == "") {
		return p.errorf(v, "push.basic_auth: set both username and password_file (the password is read from that file, never from the config)")
	}
	return nil
}

func (p *parser) backlog(v *yaml.Node, b *Backlog) error {
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "push.backlog: expected settings such as max_age: 24h, got %s", describe(v))
	}
	keys := []string{"max_age", "max_bytes"}
	return p.fields(v, "push.backlog.", " in push.backlog", keys, func(key string, _, v *yaml.Node) error {
		switch key {
		case "max_age":
			return p.duration(v, "push.backlog.max_age", "24h, 2d", &b.MaxAge, func(d time.Duration) string {
				if d <= 0 {
					return "must be more than 0"
				}
				return ""
			})
		case "max_bytes":
			if isNull(v) {
				return nil
			}
			n, ok := parseSize(v.Value)
			if v.Kind != yaml.ScalarNode || !ok {
				return p.errorf(v, "push.backlog.max_bytes: %s is not a size (e.g. 16MiB, 500KB, 1048576)", quote(v.Value))
			}
			if n < MinBacklogBytes {
				return p.errorf(v, "push.backlog.max_bytes: %s is less than the minimum of 64KiB", v.Value)
			}
			b.MaxBytes = n
		}
		return nil
	})
}

// parseSize reads a byte count with an optional unit: B, KB/MB/GB (powers
// of 1000) or KiB/MiB/GiB (powers of 1024).
func parseSize(s string) (int64, bool) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	if !isDigits(num) {
		return 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > (1<<62)/mult {
		return 0, false
	}
	return n * mult, true
}

// labels reads the top-level identity labels.
func (p *parser) labels(v *yaml.Node, cfg *Config) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "labels: expected name: value lines such as site: berlin, got %s", describe(v))
	}
	out := map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], resolve(v.Content[i+1])
		if err := p.labelName(k, out); err != nil {
			return err
		}
		s, err := p.str(val, "labels."+k.Value)
		if err != nil {
			return err
		}
		if why := labelValueProblem(s); why != "" {
			return p.errorf(val, "labels.%s: %s", k.Value, why)
		}
		out[k.Value] = s
	}
	cfg.Labels = out
	return nil
}

func (p *parser) labelName(k *yaml.Node, seen map[string]string) error {
	if k.Kind != yaml.ScalarNode {
		return p.errorf(k, "labels: %s is not a label name; use letters, digits and _ (e.g. site, customer), not starting with a digit or __", quote(k.Value))
	}
	if msg := labelNameProblem(k.Value); msg != "" {
		return p.errorf(k, "labels: %s", msg)
	}
	if _, dup := seen[k.Value]; dup {
		return p.errorf(k, "labels.%s is set twice; keep one", k.Value)
	}
	return nil
}

// CheckLabel checks an identity label with the rules of the labels: map
// (the agent's --label flag's too); an empty value is checked as a name
// only, since the flag takes it as "not set".
func CheckLabel(name, value string) error {
	if msg := labelNameProblem(name); msg != "" {
		return errors.New(msg)
	}
	if value == "" {
		return nil
	}
	if msg := labelValueProblem(value); msg != "" {
		return fmt.Errorf("%s %s", name, msg)
	}
	return nil
}

func labelNameProblem(name string) string {
	if !labelNameRE.MatchString(name) || strings.HasPrefix(name, "__") {
		return quote(name) + " is not a label name; use letters, digits and _ (e.g. site, customer), not starting with a digit or __"
	}
	if slices.Contains(reservedLabels, name) {
		return name + " is a label of pbprobe's own series; choose another name"
	}
	return ""
}

func labelValueProblem(s string) string {
	switch {
	case s == "":
		return "is empty; remove the label instead"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > MaxLabelValue:
		return fmt.Sprintf("is longer than %d characters", MaxLabelValue)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "contains a control character"
	}
	return ""
}
