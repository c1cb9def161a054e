package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// ingestService implements api.IngestServiceServer.
type ingestService struct {
	api.UnimplementedIngestServiceServer
	s *Server
}

// Ingest stores one SBOM sent whole.
func (is *ingestService) Ingest(ctx context.Context, req *api.IngestRequest) (*api.IngestResponse, error) {
	if max := is.s.opts.Limits.MaxBytes; int64(len(req.GetSbom())) > max {
		return nil, tooLarge(req.GetMetadata(), max)
	}
	v, created, err := is.s.ingest(ctx, req.GetMetadata(), req.GetSbom())
	if err != nil {
		return nil, err
	}
	return &api.IngestResponse{Version: convert.VersionToProto(&v), Created: created}, nil
}

// IngestStream stores one SBOM sent in chunks after its metadata.
func (is *ingestService) IngestStream(stream api.IngestService_IngestStreamServer) error {
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: IngestStream closed before the metadata", graph.ErrInvalid)
	}
	if err != nil {
		return err
	}
	md := first.GetMetadata()
	if md == nil {
		return fmt.Errorf("%w: the first IngestStream message must carry the metadata", graph.ErrInvalid)
	}
	limit := is.s.opts.Limits.MaxBytes
	if md.GetSize() < 0 {
		return fmt.Errorf("%w: negative size %d", graph.ErrInvalid, md.GetSize())
	}
	if md.GetSize() > limit {
		return tooLarge(md, limit)
	}
	var buf bytes.Buffer
	// Trust the announced size for the first 64 MiB only: more is allocated as it arrives.
	buf.Grow(int(min(md.GetSize(), 64<<20)))
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if msg.GetMetadata() != nil {
			return fmt.Errorf("%w: IngestStream got the metadata twice", graph.ErrInvalid)
		}
		chunk := msg.GetChunk()
		if int64(buf.Len())+int64(len(chunk)) > limit {
			return tooLarge(md, limit)
		}
		buf.Write(chunk)
	}
	if md.GetSize() > 0 && int64(buf.Len()) != md.GetSize() {
		return fmt.Errorf("%w: %sreceived %d bytes, the metadata announced %d", graph.ErrInvalid, namePrefix(md), buf.Len(), md.GetSize())
	}
	v, created, err := is.s.ingest(stream.Context(), md, buf.Bytes())
	if err != nil {
		return err
	}
	return stream.SendAndClose(&api.IngestStreamResponse{Version: convert.VersionToProto(&v), Created: created})
}

// tooLarge is the error for an SBOM over the size limit.
func tooLarge(md *api.IngestMetadata, limit int64) error {
	return fmt.Errorf("%s%w: input larger than %d bytes", namePrefix(md), sbom.ErrTooLarge, limit)
}

// namePrefix is "NAME: " for an SBOM with a name, to put before its errors.
func namePrefix(md *api.IngestMetadata) string {
	if md.GetName() == "" {
		return ""
	}
	return md.GetName() + ": "
}

// ingest decodes raw and stores it as the version md names (or the SBOM's subject does),
// at most Options.MaxConcurrentIngests at a time.
func (s *Server) ingest(ctx context.Context, md *api.IngestMetadata, raw []byte) (graph.Version, bool, error) {
	if ts := md.GetCreated(); ts != nil {
		if err := ts.CheckValid(); err != nil {
			return graph.Version{}, false, fmt.Errorf("%w: created: %v", graph.ErrInvalid, err)
		}
	}
	select {
	case s.ingests <- struct{}{}:
		defer func() { <-s.ingests }()
	case <-ctx.Done():
		return graph.Version{}, false, ctx.Err()
	}
	doc, err := ingest.DecodeBytes(ctx, raw, ingest.Options{Limits: s.opts.Limits})
	if err != nil {
		return graph.Version{}, false, fmt.Errorf("%s%w", namePrefix(md), err)
	}
	ref := ingestRef(md, &doc.Subject)
	if ref.Image == "" || ref.Tag == "" && ref.Digest == "" {
		return graph.Version{}, false, fmt.Errorf("%w: %sno image version named: give the image and a tag or digest, as the SBOM's subject (%q) does not say", graph.ErrInvalid, namePrefix(md), subjectString(&doc.Subject))
	}
	v, created, err := s.store.Put(ctx, ref, doc, graph.PutOptions{Replace: md.GetReplace(), Created: convert.TimeFromProto(md.GetCreated())})
	if err != nil {
		return graph.Version{}, false, err
	}
	logAttrs(ctx, slog.String("version", v.Ref().String()), slog.Bool("created", created), slog.Int("components", v.Components))
	return v, created, nil
}

// ingestRef names the version an SBOM is stored as: what the metadata gives, the rest from
// the SBOM's subject (the image when no image is given; the tag and digest when neither is).
func ingestRef(md *api.IngestMetadata, subj *sbom.Subject) graph.Ref {
	ref := graph.Ref{Image: md.GetImage(), Tag: md.GetTag(), Digest: md.GetDigest()}
	if ref.Image == "" {
		ref.Image = subj.Name
	}
	if ref.Tag == "" && ref.Digest == "" {
		ref.Tag, ref.Digest = subj.Version, subj.Digest
	}
	return ref
}

func subjectString(s *sbom.Subject) string {
	return graph.Ref{Image: s.Name, Tag: s.Version, Digest: s.Digest}.String()
}
