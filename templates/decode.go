package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxWalkDepth bounds how deep decode reads the document, so that its cost
// stays a small multiple of the document's size. Valid templates are far
// shallower (stacks do not nest, and only stacks have children); anything
// deeper is rejected by the checks of the template.
const maxWalkDepth = 16

// decode reads a template strictly: a JSON syntax error is one problem with
// its byte offset; unknown or repeated fields (names are case-sensitive,
// unlike encoding/json's), values of the wrong JSON type and arrays of the
// wrong length are problems at their pointers, and their values are left
// zero. ok is false when there is nothing to check further: not JSON, not an
// object, or far more elements than lim allows (an element takes some 500
// bytes decoded, "{}," three in the document).
func decode(data []byte, ps *problems, lim Limits) (t *Template, ok bool) {
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
	t = &Template{}
	w := &walker{ps: ps, maxElements: lim.MaxElements * (1 + lim.MaxChildren)}
	w.walk("", raw, reflect.ValueOf(t).Elem(), 0)
	if w.elements > w.maxElements {
		ps.add("", "more than %d elements in all (%d top-level elements, each stack with at most %d children)",
			w.maxElements, lim.MaxElements, lim.MaxChildren)
		return nil, false
	}
	return t, true
}

// walker decodes a document along the types it decodes into.
type walker struct {
	ps                    *problems
	elements, maxElements int // Element objects seen, and the most worth decoding
}

var elementType = reflect.TypeFor[Element]()

// walk stores raw, at pointer at, in v, or says why it cannot. Empty arrays
// and objects leave slices and maps nil, so that what is decoded re-encodes
// (omitempty) to JSON that decodes to the same.
func (w *walker) walk(at pointer, raw json.RawMessage, v reflect.Value, depth int) {
	ps, t := w.ps, v.Type()
	if ps.full() || depth > maxWalkDepth || w.elements > w.maxElements || string(raw) == "null" {
		return // null leaves any value alone, as Unmarshal does
	}
	want := func(what string) { ps.wrongType(at, "want %s, got %s", what, jsonKind(raw)) }
	switch t.Kind() {
	case reflect.Pointer:
		nv := reflect.New(t.Elem())
		bad := len(ps.badType)
		w.walk(at, raw, nv.Elem(), depth+1)
		if len(ps.badType) == bad || ps.badType[bad] != at {
			v.Set(nv)
		}
	case reflect.Struct:
		if t == elementType {
			w.elements++
		}
		ms, ok := members(raw)
		if !ok {
			want("an object")
			return
		}
		fields := jsonFields(t)
		seen := map[string]int{}
		for _, m := range ms {
			i, known := fields[m.key]
			switch seen[m.key]++; {
			case !known && seen[m.key] == 1:
				ps.add(at, "unknown field %q", m.key)
			case !known:
			case seen[m.key] == 2:
				ps.add(at.key(m.key), "given twice")
				fallthrough
			default: // the last one counts, as with encoding/json
				v.Field(i).SetZero()
				w.walk(at.key(m.key), m.value, v.Field(i), depth+1)
			}
		}
	case reflect.Map:
		ms, ok := members(raw)
		if !ok {
			want("an object")
			return
		}
		seen := map[string]int{}
		for _, m := range ms {
			if seen[m.key]++; seen[m.key] == 2 {
				ps.add(at.key(m.key), "given twice")
			}
			if v.IsNil() {
				v.Set(reflect.MakeMap(t))
			}
			ev := reflect.New(t.Elem()).Elem()
			w.walk(at.key(m.key), m.value, ev, depth+1)
			v.SetMapIndex(reflect.ValueOf(m.key), ev)
		}
	case reflect.Slice, reflect.Array:
		items, ok := elements(raw)
		switch {
		case !ok && t.Kind() == reflect.Slice:
			want("an array")
			return
		case !ok:
			want("an array of " + strconv.Itoa(t.Len()) + " " + kindName(t.Elem()) + "s")
			return
		case t.Kind() == reflect.Array && len(items) != t.Len():
			ps.wrongType(at, "want an array of %d %ss, got %d", t.Len(), kindName(t.Elem()), len(items))
			return
		case len(items) == 0:
			return
		}
		if t.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(t, len(items), len(items)))
		}
		bad := len(ps.badType)
		for i, item := range items {
			if ps.full() || w.elements > w.maxElements {
				break
			}
			w.walk(at.index(i), item, v.Index(i), depth+1)
		}
		if t.Kind() == reflect.Array && len(ps.badType) > bad {
			ps.badType = append(ps.badType, at) // a box is checked whole
		}
	case reflect.String:
		if raw[0] != '"' {
			want("a string")
			return
		}
		v.SetString(unquote(raw))
	case reflect.Bool:
		if s := string(raw); s != "true" && s != "false" {
			want("true or false")
			return
		}
		v.SetBool(string(raw) == "true")
	case reflect.Int:
		if jsonKind(raw) != "a number" {
			want("an integer")
			return
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		switch {
		case err == nil:
			v.SetInt(n)
		case errors.Is(err, strconv.ErrRange) && !bytes.ContainsAny(raw, ".eE"):
			ps.wrongType(at, "integer %s out of range", raw)
		default:
			ps.wrongType(at, "want an integer, got %s", raw)
		}
	case reflect.Float64:
		if jsonKind(raw) != "a number" {
			want("a number")
			return
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			ps.wrongType(at, "number %s out of range", raw)
			return
		}
		v.SetFloat(f)
	default:
		panic("templates: cannot decode JSON into " + t.String())
	}
}

type member struct {
	key   string
	value json.RawMessage
}

// members returns an object's members in document order. raw is valid JSON
// (decode checked it), so a plain scan splits it, far faster than a
// json.Decoder would.
func members(raw json.RawMessage) ([]member, bool) {
	if raw[0] != '{' {
		return nil, false
	}
	var out []member
	for i := skipSpace(raw, 1); raw[i] != '}'; {
		end := stringEnd(raw, i)
		key := unquote(raw[i:end])
		i = skipSpace(raw, skipSpace(raw, end)+1) // past the colon
		end = valueEnd(raw, i)
		out = append(out, member{key, raw[i:end]})
		if i = skipSpace(raw, end); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, true
}

// elements returns an array's items (raw is valid JSON).
func elements(raw json.RawMessage) ([]json.RawMessage, bool) {
	if raw[0] != '[' {
		return nil, false
	}
	var out []json.RawMessage
	for i := skipSpace(raw, 1); raw[i] != ']'; {
		end := valueEnd(raw, i)
		out = append(out, raw[i:end])
		if i = skipSpace(raw, end); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string starting at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd returns the index after the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}

// unquote decodes a JSON string as Unmarshal does (invalid UTF-8 becomes
// U+FFFD), quickly when it has no escapes.
func unquote(q []byte) string {
	body := q[1 : len(q)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body)
	}
	var s string
	json.Unmarshal(q, &s)
	return s
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

var fieldCache sync.Map // reflect.Type -> map[string]int

// jsonFields maps the JSON names of t's fields to their indexes.
func jsonFields(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}
