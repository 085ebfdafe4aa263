package templates

import (
	"fmt"
	"strconv"
)

// PathDataError is a syntax error in SVG path data, at a byte offset.
type PathDataError struct {
	Offset  int
	Message string
}

func (e *PathDataError) Error() string {
	return fmt.Sprintf("path data at byte %d: %s", e.Offset, e.Message)
}

// ValidPathData checks that d is SVG path data (the SVG 1.1 grammar): at most
// MaxPathBytes, starting with a moveto, commands MmLlHhVvCcSsQqTtAaZz with
// their arguments (numbers with optional sign, fraction and exponent, arc
// flags 0 or 1, radii non-negative), all numbers finite. It only checks the
// syntax; the renderer has its own parser.
func ValidPathData(d string) error {
	if len(d) > MaxPathBytes {
		return &PathDataError{MaxPathBytes, fmt.Sprintf("%d bytes; at most %d", len(d), MaxPathBytes)}
	}
	p := &pathScanner{s: d}
	p.wsp()
	if p.end() {
		return &PathDataError{0, "empty"}
	}
	if c := d[p.i]; c != 'M' && c != 'm' {
		return p.fail("must start with M or m, not %q", c)
	}
	for p.wsp(); !p.end(); p.wsp() {
		c := d[p.i]
		args, ok := pathArgs[c|0x20] // lower case
		if !ok {
			return p.fail("want a command (one of MLHVCSQTAZ, either case), got %q", c)
		}
		p.i++
		if args == "" {
			continue // Z
		}
		p.wsp()
		for first := true; ; first = false {
			if !first {
				comma := p.commaWsp()
				if !p.numberStart() {
					if comma {
						return p.fail("want a number after ','")
					}
					break
				}
			}
			if err := p.tuple(c, args); err != nil {
				return err
			}
		}
	}
	return nil
}

// pathArgs gives each command's argument tuple: n a number, r a
// non-negative number (arc radius), f a flag (0 or 1).
var pathArgs = map[byte]string{
	'm': "nn", 'l': "nn", 'h': "n", 'v': "n", 'c': "nnnnnn", 's': "nnnn",
	'q': "nnnn", 't': "nn", 'a': "rrnffnn", 'z': "",
}

type pathScanner struct {
	s string
	i int
}

func (p *pathScanner) end() bool { return p.i >= len(p.s) }

func (p *pathScanner) fail(format string, args ...any) error {
	return &PathDataError{p.i, fmt.Sprintf(format, args...)}
}

func (p *pathScanner) wsp() {
	for !p.end() && isPathSpace(p.s[p.i]) {
		p.i++
	}
}

// commaWsp skips white space with at most one comma in it, reporting the comma.
func (p *pathScanner) commaWsp() bool {
	p.wsp()
	if !p.end() && p.s[p.i] == ',' {
		p.i++
		p.wsp()
		return true
	}
	return false
}

func (p *pathScanner) numberStart() bool {
	if p.end() {
		return false
	}
	c := p.s[p.i]
	return isDigit(c) || c == '.' || c == '-' || c == '+'
}

// tuple reads one set of arguments of command c.
func (p *pathScanner) tuple(c byte, args string) error {
	for k := 0; k < len(args); k++ {
		if k > 0 {
			p.commaWsp()
		}
		if p.end() {
			return p.fail("command %c needs %d numbers; the data ends after %d", c, len(args), k)
		}
		if args[k] == 'f' {
			if b := p.s[p.i]; b != '0' && b != '1' {
				return p.fail("want an arc flag (0 or 1), got %q", b)
			}
			p.i++
			continue
		}
		start := p.i
		v, err := p.number()
		if err != nil {
			return err
		}
		if args[k] == 'r' && v < 0 {
			return &PathDataError{start, "an arc radius must not be negative"}
		}
	}
	return nil
}

// number reads one number: sign? (digits ('.' digits?)? | '.' digits) exponent?.
func (p *pathScanner) number() (float64, error) {
	start := p.i
	if !p.end() && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		p.i++
	}
	digits := p.digits()
	if !p.end() && p.s[p.i] == '.' {
		p.i++
		digits += p.digits()
	}
	if digits == 0 {
		p.i = start
		if p.end() {
			return 0, p.fail("want a number, got the end")
		}
		return 0, p.fail("want a number, got %q", p.s[p.i])
	}
	if !p.end() && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if !p.end() && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return 0, p.fail("want the digits of an exponent")
		}
	}
	v, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil {
		return 0, &PathDataError{start, fmt.Sprintf("number %s out of range", p.s[start:p.i])}
	}
	return v, nil
}

func (p *pathScanner) digits() int {
	n := 0
	for !p.end() && isDigit(p.s[p.i]) {
		p.i++
		n++
	}
	return n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isPathSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
