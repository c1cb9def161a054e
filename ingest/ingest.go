// Package ingest reads SBOMs in every format and encoding sbomgraph supports and normalises
// them into the sbom model.
//
// Decode sniffs the content (never the file name): it undoes gzip, bzip2 or zstd compression,
// unwraps in-toto statements and DSSE envelopes, identifies the format and hands the bytes to
// that format's package (cyclonedx, spdx, spdx3), each of which parses with the format's own
// library and maps the result through sbom.Builder.
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"

	"fmt"
	"io"
	"os"

	"github.com/sbomgraph/sbomgraph/ingest/cyclonedx"
	"github.com/sbomgraph/sbomgraph/ingest/intoto"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
	"github.com/sbomgraph/sbomgraph/ingest/spdx"
	"github.com/sbomgraph/sbomgraph/ingest/spdx3"
)

// Options configure Decode.
type Options struct {
	// Limits bound the input; zero fields take sbom.DefaultLimits.
	Limits sbom.Limits
}

// format is one wire-format family: a sniffer and a decoder.
type format struct {
	name     sbom.Format
	identify func([]byte) (sbom.Encoding, bool)
	decode   func([]byte, sbom.Encoding, sbom.Limits) (*sbom.Document, error)
}

// formats are tried in order; SPDX 3 goes first because its JSON-LD would otherwise look like
// nothing else, and SPDX 2 last because its tag-value sniffing is the loosest.
var formats = []format{
	{sbom.FormatSPDX, spdx3.Identify, spdx3.Decode},
	{sbom.FormatCycloneDX, cyclonedx.Identify, cyclonedx.Decode},
	{sbom.FormatSPDX, spdx.Identify, spdx.Decode},
}

// DecodeFile reads and decodes the SBOM in the named file. Errors name the file.
func DecodeFile(ctx context.Context, path string, opts Options) (*sbom.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(ctx, path, f, opts)
}

// Decode reads one SBOM from r and returns it normalised. name (usually the file name) is put
// at the front of every error. Errors wrap sbom.ErrInvalid (not an SBOM, truncated or malformed
// input), sbom.ErrUnsupported (an SBOM of a spec version sbomgraph does not read) or
// sbom.ErrTooLarge (a limit was hit), or are the reader's own I/O error.
func Decode(ctx context.Context, name string, r io.Reader, opts Options) (*sbom.Document, error) {
	limits := opts.Limits.WithDefaults()
	raw, err := io.ReadAll(io.LimitReader(r, limits.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(raw)) > limits.MaxBytes {
		return nil, fmt.Errorf("%s: %w: input larger than %d bytes", name, sbom.ErrTooLarge, limits.MaxBytes)
	}
	doc, err := DecodeBytes(ctx, raw, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

// DecodeBytes is Decode on bytes already in memory. Its errors do not name a file.
func DecodeBytes(ctx context.Context, raw []byte, opts Options) (*sbom.Document, error) {
	limits := opts.Limits.WithDefaults()
	sum := sha256.Sum256(raw)
	data, compression, err := decompress(raw, limits.MaxBytes)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var env *sbom.Envelope
	if intoto.Identify(data) {
		data, env, err = intoto.Unwrap(data, limits.MaxBytes)
		if err != nil {
			return nil, err
		}
		// An attestation's predicate may itself be compressed.
		if inner, c, err := decompress(data, limits.MaxBytes); err != nil {
			return nil, err
		} else if c != "" {
			data, compression = inner, c
		}
	}
	if err := checkDepth(data, limits.MaxDepth); err != nil {
		return nil, err
	}
	for _, f := range formats {
		enc, ok := f.identify(data)
		if !ok {
			continue
		}
		doc, err := f.decode(data, enc, limits)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", f.name, enc, err)
		}
		doc.Source.Digest = "sha256:" + hex.EncodeToString(sum[:])
		doc.Source.Size = int64(len(data))
		doc.Source.Compression = compression
		doc.Source.Envelope = env
		return doc, nil
	}
	return nil, fmt.Errorf("%w: not an SBOM: %s", sbom.ErrInvalid, describe(data))
}

// describe says in a few words what unrecognised input looks like, for the error message.
func describe(data []byte) string {
	t := bytes.TrimSpace(data)
	switch {
	case len(t) == 0:
		return "the input is empty"
	case t[0] == '{' || t[0] == '[':
		return "JSON that is neither CycloneDX (no bomFormat), SPDX 2 (no spdxVersion) nor SPDX 3 (no SPDX 3 @context)"
	case t[0] == '<':
		return "XML that is neither CycloneDX (no CycloneDX bom namespace) nor SPDX RDF/XML"
	}
	n := min(len(t), 40)
	return fmt.Sprintf("unrecognised content starting %q", t[:n])
}
