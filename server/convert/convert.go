// Package convert translates between sbomgraph's model (ingest/sbom, graph, graph/query,
// graph/diff) and its gRPC API (api/sbomgraph/v1), in both directions: the server converts
// model results to proto messages, and clients convert the messages back to the model to
// render them with the same code as offline results.
//
// Every XxxToProto has an XxxFromProto, and a value converted to proto and back equals the
// original, with these exceptions: times come back in UTC (compare them with Equal); an enum
// value this API version does not name comes back as the model's zero value; and lists the
// model keeps nil when empty (CPEs, hashes, tools, paths) come back nil, while lists it
// documents as never nil (warnings, matches, every list of a diff) come back empty.
//
// Proto types never leave server/ and the CLI client; everything else speaks the model.
package convert

import (
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// timeToProto converts a time; the zero time is an unset timestamp.
func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// timeFromProto converts a timestamp; unset is the zero time.
func timeFromProto(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// TimeToProto converts a time to a timestamp, the zero time to nil (unset), as every
// converter here does.
func TimeToProto(t time.Time) *timestamppb.Timestamp { return timeToProto(t) }

// TimeFromProto converts a timestamp to a time in UTC, nil (unset) to the zero time.
func TimeFromProto(ts *timestamppb.Timestamp) time.Time { return timeFromProto(ts) }

// enumTable maps a model's string-like enumeration to a proto enum, both ways.
type enumTable[M comparable, P comparable] struct {
	toProto   map[M]P
	fromProto map[P]M
}

// newEnumTable builds the table from the model-to-proto map, which must be one-to-one.
func newEnumTable[M comparable, P comparable](m map[M]P) enumTable[M, P] {
	t := enumTable[M, P]{toProto: m, fromProto: make(map[P]M, len(m))}
	for k, v := range m {
		t.fromProto[v] = k
	}
	return t
}

// proto returns the proto value of m, or the proto zero value (UNSPECIFIED) when m has none.
func (t enumTable[M, P]) proto(m M) P { return t.toProto[m] }

// model returns the model value of p, or the model zero value when p has none.
func (t enumTable[M, P]) model(p P) M { return t.fromProto[p] }

// convertAll converts a slice element by element; nil or empty gives nil.
func convertAll[T, U any](in []T, f func(*T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}

// convertAllFromProto converts a slice of messages; nil or empty gives nil, or an empty
// non-nil slice when nonNil is set.
func convertAllFromProto[P any, M any](in []P, f func(P) M, nonNil bool) []M {
	if len(in) == 0 {
		if nonNil {
			return []M{}
		}
		return nil
	}
	out := make([]M, len(in))
	for i, p := range in {
		out[i] = f(p)
	}
	return out
}

// cloneStrings copies s; nil or empty gives nil.
func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// cloneStringsNonNil copies s; nil or empty gives an empty non-nil slice.
func cloneStringsNonNil(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	return slices.Clone(s)
}
