package spdx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// readJSON reads an SPDX 2 JSON document.
func readJSON(data []byte) (*parsed, error) {
	loc := &locator{src: data}
	version, ok := topLevelString(data, "spdxVersion")
	if !ok {
		var raw json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, loc.jsonError(data, err)
		}
		return nil, fmt.Errorf("%w: the JSON object has no top-level string spdxVersion", sbom.ErrInvalid)
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	doc, fixes, err := decodeJSON(data, loc)
	if err != nil {
		return nil, err
	}
	return &parsed{doc: doc, version: version, fixes: fixes}, nil
}

// decodeJSON reads SPDX JSON with tools-golang. When the library rejects the document, it tries
// once more on a repaired copy (see repairJSON) and reports the repairs as fixes. Errors wrap
// sbom.ErrInvalid and say where in loc's input the problem is.
func decodeJSON(js []byte, loc *locator) (*spdx.Document, []fix, error) {
	read := func(b []byte) func() (*spdx.Document, error) {
		return func() (*spdx.Document, error) { return spdxjson.Read(bytes.NewReader(b)) }
	}
	doc, err := safely(read(js))
	if err == nil {
		return doc, nil, nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return nil, nil, loc.jsonError(js, err)
	}
	if repaired, fixes := repairJSON(js); fixes != nil {
		doc, err = safely(read(repaired))
		if err == nil {
			return doc, fixes, nil
		}
	}
	return nil, nil, loc.jsonError(js, err)
}

// topLevelString returns the string value of key in the top-level object of the JSON text
// data, without parsing anything else. It reports false when data is not a JSON object, the
// key is absent or its value is not a string; a parser then says what is wrong.
func topLevelString(data []byte, key string) (string, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return "", false
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return "", false
		}
		k, next, ok := jsonString(data, i)
		if !ok {
			return "", false
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return "", false
		}
		i = skipSpace(data, i+1)
		if k == key {
			v, _, ok := jsonString(data, i)
			return v, ok
		}
		if i = skipJSONValue(data, i); i < 0 {
			return "", false
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return "", false
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// jsonString decodes the JSON string starting at b[i] (a '"') and returns it with the index
// just past its closing quote.
func jsonString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	hasEscapes := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			hasEscapes = true
			j++
		case '"':
			if !hasEscapes {
				return string(b[i+1 : j]), j + 1, true
			}
			var s string
			if err := json.Unmarshal(b[i:j+1], &s); err != nil {
				return "", j + 1, false
			}
			return s, j + 1, true
		}
	}
	return "", len(b), false
}

// skipJSONValue returns the index just past the JSON value starting at b[i], or -1 when the
// input ends first. It does not validate.
func skipJSONValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		_, next, ok := jsonString(b, i)
		if !ok {
			return -1
		}
		return next
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				_, next, ok := jsonString(b, j)
				if !ok {
					return -1
				}
				j = next - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	for j := i; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return len(b)
}
