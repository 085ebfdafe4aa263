// Package benchcard is the card every benchmark renders: the make-up of the
// satori comparison in scripts/satori (tag, 3-line title, 2-line
// description, author) with a title distinct per i so nothing is cached.
package benchcard

import (
	"fmt"
	"net/url"
)

// Values returns the parameters of benchmark card i.
func Values(i int) url.Values {
	return url.Values{
		"template":    {"blog"},
		"title":       {fmt.Sprintf("Benchmark card number %d: how we render social images at the edge without a headless browser", i)},
		"description": {"A deep dive into WebAssembly, wazero and glyph caches that make Open Graph cards render in milliseconds on two cores, with room to spare."},
		"tag":         {"Engineering"},
		"author":      {"Ada Lovelace"},
	}
}

// Query returns benchmark card i as a query string.
func Query(i int) string { return Values(i).Encode() }
