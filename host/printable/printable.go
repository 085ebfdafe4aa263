// Package printable turns untrusted text (remote error bodies, URLs, header
// values) into something safe to show in an error message or a log line.
package printable

import (
	"strings"
	"unicode/utf8"
)

// Clip makes s valid, printable UTF-8 (control characters become spaces)
// of at most n bytes, cut at a character boundary and marked with "…".
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
