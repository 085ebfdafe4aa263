package shape

// A fast path for the line breaks (UAX #14) and grapheme clusters (UAX #29)
// of paragraphs of letters, digits, spaces and common punctuation, the
// text of most Latin cards. go-text's segmenter looks up six properties per
// rune and runs every rule of three algorithms on it (word breaks too, which
// are not used): in WebAssembly that is ~0.3 µs a rune. Here a rune costs a
// table lookup, and the decision between two runes another, with the few
// rules that look further back (spaces, a hyphen at a word's start) checked
// on the way. A pair whose answer depends on more context (a full stop
// before a digit: "1.5" against "a.5") sends the paragraph to the general
// path. TestASCIIBreaksMatchSegmenter (every short string over these
// characters, and random long ones) shows that both give the same answer.

// lbClass is the UAX #14 line-break class of an ASCII character the fast
// path takes; lbNone: the paragraph takes the general path.
type lbClass uint8

const (
	lbNone lbClass = iota
	lbAL           // letters
	lbNU           // digits
	lbSP           // space
	lbIS           // , . : ;
	lbEX           // ! ?
	lbQU           // ' "
	lbOP           // ( [
	lbCP           // ) ]
	lbHY           // -
	numClasses
)

// asciiClass is the class of each ASCII character (lbNone for the others).
var asciiClass = func() (t [128]lbClass) {
	for r := 'a'; r <= 'z'; r++ {
		t[r], t[r-'a'+'A'] = lbAL, lbAL
	}
	for r := '0'; r <= '9'; r++ {
		t[r] = lbNU
	}
	for _, c := range []struct {
		chars string
		class lbClass
	}{{" ", lbSP}, {",.:;", lbIS}, {"!?", lbEX}, {`'"`, lbQU}, {"([", lbOP}, {")]", lbCP}, {"-", lbHY}} {
		for _, r := range c.chars {
			t[r] = c.class
		}
	}
	return t
}()

// Decisions between two runes.
const (
	keep    = 0 // no break (×)
	allow   = 1 // a break opportunity (÷)
	unsure  = 2 // depends on more context: take the general path
	hyStart = 3 // HY × AL when the hyphen starts a word (LB20a), else ÷
)

// pairRule is the decision between adjacent non-space runes of classes
// [a][b] (rules LB13-LB31 as they apply to these classes).
var pairRule = func() (t [numClasses][numClasses]uint8) {
	for a := lbAL; a < numClasses; a++ {
		for b := lbAL; b < numClasses; b++ {
			t[a][b] = pair(a, b)
		}
	}
	return t
}()

func pair(a, b lbClass) uint8 {
	switch {
	case b == lbCP || b == lbEX || b == lbIS: // LB13, LB15d
		return keep
	case a == lbOP: // LB14
		return keep
	case a == lbQU || b == lbQU: // LB19 (ASCII quotes are neither Pi nor Pf)
		return keep
	case a == lbHY && b == lbAL: // LB20a
		return hyStart
	case b == lbHY: // LB21
		return keep
	case a == lbIS && b == lbNU: // LB25: only within a number ("1.5", not "a.5")
		return unsure
	case a == lbHY && b == lbNU: // LB25: "-5"
		return keep
	case (a == lbAL || a == lbNU) && (b == lbAL || b == lbNU): // LB23, LB25, LB28
		return keep
	case a == lbIS && b == lbAL: // LB29
		return keep
	case (a == lbAL || a == lbNU) && b == lbOP, a == lbCP && (b == lbAL || b == lbNU): // LB30
		return keep
	}
	return allow // LB31
}

// afterSpaces is the decision before a rune of class b that follows spaces
// after a rune of class a (lbNone: the spaces start the paragraph).
func afterSpaces(a, b lbClass) uint8 {
	switch {
	case b == lbIS: // LB15c (SP ÷ IS NU) or LB15d (× IS): depends on the rune after
		return unsure
	case b == lbCP || b == lbEX: // LB13
		return keep
	case a == lbOP: // LB14
		return keep
	case a == lbQU && b == lbOP: // LB15a/b for quotes that are not Pi or Pf
		return unsure
	case b == lbHY: // LB18 before LB20a: the hyphen is a word's start
		return allow
	}
	return allow // LB18
}

// asciiBreaks fills brk (UAX #14 break opportunities, brk[i]: before rune
// i) and grapheme (UAX #29 cluster starts) for runes, both len(runes)+1
// long, as the general path would, and reports true; or reports false,
// leaving them in any state, when the paragraph is not one the fast path
// takes.
func asciiBreaks(runes []rune, brk, grapheme []bool) bool {
	prev := lbNone    // class of the rune before
	before := lbNone  // class of the last rune that is not a space
	hyStarts := false // the rune before is a hyphen that starts a word
	for i, r := range runes {
		if r < 0 || r >= 128 {
			return false
		}
		c := asciiClass[r]
		grapheme[i] = true
		var d uint8
		switch {
		case c == lbNone:
			return false
		case i == 0:
			d = keep // LB2
		case c == lbSP:
			d = keep // LB7
		case prev == lbSP:
			d = afterSpaces(before, c)
		default:
			d = pairRule[prev][c]
		}
		switch d {
		case unsure:
			return false
		case hyStart:
			if hyStarts {
				d = keep
			} else {
				d = allow
			}
		}
		brk[i] = d == allow
		hyStarts = c == lbHY && (i == 0 || prev == lbSP)
		prev = c
		if c != lbSP {
			before = c
		}
	}
	return true
}
