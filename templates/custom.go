package templates

// ParseCustom parses and validates a user's template (the API's and the
// render module's entry point for custom templates).
func ParseCustom(data []byte) (*Template, error) {
	return Parse(data)
}
