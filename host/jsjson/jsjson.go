// Package jsjson re-serialises JSON exactly as JavaScript does:
// Canonical(raw) is byte-for-byte what V8 gives for
// JSON.stringify(JSON.parse(raw)).
//
// ogmint needs this because the product document's webhook verification
// example hashes JSON.stringify(req.body) rather than the raw body, so every
// webhook body must be a fixed point of that round trip. Go's encoding/json
// cannot help: it escapes <, > and &, loses key order and duplicate-key
// position, and formats numbers differently.
//
// What JavaScript does, and this package reproduces:
//   - Output is compact (no whitespace).
//   - Strings: '"' and '\' are escaped, as are \b \f \n \r \t; other code
//     points below U+0020 become \u00xx (lowercase hex); everything else,
//     including '/', DEL, U+2028 and U+2029, is written raw as UTF-8.
//     Escapes in the input (\/, \u00e9, surrogate pairs) are decoded.
//   - Numbers are IEEE-754 doubles, rounded to nearest like Number("..."),
//     printed with ECMAScript Number::toString: shortest round-trip digits,
//     plain notation for 1e-7 < |x| < 1e21, otherwise d.ddde+N / d.ddde-N;
//     -0 prints 0 and a literal too large for a double (1e400) is Infinity,
//     which JSON.stringify prints as null.
//   - Object members in JavaScript property order: array-index keys
//     (canonical decimal integers 0..2^32-2) first in ascending numeric order,
//     then the other keys in first-insertion order. A repeated key keeps the
//     position of its first occurrence and the value of its last.
//
// Where it deliberately differs from JavaScript, it returns an error instead
// of output: invalid UTF-8 (a JavaScript receiver would see U+FFFD instead)
// and lone UTF-16 surrogates written as \uD800-style escapes (modern V8 would
// print them back as escapes, but the API contract rejects metadata that
// cannot round-trip through every JSON stack), and inputs over the Limits.
package jsjson

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Limits bounds the input. A zero field takes the matching DefaultLimits
// value; there is no way to disable a limit.
type Limits struct {
	MaxBytes int // length of the raw input in bytes
	MaxDepth int // nesting of objects and arrays; a top-level object is depth 1
	MaxKeys  int // object members in the whole document, duplicates included
}

// DefaultLimits are the limits for webhook metadata.
var DefaultLimits = Limits{MaxBytes: 16 << 10, MaxDepth: 20, MaxKeys: 1000}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = DefaultLimits.MaxKeys
	}
	return l
}

// ErrSyntax, ErrLimit, ErrNotRoundTrip and ErrNotObject classify errors
// (errors.Is); the concrete *Error says where and why.
var (
	ErrSyntax       = errors.New("invalid JSON")
	ErrLimit        = errors.New("JSON exceeds a limit")
	ErrNotRoundTrip = errors.New("JSON cannot round-trip")
	ErrNotObject    = errors.New("JSON is not an object")
)

// Error is returned by Canonical and Object.
type Error struct {
	Kind   error  // ErrSyntax, ErrLimit, ErrNotRoundTrip or ErrNotObject
	Offset int    // byte offset in the input where the problem was found
	Msg    string // human-readable reason, e.g. "nesting deeper than 20"
	Limit  string // for ErrLimit: "bytes", "depth" or "keys"
}

func (e *Error) Error() string {
	return fmt.Sprintf("jsjson: %s at byte %d", e.Msg, e.Offset)
}

func (e *Error) Unwrap() error { return e.Kind }

// Canonical parses raw with JSON.parse semantics and returns what
// JSON.stringify gives for the result, or an *Error.
func Canonical(raw []byte, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	if len(raw) > lim.MaxBytes {
		return nil, &Error{Kind: ErrLimit, Limit: "bytes", Offset: lim.MaxBytes,
			Msg: fmt.Sprintf("input is %d bytes, more than the limit of %d", len(raw), lim.MaxBytes)}
	}
	p := parser{in: raw, lim: lim}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.in) {
		return nil, p.syntax("unexpected data after the top-level value")
	}
	out := make([]byte, 0, len(raw))
	return v.append(out), nil
}

// Object is Canonical for a document whose top level must be a JSON object,
// as webhook metadata must be.
func Object(raw []byte, lim Limits) ([]byte, error) {
	out, err := Canonical(raw, lim)
	if err != nil {
		return nil, err
	}
	if out[0] != '{' {
		return nil, &Error{Kind: ErrNotObject, Msg: "top-level value is not an object"}
	}
	return out, nil
}

type kind uint8

const (
	kLiteral kind = iota // null, true, false, and numbers: text holds the output
	kString
	kArray
	kObject
)

type value struct {
	kind    kind
	text    string // literal output, or the decoded string
	elems   []*value
	members []member
}

type member struct {
	key   string
	val   *value
	index uint32 // numeric value when isIdx
	isIdx bool
}

func (v *value) append(dst []byte) []byte {
	switch v.kind {
	case kLiteral:
		return append(dst, v.text...)
	case kString:
		return AppendString(dst, v.text)
	case kArray:
		dst = append(dst, '[')
		for i, e := range v.elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.append(dst)
		}
		return append(dst, ']')
	default:
		dst = append(dst, '{')
		for i, m := range v.members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, m.key)
			dst = append(dst, ':')
			dst = m.val.append(dst)
		}
		return append(dst, '}')
	}
}

type parser struct {
	in   []byte
	pos  int
	lim  Limits
	keys int
}

func (p *parser) syntax(msg string) error {
	return &Error{Kind: ErrSyntax, Offset: p.pos, Msg: msg}
}

func (p *parser) unexpected(what string) error {
	if p.pos >= len(p.in) {
		return p.syntax("unexpected end of input, expected " + what)
	}
	return p.syntax(fmt.Sprintf("unexpected %q, expected %s", p.in[p.pos], what))
}

// skipSpace skips JSON whitespace: exactly tab, LF, CR and space (JSON.parse
// rejects every other Unicode space, including a byte order mark).
func (p *parser) skipSpace() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses one value; depth is the number of enclosing containers.
func (p *parser) value(depth int) (*value, error) {
	if p.pos >= len(p.in) {
		return nil, p.unexpected("a value")
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &value{kind: kString, text: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return nil, p.unexpected("a value")
}

func (p *parser) literal(word string) (*value, error) {
	if len(p.in)-p.pos < len(word) || string(p.in[p.pos:p.pos+len(word)]) != word {
		return nil, p.unexpected(word)
	}
	p.pos += len(word)
	return &value{kind: kLiteral, text: word}, nil
}

func (p *parser) enter(depth int) error {
	if depth > p.lim.MaxDepth {
		return &Error{Kind: ErrLimit, Limit: "depth", Offset: p.pos,
			Msg: fmt.Sprintf("nesting deeper than the limit of %d", p.lim.MaxDepth)}
	}
	return nil
}

func (p *parser) array(depth int) (*value, error) {
	if err := p.enter(depth); err != nil {
		return nil, err
	}
	p.pos++ // '['
	v := &value{kind: kArray}
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		e, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, e)
		p.skipSpace()
		if p.pos >= len(p.in) {
			return nil, p.unexpected("',' or ']'")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return v, nil
		default:
			return nil, p.unexpected("',' or ']'")
		}
	}
}

func (p *parser) object(depth int) (*value, error) {
	if err := p.enter(depth); err != nil {
		return nil, err
	}
	p.pos++ // '{'
	v := &value{kind: kObject}
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	var index map[string]int // key -> position in v.members, built lazily
	for {
		p.skipSpace()
		if p.pos >= len(p.in) || p.in[p.pos] != '"' {
			return nil, p.unexpected("a string key")
		}
		p.keys++
		if p.keys > p.lim.MaxKeys {
			return nil, &Error{Kind: ErrLimit, Limit: "keys", Offset: p.pos,
				Msg: fmt.Sprintf("more than the limit of %d object keys", p.lim.MaxKeys)}
		}
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.in) || p.in[p.pos] != ':' {
			return nil, p.unexpected("':'")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		// A repeated key keeps its first position and takes the last value
		// (JSON.parse's CreateDataProperty on an existing property).
		at := -1
		if index != nil {
			if i, ok := index[key]; ok {
				at = i
			}
		} else {
			for i := range v.members {
				if v.members[i].key == key {
					at = i
					break
				}
			}
		}
		if at >= 0 {
			v.members[at].val = val
		} else {
			idx, isIdx := arrayIndex(key)
			v.members = append(v.members, member{key: key, val: val, index: idx, isIdx: isIdx})
			if index == nil && len(v.members) > 8 {
				index = make(map[string]int, 16)
				for i, m := range v.members {
					index[m.key] = i
				}
			} else if index != nil {
				index[key] = len(v.members) - 1
			}
		}
		p.skipSpace()
		if p.pos >= len(p.in) {
			return nil, p.unexpected("',' or '}'")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			orderMembers(v.members)
			return v, nil
		default:
			return nil, p.unexpected("',' or '}'")
		}
	}
}

// orderMembers puts array-index keys first, ascending, and leaves the other
// keys in insertion order (OrdinaryOwnPropertyKeys).
func orderMembers(ms []member) {
	n := 0
	for _, m := range ms {
		if m.isIdx {
			n++
		}
	}
	if n == 0 {
		return
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.isIdx != b.isIdx {
			return a.isIdx
		}
		if a.isIdx {
			return a.index < b.index
		}
		return false
	})
}

// arrayIndex reports whether key is an array index: the canonical decimal
// string of an integer in [0, 2^32-2] ("0", "7", "4294967294"; not "01",
// "-1", "1.0" or "4294967295").
func arrayIndex(key string) (uint32, bool) {
	if len(key) == 0 || len(key) > 10 {
		return 0, false
	}
	if key[0] == '0' {
		return 0, len(key) == 1
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxUint32-1 {
		return 0, false
	}
	return uint32(n), true
}

// string parses a JSON string at p.pos (which is '"') and returns it decoded.
func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		if c == '"' {
			s := p.in[start:p.pos]
			p.pos++
			return string(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.syntax(fmt.Sprintf("control character 0x%02x in string", c))
		}
		if c < utf8.RuneSelf {
			p.pos++
			continue
		}
		r, size := utf8.DecodeRune(p.in[p.pos:])
		if r == utf8.RuneError && size == 1 {
			return "", &Error{Kind: ErrNotRoundTrip, Offset: p.pos, Msg: "invalid UTF-8"}
		}
		p.pos += size
	}
	buf := append([]byte(nil), p.in[start:p.pos]...)
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c == '\\':
			if p.pos+1 >= len(p.in) {
				p.pos++
				return "", p.unexpected("an escape")
			}
			e := p.in[p.pos+1]
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.unicodeEscape()
				if err != nil {
					return "", err
				}
				buf = utf8.AppendRune(buf, r)
				continue // unicodeEscape advanced p.pos
			default:
				p.pos++
				return "", p.syntax(fmt.Sprintf("invalid escape \\%c", e))
			}
			p.pos += 2
		case c < 0x20:
			return "", p.syntax(fmt.Sprintf("control character 0x%02x in string", c))
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.in[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", &Error{Kind: ErrNotRoundTrip, Offset: p.pos, Msg: "invalid UTF-8"}
			}
			buf = append(buf, p.in[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", p.unexpected("'\"'")
}

// unicodeEscape decodes \uXXXX at p.pos, joining a surrogate pair written as
// two escapes; a lone surrogate is an ErrNotRoundTrip error.
func (p *parser) unicodeEscape() (rune, error) {
	start := p.pos
	hi, ok := p.hex4()
	if !ok {
		return 0, p.syntax("invalid \\u escape")
	}
	if hi < 0xD800 || hi > 0xDFFF {
		return hi, nil
	}
	if hi <= 0xDBFF && p.pos+1 < len(p.in) && p.in[p.pos] == '\\' && p.in[p.pos+1] == 'u' {
		save := p.pos
		lo, ok := p.hex4()
		if !ok {
			return 0, p.syntax("invalid \\u escape")
		}
		if lo >= 0xDC00 && lo <= 0xDFFF {
			return (hi-0xD800)<<10 + (lo - 0xDC00) + 0x10000, nil
		}
		p.pos = save
	}
	return 0, &Error{Kind: ErrNotRoundTrip, Offset: start,
		Msg: fmt.Sprintf("lone surrogate \\u%04x", hi)}
}

// hex4 reads `\uXXXX` at p.pos.
func (p *parser) hex4() (rune, bool) {
	if len(p.in)-p.pos < 6 {
		return 0, false
	}
	var r rune
	for _, c := range p.in[p.pos+2 : p.pos+6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.pos += 6
	return r, true
}

// number validates the JSON number grammar, then converts like JavaScript.
func (p *parser) number() (*value, error) {
	start := p.pos
	if p.in[p.pos] == '-' {
		p.pos++
	}
	if p.pos >= len(p.in) {
		return nil, p.unexpected("a digit")
	}
	switch c := p.in[p.pos]; {
	case c == '0':
		p.pos++
	case c >= '1' && c <= '9':
		p.digits()
	default:
		return nil, p.unexpected("a digit")
	}
	if p.pos < len(p.in) && p.in[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return nil, p.unexpected("a digit after '.'")
		}
	}
	if p.pos < len(p.in) && (p.in[p.pos] == 'e' || p.in[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.in) && (p.in[p.pos] == '+' || p.in[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return nil, p.unexpected("a digit in the exponent")
		}
	}
	// ParseFloat rounds to nearest, ties to even, like JavaScript; out of
	// range it returns ±Inf (with ErrRange) or a correctly rounded 0.
	f, err := strconv.ParseFloat(string(p.in[start:p.pos]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		p.pos = start
		return nil, p.syntax("invalid number")
	}
	return &value{kind: kLiteral, text: string(AppendNumber(nil, f))}, nil
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.in) && p.in[p.pos] >= '0' && p.in[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}
