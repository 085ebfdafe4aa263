package api

import (
	"errors"
	"strings"
)

func asError(err error, target **Error) bool { return errors.As(err, target) }

func join(methods []string) string { return strings.Join(methods, ", ") }

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
