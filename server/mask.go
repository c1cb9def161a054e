package server

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sbomgraph/sbomgraph/graph"
)

// maskTree is a compiled read mask: the fields to keep, each with the subfields to keep
// (nil: the whole field). A nil maskTree keeps everything.
type maskTree map[protoreflect.Name]maskTree

// compileMask checks a read mask's paths against the message md describes and compiles them.
// Paths are proto field names separated by dots; they may go through singular and repeated
// message fields (but not into maps). A nil mask, or one without paths, keeps everything. An
// unknown field is an error wrapping graph.ErrInvalid.
func compileMask(m *fieldmaskpb.FieldMask, md protoreflect.MessageDescriptor) (maskTree, error) {
	if len(m.GetPaths()) == 0 {
		return nil, nil
	}
	root := maskTree{}
	for _, path := range m.GetPaths() {
		node, desc := root, md
		parts := strings.Split(path, ".")
		for i, part := range parts {
			if desc == nil {
				return nil, fmt.Errorf("%w: read_mask path %q: %s has no fields", graph.ErrInvalid, path, strings.Join(parts[:i], "."))
			}
			fd := desc.Fields().ByName(protoreflect.Name(part))
			if fd == nil {
				return nil, fmt.Errorf("%w: read_mask path %q: %s has no field %q", graph.ErrInvalid, path, desc.Name(), part)
			}
			name := fd.Name()
			last := i == len(parts)-1
			sub, seen := node[name]
			switch {
			case seen && sub == nil:
				// The whole field is already kept.
				node = nil
			case last:
				node[name] = nil
			default:
				if sub == nil {
					sub = maskTree{}
					node[name] = sub
				}
				node = sub
			}
			if node == nil {
				break
			}
			desc = nil
			if fd.Message() != nil && !fd.IsMap() {
				desc = fd.Message()
			}
		}
	}
	return root, nil
}

// maskExcept returns a mask that keeps every field of md but the given paths (dotted proto
// field names, which must exist: they are constants of this package).
func maskExcept(md protoreflect.MessageDescriptor, paths ...string) maskTree {
	t := maskTree{}
	fields := md.Fields()
	for i := range fields.Len() {
		t[fields.Get(i).Name()] = nil
	}
	for _, path := range paths {
		first, rest, nested := strings.Cut(path, ".")
		name := protoreflect.Name(first)
		if !nested {
			delete(t, name)
			continue
		}
		if fd := fields.ByName(name); fd != nil && fd.Message() != nil {
			t[name] = maskExcept(fd.Message(), rest)
		}
	}
	return t
}

// orDefault returns t, or def when t keeps everything (the request named no fields).
func (t maskTree) orDefault(def maskTree) maskTree {
	if t == nil {
		return def
	}
	return t
}

// has reports whether the mask keeps the top-level field name (in whole or in part).
func (t maskTree) has(name protoreflect.Name) bool {
	if t == nil {
		return true
	}
	_, ok := t[name]
	return ok
}

// apply clears every field of m the mask does not keep.
func (t maskTree) apply(m proto.Message) {
	if t == nil {
		return
	}
	t.prune(m.ProtoReflect())
}

func (t maskTree) prune(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		sub, ok := t[fd.Name()]
		switch {
		case !ok:
			m.Clear(fd)
		case sub == nil:
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				sub.prune(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			sub.prune(v.Message())
		}
		return true
	})
}
