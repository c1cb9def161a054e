package server

import (
	"context"
	"fmt"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// diffService implements api.DiffServiceServer.
type diffService struct {
	api.UnimplementedDiffServiceServer
	s *Server
}

var diffResultDesc = (&api.DiffResult{}).ProtoReflect().Descriptor()

// Diff returns the release diff of two stored versions.
func (ds *diffService) Diff(ctx context.Context, req *api.DiffRequest) (*api.DiffResponse, error) {
	mask, err := compileMask(req.GetReadMask(), diffResultDesc)
	if err != nil {
		return nil, err
	}
	old, new := convert.RefFromProto(req.GetOld()), convert.RefFromProto(req.GetNew())
	if err := old.Validate(); err != nil {
		return nil, fmt.Errorf("old: %w", err)
	}
	if err := new.Validate(); err != nil {
		return nil, fmt.Errorf("new: %w", err)
	}
	var opts []diff.Option
	if req.GetAsOf() != nil {
		if err := req.GetAsOf().CheckValid(); err != nil {
			return nil, fmt.Errorf("%w: as_of: %v", graph.ErrInvalid, err)
		}
		opts = append(opts, diff.WithNow(convert.TimeFromProto(req.GetAsOf())))
	}
	r, err := diff.Versions(ctx, ds.s.store, old, new, opts...)
	if err != nil {
		return nil, err
	}
	res := convert.DiffResultToProto(r)
	mask.apply(res)
	return &api.DiffResponse{Result: res}, nil
}
