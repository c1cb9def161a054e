package server

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sbomgraph/sbomgraph/graph"
)

// readMask is a compiled read mask. A nil *readMask keeps everything.
type readMask struct {
	tree maskTree
	plan *maskPlan
}

// maskTree is a read mask as a tree: the fields to keep, each with the subfields to keep
// (nil: the whole field).
type maskTree map[protoreflect.Name]maskTree

// maskPlan is what applying a mask to one message type does: clear the fields it does not
// keep, and descend into those it keeps in part. Worked out once per mask from the
// descriptor, so applying it touches only those fields (ranging over every populated field
// through reflection cost more than converting the message in the first place).
type maskPlan struct {
	clear []protoreflect.FieldDescriptor
	sub   []subPlan
}

type subPlan struct {
	fd   protoreflect.FieldDescriptor
	plan *maskPlan
}

// newReadMask compiles t for messages md describes.
func newReadMask(t maskTree, md protoreflect.MessageDescriptor) *readMask {
	return &readMask{tree: t, plan: planFor(t, md)}
}

func planFor(t maskTree, md protoreflect.MessageDescriptor) *maskPlan {
	p := &maskPlan{}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		sub, ok := t[fd.Name()]
		switch {
		case !ok:
			p.clear = append(p.clear, fd)
		case sub == nil:
		case fd.Message() != nil && !fd.IsMap():
			p.sub = append(p.sub, subPlan{fd: fd, plan: planFor(sub, fd.Message())})
		}
	}
	return p
}

// compileMask checks a read mask's paths against the message md describes and compiles them.
// Paths are proto field names separated by dots; they may go through singular and repeated
// message fields (but not into maps). A nil mask, or one without paths, keeps everything. An
// unknown field is an error wrapping graph.ErrInvalid.
func compileMask(m *fieldmaskpb.FieldMask, md protoreflect.MessageDescriptor) (*readMask, error) {
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
	return newReadMask(root, md), nil
}

// maskExcept returns a mask that keeps every field of md but the given paths (dotted proto
// field names, which must exist: they are constants of this package).
func maskExcept(md protoreflect.MessageDescriptor, paths ...string) *readMask {
	return newReadMask(treeExcept(md, paths...), md)
}

func treeExcept(md protoreflect.MessageDescriptor, paths ...string) maskTree {
	t := maskTree{}
	fields := md.Fields()
	for i := range fields.Len() {
		t[fields.Get(i).Name()] = nil
	}
	nested := map[protoreflect.Name][]string{} // field -> the paths below it to leave out
	for _, path := range paths {
		first, rest, deep := strings.Cut(path, ".")
		name := protoreflect.Name(first)
		if !deep {
			delete(t, name)
			continue
		}
		nested[name] = append(nested[name], rest)
	}
	for name, rests := range nested {
		if fd := fields.ByName(name); fd != nil && fd.Message() != nil {
			t[name] = treeExcept(fd.Message(), rests...)
		}
	}
	return t
}

// orDefault returns m, or def when m keeps everything (the request named no fields).
func (m *readMask) orDefault(def *readMask) *readMask {
	if m == nil {
		return def
	}
	return m
}

// has reports whether the mask keeps the top-level field name (in whole or in part).
func (m *readMask) has(name protoreflect.Name) bool {
	if m == nil {
		return true
	}
	_, ok := m.tree[name]
	return ok
}

// apply clears every field of msg the mask does not keep. msg must be of the message type the
// mask was compiled for.
func (m *readMask) apply(msg proto.Message) {
	if m == nil {
		return
	}
	m.plan.apply(msg.ProtoReflect())
}

func (p *maskPlan) apply(m protoreflect.Message) {
	for _, fd := range p.clear {
		m.Clear(fd)
	}
	for _, s := range p.sub {
		if !m.Has(s.fd) {
			continue
		}
		v := m.Get(s.fd)
		if s.fd.IsList() {
			l := v.List()
			for i := range l.Len() {
				s.plan.apply(l.Get(i).Message())
			}
			continue
		}
		s.plan.apply(v.Message())
	}
}
