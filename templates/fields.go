package templates

import (
	"slices"
)

// ReservedNames are the names a custom field cannot take: every request
// parameter of wasm/params (with the colour aliases, and tv and rv of its
// canonical form, and s, a signed V1 URL's signature) and the other fields
// of a V2 render body.
var ReservedNames = []string{"template", "title", "description", "tag", "author", "avatar", "logo",
	"font", "palette", "bgColor", "bg", "textColor", "text", "accentColor", "accent", "surfaceColor",
	"surface", "format", "quality", "tv", "rv", "s", "webhookUrl", "webhookSecret", "metadata"}

// fields checks the custom fields a template declares (whether each is
// used is checked once every element has been).
func (c *checker) fields() {
	if n := len(c.t.Fields); n > MaxFields {
		c.ps.check("/fields", "%d fields; at most %d", n, MaxFields)
	}
	for _, name := range sortedKeys(c.t.Fields) {
		at := pointer("/fields").key(name)
		switch {
		case !isFieldName(name):
			c.ps.check(at, "name %q: want a-z, then up to 31 of a-z A-Z 0-9", name)
		case slices.Contains(ReservedNames, name):
			c.ps.check(at, "name %q is a built-in parameter", name)
		}
		between(c, at.key("maxLength"), c.t.Fields[name].MaxLength, 1, MaxFieldLength)
	}
}
