package api

import (
	"sort"
	"strings"

	"github.com/ogmint/ogmint/wasm/params"
)

// etagMatch reports whether an If-None-Match header value matches etag
// ("*", a list, or weak forms of the same tag, per RFC 9110 weak comparison).
func etagMatch(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}

func sortFields(f []params.FieldError) {
	sort.Slice(f, func(i, j int) bool { return f[i].Field < f[j].Field })
}
