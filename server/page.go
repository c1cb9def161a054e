package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sbomgraph/sbomgraph/graph"
)

// Paging: a listing sorts its items in a fixed order, and a page token holds the position of
// the last item returned (not an offset), so the next page starts after it even when items
// were added meanwhile, and never repeats one. The token also holds a fingerprint of the
// request, so it is refused with another request. Tokens are opaque to clients: base64url of
// a small JSON object.

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// pageSize reads a request's page_size: 0 is the default, more than the maximum is the
// maximum, negative is an error wrapping graph.ErrInvalid.
func pageSize(n int32) (int, error) {
	switch {
	case n < 0:
		return 0, fmt.Errorf("%w: negative page_size %d", graph.ErrInvalid, n)
	case n == 0:
		return defaultPageSize, nil
	}
	return min(int(n), maxPageSize), nil
}

// fingerprint identifies a request's question (what it asks, without paging and mask).
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// pageToken is a token's content: the request's fingerprint and the last item's position.
type pageToken[K any] struct {
	Q string `json:"q"`
	K K      `json:"k"`
}

// encodePageToken returns the token continuing after key.
func encodePageToken[K any](fp string, key K) string {
	b, err := json.Marshal(pageToken[K]{Q: fp, K: key})
	if err != nil {
		// Keys are plain structs of strings and integers; Marshal cannot fail on them.
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodePageToken reads a token made by encodePageToken for the request with fingerprint fp.
// It returns ok=false for an empty token (the first page), and an error wrapping
// graph.ErrInvalid for a token that is malformed or was made for another request.
func decodePageToken[K any](tok, fp string) (key K, ok bool, err error) {
	if tok == "" {
		return key, false, nil
	}
	var t pageToken[json.RawMessage]
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil {
		return key, false, fmt.Errorf("%w: malformed page_token", graph.ErrInvalid)
	}
	if t.Q != fp {
		return key, false, fmt.Errorf("%w: page_token belongs to another request", graph.ErrInvalid)
	}
	if err := json.Unmarshal(t.K, &key); err != nil {
		return key, false, fmt.Errorf("%w: malformed page_token", graph.ErrInvalid)
	}
	return key, true, nil
}

// versionPos is a version's position in its image's order (see graph.Version.Before).
type versionPos struct {
	Sec  int64 `json:"t"`
	Nsec int   `json:"n"`
	Seq  int64 `json:"s"`
}

func posOf(v *graph.Version) versionPos {
	t := v.OrderTime()
	return versionPos{Sec: t.Unix(), Nsec: t.Nanosecond(), Seq: v.Seq}
}

// compare orders positions as graph.Version.Before does: by order time, then sequence.
func (p versionPos) compare(q versionPos) int {
	if c := time.Unix(p.Sec, int64(p.Nsec)).Compare(time.Unix(q.Sec, int64(q.Nsec))); c != 0 {
		return c
	}
	switch {
	case p.Seq < q.Seq:
		return -1
	case p.Seq > q.Seq:
		return 1
	}
	return 0
}

// page collects one page from items[start:]: at most size items, converted and masked, and
// no more than pageBytes of them (but always one, when there is one). It returns the page
// and the index of the last item taken (start-1 when none).
func page[T any, M proto.Message](items []T, start, size int, convert func(*T) M, mask *readMask) ([]M, int) {
	out := make([]M, 0, min(size, max(0, len(items)-start)))
	bytes := 0
	last := start - 1
	for i := start; i < len(items) && len(out) < size; i++ {
		m := convert(&items[i])
		mask.apply(m)
		n := proto.Size(m)
		if len(out) > 0 && bytes+n > pageBytes {
			break
		}
		out = append(out, m)
		bytes += n
		last = i
	}
	return out, last
}
