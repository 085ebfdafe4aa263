//go:build !wasm

package pngenc

import "bytes"

// rowsEqual reports whether two rows of the same length are equal
// (bytes.Equal: vectorised natively).
func rowsEqual(a, b []byte) bool { return bytes.Equal(a, b) }
