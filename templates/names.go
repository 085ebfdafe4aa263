package templates

// Names and placeholders are matched by hand rather than with regexp: the
// render module parses templates too, and regexp would be its only user
// (~40 KB of compressed module for four patterns).

func lower(c byte) bool  { return 'a' <= c && c <= 'z' }
func digit(c byte) bool  { return '0' <= c && c <= '9' }
func letter(c byte) bool { return lower(c) || 'A' <= c && c <= 'Z' }

// matchName reports whether s is one byte accepted by first followed by at
// most max-1 bytes accepted by rest.
func matchName(s string, max int, first, rest func(byte) bool) bool {
	if len(s) == 0 || len(s) > max || !first(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !rest(s[i]) {
			return false
		}
	}
	return true
}

// isTemplateName: ^[a-z][a-z0-9_-]{0,31}$ (a built-in template's name).
func isTemplateName(s string) bool {
	return matchName(s, 32, lower, func(c byte) bool { return lower(c) || digit(c) || c == '_' || c == '-' })
}

// isAssetName: ^[a-z0-9][a-z0-9_-]{0,31}$.
func isAssetName(s string) bool {
	return matchName(s, 32, func(c byte) bool { return lower(c) || digit(c) },
		func(c byte) bool { return lower(c) || digit(c) || c == '_' || c == '-' })
}

// isFieldName: ^[a-z][a-zA-Z0-9]{0,31}$.
func isFieldName(s string) bool {
	return matchName(s, 32, lower, func(c byte) bool { return letter(c) || digit(c) })
}

// Placeholders returns the parameter names used in a text as {name}, where
// name is a letter then letters and digits; other braces are literal.
func Placeholders(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != '{' || i+1 >= len(text) || !letter(text[i+1]) {
			continue
		}
		j := i + 2
		for j < len(text) && (letter(text[j]) || digit(text[j])) {
			j++
		}
		if j < len(text) && text[j] == '}' {
			out = append(out, text[i+1:j])
			i = j
		}
	}
	return out
}
