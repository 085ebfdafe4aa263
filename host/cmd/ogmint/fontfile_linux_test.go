package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/ogmint/ogmint/host/fontcat"
)

// TestSpillFonts: the packed families move to a mapping of their file with
// the same bytes, and the heap copies are no longer referenced.
func TestSpillFonts(t *testing.T) {
	cat, err := fontcat.Load("")
	if err != nil {
		t.Fatal(err)
	}
	before := make([][]byte, len(cat.Families))
	for i := range cat.Families {
		before[i] = bytes.Clone(cat.Packed(i))
	}
	heap0 := unsafe.SliceData(cat.Packed(0))
	path := filepath.Join(t.TempDir(), fontsFile)
	if err := spillFonts(cat, path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != int64(fontcat.Size(cat)) {
		t.Fatalf("fonts file: %v, %v (want %d bytes)", st, err, fontcat.Size(cat))
	}
	if unsafe.SliceData(cat.Packed(0)) == heap0 {
		t.Fatal("family 0 is still the heap copy")
	}
	for i := range cat.Families {
		if !bytes.Equal(cat.Packed(i), before[i]) {
			t.Fatalf("family %d (%s) reads back different bytes", i, cat.Families[i].Name)
		}
	}
}
