package agent

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// parseLogfmt reads one logfmt line into its pairs, in order: the reader a
// log shipper (promtail, vector, Splunk's kv) applies.
func parseLogfmt(line string) ([][2]string, error) {
	var out [][2]string
	for line != "" {
		eq := strings.IndexByte(line, '=')
		if eq <= 0 || strings.ContainsAny(line[:eq], " \"") {
			return nil, errors.New("no key at " + strconv.Quote(line))
		}
		key, rest := line[:eq], line[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := 1
			for end < len(rest) && rest[end] != '"' {
				if rest[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(rest) {
				return nil, errors.New("unterminated quote in " + strconv.Quote(rest))
			}
			v, err := strconv.Unquote(rest[:end+1])
			if err != nil {
				return nil, err
			}
			val, rest = v, rest[end+1:]
		} else {
			sp := strings.IndexByte(rest, ' ')
			if sp < 0 {
				sp = len(rest)
			}
			val, rest = rest[:sp], rest[sp:]
		}
		out = append(out, [2]string{key, val})
		if rest != "" && rest[0] != ' ' {
			return nil, errors.New("no space after " + key)
		}
		line = strings.TrimPrefix(rest, " ")
	}
	return out, nil
}

// The console's logfmt reads back, value for value, whatever a field
// holds: spaces, quotes, '=', a newline from a server's error, nothing.
func TestLogfmtReadsBack(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l, closeLog, err := NewLogger(LogOptions{Format: LogFormatLogfmt, Console: &buf})
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	l.With(zap.String("run", "r 1")).Warn("host down",
		zap.String("host", "api.passwordboss.com"), zap.Int("port", 443), zap.Bool("ok", false),
		zap.Float64("tcp_ms", 10000.4), zap.Duration("down_for", 90*time.Second),
		zap.String("detail", "dial tcp: i/o timeout\nsecond=line \"quoted\" \\ back"),
		zap.String("empty", ""), zap.Strings("warnings", []string{"ipv6_unreachable", "slow_tls"}),
		zap.Error(errors.New("x509: certificate signed by unknown authority")))
	line := strings.TrimSuffix(buf.String(), "\n")
	if strings.Contains(line, "\n") {
		t.Fatalf("more than one line: %q", buf.String())
	}
	pairs, err := parseLogfmt(line)
	if err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	want := [][2]string{
		{"level", "warn"}, {"msg", "host down"}, {"run", "r 1"}, {"host", "api.passwordboss.com"}, {"port", "443"},
		{"ok", "false"}, {"tcp_ms", "10000.4"}, {"down_for", "1m30s"},
		{"detail", "dial tcp: i/o timeout\nsecond=line \"quoted\" \\ back"}, {"empty", ""},
		{"warnings", "ipv6_unreachable,slow_tls"}, {"error", "x509: certificate signed by unknown authority"},
	}
	if len(pairs) == 0 || pairs[0][0] != "ts" {
		t.Fatalf("the line does not start with ts: %q", line)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", pairs[0][1]); err != nil {
		t.Errorf("ts %q: %v", pairs[0][1], err)
	}
	got := pairs[1:]
	if len(got) != len(want) {
		t.Fatalf("pairs %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %q, want %q", i, got[i], want[i])
		}
	}
}
