package ingest

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// maxLayers is how many compression layers decompress undoes (a .tar.gz of a .gz is not an SBOM).
const maxLayers = 2

// decompress undoes gzip, bzip2 and zstd compression, sniffed from the magic bytes, at most
// maxLayers deep. It returns the data unchanged (and "") when it is not compressed. The output
// is capped at maxBytes: past that it returns an error wrapping sbom.ErrTooLarge, so a
// decompression bomb costs at most maxBytes of memory.
func decompress(data []byte, maxBytes int64) ([]byte, string, error) {
	var names []string
	for range maxLayers {
		name, open := compression(data)
		if open == nil {
			break
		}
		r, err := open(bytes.NewReader(data))
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s: %v", sbom.ErrInvalid, name, err)
		}
		out, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s stream is corrupt or truncated: %v", sbom.ErrInvalid, name, err)
		}
		if int64(len(out)) > maxBytes {
			return nil, "", fmt.Errorf("%w: %s input decompresses to more than %d bytes", sbom.ErrTooLarge, name, maxBytes)
		}
		data = out
		names = append(names, name)
	}
	if len(names) == 0 {
		return data, "", nil
	}
	s := names[0]
	for _, n := range names[1:] {
		s += "+" + n
	}
	return data, s, nil
}

// compression names the compression data starts with and returns a reader for it, or nil.
func compression(data []byte) (string, func(io.Reader) (io.Reader, error)) {
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }
	case bytes.HasPrefix(data, []byte("BZh")) && len(data) > 3 && data[3] >= '1' && data[3] <= '9':
		return "bzip2", func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil }
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd", func(r io.Reader) (io.Reader, error) {
			d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
			if err != nil {
				return nil, err
			}
			return zstdReader{d}, nil
		}
	}
	return "", nil
}

// zstdReader adapts zstd.Decoder, whose Close returns nothing, to io.ReadCloser.
type zstdReader struct{ *zstd.Decoder }

func (z zstdReader) Close() error { z.Decoder.Close(); return nil }
