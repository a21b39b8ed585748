// Package config reads pbprobe's YAML config file: the hosts to probe, the
// probe timeout and interval, DNS and trust-store overrides and warning
// thresholds. Every setting has a default, and the default host list is the
// embedded hosts.yaml, so an absent or empty file is a valid configuration.
//
// Problems are reported as *Error with the file name and line, because the
// people editing the file are technicians on a customer PC, not developers.
package config

import (
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/pbprobe/pbprobe/probes"
)

// The embedded table is data rather than Go so that it reads like the
// config file that overrides it.
//
//go:embed hosts.yaml
var defaultHostsYAML []byte

// Defaults and limits. They are exported so that flags and docs can show the
// same numbers the parser applies.
const (
	DefaultPort       = 443
	DefaultTimeout    = 10 * time.Second
	DefaultInterval   = 5 * time.Minute
	DefaultCertExpiry = 14 * 24 * time.Hour
	DefaultSlowPhase  = 2 * time.Second

	// MaxTimeout keeps a wrong unit ("10m" for "10s") from stalling a
	// check run through an RMM tool, which gives up long before.
	MaxTimeout = 5 * time.Minute
	// MinInterval keeps the agent from hammering the hosts (and the
	// customer's firewall logs).
	MinInterval = time.Second
)

// Config is one parsed config file with the defaults filled in.
type Config struct {
	Hosts    []Host        // never empty after Parse
	Timeout  time.Duration // per-host chain deadline
	Interval time.Duration // time between agent probe runs
	DNS      DNS
	TLS      TLS
	Warnings Warnings
	// Network is the control probe: a neutral site that tells "this PC
	// has no internet" from "these hosts are blocked". On by default.
	Network Network
	// Push sends every run to a remote-write store (push.go); off while
	// Push.URL is empty.
	Push Push
	// Labels are the identity labels (site, customer, machine) attached
	// to every pushed series.
	Labels map[string]string

	// source remembers where the TLS paths came from, so that a missing
	// PEM file found later by ProbeOptions still points at its line.
	source source
}

type source struct {
	file           string
	public, system origin
}

// origin is the config line that named a PEM file, and the path it named.
type origin struct {
	path string
	line int
}

// Host is one row of the host table.
type Host struct {
	Host         string // lower-case DNS name without trailing dot, or an IP literal
	Port         int
	Required     bool // the PC is ready only when every required host is ok
	AllowPrivate bool // private and loopback answers are real, not a sinkhole
}

// DNS overrides the resolvers the OS would use.
type DNS struct {
	// Servers are "ip:port" (IPv6 as "[::1]:53"); empty means the OS's
	// resolvers.
	Servers []string
}

// TLS overrides the trust stores. Paths are absolute, or relative to the
// directory of the name given to Parse.
type TLS struct {
	// PublicRoots is a PEM file replacing the embedded Mozilla root set
	// that TLS interception is detected against.
	PublicRoots string
	// SystemRoots is a PEM file replacing the OS trust store: for tests
	// and for deployments that pin their roots.
	SystemRoots string
}

// Warnings are the thresholds for findings that do not affect readiness.
type Warnings struct {
	CertExpiry time.Duration // warn when the leaf expires within this
	SlowPhase  time.Duration // warn when one phase takes longer; 0 disables
}

// Network configures the control probe (network.control_url, formerly
// captive_portal.url): one plain-HTTP GET to a site that answers the same
// everywhere, run alongside the hosts. Its answer decides whether the PC
// has internet at all, and catches a captive portal.
type Network struct {
	// ControlURL is a plain http:// address; empty means the probe is off
	// (control_url: off). The default is the URL this OS itself uses for
	// its connectivity check (probes.DefaultControlURL).
	ControlURL string
	// ControlExpect is the exact body it answers with ("Microsoft Connect
	// Test"); empty means any 2xx answer without a redirect.
	ControlExpect string
}

// Default is the configuration of an absent config file: the embedded
// five-host table and the default settings.
func Default() *Config {
	cfg, hostsSet, err := parse(defaultHostsYAML, "hosts.yaml (embedded)", "")
	if err != nil || !hostsSet {
		// The embedded table is covered by tests; reaching this is a
		// build that shipped a broken file, not a user error.
		panic(fmt.Sprintf("config: embedded hosts.yaml is invalid (hosts set: %v): %v", hostsSet, err))
	}
	return cfg
}

// Load reads and parses the config file at path. An empty path means no
// file: Default(). Errors are *Error.
func Load(path string) (*Config, error) {
	if path == "" {
		return Default(), nil
	}
	data, err := readRegular(path, MaxFileSize)
	if err != nil {
		msg := err.Error()
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			msg = pe.Err.Error() // the path is already in File
		}
		return nil, &Error{File: path, Msg: "cannot read the config file: " + msg, err: err}
	}
	// Relative PEM paths follow the file, not the directory the service
	// happens to start in.
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(path); err == nil {
		dir = filepath.Dir(abs)
	}
	cfg, _, err := parseWithDefaults(data, path, dir)
	return cfg, err
}

// Parse parses a config file's contents. name is used in error messages and
// its directory is the base for relative PEM paths (lexically: no working
// directory is consulted). An empty document means all defaults. Errors are
// *Error.
func Parse(data []byte, name string) (*Config, error) {
	if name == "" {
		name = "config"
	}
	cfg, _, err := parseWithDefaults(data, name, filepath.Dir(name))
	return cfg, err
}

// parseWithDefaults is parse plus the embedded host table for a file that
// does not list hosts.
func parseWithDefaults(data []byte, name, dir string) (*Config, bool, error) {
	cfg, hostsSet, err := parse(data, name, dir)
	if err != nil {
		return nil, false, err
	}
	if !hostsSet {
		cfg.Hosts = Default().Hosts
	}
	return cfg, hostsSet, nil
}

// defaults is the configuration before the file is applied, minus hosts.
func defaults() *Config {
	return &Config{
		Timeout:  DefaultTimeout,
		Interval: DefaultInterval,
		Warnings: Warnings{CertExpiry: DefaultCertExpiry, SlowPhase: DefaultSlowPhase},
		Network:  Network{ControlURL: probes.DefaultControlURL, ControlExpect: probes.DefaultControlExpect},
		Push:     defaultPush(),
	}
}

// Targets are the hosts as the probe library sees them, in table order.
func (c *Config) Targets() []probes.Target {
	ts := make([]probes.Target, len(c.Hosts))
	for i, h := range c.Hosts {
		ts[i] = probes.Target{Host: h.Host, Port: h.Port, AllowPrivate: h.AllowPrivate}
	}
	return ts
}

// ProbeOptions translates the config into the probe library's options,
// loading the PEM files named in tls:. It reads files, so it is the point
// where a missing roots file turns into an error.
func (c *Config) ProbeOptions() (probes.Options, error) {
	opts := probes.Options{Timeout: c.Timeout}
	if len(c.DNS.Servers) > 0 {
		opts.Resolvers = append([]string(nil), c.DNS.Servers...)
	}
	var err error
	if c.TLS.SystemRoots != "" {
		if opts.SystemRoots, err = LoadPEMPool(c.TLS.SystemRoots); err != nil {
			return probes.Options{}, c.pemError("tls.system_roots", c.TLS.SystemRoots, c.source.system, err)
		}
	}
	if c.TLS.PublicRoots != "" {
		if opts.PublicRoots, err = LoadPEMPool(c.TLS.PublicRoots); err != nil {
			return probes.Options{}, c.pemError("tls.public_roots", c.TLS.PublicRoots, c.source.public, err)
		}
	}
	return opts, nil
}

// pemError points a PEM failure at the config line that named the file. A
// path set in code (a flag, a test) has no such line and gets a plain error.
func (c *Config) pemError(key, path string, from origin, err error) error {
	if from.line == 0 || from.path != path {
		return fmt.Errorf("%s: %w", key, err)
	}
	return &Error{File: c.source.file, Line: from.line, Msg: key + ": " + err.Error(), err: err}
}

// LoadPEMPool reads a PEM file of certificates into a pool. Unlike
// x509.CertPool.AppendCertsFromPEM it fails on a malformed certificate and
// on a file without any, because a silently empty root set would make every
// host look intercepted or untrusted.
func LoadPEMPool(path string) (*x509.CertPool, error) {
	data, err := readRegular(path, maxPEMSize)
	if pe := (*fs.PathError)(nil); err != nil && !errors.As(err, &pe) {
		return nil, fmt.Errorf("read PEM file %s: %w", path, err) // name the file the error does not
	}
	if err != nil {
		return nil, fmt.Errorf("read PEM file: %w", err)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		// Other blocks (keys, parameters) are tolerated so that a combined
		// file works; only the certificates count.
		if block.Type != "CERTIFICATE" {
			continue
		}
		n++
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %w", path, n, err)
		}
		pool.AddCert(cert)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s holds no certificate; expected PEM blocks starting with -----BEGIN CERTIFICATE-----", path)
	}
	return pool, nil
}
