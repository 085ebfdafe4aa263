package shape

// TakesASCII reports whether the ASCII fast path analyses runes.
func TakesASCII(runes []rune) bool {
	n := len(runes)
	return asciiBreaks(runes, make([]bool, n+1), make([]bool, n+1))
}
