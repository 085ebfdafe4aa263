package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// maxWalkDepth bounds how deep decode checks the document's structure, so
// that its cost stays a small multiple of the document's size. Valid
// templates are far shallower (stacks do not nest, and only stacks have
// children); anything deeper is rejected by the checks of the template.
const maxWalkDepth = 16

// decode reads a template strictly: a JSON syntax error is one problem with
// its byte offset; unknown or repeated fields (names are case-sensitive),
// values of the wrong JSON type and arrays of the wrong length are problems
// at their pointers. ok is false when there is nothing to check further
// (not JSON, or not an object).
func decode(data []byte, ps *problems) (t *Template, ok bool) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		if se, isSyntax := errors.AsType[*json.SyntaxError](err); isSyntax {
			ps.add("", "invalid JSON at byte %d: %v", se.Offset, se)
		} else {
			ps.add("", "invalid JSON: %v", err)
		}
		return nil, false
	}
	raw = bytes.TrimSpace(raw)
	if raw[0] != '{' {
		ps.add("", "want a JSON object, got %s", jsonKind(raw))
		return nil, false
	}
	walk(ps, "", raw, reflect.TypeFor[Template](), 0)
	t = &Template{}
	// The walk found every value Unmarshal cannot store; Unmarshal stores
	// the others, which the checks then look at.
	if err := json.Unmarshal(data, t); err != nil && len(ps.badType) == 0 {
		ps.add("", "%v", err) // not expected: the walk should have said why
	}
	return t, true
}

// walk checks that raw, at pointer at, can be stored in a value of type t.
func walk(ps *problems, at pointer, raw json.RawMessage, t reflect.Type, depth int) {
	if ps.full() || depth > maxWalkDepth || string(raw) == "null" {
		return // null leaves any value alone, as Unmarshal does
	}
	want := func(what string) { ps.wrongType(at, "want %s, got %s", what, jsonKind(raw)) }
	switch t.Kind() {
	case reflect.Pointer:
		walk(ps, at, raw, t.Elem(), depth+1)
	case reflect.Struct:
		fields := jsonFields(t)
		ms, ok := members(raw)
		if !ok {
			want("an object")
			return
		}
		seen := map[string]bool{}
		for _, m := range ms {
			f, known := fields[m.key]
			switch {
			case !known:
				ps.add(at, "unknown field %q", m.key)
			case seen[m.key]:
				ps.add(at.key(m.key), "given twice")
			default:
				walk(ps, at.key(m.key), m.value, f, depth+1)
			}
			seen[m.key] = true
		}
	case reflect.Map:
		ms, ok := members(raw)
		if !ok {
			want("an object")
			return
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if seen[m.key] {
				ps.add(at.key(m.key), "given twice")
			}
			seen[m.key] = true
			walk(ps, at.key(m.key), m.value, t.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Array:
		items, ok := elements(raw)
		switch {
		case !ok && t.Kind() == reflect.Slice:
			want("an array")
		case !ok:
			want("an array of " + strconv.Itoa(t.Len()) + " " + kindName(t.Elem()) + "s")
		case t.Kind() == reflect.Array && len(items) != t.Len():
			ps.wrongType(at, "want an array of %d %ss, got %d", t.Len(), kindName(t.Elem()), len(items))
		default:
			bad := len(ps.badType)
			for i, item := range items {
				walk(ps, at.index(i), item, t.Elem(), depth+1)
			}
			if t.Kind() == reflect.Array && len(ps.badType) > bad {
				ps.badType = append(ps.badType, at) // a box is checked whole
			}
		}
	case reflect.String:
		if raw[0] != '"' {
			want("a string")
		}
	case reflect.Bool:
		if s := string(raw); s != "true" && s != "false" {
			want("true or false")
		}
	case reflect.Int:
		if jsonKind(raw) != "a number" {
			want("an integer")
		} else if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			if errors.Is(err, strconv.ErrRange) && !bytes.ContainsAny(raw, ".eE") {
				ps.wrongType(at, "integer %s out of range", raw)
			} else {
				ps.wrongType(at, "want an integer, got %s", raw)
			}
		}
	case reflect.Float64:
		if jsonKind(raw) != "a number" {
			want("a number")
		} else if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
			ps.wrongType(at, "number %s out of range", raw)
		}
	default:
		panic("templates: no JSON check for " + t.String())
	}
}

type member struct {
	key   string
	value json.RawMessage
}

// members returns an object's members in document order (raw is valid JSON).
func members(raw json.RawMessage) ([]member, bool) {
	if raw[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // {
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		key, isKey := tok.(string)
		var v json.RawMessage
		if err != nil || !isKey || dec.Decode(&v) != nil {
			return nil, false
		}
		out = append(out, member{key, v})
	}
	return out, true
}

// elements returns an array's items (raw is valid JSON).
func elements(raw json.RawMessage) ([]json.RawMessage, bool) {
	if raw[0] != '[' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // [
	var out []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// jsonKind names the JSON type of a valid value.
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// kindName names what an array of t holds, for messages.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Array:
		return "pair"
	}
	return "value"
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the JSON names of t's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}
