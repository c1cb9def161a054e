package convert

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// ErrorDomain is the domain of the google.rpc.ErrorInfo detail the server attaches to the
// errors it maps from the model; its Reason is one of the Reason constants.
const ErrorDomain = "sbomgraph"

// The ErrorInfo reasons, one per model sentinel error.
const (
	ReasonInvalidSBOM     = "INVALID_SBOM"      // sbom.ErrInvalid
	ReasonUnsupportedSBOM = "UNSUPPORTED_SBOM"  // sbom.ErrUnsupported
	ReasonSBOMTooLarge    = "SBOM_TOO_LARGE"    // sbom.ErrTooLarge
	ReasonInvalidRequest  = "INVALID_REQUEST"   // graph.ErrInvalid
	ReasonNotFound        = "NOT_FOUND"         // graph.ErrNotFound
	ReasonConflict        = "CONFLICT"          // graph.ErrConflict
	ReasonUnavailable     = "UNAVAILABLE"       // graph.ErrUnavailable
	ReasonCanceled        = "CANCELED"          // context.Canceled
	ReasonDeadline        = "DEADLINE_EXCEEDED" // context.DeadlineExceeded
)

// errorMapping ties a model sentinel to its gRPC code and ErrorInfo reason.
type errorMapping struct {
	err    error
	code   codes.Code
	reason string
}

// errorMappings is the one table between the model's errors and gRPC statuses, tried in
// order: a context error wins over what the store made of it, and the specific SBOM errors
// over the general request error.
var errorMappings = []errorMapping{
	{context.Canceled, codes.Canceled, ReasonCanceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded, ReasonDeadline},
	{sbom.ErrTooLarge, codes.InvalidArgument, ReasonSBOMTooLarge},
	{sbom.ErrUnsupported, codes.InvalidArgument, ReasonUnsupportedSBOM},
	{sbom.ErrInvalid, codes.InvalidArgument, ReasonInvalidSBOM},
	{graph.ErrInvalid, codes.InvalidArgument, ReasonInvalidRequest},
	{graph.ErrNotFound, codes.NotFound, ReasonNotFound},
	{graph.ErrConflict, codes.AlreadyExists, ReasonConflict},
	{graph.ErrUnavailable, codes.Unavailable, ReasonUnavailable},
}

// InternalMessage is the message of every INTERNAL status ToStatus makes: the error itself may
// hold details (file paths, SQL) that are for the server's log, not for clients.
const InternalMessage = "internal error"

// ToStatus returns the gRPC status that reports err to a client, tested with errors.Is:
//
//   - a bad SBOM (sbom.ErrInvalid, ErrUnsupported, ErrTooLarge) or request (graph.ErrInvalid):
//     INVALID_ARGUMENT with the reason;
//   - graph.ErrNotFound: NOT_FOUND; graph.ErrConflict (the version exists with another SBOM):
//     ALREADY_EXISTS; graph.ErrUnavailable: UNAVAILABLE;
//   - context.Canceled: CANCELED; context.DeadlineExceeded: DEADLINE_EXCEEDED;
//   - an error that already carries a gRPC status: that status;
//   - anything else: INTERNAL with InternalMessage, and known is false: the caller should log
//     err, which the client never sees.
//
// The mapped statuses carry err's message and an ErrorInfo detail (domain ErrorDomain) with
// the sentinel's reason. A nil err gives a nil status (OK).
func ToStatus(err error) (st *status.Status, known bool) {
	if err == nil {
		return nil, true
	}
	for _, m := range errorMappings {
		if errors.Is(err, m.err) {
			st := status.New(m.code, err.Error())
			if d, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: m.reason, Domain: ErrorDomain}); derr == nil {
				st = d
			}
			return st, true
		}
	}
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus(), true
	}
	return status.New(codes.Internal, InternalMessage), false
}

// FromStatus converts an error returned by a client call into one that also wraps the model's
// sentinel (graph.ErrNotFound, sbom.ErrInvalid, context.Canceled, ...), so callers test it
// with errors.Is as they would a local store's error. The sentinel comes from the status's
// ErrorInfo reason when the server attached one, else from its code (INVALID_ARGUMENT:
// graph.ErrInvalid, NOT_FOUND: graph.ErrNotFound, ALREADY_EXISTS: graph.ErrConflict,
// UNAVAILABLE: graph.ErrUnavailable, CANCELED and DEADLINE_EXCEEDED: the context errors).
// The result's message is the status message; status.FromError still finds the status. Other
// errors (UNAUTHENTICATED, PERMISSION_DENIED, INTERNAL, non-status errors) and nil are
// returned as they are.
func FromStatus(err error) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	sentinel := sentinelOf(st)
	if sentinel == nil {
		return err
	}
	return &remoteError{msg: st.Message(), errs: []error{sentinel, err}}
}

// sentinelOf returns the model sentinel a status stands for, or nil.
func sentinelOf(st *status.Status) error {
	for _, d := range st.Details() {
		info, ok := d.(*errdetails.ErrorInfo)
		if !ok || info.GetDomain() != ErrorDomain {
			continue
		}
		for _, m := range errorMappings {
			if m.reason == info.GetReason() {
				return m.err
			}
		}
	}
	for _, m := range []errorMapping{
		{context.Canceled, codes.Canceled, ""},
		{context.DeadlineExceeded, codes.DeadlineExceeded, ""},
		{graph.ErrInvalid, codes.InvalidArgument, ""},
		{graph.ErrNotFound, codes.NotFound, ""},
		{graph.ErrConflict, codes.AlreadyExists, ""},
		{graph.ErrUnavailable, codes.Unavailable, ""},
	} {
		if st.Code() == m.code {
			return m.err
		}
	}
	return nil
}

// remoteError is a server's error as the client sees it: the status message, wrapping both
// the model sentinel and the status error.
type remoteError struct {
	msg  string
	errs []error
}

// Error returns the status message.
func (e *remoteError) Error() string { return e.msg }

// Unwrap returns the sentinel and the status error.
func (e *remoteError) Unwrap() []error { return e.errs }

// invalidf returns an error wrapping graph.ErrInvalid.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", graph.ErrInvalid, fmt.Sprintf(format, args...))
}
