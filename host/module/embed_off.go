//go:build !embedwasm

package module

// embedded is empty without -tags embedwasm; Load then builds the module.
var embedded []byte
