package templates

import "strings"

// BuiltinJSON returns the JSON file of built-in template name as embedded
// (GET /api/templates/{name}: a starting point for a custom template), or
// false when there is no such template. The bytes must not be modified.
func BuiltinJSON(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	b, err := files.ReadFile("builtin/" + name + ".json")
	return b, err == nil
}
