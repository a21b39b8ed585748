package push

import (
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Remote-write 1.0 sends a prometheus.WriteRequest protobuf:
//
//	WriteRequest { repeated TimeSeries timeseries = 1; }
//	TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//	Label        { string name = 1; string value = 2; }
//	Sample       { double value = 1; int64 timestamp = 2; }  // milliseconds
//
// client_golang/exp ships generated types for 2.0 only; the four 1.0
// messages are small enough to encode by hand with protowire, which keeps
// the gogo/prompb module tree out of the agent.

// Label is one name="value" pair.
type Label struct{ Name, Value string }

// Series is one time series with its samples, oldest first.
type Series struct {
	Labels  []Label // sorted by name, __name__ first
	Samples []Sample
}

// Sample is one value at a time in Unix milliseconds.
type Sample struct {
	Value  float64
	TimeMS int64
}

// staleNaN is Prometheus' stale marker: a NaN with this exact bit pattern
// tells the store that the series ended, so a query stops showing it at
// once instead of for the 5-minute lookback.
var staleNaN = math.Float64frombits(0x7ff0000000000002)

// IsStale reports whether v is the stale marker.
func IsStale(v float64) bool { return math.Float64bits(v) == 0x7ff0000000000002 }

// encodeRequest encodes a WriteRequest.
func encodeRequest(series []Series) []byte {
	var b []byte
	for i := range series {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, encodeSeries(&series[i]))
	}
	return b
}

func encodeSeries(s *Series) []byte {
	var b []byte
	for _, l := range s.Labels {
		var lb []byte
		lb = protowire.AppendTag(lb, 1, protowire.BytesType)
		lb = protowire.AppendString(lb, l.Name)
		lb = protowire.AppendTag(lb, 2, protowire.BytesType)
		lb = protowire.AppendString(lb, l.Value)
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, lb)
	}
	for _, smp := range s.Samples {
		var sb []byte
		sb = protowire.AppendTag(sb, 1, protowire.Fixed64Type)
		sb = protowire.AppendFixed64(sb, math.Float64bits(smp.Value))
		sb = protowire.AppendTag(sb, 2, protowire.VarintType)
		sb = protowire.AppendVarint(sb, uint64(smp.TimeMS))
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, sb)
	}
	return b
}

// DecodeRequest decodes a WriteRequest; tests and the backlog's sample
// count use it. Unknown fields are skipped as protobuf requires.
func DecodeRequest(b []byte) ([]Series, error) {
	var out []Series
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != 1 || typ != protowire.BytesType {
			return nil
		}
		s, err := decodeSeries(v)
		out = append(out, s)
		return err
	})
	return out, err
}

func decodeSeries(b []byte) (Series, error) {
	var s Series
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			var l Label
			err := fields(v, func(n protowire.Number, t protowire.Type, v []byte, _ uint64) error {
				if t == protowire.BytesType && n == 1 {
					l.Name = string(v)
				} else if t == protowire.BytesType && n == 2 {
					l.Value = string(v)
				}
				return nil
			})
			s.Labels = append(s.Labels, l)
			return err
		case num == 2 && typ == protowire.BytesType:
			var smp Sample
			err := fields(v, func(n protowire.Number, t protowire.Type, _ []byte, x uint64) error {
				if n == 1 && t == protowire.Fixed64Type {
					smp.Value = math.Float64frombits(x)
				} else if n == 2 && t == protowire.VarintType {
					smp.TimeMS = int64(x)
				}
				return nil
			})
			s.Samples = append(s.Samples, smp)
			return err
		}
		return nil
	})
	return s, err
}

var errTruncated = errors.New("truncated protobuf")

// fields walks the fields of one message: bytes fields hand their payload,
// varint and fixed64 fields their number.
func fields(b []byte, f func(protowire.Number, protowire.Type, []byte, uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, errTruncated)
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// rawRequest is an encoded WriteRequest as the remote API sends it: it
// implements the gogo-style Size/MarshalToSizedBuffer pair, so the bytes
// kept in the backlog go out unchanged.
type rawRequest []byte

func (r rawRequest) Size() int { return len(r) }

func (r rawRequest) MarshalToSizedBuffer(b []byte) (int, error) {
	if len(b) < len(r) {
		return 0, fmt.Errorf("buffer of %d bytes for a %d-byte request", len(b), len(r))
	}
	return copy(b[len(b)-len(r):], r), nil
}
