package agent

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/pbprobe/pbprobe/probes"
)

// LogOptions configure the agent's logger.
type LogOptions struct {
	// Level is debug, info, warn or error; empty means info.
	Level string
	// Format is the console's format: logfmt (key=value pairs, one line
	// per entry) or json; empty means logfmt. The file is always JSON lines.
	Format string
	// Console receives the foreground log; nil means no console output.
	Console io.Writer
	// File is the JSON-lines log file; empty means no file.
	File string
	// Rotation of File. Zero or less means the default: 10 MB, 5 rotated
	// files, 28 days. Rotated files are gzipped.
	MaxSizeMB, MaxBackups, MaxAgeDays int
}

// Rotation defaults: a few months of a healthy agent's transitions, or a
// day or two of debug logging, in at most about 60 MB.
const (
	DefaultLogMaxSizeMB  = 10
	DefaultLogMaxBackups = 5
	DefaultLogMaxAgeDays = 28
)

// Log formats for the console.
const (
	LogFormatLogfmt = "logfmt"
	LogFormatJSON   = "json"
)

var logLevels = []string{"debug", "info", "warn", "error"}

// ParseLogLevel parses a --log.level value. Only the four levels an
// operator can sensibly choose are accepted; zap's panic and fatal are not
// filters anyone wants for a monitoring agent.
func ParseLogLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return zapcore.InfoLevel, nil
	case "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "warn", "warning":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return zapcore.InfoLevel, fmt.Errorf("invalid log level %q: valid levels are %s", s, strings.Join(logLevels, ", "))
}

// NewLogger builds the agent's logger: the console in the chosen format and
// the file as JSON lines, both filtered by one level. The returned close
// function flushes and closes the file; call it once on shutdown.
func NewLogger(o LogOptions) (*zap.Logger, func() error, error) {
	level, err := ParseLogLevel(o.Level)
	if err != nil {
		return nil, nil, err
	}
	var cores []zapcore.Core
	if o.Console != nil {
		var enc zapcore.Encoder
		switch strings.ToLower(strings.TrimSpace(o.Format)) {
		case "", LogFormatLogfmt:
			enc = newLogfmtEncoder(encoderConfig())
		case LogFormatJSON:
			enc = zapcore.NewJSONEncoder(encoderConfig())
		default:
			return nil, nil, fmt.Errorf("invalid log format %q: valid formats are %s, %s", o.Format, LogFormatLogfmt, LogFormatJSON)
		}
		cores = append(cores, zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(writeOnly{o.Console})), level))
	}
	closeFile := func() error { return nil }
	if o.File != "" {
		lj, err := openLogFile(o)
		if err != nil {
			return nil, nil, err
		}
		// lumberjack writes straight to the file, so closing it is all the
		// flushing there is.
		closeFile = lj.Close
		cores = append(cores, zapcore.NewCore(zapcore.NewJSONEncoder(encoderConfig()), zapcore.AddSync(lj), level))
	}
	return zap.New(zapcore.NewTee(cores...)), closeFile, nil
}

// openLogFile prepares the rotated file. lumberjack opens lazily on the
// first write, which would turn a bad path into a silent loss of every log
// line; opening here makes it a start-up error the technician sees. It also
// creates the file with our modes: lumberjack would use 0o755 for the
// directory and 0o600 for the file, and copies the file's mode on rotation.
func openLogFile(o LogOptions) (*lumberjack.Logger, error) {
	path := o.File
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("cannot create the directory of log file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("cannot open log file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("cannot open log file %s: %w", path, err)
	}
	return &lumberjack.Logger{
		Filename:   path,
		MaxSize:    orDefault(o.MaxSizeMB, DefaultLogMaxSizeMB),
		MaxBackups: orDefault(o.MaxBackups, DefaultLogMaxBackups),
		MaxAge:     orDefault(o.MaxAgeDays, DefaultLogMaxAgeDays),
		Compress:   true,
	}, nil
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// encoderConfig is shared by the console and the file so that a line reads
// the same in both. Times are local with their offset: technicians compare
// them with the clock on the PC, and the offset keeps them unambiguous.
func encoderConfig() zapcore.EncoderConfig {
	return zapcore.EncoderConfig{
		TimeKey:        "ts",
		LevelKey:       "level",
		NameKey:        "logger",
		MessageKey:     "msg",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeTime:     zapcore.TimeEncoderOfLayout("2006-01-02T15:04:05.000Z07:00"),
		EncodeDuration: zapcore.StringDurationEncoder,
		EncodeName:     zapcore.FullNameEncoder,
	}
}

// writeOnly hides a console's Sync: syncing a terminal or a pipe fails
// (EINVAL, ENOTTY) on most systems, and console writes are unbuffered, so
// there is nothing to flush and no error worth reporting.
type writeOnly struct{ w io.Writer }

func (w writeOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

// noStacktraces is above every slog level: the web server's errors (a TLS
// handshake from a scanner, a bad basic-auth header) are about the client,
// and a stack trace of our own code would only bury them.
const noStacktraces = slog.Level(1 << 20)

// SlogFor adapts l for libraries that take a *slog.Logger, such as
// exporter-toolkit, so that their lines land in the same file and console
// with the same level filter.
func SlogFor(l *zap.Logger) *slog.Logger {
	return slog.New(zapslog.NewHandler(l.Core(), zapslog.WithName(l.Name()), zapslog.AddStacktraceAt(noStacktraces)))
}

// Log messages are constants, in English: technicians and support grep for
// them, whatever the language of the reports.
const (
	msgProbe          = "probe"
	msgHostDown       = "host down"
	msgHostUp         = "host up"
	msgReasonChanged  = "host reason changed"
	msgReady          = "ready"
	msgNotReady       = "not ready"
	msgWarningRaised  = "warning raised"
	msgWarningCleared = "warning cleared"
)

// LogRuns returns the hook that logs what changed between two runs: hosts
// going down or up, a failing host's reason changing (the agent's
// Transitions, which the service's Event Log writes too), readiness,
// warnings appearing or disappearing. At info a healthy agent logs its
// starting state once and then nothing until something changes; every
// probe is logged at debug.
func LogRuns(l *zap.Logger) RunHook {
	// warnings are the codes logged as raised and not yet cleared, per host.
	warnings := map[hostKey][]WarningCode{}
	return func(ev RunEvent) {
		cur := ev.Cur
		changed := map[*HostReport]Transition{}
		for _, tr := range ev.Transitions {
			changed[tr.Host] = tr
		}
		seen := map[hostKey]bool{}
		for i := range cur.Hosts {
			h := &cur.Hosts[i]
			k := hostKey{h.Host, h.Port}
			seen[k] = true
			logProbe(l, h)
			if h.Reason == probes.NotChecked {
				// No probe finished for the host: nothing is known, so
				// nothing changed.
				continue
			}
			if tr, ok := changed[h]; ok {
				logTransition(l, tr)
			}
			warnings[k] = logWarnings(l, h, warnings[k])
		}
		// A host dropped from the table by a reload starts afresh if it
		// comes back; this also keeps the state bounded by the table.
		for k := range warnings {
			if !seen[k] {
				delete(warnings, k)
			}
		}
		logReadiness(l, ev.Prev, cur, ev.Prev == nil || ev.Prev.CheckedAt.IsZero())
	}
}

func logProbe(l *zap.Logger, h *HostReport) {
	ce := l.Check(zapcore.DebugLevel, msgProbe)
	if ce == nil {
		return
	}
	fs := []zap.Field{
		zap.String("host", h.Host), zap.Int("port", h.Port),
		zap.Bool("ok", h.OK), zap.String("reason", string(h.Reason)),
	}
	if h.DNS != nil {
		fs = append(fs, zap.Float64("dns_ms", h.DNS.MS))
		if h.DNS.Resolver != "" {
			fs = append(fs, zap.String("resolver", h.DNS.Resolver))
		}
	}
	if h.TCP != nil {
		fs = append(fs, zap.Float64("tcp_ms", h.TCP.MS))
	}
	if h.TLS != nil {
		fs = append(fs, zap.Float64("tls_ms", h.TLS.MS))
	}
	if h.TCP != nil && h.TCP.Address != "" {
		fs = append(fs, zap.String("address", h.TCP.Address))
	}
	if h.Error != "" {
		fs = append(fs, zap.String("error", h.Error))
	}
	fs = append(fs, zap.Strings("warnings", warningCodes(h.Warnings)))
	ce.Write(fs...)
}

func logTransition(l *zap.Logger, tr Transition) {
	h := tr.Host
	switch tr.Change {
	case ChangeUp:
		fs := []zap.Field{zap.String("host", h.Host), zap.Int("port", h.Port)}
		if tr.Initial {
			fs = append(fs, zap.Bool("initial", true))
		} else {
			fs = append(fs, zap.String("previous_reason", string(tr.Previous)))
			if tr.DownFor > 0 {
				fs = append(fs, zap.Duration("down_for", tr.DownFor))
			}
		}
		l.Info(msgHostUp, fs...)
	case ChangeDown:
		fs := failureFields(h)
		if tr.Initial {
			fs = append(fs, zap.Bool("initial", true))
		}
		l.Warn(msgHostDown, fs...)
	case ChangeReason:
		fs := failureFields(h)
		fs = append(fs, zap.String("previous_reason", string(tr.Previous)))
		l.Warn(msgReasonChanged, fs...)
	}
}

// failureFields are the facts a technician needs to act on a failure
// without opening the status page: the classified reason, the technical
// error, and where the probe got to (which resolver, which address, and for
// TLS failures who issued the certificate — an inspection proxy names
// itself there).
func failureFields(h *HostReport) []zap.Field {
	fs := []zap.Field{
		zap.String("host", h.Host), zap.Int("port", h.Port), zap.Bool("required", h.Required),
		zap.String("reason", string(h.Reason)), zap.String("stage", string(h.Stage)),
	}
	if h.Error != "" {
		fs = append(fs, zap.String("error", h.Error))
	}
	if d := h.DNS; d != nil {
		if d.Resolver != "" {
			fs = append(fs, zap.String("resolver", d.Resolver))
		}
		if d.Rcode != "" {
			fs = append(fs, zap.String("rcode", d.Rcode))
		}
	}
	switch {
	case h.TCP != nil && h.TCP.Address != "":
		fs = append(fs, zap.String("address", h.TCP.Address))
	case h.DNS != nil && len(h.DNS.Sinkholed) > 0:
		fs = append(fs, zap.Strings("sinkholed", h.DNS.Sinkholed))
	case h.DNS != nil && len(h.DNS.Addresses) > 0:
		// No connection: the addresses tried are the facts for the
		// firewall admin.
		fs = append(fs, zap.Strings("addresses", h.DNS.Addresses))
	}
	if h.Stage == probes.StageTLS && h.TLS != nil && h.TLS.Issuer != "" {
		fs = append(fs, zap.String("issuer", h.TLS.Issuer))
	}
	return append(fs, httpFields(h)...)
}

// httpFields are the HTTP facts behind an HTTP-stage failure.
func httpFields(h *HostReport) []zap.Field {
	v := h.HTTP
	if v == nil {
		return nil
	}
	switch h.Reason {
	case probes.ClockSkew:
		// Both, so that a log search tells a PC whose clock is off from
		// a server whose clock is.
		fs := []zap.Field{zap.Float64("clock_skew_s", v.ClockSkewS)}
		if !v.Date.IsZero() {
			fs = append(fs, zap.Time("server_date", v.Date))
		}
		return fs
	case probes.HTTPBlocked:
		return []zap.Field{zap.String("blocked_by", v.BlockedBy)}
	}
	return nil
}

// logWarnings compares the host's warnings with the ones logged before
// and returns what is logged as raised now. A failing host may not have got
// far enough to see its warnings again, so their absence then clears
// nothing; otherwise a host that goes down and comes back would log its
// warnings as cleared and raised again.
func logWarnings(l *zap.Logger, h *HostReport, raised []WarningCode) []WarningCode {
	now := warningCodes(h.Warnings)
	for _, w := range h.Warnings {
		if slices.Contains(raised, w.Code) {
			continue
		}
		raised = append(raised, w.Code)
		l.Info(msgWarningRaised, warningFields(h, w)...)
	}
	if !h.OK {
		return raised
	}
	kept := raised[:0]
	for _, c := range raised {
		if slices.Contains(now, string(c)) {
			kept = append(kept, c)
			continue
		}
		l.Info(msgWarningCleared, zap.String("host", h.Host), zap.Int("port", h.Port), zap.String("code", string(c)))
	}
	return kept
}

func warningFields(h *HostReport, w Warning) []zap.Field {
	fs := []zap.Field{zap.String("host", h.Host), zap.Int("port", h.Port), zap.String("code", string(w.Code))}
	if len(w.Addresses) > 0 {
		fs = append(fs, zap.Strings("addresses", w.Addresses))
	}
	if w.Code == WarnCertExpiring {
		fs = append(fs, zap.Int("days", w.Days))
	}
	if w.Phase != probes.StageNone {
		fs = append(fs, zap.String("phase", string(w.Phase)), zap.Float64("took_ms", w.TookMS), zap.Float64("threshold_ms", w.ThresholdMS))
	}
	return fs
}

func logReadiness(l *zap.Logger, prev, cur *Document, initial bool) {
	if !initial && prev.Ready == cur.Ready {
		return
	}
	var ok, failing, requiredFailing int
	var failingHosts []string
	for _, h := range cur.Hosts {
		if h.OK {
			ok++
			continue
		}
		failing++
		if h.Required {
			requiredFailing++
			failingHosts = append(failingHosts, h.Host+":"+strconv.Itoa(h.Port))
		}
	}
	fs := []zap.Field{zap.Int("hosts", len(cur.Hosts)), zap.Int("ok", ok), zap.Int("failing", failing)}
	if initial {
		fs = append(fs, zap.Bool("initial", true))
	}
	if cur.Ready {
		l.Info(msgReady, fs...)
		return
	}
	fs = append(fs, zap.Int("required_failing", requiredFailing), zap.Strings("failing_hosts", failingHosts))
	l.Warn(msgNotReady, fs...)
}

func warningCodes(ws []Warning) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, string(w.Code))
	}
	return out
}
