// Package intoto unwraps SBOMs that arrive as attestations: in-toto statements (the predicate
// is the SBOM) and DSSE envelopes around them, as `cosign attest --type cyclonedx|spdxjson`
// produces and `cosign download attestation` prints.
package intoto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// sniff is how many bytes at each end of the input Identify looks at.
const sniff = 4096

// Identify reports whether data looks like a DSSE envelope or an in-toto statement. It only
// sniffs both ends of the input, where the envelope's keys are.
func Identify(data []byte) bool {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	head, tail := t[:min(len(t), sniff)], t[max(0, len(t)-sniff):]
	for _, part := range [][]byte{head, tail} {
		if bytes.Contains(part, []byte(`"payloadType"`)) || bytes.Contains(part, []byte("in-toto.io/Statement")) {
			return true
		}
	}
	return false
}

// envelope is a DSSE envelope (https://github.com/secure-systems-lab/dsse).
type envelope struct {
	PayloadType string           `json:"payloadType"`
	Payload     string           `json:"payload"`
	Signatures  []sbom.Signature `json:"signatures"`
}

// statement is an in-toto statement, v0.1 or v1.
type statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

type subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Unwrap returns the SBOM inside a DSSE envelope or in-toto statement and a record of the
// wrapping (the signatures are kept, not verified). Input with several JSON values (one
// attestation per line) yields the first. Errors wrap sbom.ErrInvalid (malformed envelope,
// payload that is not base64 or not a statement, no predicate), sbom.ErrUnsupported (a DSSE
// payload that is not an in-toto statement) or sbom.ErrTooLarge (payload over maxBytes).
func Unwrap(data []byte, maxBytes int64) ([]byte, *sbom.Envelope, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var probe struct {
		PayloadType *string `json:"payloadType"`
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("%w: attestation is not valid JSON at byte %d: %v", sbom.ErrInvalid, dec.InputOffset(), err)
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, nil, fmt.Errorf("%w: attestation: %v", sbom.ErrInvalid, err)
	}
	env := &sbom.Envelope{Type: "in-toto"}
	stmt := []byte(raw)
	if probe.PayloadType != nil {
		var e envelope
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, nil, fmt.Errorf("%w: DSSE envelope: %v", sbom.ErrInvalid, err)
		}
		if !strings.Contains(e.PayloadType, "in-toto") {
			return nil, nil, fmt.Errorf("%w: DSSE payloadType %q is not an in-toto statement", sbom.ErrUnsupported, e.PayloadType)
		}
		if int64(base64.StdEncoding.DecodedLen(len(e.Payload))) > maxBytes {
			return nil, nil, fmt.Errorf("%w: DSSE payload larger than %d bytes", sbom.ErrTooLarge, maxBytes)
		}
		p, err := decodeBase64(e.Payload)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: DSSE payload is not base64: %v", sbom.ErrInvalid, err)
		}
		env.Type, env.PayloadType, env.Signatures, stmt = "dsse", e.PayloadType, e.Signatures, p
	}
	var s statement
	if err := json.Unmarshal(stmt, &s); err != nil {
		return nil, nil, fmt.Errorf("%w: in-toto statement: %v", sbom.ErrInvalid, err)
	}
	if !strings.Contains(s.Type, "in-toto.io/Statement") {
		return nil, nil, fmt.Errorf("%w: in-toto statement has _type %q", sbom.ErrInvalid, s.Type)
	}
	env.StatementType, env.PredicateType = s.Type, s.PredicateType
	for _, sub := range s.Subject {
		env.Subjects = append(env.Subjects, sbom.EnvelopeSubject{Name: sub.Name, Digest: sub.Digest})
	}
	pred, err := predicate(s.Predicate)
	if err != nil {
		return nil, nil, err
	}
	return pred, env, nil
}

// predicate extracts the SBOM from a statement's predicate: the predicate object itself, a
// JSON string holding the document (any encoding), or cosign's older {"Data": ...} wrapper.
func predicate(p json.RawMessage) ([]byte, error) {
	p = bytes.TrimSpace(p)
	if len(p) == 0 || bytes.Equal(p, []byte("null")) {
		return nil, fmt.Errorf("%w: in-toto statement has no predicate", sbom.ErrInvalid)
	}
	switch p[0] {
	case '"':
		var s string
		if err := json.Unmarshal(p, &s); err != nil {
			return nil, fmt.Errorf("%w: in-toto predicate string: %v", sbom.ErrInvalid, err)
		}
		return []byte(s), nil
	case '{':
		var wrapped map[string]json.RawMessage
		if err := json.Unmarshal(p, &wrapped); err != nil {
			return nil, fmt.Errorf("%w: in-toto predicate: %v", sbom.ErrInvalid, err)
		}
		if data, ok := wrapped["Data"]; ok && len(wrapped) <= 2 {
			return predicate(data)
		}
		return p, nil
	}
	return nil, fmt.Errorf("%w: in-toto predicate is neither an object nor a string", sbom.ErrInvalid)
}

// decodeBase64 accepts standard and URL-safe base64, padded or not, as DSSE implementations vary.
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return nil, err
}
