//go:build wasm

package pngenc

// rowsEqual reports whether two rows of the same length are equal. Go's
// bytes.Equal compares a byte at a time in WebAssembly; this compares 32
// bytes per step.
func rowsEqual(a, b []byte) bool { return sameBytes(a, b) == len(a) }
