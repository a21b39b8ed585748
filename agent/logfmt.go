package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// logfmtEncoder writes logfmt, one line of key=value pairs per entry:
//
//	ts=2026-11-25T10:40:00.000+01:00 level=warn msg="host down" host=api.passwordboss.com reason=tcp_timeout
//
// It lets zap's JSON encoder do the work (every field type, the fields of
// With, the entry's keys) and rewrites its object as pairs in the same
// order, so that both formats always carry the same facts.
type logfmtEncoder struct {
	zapcore.Encoder // the JSON encoder, which holds the With fields
	pool            buffer.Pool
}

func newLogfmtEncoder(cfg zapcore.EncoderConfig) zapcore.Encoder {
	return logfmtEncoder{Encoder: zapcore.NewJSONEncoder(cfg), pool: buffer.NewPool()}
}

func (e logfmtEncoder) Clone() zapcore.Encoder {
	return logfmtEncoder{Encoder: e.Encoder.Clone(), pool: e.pool}
}

func (e logfmtEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	js, err := e.Encoder.EncodeEntry(ent, fields)
	if err != nil {
		return nil, err
	}
	defer js.Free()
	out := e.pool.Get()
	if err := jsonToLogfmt(out, js.Bytes()); err != nil {
		out.Free()
		return nil, fmt.Errorf("logfmt: %w", err)
	}
	out.AppendByte('\n')
	return out, nil
}

// jsonToLogfmt writes the pairs of one flat JSON object; a nested value
// (an array, an object) becomes its compact JSON, quoted, except a list of
// strings, which reads best joined by commas.
func jsonToLogfmt(out *buffer.Buffer, obj []byte) error {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	var pairs []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		pair := logfmtKey(fmt.Sprint(key)) + "=" + logfmtValue(raw)
		if key == "ts" {
			// The time leads, as in every logfmt reader's examples.
			pairs = append([]string{pair}, pairs...)
			continue
		}
		pairs = append(pairs, pair)
	}
	out.AppendString(strings.Join(pairs, " "))
	return nil
}

// logfmtValue renders one JSON value as a logfmt value.
func logfmtValue(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return logfmtQuote(s)
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return logfmtQuote(strings.Join(list, ","))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return logfmtQuote(string(raw))
	}
	v := compact.String()
	if v == "" || v[0] == '{' || v[0] == '[' {
		return logfmtQuote(v)
	}
	return v // a number, true, false or null
}

// logfmtQuote quotes a value that would otherwise not read back as one:
// empty, or with a space, '=', a quote or a control character in it.
func logfmtQuote(s string) string {
	if s == "" || strings.IndexFunc(s, needsQuote) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

func needsQuote(r rune) bool {
	return r <= ' ' || r == '=' || r == '"' || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
}

// logfmtKey keeps a key a single token; the keys are ours, so this only
// guards against a mistake.
func logfmtKey(k string) string {
	return strings.Map(func(r rune) rune {
		if needsQuote(r) {
			return '_'
		}
		return r
	}, k)
}
