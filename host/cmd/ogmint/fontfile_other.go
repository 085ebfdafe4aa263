//go:build !linux

package main

import "github.com/ogmint/ogmint/wasm/fonts"

// spillFonts is Linux-only: elsewhere the packed families stay in the heap.
func spillFonts(*fonts.Catalog, string) error { return nil }
