package server

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/sbomgraph/sbomgraph/server/convert"
)

// The interceptors run in this order around every call, outermost first:
//
//	log -> recover -> auth -> deadline -> errors -> handler
//
// so a call's one log line sees the final status (a recovered panic as INTERNAL, a refused
// token as UNAUTHENTICATED), and handlers return the model's errors, which errors maps.

// callInfo collects what the inner interceptors and the handler learn about one call, for its
// log line.
type callInfo struct {
	principal string
	attrs     []slog.Attr
}

type callInfoKey struct{}

// logAttrs adds attributes to the call's log line.
func logAttrs(ctx context.Context, attrs ...slog.Attr) {
	if ci, ok := ctx.Value(callInfoKey{}).(*callInfo); ok {
		ci.attrs = append(ci.attrs, attrs...)
	}
}

// setPrincipal records who made the call, for its log line.
func setPrincipal(ctx context.Context, p string) {
	if ci, ok := ctx.Value(callInfoKey{}).(*callInfo); ok {
		ci.principal = p
	}
}

// wrappedStream is a server stream with another context.
type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the replacement context.
func (w *wrappedStream) Context() context.Context { return w.ctx }

func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ci := &callInfo{}
	ctx = context.WithValue(ctx, callInfoKey{}, ci)
	start := time.Now()
	resp, err := handler(ctx, req)
	s.logCall(ctx, info.FullMethod, ci, start, err)
	return resp, err
}

func (s *Server) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ci := &callInfo{}
	ctx := context.WithValue(ss.Context(), callInfoKey{}, ci)
	start := time.Now()
	err := handler(srv, &wrappedStream{ss, ctx})
	s.logCall(ctx, info.FullMethod, ci, start, err)
	return err
}

// logCall writes a call's one log line: at Error for a server fault, Warn for refused
// credentials and unavailable or overdue calls, Debug for successful health checks, Info for
// the rest (client mistakes such as NOT_FOUND included).
func (s *Server) logCall(ctx context.Context, method string, ci *callInfo, start time.Time, err error) {
	code := status.Code(err)
	level := slog.LevelInfo
	switch code {
	case codes.OK:
		if strings.HasPrefix(method, "/grpc.health.v1.") {
			level = slog.LevelDebug
		}
	case codes.Internal, codes.Unknown, codes.DataLoss:
		level = slog.LevelError
	case codes.Unauthenticated, codes.PermissionDenied, codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		level = slog.LevelWarn
	}
	if !s.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6+len(ci.attrs))
	attrs = append(attrs, slog.String("method", method), slog.String("code", code.String()),
		slog.Duration("duration", time.Since(start)))
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		attrs = append(attrs, slog.String("peer", p.Addr.String()))
	}
	if ci.principal != "" {
		attrs = append(attrs, slog.String("principal", ci.principal))
	}
	attrs = append(attrs, ci.attrs...)
	if err != nil {
		attrs = append(attrs, slog.String("error", status.Convert(err).Message()))
	}
	s.log.LogAttrs(ctx, level, "call", attrs...)
}

func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, s.recovered(ctx, info.FullMethod, r)
		}
	}()
	return handler(ctx, req)
}

func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = s.recovered(ss.Context(), info.FullMethod, r)
		}
	}()
	return handler(srv, ss)
}

// recovered logs a panic with its stack and returns the INTERNAL status the client sees.
func (s *Server) recovered(ctx context.Context, method string, r any) error {
	s.log.ErrorContext(ctx, "panic in call", "method", method, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	return status.Error(codes.Internal, convert.InternalMessage)
}

func (s *Server) authUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.authorize(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (s *Server) authStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.authorize(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}

func (s *Server) deadlineUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return handler(ctx, req)
}

func (s *Server) deadlineStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, cancel := s.withTimeout(ss.Context())
	defer cancel()
	return handler(srv, &wrappedStream{ss, ctx})
}

// withTimeout bounds ctx by Options.Timeout; an earlier deadline of the client's stays.
func (s *Server) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.opts.Timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opts.Timeout)
}

func (s *Server) errorsUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		return nil, s.status(ctx, info.FullMethod, err)
	}
	return resp, nil
}

func (s *Server) errorsStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := handler(srv, ss); err != nil {
		return s.status(ss.Context(), info.FullMethod, err)
	}
	return nil
}

// status is the server's one error mapper (convert.ToStatus): an error the API does not
// know is logged here, in full, once, and the client gets INTERNAL with a generic message.
func (s *Server) status(ctx context.Context, method string, err error) error {
	st, known := convert.ToStatus(err)
	if !known {
		s.log.ErrorContext(ctx, "internal error", "method", method, "error", err.Error())
	}
	return st.Err()
}
