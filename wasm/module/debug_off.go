//go:build !ogmint_debug

package module

import "net/url"

// debugHook does nothing in release builds.
func debugHook(url.Values) {}
