// Package textclean makes user text safe to lay out: it strips control
// characters and bidirectional overrides and folds runs of white space.
package textclean

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean returns s with control characters, bidi controls and other invisible
// formatting removed, white space folded to single spaces and trimmed.
// Invalid UTF-8 bytes are dropped.
func Clean(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			continue
		case unicode.IsSpace(r) || r == '\u00a0':
			space = b.Len() > 0
			continue
		case Stripped(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clean reports whether Clean leaves s as it is because it is printable
// ASCII with single spaces between words: most titles, checked a byte at a
// time instead of decoded and copied a rune at a time.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < ' ' || c > '~':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' '):
			return false
		}
	}
	return true
}

// Stripped reports whether r is removed by Clean (other than white space):
// C0/C1 controls, bidi embeddings, overrides, isolates and marks, and
// invisible format characters that have no place on a card.
func Stripped(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0x200b, r == 0x2060, r == 0xfeff, r == 0x00ad:
		return true
	case r >= 0xfff9 && r <= 0xfffb, r >= 0xe000 && r <= 0xf8ff:
		return true
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return true
	}
	return false
}
