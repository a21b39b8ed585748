package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The file is walked as a yaml.Node tree rather than decoded into structs:
// that gives every message the line of the offending key or value, catches
// repeated keys (which decoding into a Node does not), and lets the messages
// say what is expected instead of echoing Go type names.
//
// A key whose value is empty (null) counts as not set, so that a section
// whose lines are all commented out keeps its defaults. The exception is
// hosts: an empty host list is always a mistake, never "use the defaults".

// parser carries what every message and path needs.
type parser struct {
	file string // for messages
	dir  string // base for relative paths
}

// parse applies data to the defaults. hostsSet reports whether the file
// listed hosts; if not, cfg.Hosts is nil and the caller fills in the table.
func parse(data []byte, file, dir string) (cfg *Config, hostsSet bool, err error) {
	p := &parser{file: file, dir: dir}
	root, err := p.decode(data)
	if err != nil {
		return nil, false, err
	}
	cfg = defaults()
	cfg.source.file = file
	if root != nil {
		if hostsSet, err = p.config(root, cfg); err != nil {
			return nil, false, err
		}
	}
	return cfg, hostsSet, nil
}

// decode returns the single document's root node, or nil for an empty
// document (no content, only comments, or an explicit null), which means
// "all defaults".
func (p *parser) decode(data []byte) (root *yaml.Node, err error) {
	// The YAML library is the one part that sees arbitrary bytes; should a
	// bug in it panic, the user still gets a located error instead of a
	// crashed service.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &Error{File: p.file, Msg: fmt.Sprintf("invalid YAML (the parser failed: %v)", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, p.yamlError(data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, p.errorf(&next, "the file holds more than one YAML document (---); put all settings in one")
	case !errors.Is(err, io.EOF):
		return nil, p.yamlError(data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root = resolve(doc.Content[0])
	if isNull(root) {
		return nil, nil
	}
	return root, nil
}

// yamlError turns the library's "yaml: line N: msg" into an *Error.
func (p *parser) yamlError(data []byte, err error) *Error {
	line, msg := splitYAMLError(err)
	if at := syntaxLine(data, line, msg); at > 0 {
		line = at
	}
	return &Error{File: p.file, Line: line, Msg: "invalid YAML: " + msg}
}

func splitYAMLError(err error) (line int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				return n, after
			}
		}
	}
	return 0, msg
}

// syntaxLine finds the line a YAML syntax error is on. yaml.v3 reports the
// line where the enclosing construct began, counted from 0 for parser errors,
// so a bad indent on line 4 can be reported as "line 2" — but never a line
// after the problem. The first prefix of whole lines from there on that
// fails with the same problem ends at the problem. Returns 0 when no prefix
// matches within a parsing budget that keeps this rescan cheap for any input.
func syntaxLine(data []byte, reported int, problem string) int {
	budget := 2 << 20 // bytes parsed in all: enough for a file of a few hundred lines
	end := 0
	for line := 1; end < len(data); line++ {
		i := bytes.IndexAny(data[end:], "\r\n")
		switch {
		case i < 0:
			end = len(data)
		case data[end+i] == '\r' && end+i+1 < len(data) && data[end+i+1] == '\n':
			end += i + 2
		default:
			end += i + 1
		}
		if line < reported {
			continue
		}
		if budget -= end; budget < 0 {
			return 0
		}
		if err := decodeAll(data[:end]); err != nil {
			if _, msg := splitYAMLError(err); msg == problem {
				return line
			}
		}
	}
	return 0
}

// decodeAll parses every document in data, for syntaxLine.
func decodeAll(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line = n.Line
	}
	return e
}

// config applies the top-level mapping to cfg.
func (p *parser) config(root *yaml.Node, cfg *Config) (hostsSet bool, err error) {
	if root.Kind != yaml.MappingNode {
		return false, p.errorf(root, "expected settings as key: value lines (e.g. timeout: 10s), got %s", describe(root))
	}
	keys := []string{"timeout", "interval", "hosts", "dns", "tls", "warnings", "captive_portal", "network", "push", "labels"}
	err = p.fields(root, "", "", keys, func(key string, k, v *yaml.Node) error {
		switch key {
		case "timeout":
			return p.duration(v, key, "10s, 2m", &cfg.Timeout, func(d time.Duration) string {
				if d <= 0 || d > MaxTimeout {
					return "must be more than 0 and at most " + fmtDuration(MaxTimeout)
				}
				return ""
			})
		case "interval":
			return p.duration(v, key, "30s, 5m", &cfg.Interval, func(d time.Duration) string {
				if d < MinInterval {
					return "must be at least " + fmtDuration(MinInterval)
				}
				return ""
			})
		case "hosts":
			hostsSet = true
			hosts, err := p.hosts(k, v)
			cfg.Hosts = hosts
			return err
		case "dns":
			return p.dns(v, &cfg.DNS)
		case "tls":
			return p.tls(v, cfg)
		case "warnings":
			return p.warnings(v, &cfg.Warnings)
		case "captive_portal":
			return p.control(v, "captive_portal.", "url", "expect", &cfg.Network)
		case "network":
			return p.control(v, "network.", "control_url", "control_expect", &cfg.Network)
		case "push":
			return p.push(k, v, cfg)
		case "labels":
			return p.labels(v, cfg)
		}
		return nil
	})
	return hostsSet, err
}

func (p *parser) hosts(k, v *yaml.Node) ([]Host, error) {
	const empty = "host list is empty; list at least one host, or remove hosts: to use the built-in Password Boss hosts"
	if isNull(v) {
		return nil, p.errorf(k, empty)
	}
	if v.Kind != yaml.SequenceNode {
		return nil, p.errorf(v, "hosts: expected a list of entries (- host: api.passwordboss.com), got %s", describe(v))
	}
	if len(v.Content) == 0 {
		return nil, p.errorf(v, empty)
	}
	if len(v.Content) > MaxHosts {
		return nil, p.errorf(v, "%d hosts listed; at most %d are probed (every host is probed every run)", len(v.Content), MaxHosts)
	}
	hosts := make([]Host, 0, len(v.Content))
	seen := make(map[string]int) // "host:port" -> line
	for _, item := range v.Content {
		h, err := p.host(item)
		if err != nil {
			return nil, err
		}
		hp := net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
		if line, dup := seen[hp]; dup {
			return nil, p.errorf(item, "duplicate host %s (first listed on line %d); list each host and port once", hp, line)
		}
		seen[hp] = item.Line
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// host parses one entry of the host list. item is the node as written (an
// alias keeps its own line for messages).
func (p *parser) host(item *yaml.Node) (Host, error) {
	n := resolve(item)
	if n.Kind != yaml.MappingNode {
		return Host{}, p.errorf(item, "hosts: expected an entry with host: (e.g. - host: api.passwordboss.com), got %s", describe(n))
	}
	h := Host{Port: DefaultPort, Required: true}
	keys := []string{"host", "port", "required", "allow_private"}
	err := p.fields(n, "", " in a host entry", keys, func(key string, _, v *yaml.Node) error {
		var err error
		switch key {
		case "host":
			if isNull(v) {
				return p.errorf(v, "host: expected a host name (e.g. api.passwordboss.com), got nothing")
			}
			var s string
			if s, err = p.str(v, key); err != nil {
				return err
			}
			name, problem := normalizeHost(s)
			if problem != "" {
				return p.errorf(v, "host: %s %s", quote(s), problem)
			}
			h.Host = name
		case "port":
			h.Port, err = p.port(v, key, h.Port)
		case "required":
			h.Required, err = p.boolean(v, key, h.Required)
		case "allow_private":
			h.AllowPrivate, err = p.boolean(v, key, h.AllowPrivate)
		}
		return err
	})
	if err != nil {
		return Host{}, err
	}
	if h.Host == "" {
		return Host{}, p.errorf(item, "host entry without host:; every entry needs one (e.g. host: api.passwordboss.com)")
	}
	return h, nil
}

func (p *parser) dns(v *yaml.Node, dns *DNS) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "dns: expected settings such as servers: [10.0.0.1], got %s", describe(v))
	}
	return p.fields(v, "dns.", " in dns", []string{"servers"}, func(_ string, _, v *yaml.Node) error {
		if isNull(v) {
			return nil
		}
		if v.Kind != yaml.SequenceNode {
			return p.errorf(v, "dns.servers: expected a list of IP addresses (e.g. [10.0.0.1, \"[2001:db8::1]:53\"]), got %s", describe(v))
		}
		servers := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			n := resolve(item)
			if isNull(n) {
				return p.errorf(item, "dns.servers: expected an IP address, got nothing")
			}
			s, err := p.str(n, "dns.servers")
			if err != nil {
				return err
			}
			addr, problem := normalizeServer(s)
			if problem != "" {
				return p.errorf(item, "dns.servers: %s %s", quote(s), problem)
			}
			servers = append(servers, addr)
		}
		dns.Servers = servers
		return nil
	})
}

func (p *parser) tls(v *yaml.Node, cfg *Config) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "tls: expected settings such as public_roots: roots.pem, got %s", describe(v))
	}
	keys := []string{"public_roots", "system_roots"}
	return p.fields(v, "tls.", " in tls", keys, func(key string, _, v *yaml.Node) error {
		if isNull(v) {
			return nil
		}
		path, err := p.str(v, "tls."+key)
		if err != nil {
			return err
		}
		path = resolvePath(p.dir, path)
		switch key {
		case "public_roots":
			cfg.TLS.PublicRoots, cfg.source.public = path, origin{path, v.Line}
		case "system_roots":
			cfg.TLS.SystemRoots, cfg.source.system = path, origin{path, v.Line}
		}
		return nil
	})
}

func (p *parser) warnings(v *yaml.Node, w *Warnings) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "warnings: expected settings such as cert_expiry: 14d, got %s", describe(v))
	}
	notNegative := func(d time.Duration) string {
		if d < 0 {
			return "must not be negative"
		}
		return ""
	}
	keys := []string{"cert_expiry", "slow_phase"}
	return p.fields(v, "warnings.", " in warnings", keys, func(key string, _, v *yaml.Node) error {
		switch key {
		case "cert_expiry":
			return p.duration(v, "warnings."+key, "336h, 14d", &w.CertExpiry, notNegative)
		case "slow_phase":
			return p.duration(v, "warnings."+key, "3s, 500ms; 0 disables", &w.SlowPhase, notNegative)
		}
		return nil
	})
}

// control parses the control probe's settings: network.control_url and
// control_expect, or their older names captive_portal.url and expect. A
// URL set without an expected answer drops the default's answer: another
// site answers with another page.
func (p *parser) control(v *yaml.Node, prefix, urlKey, expectKey string, n *Network) error {
	if isNull(v) {
		return nil
	}
	section := strings.TrimSuffix(prefix, ".")
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "%s: expected settings such as %s: http://www.msftconnecttest.com/connecttest.txt, got %s", section, urlKey, describe(v))
	}
	expectSet := false
	var urlNode *yaml.Node
	err := p.fields(v, prefix, " in "+section, []string{urlKey, expectKey}, func(key string, _, v *yaml.Node) error {
		s, err := p.str(v, prefix+key)
		if err != nil {
			return err
		}
		if key == expectKey {
			n.ControlExpect, expectSet = s, true
			return nil
		}
		urlNode = v
		return p.controlURL(v, prefix+key, s, n)
	})
	if err == nil && urlNode != nil && !expectSet {
		n.ControlExpect = ""
	}
	return err
}

// controlURL checks and sets the control URL; "off" turns the probe off.
func (p *parser) controlURL(v *yaml.Node, key, s string, n *Network) error {
	if strings.EqualFold(s, "off") {
		n.ControlURL = ""
		return nil
	}
	u, perr := url.Parse(s)
	if perr != nil || u.Scheme != "http" || u.Host == "" {
		// A portal intercepts plain HTTP; over HTTPS it could only
		// break the handshake, which the host checks see already.
		return p.errorf(v, "%s: %s is not a plain http:// URL (e.g. http://www.msftconnecttest.com/connecttest.txt), or off", key, quote(s))
	}
	n.ControlURL = s
	return nil
}

// fields walks mapping n, handing each known key and its (alias-resolved)
// value to set. prefix qualifies key names in messages ("dns."); where says
// which section an unknown key was found in (" in dns").
func (p *parser) fields(n *yaml.Node, prefix, where string, known []string, set func(key string, k, v *yaml.Node) error) error {
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return p.errorf(k, "expected a setting name%s, got %s", where, describe(resolve(k)))
		}
		if k.ShortTag() == "!!merge" {
			return p.errorf(k, "merge keys (<<) are not supported; write the settings out in full")
		}
		key := k.Value
		if line, dup := seen[key]; dup {
			return p.errorf(k, "%s%s is set twice (first on line %d); keep one", prefix, key, line)
		}
		seen[key] = k.Line
		if !slices.Contains(known, key) {
			if guess := closest(key, known); guess != "" {
				return p.errorf(k, "unknown setting %s%s; did you mean %s?", quote(key), where, guess)
			}
			if len(known) == 1 {
				return p.errorf(k, "unknown setting %s%s; expected %s", quote(key), where, known[0])
			}
			return p.errorf(k, "unknown setting %s%s; expected one of %s", quote(key), where, strings.Join(known, ", "))
		}
		if err := set(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

// str reads a scalar as text. Numbers are accepted as text (a file named
// 2024.pem, say); booleans are not, since a host named "true" is a typo.
func (p *parser) str(v *yaml.Node, key string) (string, error) {
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!bool" {
		return "", p.errorf(v, "%s: expected a string, got %s", key, describe(v))
	}
	return v.Value, nil
}

// duration parses v into *dst unless v is empty; check returns what is
// wrong with a parsed value, or "".
func (p *parser) duration(v *yaml.Node, key, examples string, dst *time.Duration, check func(time.Duration) string) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.ScalarNode {
		return p.errorf(v, "%s: expected a duration (e.g. %s), got %s", key, examples, describe(v))
	}
	d, ok := parseDuration(v.Value)
	if !ok {
		return p.errorf(v, "%s: %s is not a duration (e.g. %s)", key, quote(v.Value), examples)
	}
	if problem := check(d); problem != "" {
		return p.errorf(v, "%s: %s %s", key, v.Value, problem)
	}
	*dst = d
	return nil
}

// port reads a port number. Only plain decimal is accepted: YAML would read
// 0443 as octal 291, which nobody means in a port.
func (p *parser) port(v *yaml.Node, key string, def int) (int, error) {
	if isNull(v) {
		return def, nil
	}
	const want = "expected a port number from 1 to 65535"
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
		return 0, p.errorf(v, "%s: %s, got %s", key, want, describe(v))
	}
	s := v.Value
	if !isDigits(s) || (len(s) > 1 && s[0] == '0') {
		return 0, p.errorf(v, "%s: %s in plain decimal, got %s", key, want, v.Value)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, p.errorf(v, "%s: %s is out of range; %s", key, v.Value, want)
	}
	return n, nil
}

func (p *parser) boolean(v *yaml.Node, key string, def bool) (bool, error) {
	if isNull(v) {
		return def, nil
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!bool" {
		switch strings.ToLower(v.Value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, p.errorf(v, "%s: expected true or false, got %s", key, describe(v))
}

// resolve follows an alias to the node it names. Anchors cannot sit on
// aliases, so one step suffices; the bound only guards against a malformed
// tree. Cycles (an anchor used inside itself) cannot make the walk loop,
// because every level of the schema expects a different shape.
func resolve(n *yaml.Node) *yaml.Node {
	for range 8 {
		if n == nil || n.Kind != yaml.AliasNode || n.Alias == nil {
			break
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names what was found, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping (key: value lines)"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case n.Kind != yaml.ScalarNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!bool":
		return n.Value
	case "!!int", "!!float":
		return "the number " + quote(n.Value)
	}
	return "the string " + quote(n.Value)
}

// quote quotes s for a message, shortened so that a pasted certificate does
// not bury the point.
func quote(s string) string {
	const limit = 60
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return strconv.Quote(s)
}

// fmtDuration drops the zero tails of time.Duration.String ("5m0s" -> "5m").
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
