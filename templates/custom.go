package templates

// ParseCustom parses and validates a user's template with the default
// limits (the render module's entry point for custom templates; the API
// applies its configured limits with ParseWith).
func ParseCustom(data []byte) (*Template, error) {
	return ParseWith(data, Options{Custom: true, Limits: DefaultLimits})
}
