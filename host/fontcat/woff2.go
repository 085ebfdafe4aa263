package fontcat

// WOFF2 decoding (https://www.w3.org/TR/WOFF2/), so that an operator's
// .woff2 files reach the render module as plain TrueType/OpenType and the
// module needs no WOFF2 decoder. It reads the header and table directory,
// the one Brotli stream, the transformed glyf/loca (section 5.1) and hmtx
// (5.4) tables and null transforms, and writes an SFNT (a TTC for a WOFF2
// collection, every font) laid out as google/woff2 lays it out, byte for
// byte. The extended metadata and private data blocks are bounds-checked
// and dropped. Every length is checked before use (hostile input is an
// error, never a panic), and a font that declares or decodes to more than
// the module's per-font limit (abi.MaxFontBytes) is refused.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"

	"github.com/ogmint/ogmint/wasm/abi"
)

// IsWOFF2 reports whether b starts with the WOFF2 signature ("wOF2").
func IsWOFF2(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "wOF2" }

// DecodeWOFF2 converts a WOFF2 file to the TrueType/OpenType font (or TTC
// for a WOFF2 collection) it encodes. It refuses a font whose declared or
// decoded size exceeds abi.MaxFontBytes.
func DecodeWOFF2(b []byte) ([]byte, error) { return decodeWOFF2(b, abi.MaxFontBytes) }

// woff2Tags are the tags of a table directory entry's 6-bit index (63: the
// tag follows).
var woff2Tags = [63]string{
	"cmap", "head", "hhea", "hmtx", "maxp", "name", "OS/2", "post", "cvt ", "fpgm",
	"glyf", "loca", "prep", "CFF ", "VORG", "EBDT", "EBLC", "gasp", "hdmx", "kern",
	"LTSH", "PCLT", "VDMX", "vhea", "vmtx", "BASE", "GDEF", "GPOS", "GSUB", "EBSC",
	"JSTF", "MATH", "CBDT", "CBLC", "COLR", "CPAL", "SVG ", "sbix", "acnt", "avar",
	"bdat", "bloc", "bsln", "cvar", "fdsc", "feat", "fmtx", "fvar", "gvar", "hsty",
	"just", "lcar", "mort", "morx", "opbd", "prop", "trak", "Zapf", "Silf", "Glat",
	"Gloc", "Feat", "Sill",
}

const (
	woff2HeaderSize = 48
	glyfHeaderSize  = 36
	ttcfFlavor      = 0x74746366 // "ttcf"
)

func woff2Err(format string, args ...any) error {
	return fmt.Errorf("WOFF2: "+format, args...)
}

// woff2LimitErr is a woff2Err that wraps ErrDecodedTooLarge.
func woff2LimitErr(format string, args ...any) error {
	return fmt.Errorf("WOFF2: "+format+" (%w)", append(args, ErrDecodedTooLarge)...)
}

// w2Table is a table directory entry.
type w2Table struct {
	tag         string
	transformed bool
	origLen     uint32
	off, n      int // in the decompressed stream
}

// w2Font is a font of the file: its flavor and the indices of its tables.
type w2Font struct {
	flavor uint32
	tables []int
}

// woff2File is a parsed WOFF2 file: its tables (in directory order, their
// data in raw, the decompressed stream) and its fonts.
type woff2File struct {
	tables     []w2Table
	fonts      []w2Font
	ttcVersion uint32 // 0: not a collection
	raw        []byte
}

// rd reads big-endian values; a read past the end fails (ok false).
type rd struct {
	b   []byte
	off int
}

func (r *rd) bytes(n int) ([]byte, bool) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, false
	}
	r.off += n
	return r.b[r.off-n : r.off], true
}

func (r *rd) u8() (uint8, bool) {
	b, ok := r.bytes(1)
	if !ok {
		return 0, false
	}
	return b[0], true
}

func (r *rd) u16() (uint16, bool) {
	b, ok := r.bytes(2)
	if !ok {
		return 0, false
	}
	return binary.BigEndian.Uint16(b), true
}

func (r *rd) u32() (uint32, bool) {
	b, ok := r.bytes(4)
	if !ok {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}

// base128 reads a UIntBase128: at most five bytes, no leading zero byte,
// no overflow of 32 bits.
func (r *rd) base128() (uint32, bool) {
	var v uint32
	for i := 0; i < 5; i++ {
		c, ok := r.u8()
		if !ok || (i == 0 && c == 0x80) || v&0xfe000000 != 0 {
			return 0, false
		}
		v = v<<7 | uint32(c&0x7f)
		if c&0x80 == 0 {
			return v, true
		}
	}
	return 0, false
}

// u255 reads a 255UInt16.
func (r *rd) u255() (int, bool) {
	c, ok := r.u8()
	if !ok {
		return 0, false
	}
	switch c {
	case 253:
		v, ok := r.u16()
		return int(v), ok
	case 254:
		v, ok := r.u8()
		return int(v) + 253*2, ok
	case 255:
		v, ok := r.u8()
		return int(v) + 253, ok
	}
	return int(c), true
}

func decodeWOFF2(data []byte, limit int) ([]byte, error) {
	f, err := parseWOFF2(data, limit)
	if err != nil {
		return nil, err
	}
	return f.build(limit)
}

// parseWOFF2 reads the header, the table and collection directories and
// the decompressed stream that holds the tables, in directory order.
func parseWOFF2(data []byte, limit int) (*woff2File, error) {
	fail := func(err error) (*woff2File, error) { return nil, err }
	if len(data) < woff2HeaderSize || !IsWOFF2(data) {
		return fail(woff2Err("truncated header (%d bytes)", len(data)))
	}
	h := rd{b: data, off: 4}
	flavor, _ := h.u32()
	length, _ := h.u32()
	numTables, _ := h.u16()
	h.off += 2 // reserved
	totalSfnt, _ := h.u32()
	totalCompressed, _ := h.u32()
	h.off += 4 // majorVersion, minorVersion
	metaOff, _ := h.u32()
	metaLen, _ := h.u32()
	h.off += 4 // metaOrigLength
	privOff, _ := h.u32()
	privLen, _ := h.u32()
	switch {
	case uint64(length) != uint64(len(data)):
		return fail(woff2Err("truncated or corrupt: the header gives a length of %d bytes, the file has %d", length, len(data)))
	case numTables == 0:
		return fail(woff2Err("no tables"))
	case uint64(totalSfnt) > uint64(limit):
		return fail(woff2LimitErr("declares a %d-byte font; the render module takes at most %d", totalSfnt, limit))
	}

	// Table directory.
	r := rd{b: data, off: woff2HeaderSize}
	if int(numTables) > (len(data)-woff2HeaderSize)/2 {
		return fail(woff2Err("%d tables do not fit the file", numTables))
	}
	tables := make([]w2Table, numTables)
	stream := 0 // decompressed size
	for i := range tables {
		t := &tables[i]
		flags, ok := r.u8()
		if !ok {
			return fail(woff2Err("truncated table directory"))
		}
		if idx := flags & 63; idx == 63 {
			b, ok := r.bytes(4)
			if !ok {
				return fail(woff2Err("truncated table directory"))
			}
			t.tag = string(b)
		} else {
			t.tag = woff2Tags[idx]
		}
		version := flags >> 6
		switch t.tag {
		case "glyf", "loca":
			t.transformed = version == 0 // 3: null transform
			if version == 1 || version == 2 {
				return fail(woff2Err("%s has the reserved transform %d", t.tag, version))
			}
		case "hmtx":
			t.transformed = version == 1
			if version > 1 {
				return fail(woff2Err("hmtx has the reserved transform %d", version))
			}
		default:
			if version != 0 {
				return fail(woff2Err("table %q has the reserved transform %d", t.tag, version))
			}
		}
		if t.origLen, ok = r.base128(); !ok {
			return fail(woff2Err("bad origLength for table %q", t.tag))
		}
		n := t.origLen
		if t.transformed {
			if n, ok = r.base128(); !ok {
				return fail(woff2Err("bad transformLength for table %q", t.tag))
			}
			if t.tag == "loca" && n != 0 {
				return fail(woff2Err("transformed loca has length %d, not 0", n))
			}
		}
		if uint64(t.origLen) > uint64(limit) || uint64(n) > uint64(limit-stream) {
			return fail(woff2LimitErr("tables decompress to more than %d bytes, the render module's limit", limit))
		}
		t.off, t.n = stream, int(n)
		stream += int(n)
	}

	// Fonts: one, or the collection directory's.
	var fonts []w2Font
	var ttcVersion uint32
	if flavor != ttcfFlavor {
		f := w2Font{flavor: flavor}
		for i := range tables {
			f.tables = append(f.tables, i)
		}
		fonts = append(fonts, f)
	} else {
		var ok bool
		ttcVersion, ok = r.u32()
		if !ok || (ttcVersion != 0x00010000 && ttcVersion != 0x00020000) {
			return fail(woff2Err("bad collection header"))
		}
		numFonts, ok := r.u255()
		if !ok || numFonts == 0 {
			return fail(woff2Err("bad collection header"))
		}
		for range numFonts {
			n, ok := r.u255()
			if !ok || n == 0 {
				return fail(woff2Err("bad collection font entry"))
			}
			f := w2Font{}
			if f.flavor, ok = r.u32(); !ok {
				return fail(woff2Err("truncated collection directory"))
			}
			for range n {
				i, ok := r.u255()
				if !ok || i >= len(tables) {
					return fail(woff2Err("bad table index in the collection directory"))
				}
				f.tables = append(f.tables, i)
			}
			fonts = append(fonts, f)
		}
	}

	// The compressed stream, then the optional metadata and private blocks.
	start := r.off
	end := uint64(start) + uint64(totalCompressed)
	if end > uint64(len(data)) {
		return fail(woff2Err("compressed data (%d bytes) runs past the end of the file", totalCompressed))
	}
	for _, blk := range []struct {
		name     string
		off, len uint32
	}{{"metadata", metaOff, metaLen}, {"private data", privOff, privLen}} {
		// A block is there when its offset is not 0 (as google/woff2 reads it).
		if blk.off != 0 && (uint64(blk.off) < end || uint64(blk.off)+uint64(blk.len) > uint64(len(data))) {
			return fail(woff2Err("%s block out of bounds", blk.name))
		}
	}
	if stream > maxRatio*len(data) {
		return fail(woff2Err("%d bytes of tables in a %d-byte file: implausible compression ratio", stream, len(data)))
	}
	raw, err := decompress(data[start:end], stream)
	if err != nil {
		return fail(err)
	}
	return &woff2File{tables, fonts, ttcVersion, raw}, nil
}

// maxRatio bounds the decompressed size by the file's: google/woff2 refuses
// more than 100 (real fonts stay near 20), and so a small file cannot ask
// for a large buffer.
const maxRatio = 100

// decompress reads the Brotli stream, which must give exactly n bytes.
func decompress(compressed []byte, n int) ([]byte, error) {
	br := brotli.NewReader(bytes.NewReader(compressed))
	raw := make([]byte, n)
	if k, err := io.ReadFull(br, raw); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, woff2Err("compressed stream gives %d bytes, its tables are %d", k, n)
		}
		return nil, woff2Err("corrupt compressed stream (%v)", err)
	}
	var one [1]byte
	switch k, err := io.ReadFull(br, one[:]); {
	case k > 0:
		return nil, woff2Err("compressed stream is longer than the %d bytes of its tables", n)
	case err != io.EOF:
		return nil, woff2Err("corrupt compressed stream (%v)", err)
	}
	return raw, nil
}

// build reconstructs the fonts' tables from the decompressed stream and
// writes them as an SFNT, or a TTC for a collection. The layout is
// google/woff2's: the TTC header (of the collection's version), each
// font's directory, then the tables, each once, in directory order (a
// collection's: each font's new tables in tag order), a reconstructed loca
// right after its glyf.
func (w *woff2File) build(limit int) ([]byte, error) {
	tables, fonts, raw := w.tables, w.fonts, w.raw
	data := make([][]byte, len(tables)) // reconstructed, by table index
	done := make([]bool, len(tables))
	locaOf := map[int]int{}          // transformed glyf index -> its loca index
	glyfOf := map[int]int{}          // transformed loca index -> its glyf index
	xMinsOf := map[int][]int16{}     // transformed glyf index -> glyph xMins
	hmtxGlyf := map[int]int{}        // transformed hmtx index -> its glyf index
	sizes := make([]int, len(fonts)) // SFNT directory size, per font
	byTag := func(a, b int) int { return strings.Compare(tables[a].tag, tables[b].tag) }
	for fi := range fonts {
		f := &fonts[fi]
		// The SFNT directory lists a font's tables sorted by tag.
		slices.SortFunc(f.tables, byTag)
		for k := 1; k < len(f.tables); k++ {
			if tag := tables[f.tables[k]].tag; tag == tables[f.tables[k-1]].tag {
				return nil, woff2Err("font %d has two %q tables", fi, tag)
			}
		}
		find := func(tag string) (int, bool) { return tableIndex(tables, f.tables, tag) }
		sizes[fi] = 12 + 16*len(f.tables)
		// Null transforms.
		for _, i := range f.tables {
			if t := tables[i]; !t.transformed {
				data[i], done[i] = raw[t.off:t.off+t.n], true
			}
		}
		gi, hasGlyf := find("glyf")
		li, hasLoca := find("loca")
		if (hasGlyf && tables[gi].transformed) != (hasLoca && tables[li].transformed) {
			return nil, woff2Err("glyf and loca must both be transformed or neither")
		}
		if hasGlyf && tables[gi].transformed {
			prevLoca, seenGlyf := locaOf[gi]
			prevGlyf, seenLoca := glyfOf[li]
			if seenGlyf || seenLoca {
				if prevLoca != li || prevGlyf != gi {
					return nil, woff2Err("transformed glyf and loca tables are paired differently in two fonts")
				}
			} else {
				head, ok := find("head")
				if !ok || len(data[head]) < 54 {
					return nil, woff2Err("transformed glyf without a head table")
				}
				format := int16(binary.BigEndian.Uint16(data[head][50:]))
				t := tables[gi]
				glyf, loca, xMins, err := reconstructGlyf(raw[t.off:t.off+t.n], format, limit)
				if err != nil {
					return nil, err
				}
				if int(tables[li].origLen) != len(loca) {
					return nil, woff2Err("loca's origLength is %d, its %d glyphs need %d", tables[li].origLen, len(loca)/(2+2*int(format))-1, len(loca))
				}
				data[gi], data[li], done[gi], done[li] = glyf, loca, true, true
				locaOf[gi], glyfOf[li], xMinsOf[gi] = li, gi, xMins
			}
		}
		if hi, ok := find("hmtx"); ok && tables[hi].transformed {
			if !hasGlyf || !tables[gi].transformed {
				return nil, woff2Err("transformed hmtx without a transformed glyf table")
			}
			if prev, ok := hmtxGlyf[hi]; ok {
				if prev != gi {
					return nil, woff2Err("a transformed hmtx table is shared by fonts with different glyf tables")
				}
				continue
			}
			hhea, ok1 := find("hhea")
			if !ok1 || len(data[hhea]) < 36 {
				return nil, woff2Err("transformed hmtx without an hhea table")
			}
			numHMetrics := int(binary.BigEndian.Uint16(data[hhea][34:]))
			// The glyph count is glyf's, as for google/woff2 (whose
			// encoder counts loca's entries).
			numGlyphs := len(xMinsOf[gi])
			t := tables[hi]
			hmtx, err := reconstructHmtx(raw[t.off:t.off+t.n], numHMetrics, xMinsOf[gi])
			if err != nil {
				return nil, err
			}
			if len(hmtx) != int(t.origLen) {
				return nil, woff2Err("hmtx's origLength is %d, its %d glyphs and %d metrics make %d bytes", t.origLen, numGlyphs, numHMetrics, len(hmtx))
			}
			data[hi], done[hi], hmtxGlyf[hi] = hmtx, true, gi
		}
	}

	// Layout.
	headerSize := 0
	if w.ttcVersion != 0 {
		headerSize = 12 + 4*len(fonts)
		if w.ttcVersion == 0x00020000 {
			headerSize += 12 // no DSIG
		}
	}
	total := headerSize
	for _, s := range sizes {
		total += s
	}
	offsets := make([]int, len(tables))
	placed := make([]bool, len(tables))
	place := func(i int) error {
		if placed[i] {
			return nil
		}
		if !done[i] {
			return woff2Err("table %q cannot be reconstructed in its font", tables[i].tag)
		}
		placed[i], offsets[i] = true, total
		if total += (len(data[i]) + 3) &^ 3; total > limit {
			return woff2LimitErr("decoded font is more than %d bytes, the render module's limit", limit)
		}
		return nil
	}
	for _, f := range fonts {
		order := f.tables // sorted by tag
		if w.ttcVersion == 0 {
			order = make([]int, len(tables))
			for i := range order {
				order[i] = i
			}
		}
		for _, i := range order {
			if err := place(i); err != nil {
				return nil, err
			}
			if li, ok := locaOf[i]; ok {
				if err := place(li); err != nil {
					return nil, err
				}
			}
		}
	}

	out := make([]byte, total)
	be := binary.BigEndian
	// head's checkSumAdjustment is 0 for the checksums.
	for i, t := range tables {
		if placed[i] && t.tag == "head" && len(data[i]) >= 12 {
			data[i] = slices.Clone(data[i])
			clear(data[i][8:12])
		}
	}
	sums := make([]uint32, len(tables))
	for i := range tables {
		if placed[i] {
			copy(out[offsets[i]:], data[i])
			sums[i] = checksum(out[offsets[i] : offsets[i]+(len(data[i])+3)&^3])
		}
	}
	if w.ttcVersion != 0 {
		copy(out, "ttcf")
		be.PutUint32(out[4:], w.ttcVersion)
		be.PutUint32(out[8:], uint32(len(fonts)))
	}
	off := headerSize
	for fi, f := range fonts {
		if w.ttcVersion != 0 {
			be.PutUint32(out[12+4*fi:], uint32(off))
		}
		dir := out[off : off+sizes[fi]]
		n := len(f.tables)
		sel := 0
		for 2<<sel <= n {
			sel++
		}
		be.PutUint32(dir, f.flavor)
		be.PutUint16(dir[4:], uint16(n))
		be.PutUint16(dir[6:], uint16(16<<sel))
		be.PutUint16(dir[8:], uint16(sel))
		be.PutUint16(dir[10:], uint16(16*n-16<<sel))
		sum := uint32(0)
		for k, i := range f.tables {
			e := dir[12+16*k:]
			copy(e, tables[i].tag)
			be.PutUint32(e[4:], sums[i])
			be.PutUint32(e[8:], uint32(offsets[i]))
			be.PutUint32(e[12:], uint32(len(data[i])))
			sum += sums[i]
		}
		sum += checksum(dir)
		// A head shared by several fonts of a collection keeps the last
		// font's, as google/woff2 does.
		if i, ok := tableIndex(tables, f.tables, "head"); ok && len(data[i]) >= 12 {
			be.PutUint32(out[offsets[i]+8:], 0xb1b0afba-sum)
		}
		off += sizes[fi]
	}
	return out, nil
}

// tableIndex finds the table tagged tag among ids (sorted by tag).
func tableIndex(tables []w2Table, ids []int, tag string) (int, bool) {
	k, ok := slices.BinarySearchFunc(ids, tag, func(i int, tag string) int { return strings.Compare(tables[i].tag, tag) })
	if !ok {
		return -1, false
	}
	return ids[k], true
}

// checksum is the SFNT table checksum of b (len(b) a multiple of 4).
func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i+4 <= len(b); i += 4 {
		s += binary.BigEndian.Uint32(b[i:])
	}
	return s
}

// Glyph flags of the glyf table.
const (
	glyfOnCurve  = 0x01
	glyfXShort   = 0x02
	glyfYShort   = 0x04
	glyfRepeat   = 0x08
	glyfXSame    = 0x10
	glyfYSame    = 0x20
	glyfOverlap  = 0x40
	compWords    = 0x0001
	compScale    = 0x0008
	compMore     = 0x0020
	compXYScale  = 0x0040
	compTwoByTwo = 0x0080
	compInstr    = 0x0100
)

type w2Point struct {
	x, y    int
	onCurve bool
}

// reconstructGlyf rebuilds the glyf and loca tables from a transformed glyf
// table (WOFF2 section 5.1); loca takes head's indexToLocFormat. It also
// returns each glyph's xMin (0 for an empty glyph), for hmtx.
func reconstructGlyf(t []byte, locFormat int16, limit int) (glyf, loca []byte, xMins []int16, err error) {
	r := rd{b: t}
	if len(t) < glyfHeaderSize {
		return nil, nil, nil, woff2Err("transformed glyf is %d bytes, shorter than its header", len(t))
	}
	var hdr [4]uint16
	for i := range hdr {
		hdr[i], _ = r.u16()
	}
	var sizes [7]uint32
	for i := range sizes {
		sizes[i], _ = r.u32()
	}
	// hdr[0] is reserved.
	options, n, format := hdr[1], int(hdr[2]), hdr[3]
	switch {
	case locFormat != 0 && locFormat != 1:
		return nil, nil, nil, woff2Err("head.indexToLocFormat is %d", locFormat)
	case int16(format) != locFormat:
		return nil, nil, nil, woff2Err("transformed glyf has loca format %d, head has %d", format, locFormat)
	}
	var streams [7]rd
	off := glyfHeaderSize
	for i, s := range sizes {
		if uint64(s) > uint64(len(t)-off) {
			return nil, nil, nil, woff2Err("glyf sub-stream %d (%d bytes) runs past the table", i, s)
		}
		streams[i] = rd{b: t[off : off+int(s)]}
		off += int(s)
	}
	nContours, nPoints, flagStream, glyphs, composites, bboxes, instrs := &streams[0], &streams[1], &streams[2], &streams[3], &streams[4], &streams[5], &streams[6]
	bitmapLen := 4 * ((n + 31) / 32)
	bboxBitmap, ok := bboxes.bytes(bitmapLen)
	if !ok {
		return nil, nil, nil, woff2Err("glyf bbox stream is shorter than its bitmap")
	}
	var overlap []byte
	if options&1 != 0 {
		if overlap = t[off:]; len(overlap) < (n+7)/8 {
			return nil, nil, nil, woff2Err("glyf overlap bitmap is truncated")
		}
	}
	if len(nContours.b) < 2*n {
		return nil, nil, nil, woff2Err("glyf nContour stream is truncated")
	}
	bit := func(bm []byte, i int) bool { return bm[i>>3]&(0x80>>(i&7)) != 0 }

	offsets := make([]int, n+1)
	xMins = make([]int16, n)
	out := make([]byte, 0, min(limit, 2*len(t)))
	var (
		endPts []int
		pts    []w2Point
		fl     []byte
		xs, ys []byte
	)
	bad := func(i int, what string) ([]byte, []byte, []int16, error) {
		return nil, nil, nil, woff2Err("glyph %d: %s", i, what)
	}
	for i := range n {
		offsets[i] = len(out)
		c, _ := nContours.u16()
		contours := int(int16(c))
		hasBBox := bit(bboxBitmap, i)
		var bbox [4]int16
		if hasBBox {
			for k := range bbox {
				v, ok := bboxes.u16()
				if !ok {
					return bad(i, "bbox stream is truncated")
				}
				bbox[k] = int16(v)
			}
		}
		switch {
		case contours == 0:
			if hasBBox {
				return bad(i, "empty glyph with a bbox")
			}
			continue
		case contours > 0:
			endPts, pts = endPts[:0], pts[:0]
			total := 0
			for range contours {
				k, ok := nPoints.u255()
				if !ok {
					return bad(i, "nPoints stream is truncated")
				}
				if total += k; total > 0xffff {
					return bad(i, "more than 65535 points")
				}
				endPts = append(endPts, total-1)
			}
			flags, ok := flagStream.bytes(total)
			if !ok {
				return bad(i, "flag stream is truncated")
			}
			x, y := 0, 0
			for _, f := range flags {
				dx, dy, ok := triplet(f, glyphs)
				if !ok {
					return bad(i, "glyph stream is truncated")
				}
				x, y = x+dx, y+dy
				if x != int(int16(x)) || y != int(int16(y)) {
					return bad(i, "point out of range")
				}
				pts = append(pts, w2Point{x, y, f&0x80 == 0})
			}
			ni, ok := glyphs.u255()
			if !ok {
				return bad(i, "glyph stream is truncated")
			}
			instr, ok := instrs.bytes(ni)
			if !ok {
				return bad(i, "instruction stream is truncated")
			}
			if !hasBBox && len(pts) > 0 {
				bbox = [4]int16{int16(pts[0].x), int16(pts[0].y), int16(pts[0].x), int16(pts[0].y)}
				for _, p := range pts[1:] {
					bbox[0], bbox[1] = min(bbox[0], int16(p.x)), min(bbox[1], int16(p.y))
					bbox[2], bbox[3] = max(bbox[2], int16(p.x)), max(bbox[3], int16(p.y))
				}
			}
			out = appendGlyphHeader(out, contours, bbox)
			for _, e := range endPts {
				out = binary.BigEndian.AppendUint16(out, uint16(e))
			}
			out = binary.BigEndian.AppendUint16(out, uint16(ni))
			out = append(out, instr...)
			fl, xs, ys = encodePoints(pts, overlap != nil && bit(overlap, i), fl[:0], xs[:0], ys[:0])
			out = append(append(append(out, fl...), xs...), ys...)
		case contours == -1:
			if !hasBBox {
				return bad(i, "composite glyph without a bbox")
			}
			from := composites.off
			haveInstr := false
			for {
				flags, ok1 := composites.u16()
				_, ok2 := composites.u16() // glyphIndex
				skip := 2
				if flags&compWords != 0 {
					skip = 4
				}
				switch {
				case flags&compScale != 0:
					skip += 2
				case flags&compXYScale != 0:
					skip += 4
				case flags&compTwoByTwo != 0:
					skip += 8
				}
				if _, ok3 := composites.bytes(skip); !ok1 || !ok2 || !ok3 {
					return bad(i, "composite stream is truncated")
				}
				haveInstr = haveInstr || flags&compInstr != 0
				if flags&compMore == 0 {
					break
				}
			}
			out = appendGlyphHeader(out, contours, bbox)
			out = append(out, composites.b[from:composites.off]...)
			if haveInstr {
				ni, ok := glyphs.u255()
				if !ok {
					return bad(i, "glyph stream is truncated")
				}
				instr, ok := instrs.bytes(ni)
				if !ok {
					return bad(i, "instruction stream is truncated")
				}
				out = binary.BigEndian.AppendUint16(out, uint16(ni))
				out = append(out, instr...)
			}
		default:
			return bad(i, fmt.Sprintf("%d contours", contours))
		}
		xMins[i] = bbox[0]
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		if len(out) > limit {
			return nil, nil, nil, woff2LimitErr("decoded glyf is more than %d bytes, the render module's limit", limit)
		}
	}
	offsets[n] = len(out)
	if locFormat == 0 {
		if len(out) > 2*0xffff {
			return nil, nil, nil, woff2Err("decoded glyf (%d bytes) is too long for a short loca", len(out))
		}
		loca = make([]byte, 0, 2*(n+1))
		for _, o := range offsets {
			loca = binary.BigEndian.AppendUint16(loca, uint16(o/2))
		}
	} else {
		loca = make([]byte, 0, 4*(n+1))
		for _, o := range offsets {
			loca = binary.BigEndian.AppendUint32(loca, uint32(o))
		}
	}
	return out, loca, xMins, nil
}

func appendGlyphHeader(out []byte, contours int, bbox [4]int16) []byte {
	out = binary.BigEndian.AppendUint16(out, uint16(int16(contours)))
	for _, v := range bbox {
		out = binary.BigEndian.AppendUint16(out, uint16(v))
	}
	return out
}

// triplet decodes a point's coordinate deltas (WOFF2 section 5.2): flag's
// low seven bits choose the encoding of the bytes that follow in the glyph
// stream.
func triplet(flag byte, r *rd) (dx, dy int, ok bool) {
	f := int(flag & 0x7f)
	size := 4
	switch {
	case f < 84:
		size = 1
	case f < 120:
		size = 2
	case f < 124:
		size = 3
	}
	b, ok := r.bytes(size)
	if !ok {
		return 0, 0, false
	}
	sign := func(f, v int) int {
		if f&1 != 0 {
			return v
		}
		return -v
	}
	switch {
	case f < 10:
		dy = sign(f, (f&14)<<7+int(b[0]))
	case f < 20:
		dx = sign(f, ((f-10)&14)<<7+int(b[0]))
	case f < 84:
		b0, b1 := f-20, int(b[0])
		dx = sign(f, 1+(b0&0x30)+b1>>4)
		dy = sign(f>>1, 1+(b0&0x0c)<<2+b1&0x0f)
	case f < 120:
		b0 := f - 84
		dx = sign(f, 1+(b0/12)<<8+int(b[0]))
		dy = sign(f>>1, 1+((b0%12)>>2)<<8+int(b[1]))
	case f < 124:
		dx = sign(f, int(b[0])<<4+int(b[1])>>4)
		dy = sign(f>>1, int(b[1]&0x0f)<<8+int(b[2]))
	default:
		dx = sign(f, int(b[0])<<8+int(b[1]))
		dy = sign(f>>1, int(b[2])<<8+int(b[3]))
	}
	return dx, dy, true
}

// encodePoints writes a simple glyph's points as glyf flags (with repeats)
// and x and y coordinates, each in its shortest form.
func encodePoints(pts []w2Point, overlap bool, fl, xs, ys []byte) ([]byte, []byte, []byte) {
	lastX, lastY, lastFlag, repeat := 0, 0, -1, 0
	for i, p := range pts {
		flag := 0
		if p.onCurve {
			flag |= glyfOnCurve
		}
		if overlap && i == 0 {
			flag |= glyfOverlap
		}
		var fx, fy int
		xs, fx = appendCoord(xs, p.x-lastX, glyfXShort, glyfXSame)
		ys, fy = appendCoord(ys, p.y-lastY, glyfYShort, glyfYSame)
		flag |= fx | fy
		if flag == lastFlag && repeat != 255 {
			if repeat == 0 {
				fl[len(fl)-1] |= glyfRepeat
				fl = append(fl, 1)
			} else {
				fl[len(fl)-1]++
			}
			repeat++
		} else {
			fl = append(fl, byte(flag))
			repeat = 0
		}
		lastX, lastY, lastFlag = p.x, p.y, flag
	}
	return fl, xs, ys
}

// appendCoord appends one coordinate delta in its shortest glyf form and
// returns the flag bits that say which (short and same are the axis's
// x- or y-Short and x- or y-Same bits).
func appendCoord(buf []byte, d, short, same int) ([]byte, int) {
	switch {
	case d == 0:
		return buf, same
	case d > -256 && d < 256:
		if d > 0 {
			return append(buf, byte(d)), short | same
		}
		return append(buf, byte(-d)), short
	}
	return binary.BigEndian.AppendUint16(buf, uint16(int16(d))), 0
}

// reconstructHmtx rebuilds hmtx from its transformed form (WOFF2 section
// 5.4) for the glyphs of xMins (glyf's): the left side bearings a flag
// omits are the glyphs' xMin.
func reconstructHmtx(t []byte, numHMetrics int, xMins []int16) ([]byte, error) {
	numGlyphs := len(xMins)
	if numHMetrics < 1 || numHMetrics > numGlyphs {
		return nil, woff2Err("hhea.numberOfHMetrics is %d for %d glyphs", numHMetrics, numGlyphs)
	}
	r := rd{b: t}
	flags, ok := r.u8()
	if !ok || flags&^3 != 0 || flags&3 == 0 {
		return nil, woff2Err("bad transformed hmtx flags")
	}
	want := 1 + 2*numHMetrics
	if flags&1 == 0 {
		want += 2 * numHMetrics
	}
	if flags&2 == 0 {
		want += 2 * (numGlyphs - numHMetrics)
	}
	if len(t) < want {
		return nil, woff2Err("transformed hmtx is %d bytes, want %d", len(t), want)
	}
	adv, _ := r.bytes(2 * numHMetrics)
	out := make([]byte, 0, 2*(numGlyphs+numHMetrics))
	for i := range numGlyphs {
		if i < numHMetrics {
			out = append(out, adv[2*i:2*i+2]...)
		}
		own := flags&1 == 0
		if i >= numHMetrics {
			own = flags&2 == 0
		}
		if own {
			lsb, _ := r.bytes(2)
			out = append(out, lsb...)
		} else {
			out = binary.BigEndian.AppendUint16(out, uint16(xMins[i]))
		}
	}
	return out, nil
}
