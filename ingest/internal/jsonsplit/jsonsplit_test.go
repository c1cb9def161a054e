package jsonsplit

import (
	"encoding/json"
	"reflect"
	"testing"
)

func all(string) bool { return true }

func TestObject(t *testing.T) {
	members, ok := Object([]byte(` { "a" : [1, {"x":"]"}, "q\"]"] ,"b":{"c":[]},"d":null, "e":"s" } `), all)
	if !ok {
		t.Fatal("Object refused a plain object")
	}
	var keys, values []string
	for _, m := range members {
		keys, values = append(keys, m.Key), append(values, string(m.Value))
	}
	if want := []string{"a", "b", "d", "e"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %q, want %q", keys, want)
	}
	if want := []string{`[1, {"x":"]"}, "q\"]"]`, `{"c":[]}`, `null`, `"s"`}; !reflect.DeepEqual(values, want) {
		t.Errorf("values = %q, want %q", values, want)
	}
	var elems []string
	for _, e := range members[0].Elements {
		elems = append(elems, string(e))
	}
	if want := []string{`1`, `{"x":"]"}`, `"q\"]"`}; !reflect.DeepEqual(elems, want) {
		t.Errorf("elements = %q, want %q", elems, want)
	}
	if string(members[0].Raw) != `"a" : [1, {"x":"]"}, "q\"]"]` {
		t.Errorf("raw = %q", members[0].Raw)
	}
	for _, bad := range []string{
		``, `[]`, `{`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{"a":1} x`, `{"a":1}{}`, `{a:1}`, `{"a\u0062":1}`,
		`{"é":1}`, `{"a":[1 2]}`, `{"a":[1,]}`, `{"a":"x}`, `{"a":1e999}`, `{"a":[1.5E3]}`, `{"a":,}`,
	} {
		if _, ok := Object([]byte(bad), all); ok {
			t.Errorf("Object(%q) accepted it", bad)
		}
	}
}

func TestElements(t *testing.T) {
	elements := func(array string) ([][]byte, bool) {
		members, ok := Object([]byte(`{"a":`+array+`}`), all)
		if !ok {
			return nil, false
		}
		return members[0].Elements, true
	}
	for in, want := range map[string]int{`[]`: 0, `[ ]`: 0, `[null]`: 1, `[{"a":[1,2]},"x", true]`: 3} {
		if got, ok := elements(in); !ok || got == nil || len(got) != want {
			t.Errorf("elements of %s = %d, %v; want %d", in, len(got), ok, want)
		}
	}
	for _, bad := range []string{`[`, `[1,]`, `[,1]`, `[1 2]`, `[1]]`} {
		if _, ok := elements(bad); ok {
			t.Errorf("elements of %s accepted", bad)
		}
	}
	if members, ok := Object([]byte(`{"a":[1],"b":[2]}`), func(k string) bool { return k == "a" }); !ok || members[0].Elements == nil || members[1].Elements != nil {
		t.Errorf("only the chosen member's array is split: %+v", members)
	}
}

// FuzzObject checks the property decoders rely on: when Object accepts the text and every
// piece is valid JSON, the whole text is valid JSON.
func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"]"}],"c":"d"}`, `{}`, `{"a":[]}`, `{"a":[1 2]}`, `{"components":[{},{}],"x":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		members, ok := Object([]byte(s), all)
		if !ok {
			return
		}
		for _, m := range members {
			if m.Elements == nil {
				if !json.Valid(m.Value) {
					return
				}
				continue
			}
			for _, e := range m.Elements {
				if !json.Valid(e) {
					return
				}
			}
		}
		if !json.Valid([]byte(s)) {
			t.Errorf("Object accepted %q, whose pieces are all valid JSON, but the text is not", s)
		}
	})
}
