package main

import "github.com/ogmint/ogmint/wasm/fonts"

// fontsFile is the file in the data directory that holds the packed
// fallback families while the server runs (spillFonts).
const fontsFile = "fallback-fonts.pack"

// dropFontFiles lets the collector free the catalogue's font files: the
// host only hands families over packed (Catalog.Packed) and finds them by
// their ranges (Family.Owns); the files were copied into the packs.
func dropFontFiles(cat *fonts.Catalog) {
	if cat == nil {
		return
	}
	for _, f := range cat.Families {
		f.Regular, f.Bold = nil, nil
	}
}
