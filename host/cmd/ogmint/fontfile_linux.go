package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/ogmint/ogmint/host/fontcat"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/wasm/fonts"
)

// spillFonts writes the catalogue's packed families to path and hands the
// catalogue a read-only mapping of the file in their stead
// (Catalog.MovePacked), so that the heap copies (~19 MB with the built-in
// fontpack) can be collected: a family is only read when an instance needs
// it, and then only its pages become resident. The file is left out, like
// the other start-up files, when writing it would leave the store less than
// its reserve (renderpool.RoomFor). On an error the catalogue keeps its
// heap copies.
func spillFonts(cat *fonts.Catalog, path string) error {
	if cat == nil || len(cat.Families) == 0 {
		return nil
	}
	if err := renderpool.RoomFor(filepath.Dir(path), uint64(fontcat.Size(cat))); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	total := 0
	for i := range cat.Families {
		if err == nil {
			_, err = tmp.Write(cat.Packed(i))
			total += len(cat.Packed(i))
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil || total == 0 {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, total, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return err
	}
	off := 0
	for i := range cat.Families {
		n := len(cat.Packed(i))
		if !bytes.Equal(m[off:off+n], cat.Packed(i)) {
			_ = syscall.Munmap(m)
			return errors.New("the fonts file reads back different bytes")
		}
		off += n
	}
	// Checking made every page resident: give them back to the page cache
	// (an unwritten private file mapping loses nothing).
	_ = syscall.Madvise(m, syscall.MADV_DONTNEED)
	off = 0
	for i := range cat.Families {
		n := len(cat.Packed(i))
		cat.MovePacked(i, m[off:off+n:off+n])
		off += n
	}
	return nil
}
