package fontcat

// Font files an API key uploads for its templates (POST /api/v2/fonts):
// their format by signature, WOFF 1.0 decoding (https://www.w3.org/TR/WOFF/;
// WOFF2 is woff2.go's), and the checks that make a file a template family.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/go-text/typesetting/font"

	"github.com/ogmint/ogmint/wasm/fonts"
)

// Font file formats, as Sniff names them (and the store keeps them).
const (
	FormatTTF   = "ttf"   // TrueType outlines (0x00010000 or "true")
	FormatOTF   = "otf"   // CFF outlines ("OTTO")
	FormatWOFF  = "woff"  // WOFF 1.0 ("wOFF")
	FormatWOFF2 = "woff2" // WOFF2 ("wOF2")
	FormatTTC   = "ttc"   // a collection ("ttcf")
)

// Sniff names a font file's format by its signature, or "".
func Sniff(b []byte) string {
	if len(b) < 4 {
		return ""
	}
	switch string(b[:4]) {
	case "\x00\x01\x00\x00", "true":
		return FormatTTF
	case "OTTO":
		return FormatOTF
	case "wOFF":
		return FormatWOFF
	case "wOF2":
		return FormatWOFF2
	case "ttcf":
		return FormatTTC
	}
	return ""
}

// ErrDecodedTooLarge: a WOFF or WOFF2 file decodes to more bytes than
// allowed.
var ErrDecodedTooLarge = errors.New("the decoded font is too large")

// ToSFNT returns the TrueType/OpenType font of a single-font file (TTF or
// OTF as it is, WOFF and WOFF2 decoded) and its format. A decoded font of
// more than max bytes is ErrDecodedTooLarge; a collection, an unknown
// signature or a malformed WOFF/WOFF2 file is an error saying why.
func ToSFNT(b []byte, max int) ([]byte, string, error) {
	format := Sniff(b)
	switch format {
	case FormatTTF, FormatOTF:
		return b, format, nil
	case FormatWOFF:
		out, err := decodeWOFF(b, max)
		return out, format, err
	case FormatWOFF2:
		out, err := decodeWOFF2(b, max)
		if err == nil && Sniff(out) == FormatTTC {
			err = errors.New("a WOFF2 font collection; upload one font")
		}
		return out, format, err
	case FormatTTC:
		return nil, format, errors.New("a font collection (TTC); upload one font")
	}
	return nil, "", errors.New("not a font file: want TrueType (.ttf), OpenType (.otf), WOFF or WOFF2")
}

const (
	woffHeaderSize = 44
	woffEntrySize  = 20
)

// DecodeWOFF converts a WOFF 1.0 file to the TrueType/OpenType font it
// encodes, refusing one that decodes to more than max bytes.
func DecodeWOFF(b []byte, max int) ([]byte, error) { return decodeWOFF(b, max) }

// decodeWOFF reads the header and table directory, checks every offset
// and length against the file, and writes an SFNT of the tables (in the
// directory's tag order, each 4-byte aligned, checksums as given),
// inflating the zlib-compressed ones. Metadata and private data are
// dropped.
func decodeWOFF(b []byte, max int) ([]byte, error) {
	bad := func(format string, args ...any) error { return fmt.Errorf("WOFF: "+format, args...) }
	if len(b) < woffHeaderSize || string(b[:4]) != "wOFF" {
		return nil, bad("no WOFF header")
	}
	be := binary.BigEndian
	flavor := be.Uint32(b[4:])
	if int64(be.Uint32(b[8:])) != int64(len(b)) {
		return nil, bad("header says %d bytes, the file has %d", be.Uint32(b[8:]), len(b))
	}
	n := int(be.Uint16(b[12:]))
	if n == 0 || be.Uint16(b[14:]) != 0 {
		return nil, bad("%d tables, reserved field %d", n, be.Uint16(b[14:]))
	}
	if woffHeaderSize+n*woffEntrySize > len(b) {
		return nil, bad("table directory past the end of the file")
	}
	type entry struct {
		tag, off, comp, orig, sum uint32
	}
	entries := make([]entry, n)
	size := 12 + 16*n
	for i := range entries {
		d := b[woffHeaderSize+i*woffEntrySize:]
		e := entry{be.Uint32(d), be.Uint32(d[4:]), be.Uint32(d[8:]), be.Uint32(d[12:]), be.Uint32(d[16:])}
		switch {
		case i > 0 && e.tag <= entries[i-1].tag:
			return nil, bad("table directory not sorted by tag")
		case int64(e.off)+int64(e.comp) > int64(len(b)) || e.off < uint32(woffHeaderSize+n*woffEntrySize):
			return nil, bad("table %q at %d+%d: outside the file's table data", tagString(e.tag), e.off, e.comp)
		case e.comp > e.orig:
			return nil, bad("table %q: %d bytes compressed, more than its %d", tagString(e.tag), e.comp, e.orig)
		}
		if int64(size)+int64(e.orig)+3 > int64(max) {
			return nil, fmt.Errorf("WOFF: decoded font is more than %d bytes (%w)", max, ErrDecodedTooLarge)
		}
		size += (int(e.orig) + 3) &^ 3
		entries[i] = e
	}
	out := make([]byte, 12+16*n, size)
	be.PutUint32(out, flavor)
	be.PutUint16(out[4:], uint16(n))
	sel := 0
	for 1<<(sel+1) <= n {
		sel++
	}
	be.PutUint16(out[6:], uint16(16<<sel))
	be.PutUint16(out[8:], uint16(sel))
	be.PutUint16(out[10:], uint16(16*n-16<<sel))
	for i, e := range entries {
		data := b[e.off : e.off+e.comp]
		start := len(out)
		if e.comp < e.orig {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, bad("table %q: %v", tagString(e.tag), err)
			}
			out = append(out, make([]byte, e.orig)...)
			if _, err := io.ReadFull(zr, out[start:]); err != nil {
				return nil, bad("table %q: inflating: %v", tagString(e.tag), err)
			}
			if k, _ := zr.Read(make([]byte, 1)); k != 0 {
				return nil, bad("table %q inflates to more than its %d bytes", tagString(e.tag), e.orig)
			}
		} else {
			out = append(out, data...)
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		r := out[12+16*i:]
		be.PutUint32(r, e.tag)
		be.PutUint32(r[4:], e.sum)
		be.PutUint32(r[8:], uint32(start))
		be.PutUint32(r[12:], e.orig)
	}
	return out, nil
}

func tagString(t uint32) string {
	return string([]byte{byte(t >> 24), byte(t >> 16), byte(t >> 8), byte(t)})
}

// CheckTemplateFont reports why a TrueType/OpenType font cannot be a
// template family: it does not parse, maps no character to a glyph, none
// of the glyphs of its first mapped characters has an outline, or it is a
// colour bitmap (emoji) font. CFF outlines ("OTTO") are drawn like
// TrueType ones.
func CheckTemplateFont(sfnt []byte) error {
	f, err := fonts.Parse(sfnt)
	if err != nil {
		return fmt.Errorf("not a font the renderer reads: %w", err)
	}
	if fonts.IsColor(f) {
		return errors.New("a colour bitmap (emoji) font; template families need outline fonts")
	}
	face := font.NewFace(f)
	it := f.Cmap.Iter()
	mapped, tried := 0, 0
	var seen []font.GID
	for it.Next() && tried < 256 {
		_, gid := it.Char()
		if gid == 0 || slices.Contains(seen, gid) {
			continue
		}
		mapped++
		tried++
		seen = append(seen, gid)
		if o, ok := face.GlyphData(gid).(font.GlyphOutline); ok && len(o.Segments) > 0 {
			return nil
		}
	}
	if mapped == 0 {
		return errors.New("the font maps no character to a glyph")
	}
	return errors.New("the font's glyphs have no outlines")
}
