// Package spdx decodes SPDX 2.1, 2.2 and 2.3 documents into the sbom model.
//
// It reads every encoding SPDX 2 documents come in: JSON, tag-value, YAML, RDF/XML, and the
// plain XML written by spdx-java-library (the JSON model as XML elements, which the SPDX 2.3
// specification's own example uses). Parsing is left to github.com/spdx/tools-golang; this
// package sniffs the encoding, reads the spec version as written (tools-golang converts every
// document to its 2.3 model), works around the few places where tools-golang rejects real
// documents, and maps the result through sbom.Builder. JSON documents are handed to
// tools-golang a batch of packages, files and relationships at a time where that gives the same
// result (see stream.go), so its model of a whole large document never has to exist.
//
// The workarounds, each applied only where the library would otherwise fail or lose data:
//
//   - JSON and plain XML: when tools-golang rejects a document because of an empty or untyped
//     supplier or originator (apko writes "originator": ""), an untyped creator, or a
//     relationship whose element is not an SPDX id, the value is fixed or dropped, the
//     document read again, and every change reported as a warning (see repair.go).
//   - tag-value: snippets are taken out before parsing (sbomgraph does not model them, and
//     tools-golang only accepts a snippet directly after a file, which the SPDX 2.3
//     specification's own example does not do); their ids are kept so relationships naming
//     them are not reported as dangling. The values JSON repairs are repaired the same way.
//   - RDF/XML: tools-golang reads RDF only for 2.2 and 2.3, so 2.1 is read with its 2.2
//     reader (2.2 being a superset); its reader returns packages, relationships and licence
//     set members in an order that changes from run to run, drops primaryPackagePurpose and
//     loses which document an external element belongs to, so the order is restored from the
//     input, the purposes and external elements are read from the RDF graph (see rdf.go).
//   - plain SPDX XML, which tools-golang does not read: it is transcoded element for element
//     into SPDX JSON and read with the JSON reader (see xml.go).
package spdx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spdx/tools-golang/spdx"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Decode parses an SPDX 2.1, 2.2 or 2.3 document written in enc (as returned by Identify) and
// returns it normalised: one component per package in document order, dependency and
// containment edges between packages, the described package as root, and a warning for every
// problem the document has but that does not stop it from being read.
//
// Errors wrap sbom.ErrInvalid when the input is malformed or truncated (the message says where:
// the line for tag-value, YAML and XML, the byte, counted from 1, for JSON; and why),
// sbom.ErrUnsupported when the document is SPDX of another version (1.x, 2.0, 2.4...) or enc is
// not an SPDX 2 encoding, and sbom.ErrTooLarge when it holds more packages than
// limits.MaxComponents. Messages never name a file; the caller does.
func Decode(data []byte, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, error) {
	var (
		p   *parsed
		err error
	)
	switch enc {
	case sbom.EncodingJSON:
		if doc, ok := streamJSON(data, limits); ok {
			return doc, nil
		}
		p, err = readJSON(data)
	case sbom.EncodingTagValue:
		p, err = readTagValue(data)
	case sbom.EncodingYAML:
		p, err = readYAML(data)
	case sbom.EncodingRDFXML:
		p, err = readRDF(data)
	case sbom.EncodingXML:
		p, err = readXML(data, limits.WithDefaults().MaxDepth)
	default:
		return nil, fmt.Errorf("%w: SPDX 2 is not read from encoding %q", sbom.ErrUnsupported, enc)
	}
	if err != nil {
		return nil, err
	}
	return build(p, enc, limits)
}

// parsed is what a reader hands to the mapping: tools-golang's model of the document and what
// that model does not keep.
type parsed struct {
	doc *spdx.Document
	// version is the spdxVersion as written, e.g. "SPDX-2.2".
	version string
	// elsewhere are ids ("SPDXRef-...") of elements that are neither packages nor files of
	// this document and that tools-golang's model does not list: snippets removed before
	// parsing, and elements of other documents that the RDF reader names without their
	// DocumentRef.
	elsewhere []string
	// fixes are the changes made to the input so tools-golang would read it.
	fixes []fix
}

// fix is one change made to a document so the library would read it; it becomes a Warning.
type fix struct {
	code sbom.WarningCode
	id   string
	msg  string
}

// supportedVersions maps the spdxVersion values this package reads to the SpecVersion it reports.
var supportedVersions = map[string]string{
	"SPDX-2.1": "2.1",
	"SPDX-2.2": "2.2",
	"SPDX-2.3": "2.3",
}

// checkVersion returns an error wrapping sbom.ErrUnsupported (or sbom.ErrInvalid when the
// document gives no version) unless v is a version this package reads.
func checkVersion(v string) error {
	if _, ok := supportedVersions[v]; ok {
		return nil
	}
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%w: the document gives no SPDX version", sbom.ErrInvalid)
	}
	return fmt.Errorf("%w: SPDX version %q: only SPDX-2.1, SPDX-2.2 and SPDX-2.3 are read here", sbom.ErrUnsupported, v)
}

// errPanic is the cause reported when tools-golang panics on an input.
var errPanic = errors.New("tools-golang could not read this input")

// safely runs one call into tools-golang, turning a panic (the library is known to panic on
// some malformed input) into an error wrapping errPanic.
func safely[T any](call func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w (it panicked: %v)", errPanic, r)
		}
	}()
	return call()
}
