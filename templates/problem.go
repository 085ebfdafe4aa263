package templates

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxProblems is the most problems a ValidationError lists.
const MaxProblems = 100

// Problem is one thing wrong with a template, at a JSON Pointer (RFC 6901)
// into the submitted document: "/elements/3/box", "/fields/price/maxLength",
// "" for the whole document.
type Problem struct {
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in a template, at most
// MaxProblems, in a stable order: those of the JSON itself (unknown fields,
// wrong types) in document order, then those of the checks (top-level
// fields, the elements in order, the assets, the template as a whole).
type ValidationError struct {
	Problems []Problem
}

// Error joins the problems as "pointer: message; ..." (a problem with the
// whole document, pointer "", is its message alone).
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Message
		if p.Pointer != "" {
			parts[i] = p.Pointer + ": " + p.Message
		}
	}
	return strings.Join(parts, "; ")
}

// pointer is a JSON Pointer being built.
type pointer string

// key appends an object member's name, escaped as RFC 6901 says.
func (p pointer) key(name string) pointer {
	return p + "/" + pointer(pointerEscaper.Replace(name))
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// index appends an array index.
func (p pointer) index(i int) pointer { return p + "/" + pointer(strconv.Itoa(i)) }

// problems collects the problems of one document. Pointers whose value had
// the wrong JSON type are remembered: the checks of the decoded template
// would only repeat them (a zero box for a box that was a string).
type problems struct {
	list    []Problem
	badType []pointer
}

func (ps *problems) add(at pointer, format string, args ...any) {
	if len(ps.list) < MaxProblems {
		ps.list = append(ps.list, Problem{string(at), fmt.Sprintf(format, args...)})
	}
}

// wrongType records a value of the wrong JSON type.
func (ps *problems) wrongType(at pointer, format string, args ...any) {
	ps.badType = append(ps.badType, at)
	ps.add(at, format, args...)
}

// full reports whether no more problems fit.
func (ps *problems) full() bool { return len(ps.list) >= MaxProblems }

// check is add for the checks of the decoded template: a problem at or under
// a value of the wrong type, or about the whole document after one, is left
// out.
func (ps *problems) check(at pointer, format string, args ...any) {
	if len(ps.badType) > 0 && at == "" {
		return
	}
	for _, b := range ps.badType {
		if at == b || strings.HasPrefix(string(at), string(b)+"/") {
			return
		}
	}
	ps.add(at, format, args...)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list}
}
