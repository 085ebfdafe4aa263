package fontcat

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/go-text/typesetting/font"

	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
)

// testdata/inter-latin-400-normal.woff2 and .woff are the Latin subset of
// Inter 3.019 from the @fontsource/inter 4.5.15 npm package (SIL Open Font
// License, testdata/OFL.txt): the same font as WOFF2 (transformed glyf and
// loca, Brotli) and as WOFF1. (@fontsource/inter 5.x's two files are
// different subsets, with different glyphs.)
const interWOFF2, interWOFF = "inter-latin-400-normal.woff2", "inter-latin-400-normal.woff"

// interSHA256 is the SHA-256 of the TrueType font Google's reference
// decoder (google/woff2, as the wawoff2 2.0.1 npm package) makes of
// testdata/inter-latin-400-normal.woff2: ours is the same, byte for byte.
const interSHA256 = "9ea57b57164f6b7fa65f61cdddc5c725356fb8e1d0426ef757eebe76c384759c"

// collectionSHA256 is the reference decoder's TTC for TestWOFF2Collection's
// file (the head both fonts share takes the last font's checkSumAdjustment).
const collectionSHA256 = "2624f9bc778721834a6cc1548fec07ab53950366a1982134f8fca4da4de37a12"

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sfntTables checks the SFNT at off in b (its directory sorted by tag,
// tables 4-byte aligned inside b, checksums right) and returns its tables.
func sfntTables(t testing.TB, b []byte, off int) map[string][]byte {
	t.Helper()
	be := binary.BigEndian
	n := int(be.Uint16(b[off+4:]))
	if sel := int(be.Uint16(b[off+8:])); 1<<sel > n || 2<<sel <= n || int(be.Uint16(b[off+6:])) != 16<<sel || int(be.Uint16(b[off+10:])) != 16*n-16<<sel {
		t.Errorf("bad search fields for %d tables", n)
	}
	out := map[string][]byte{}
	prev := ""
	for k := range n {
		e := b[off+12+16*k:]
		tag, sum, o, l := string(e[:4]), be.Uint32(e[4:]), int(be.Uint32(e[8:])), int(be.Uint32(e[12:]))
		if tag <= prev {
			t.Errorf("table %q after %q: directory not sorted", tag, prev)
		}
		prev = tag
		if o%4 != 0 || o+(l+3)&^3 > len(b) {
			t.Fatalf("table %q at %d (%d bytes) in a %d-byte file", tag, o, l, len(b))
		}
		data := slices.Clone(b[o : o+(l+3)&^3])
		if tag == "head" {
			clear(data[8:12])
		}
		if got := checksum(data); got != sum {
			t.Errorf("table %q: checksum %#x, directory says %#x", tag, got, sum)
		}
		out[tag] = b[o : o+l]
	}
	return out
}

// woff1Tables decodes a WOFF1 file's tables.
func woff1Tables(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	be := binary.BigEndian
	if string(b[:4]) != "wOFF" {
		t.Fatal("not WOFF")
	}
	out := map[string][]byte{}
	for k := range int(be.Uint16(b[12:])) {
		e := b[44+20*k:]
		tag, off, comp, orig := string(e[:4]), be.Uint32(e[4:]), be.Uint32(e[8:]), be.Uint32(e[12:])
		data := b[off : off+comp]
		if comp < orig {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		out[tag] = data
	}
	return out
}

// sameGlyphs compares the outlines (segments) and advances of the glyphs
// of runes in two fonts, and returns the glyphs compared.
func sameGlyphs(t *testing.T, got, want *font.Font, runes []rune) []font.GID {
	t.Helper()
	gf, wf := font.NewFace(got), font.NewFace(want)
	var gids []font.GID
	for _, r := range runes {
		gid, ok := want.Cmap.Lookup(r)
		if g, ok2 := got.Cmap.Lookup(r); !ok || !ok2 || g != gid {
			t.Errorf("%q: glyph %d (%v), want %d (%v)", r, g, ok2, gid, ok)
			continue
		}
		gids = append(gids, gid)
		wo, ok1 := wf.GlyphData(gid).(font.GlyphOutline)
		goo, ok2 := gf.GlyphData(gid).(font.GlyphOutline)
		if !ok1 || !ok2 {
			t.Errorf("%q (glyph %d): no outline (%v, %v)", r, gid, ok2, ok1)
			continue
		}
		if !reflect.DeepEqual(goo.Segments, wo.Segments) {
			t.Errorf("%q (glyph %d): %d outline segments differ from WOFF's %d", r, gid, len(goo.Segments), len(wo.Segments))
		}
		if a, w := gf.HorizontalAdvance(gid), wf.HorizontalAdvance(gid); a != w {
			t.Errorf("%q (glyph %d): advance %v, want %v", r, gid, a, w)
		}
	}
	return gids
}

func runesOf(rs fonts.Ranges) []rune {
	var out []rune
	for _, r := range rs {
		for c := r.Lo; c <= r.Hi; c++ {
			out = append(out, c)
		}
	}
	return out
}

// glyphContours is the numberOfContours of glyph gid (-1: composite; 0 for
// an empty glyph).
func glyphContours(t testing.TB, tabs map[string][]byte, gid font.GID) int {
	t.Helper()
	loca, glyf := tabs["loca"], tabs["glyf"]
	var from, to int
	if int16(binary.BigEndian.Uint16(tabs["head"][50:])) == 0 {
		from, to = 2*int(binary.BigEndian.Uint16(loca[2*gid:])), 2*int(binary.BigEndian.Uint16(loca[2*gid+2:]))
	} else {
		from, to = int(binary.BigEndian.Uint32(loca[4*gid:])), int(binary.BigEndian.Uint32(loca[4*gid+4:]))
	}
	if from == to {
		return 0
	}
	return int(int16(binary.BigEndian.Uint16(glyf[from:])))
}

func parseFont(t *testing.T, b []byte) *font.Font {
	t.Helper()
	f, err := fonts.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestWOFF2MatchesWOFF: the decoded WOFF2 is a valid SFNT (sorted
// directory, checksums, checkSumAdjustment) that go-text parses, with the
// WOFF1 file's cmap coverage, outlines (simple and composite glyphs) and
// advances, and the same bytes for every table but glyf and loca (which
// the transform re-encodes).
func TestWOFF2MatchesWOFF(t *testing.T) {
	w2, w1 := testdata(t, interWOFF2), testdata(t, interWOFF)
	sfnt, err := DecodeWOFF2(w2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes -> %d-byte TrueType", interWOFF2, len(w2), len(sfnt))
	if sum := sha256.Sum256(sfnt); hex.EncodeToString(sum[:]) != interSHA256 {
		t.Errorf("decoded font's SHA-256 is %x, the reference decoder's %s", sum, interSHA256)
	}
	if got := binary.BigEndian.Uint32(sfnt); got != 0x00010000 {
		t.Errorf("sfnt version %#x", got)
	}
	if sum := checksum(append(slices.Clone(sfnt), make([]byte, 3)...)[:(len(sfnt)+3)&^3]); sum != 0xb1b0afba {
		t.Errorf("file checksum %#x, want 0xb1b0afba (head.checkSumAdjustment)", sum)
	}
	tabs, want := sfntTables(t, sfnt, 0), woff1Tables(t, w1)
	if len(tabs) != len(want) {
		t.Errorf("%d tables, WOFF has %d", len(tabs), len(want))
	}
	for tag, w := range want {
		g := tabs[tag]
		switch tag {
		case "glyf", "loca":
			continue
		case "head":
			// checkSumAdjustment differs with glyf's bytes; the WOFF2
			// encoder sets flags bit 11 (font converted).
			g, w = slices.Clone(g), slices.Clone(w)
			clear(g[8:12])
			clear(w[8:12])
			g[16] &^= 0x08
			w[16] &^= 0x08
		}
		if !bytes.Equal(g, w) {
			t.Errorf("table %q differs from the WOFF's", tag)
		}
	}

	got, ref := parseFont(t, sfnt), parseFont(t, w1)
	cov := fonts.Coverage(got)
	if !slices.Equal(cov, fonts.Coverage(ref)) || len(cov) == 0 {
		t.Fatalf("coverage %v, WOFF's %v", cov, fonts.Coverage(ref))
	}
	runes := runesOf(cov)
	gids := sameGlyphs(t, got, ref, runes)
	kinds := map[string]int{}
	for _, g := range gids {
		switch c := glyphContours(t, tabs, g); {
		case c < 0:
			kinds["composite"]++
		case c == 0:
			kinds["empty"]++
		default:
			kinds["simple"]++
		}
	}
	t.Logf("%d runes compared: %v glyphs", len(runes), kinds)
	if kinds["composite"] == 0 || kinds["simple"] == 0 || kinds["empty"] == 0 {
		t.Errorf("glyph kinds %v: want simple, composite and empty glyphs", kinds)
	}
	for _, r := range "éñ" {
		if g, _ := got.Cmap.Lookup(r); glyphContours(t, tabs, g) >= 0 {
			t.Errorf("%q is not a composite glyph", r)
		}
	}
}

// encTable is a table of a WOFF2 file the tests write: data is what goes
// in the compressed stream (the transformed form when transformed).
type encTable struct {
	tag     string
	version byte // transform version, as in the directory's flags
	orig    int
	data    []byte
}

func (e encTable) transformed() bool {
	if e.tag == "glyf" || e.tag == "loca" {
		return e.version == 0
	}
	return e.version != 0
}

func appendBase128(b []byte, v uint32) []byte {
	n := 1
	for v>>(7*n) != 0 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		c := byte(v>>(7*i)) & 0x7f
		if i > 0 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

func append255(b []byte, v int) []byte {
	switch {
	case v < 253:
		return append(b, byte(v))
	case v < 253+256:
		return append(b, 255, byte(v-253))
	case v < 2*253+256:
		return append(b, 254, byte(v-2*253))
	}
	return append(b, 253, byte(v>>8), byte(v))
}

// encodeWOFF2 writes a WOFF2 file; collection != nil makes it a collection
// of those fonts (table indices), each of flavor.
func encodeWOFF2(t testing.TB, flavor uint32, tabs []encTable, collection [][]int) []byte {
	t.Helper()
	var dir, stream []byte
	total := 12 + 16*len(tabs)
	for _, e := range tabs {
		idx := slices.Index(woff2Tags[:], e.tag)
		if idx < 0 {
			idx = 63
		}
		dir = append(dir, byte(idx)|e.version<<6)
		if idx == 63 {
			dir = append(dir, e.tag...)
		}
		dir = appendBase128(dir, uint32(e.orig))
		if e.transformed() {
			dir = appendBase128(dir, uint32(len(e.data)))
		}
		stream = append(stream, e.data...)
		total += (e.orig + 3) &^ 3
	}
	if collection != nil {
		dir = binary.BigEndian.AppendUint32(dir, 0x00010000)
		dir = append255(dir, len(collection))
		for _, f := range collection {
			dir = append255(dir, len(f))
			dir = binary.BigEndian.AppendUint32(dir, 0x00010000)
			for _, i := range f {
				dir = append255(dir, i)
			}
		}
		flavor = ttcfFlavor
	}
	var comp bytes.Buffer
	w := brotli.NewWriterLevel(&comp, 9)
	if _, err := w.Write(stream); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, woff2HeaderSize)
	be := binary.BigEndian
	copy(b, "wOF2")
	be.PutUint32(b[4:], flavor)
	be.PutUint16(b[12:], uint16(len(tabs)))
	be.PutUint32(b[16:], uint32(total))
	be.PutUint32(b[20:], uint32(comp.Len()))
	be.PutUint16(b[24:], 1)
	b = append(append(b, dir...), comp.Bytes()...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	be.PutUint32(b[8:], uint32(len(b)))
	return b
}

// interTables are the tables of the Inter WOFF2 file as stored (glyf and
// loca transformed), and its decoded SFNT's tables.
func interTables(t testing.TB) ([]encTable, map[string][]byte) {
	t.Helper()
	b := testdata(t, interWOFF2)
	w, err := parseWOFF2(b, abi.MaxFontBytes)
	if err != nil {
		t.Fatal(err)
	}
	raw := w.raw
	var out []encTable
	for _, tb := range w.tables {
		e := encTable{tag: tb.tag, orig: int(tb.origLen), data: raw[tb.off : tb.off+tb.n]}
		if !tb.transformed && (tb.tag == "glyf" || tb.tag == "loca") {
			e.version = 3
		}
		out = append(out, e)
	}
	sfnt, err := DecodeWOFF2(b)
	if err != nil {
		t.Fatal(err)
	}
	return out, sfntTables(t, sfnt, 0)
}

// TestWOFF2Transforms re-encodes the Inter file's tables with the other
// transforms: null glyf/loca (version 3) gives back the same SFNT, byte
// for byte; so does a transformed hmtx (left side bearings dropped, taken
// from glyf's xMin). (The reference decoder decodes the hmtx file to the
// same bytes too.)
func TestWOFF2Transforms(t *testing.T) {
	tabs, sfnt := interTables(t)
	want, err := DecodeWOFF2(testdata(t, interWOFF2))
	if err != nil {
		t.Fatal(err)
	}

	null := slices.Clone(tabs)
	for i, e := range null {
		if e.tag == "glyf" || e.tag == "loca" {
			null[i] = encTable{tag: e.tag, version: 3, orig: len(sfnt[e.tag]), data: sfnt[e.tag]}
		}
	}
	got, err := DecodeWOFF2(encodeWOFF2(t, 0x00010000, null, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("null-transformed glyf and loca do not decode to the same font")
	}

	hmtx := transformHmtx(t, sfnt)
	trans := slices.Clone(tabs)
	for i, e := range trans {
		if e.tag == "hmtx" {
			trans[i] = encTable{tag: "hmtx", version: 1, orig: e.orig, data: hmtx}
		}
	}
	w2 := encodeWOFF2(t, 0x00010000, trans, nil)
	got, err = DecodeWOFF2(w2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hmtx %d bytes, transformed %d; file %d bytes", len(sfnt["hmtx"]), len(hmtx), len(w2))
	if !bytes.Equal(got, want) {
		t.Error("the transformed hmtx does not decode to the same font")
	}
	sameGlyphs(t, parseFont(t, got), parseFont(t, testdata(t, interWOFF)), []rune("AVéÅ fi"))
}

// transformHmtx writes the font's hmtx in its WOFF2 transformed form
// (flags 3: both lsb arrays dropped), checking every lsb is its glyph's
// xMin, as the transform requires.
func transformHmtx(t testing.TB, tabs map[string][]byte) []byte {
	t.Helper()
	be := binary.BigEndian
	nh, ng := int(be.Uint16(tabs["hhea"][34:])), int(be.Uint16(tabs["maxp"][4:]))
	hmtx := tabs["hmtx"]
	out := []byte{3}
	for i := range nh {
		out = append(out, hmtx[4*i:4*i+2]...)
	}
	for g := range ng {
		var lsb int16
		if g < nh {
			lsb = int16(be.Uint16(hmtx[4*g+2:]))
		} else {
			lsb = int16(be.Uint16(hmtx[4*nh+2*(g-nh):]))
		}
		xMin := int16(0)
		if glyphContours(t, tabs, font.GID(g)) != 0 {
			loca := tabs["loca"]
			off := 2 * int(be.Uint16(loca[2*g:]))
			if be.Uint16(tabs["head"][50:]) != 0 {
				off = int(be.Uint32(loca[4*g:]))
			}
			xMin = int16(be.Uint16(tabs["glyf"][off+2:]))
		}
		if lsb != xMin {
			t.Fatalf("glyph %d: lsb %d, xMin %d", g, lsb, xMin)
		}
	}
	return out
}

// TestWOFF2Collection: a WOFF2 collection of two fonts sharing every table
// but name decodes to a TTC holding each shared table once, as the
// reference decoder does; go-text reads both fonts, with the WOFF's
// outlines.
func TestWOFF2Collection(t *testing.T) {
	tabs, sfnt := interTables(t)
	name := slices.Clone(sfnt["name"])
	name[len(name)-1] ^= 1
	tabs = append(tabs, encTable{tag: "name", orig: len(name), data: name})
	var a, b []int
	for i, e := range tabs {
		if i == len(tabs)-1 || e.tag != "name" {
			b = append(b, i)
		}
		if i < len(tabs)-1 {
			a = append(a, i)
		}
	}
	w2 := encodeWOFF2(t, 0, tabs, [][]int{a, b})
	ttc, err := DecodeWOFF2(w2)
	if err != nil {
		t.Fatal(err)
	}
	single, err := DecodeWOFF2(testdata(t, interWOFF2))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("collection: %d-byte WOFF2 -> %d-byte TTC (one font: %d)", len(w2), len(ttc), len(single))
	if sum := sha256.Sum256(ttc); hex.EncodeToString(sum[:]) != collectionSHA256 {
		t.Errorf("decoded TTC's SHA-256 is %x, the reference decoder's %s", sum, collectionSHA256)
	}
	be := binary.BigEndian
	if string(ttc[:4]) != "ttcf" || be.Uint32(ttc[8:]) != 2 {
		t.Fatalf("not a two-font TTC: %q", ttc[:12])
	}
	// The TTC header, a second directory and a second name table.
	if want := len(single) + 12 + 4*2 + 12 + 16*len(b) + (len(name)+3)&^3; len(ttc) != want {
		t.Errorf("TTC of %d bytes, want %d: shared tables are not written once", len(ttc), want)
	}
	t0, t1 := sfntTables(t, ttc, int(be.Uint32(ttc[12:]))), sfntTables(t, ttc, int(be.Uint32(ttc[16:])))
	if !bytes.Equal(t0["name"], sfnt["name"]) || !bytes.Equal(t1["name"], name) || &t0["glyf"][0] != &t1["glyf"][0] {
		t.Error("the fonts do not have their own name tables and a shared glyf")
	}
	faces, err := font.ParseTTC(bytes.NewReader(ttc))
	if err != nil || len(faces) != 2 {
		t.Fatalf("ParseTTC: %d faces, %v", len(faces), err)
	}
	ref := parseFont(t, testdata(t, interWOFF))
	for _, f := range faces {
		sameGlyphs(t, f.Font, ref, runesOf(fonts.Coverage(ref)))
	}
}

// TestWOFF2Errors: truncated, corrupt, inconsistent and oversized files are
// errors that say WOFF2, never a panic; the per-font limit bounds both the
// declared and the decoded size.
func TestWOFF2Errors(t *testing.T) {
	good := testdata(t, interWOFF2)
	be := binary.BigEndian
	patch := func(off int, v uint32) []byte {
		b := slices.Clone(good)
		be.PutUint32(b[off:], v)
		return b
	}
	tabs, _ := interTables(t)
	without := func(tag string) []byte {
		var out []encTable
		for _, e := range tabs {
			if e.tag != tag {
				out = append(out, e)
			}
		}
		return encodeWOFF2(t, 0x00010000, out, nil)
	}
	corrupt := slices.Clone(good)
	for i := 200; i < 400; i++ {
		corrupt[i] ^= 0x5a
	}
	edit := func(tag string, fn func(e *encTable)) []byte {
		out := slices.Clone(tabs)
		for i := range out {
			if out[i].tag == tag {
				out[i].data = slices.Clone(out[i].data)
				fn(&out[i])
			}
		}
		return encodeWOFF2(t, 0x00010000, out, nil)
	}
	// 8 MiB of zeros compress to a few bytes: a Brotli bomb.
	bomb := encodeWOFF2(t, 0x00010000, append(slices.Clone(tabs), encTable{tag: "zero", orig: 8 << 20, data: make([]byte, 8<<20)}), nil)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated header"},
		{"header only", good[:48], "the header gives a length"},
		{"truncated", good[:len(good)/2], "the header gives a length"},
		{"truncated, length patched", func() []byte { b := slices.Clone(good[:len(good)/2]); be.PutUint32(b[8:], uint32(len(b))); return b }(), "runs past the end"},
		{"garbage", append([]byte("wOF2"), make([]byte, 60)...), "WOFF2"},
		{"huge totalSfntSize", patch(16, abi.MaxFontBytes+1), "declares a"},
		{"corrupt brotli", corrupt, "compressed stream"},
		{"brotli bomb", bomb, "implausible compression ratio"},
		{"loca origLength", edit("loca", func(e *encTable) { e.orig = 100 }), "loca's origLength is 100"},
		{"glyf sub-stream", edit("glyf", func(e *encTable) { be.PutUint32(e.data[8:], 1<<30) }), "runs past the table"},
		{"hmtx flags", edit("hmtx", func(e *encTable) { e.version, e.data = 1, []byte{0} }), "bad transformed hmtx flags"},
		{"glyf reserved transform", edit("glyf", func(e *encTable) { e.version = 1 }), "reserved transform"},
		{"no head", without("head"), "without a head"},
		{"no loca", without("loca"), "both be transformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := DecodeWOFF2(tc.b)
			if err == nil {
				t.Fatalf("decoded %d bytes", len(out))
			}
			t.Log(err)
			if !strings.HasPrefix(err.Error(), "WOFF2: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want WOFF2 ... %q", err, tc.want)
			}
		})
	}
	// Declared tables larger than the limit, and a decoded font larger
	// than it (the glyf transform makes the font larger than its stream).
	w, err := parseWOFF2(good, abi.MaxFontBytes)
	if err != nil {
		t.Fatal(err)
	}
	raw := w.raw
	hint := patch(16, 0) // totalSfntSize is only checked against the limit
	total := int(be.Uint32(good[16:]))
	if _, err := decodeWOFF2(good, total-1); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("declares a %d-byte font", total)) {
		t.Errorf("limit below totalSfntSize: %v", err)
	}
	if _, err := decodeWOFF2(hint, len(raw)-1); err == nil || !strings.Contains(err.Error(), "decompress to more than") {
		t.Errorf("limit below the stream: %v", err)
	}
	if _, err := decodeWOFF2(hint, len(raw)+1000); err == nil || !strings.Contains(err.Error(), "render module's limit") {
		t.Errorf("limit below the font: %v", err)
	}
	// Every prefix and every one-byte corruption of the directory fails
	// cleanly (or decodes).
	for n := range len(good) {
		if _, err := DecodeWOFF2(good[:n]); err == nil {
			t.Fatalf("%d-byte prefix decoded", n)
		}
	}
	for i := 0; i < 200; i++ {
		b := slices.Clone(good)
		b[i] ^= 0xff
		DecodeWOFF2(b)
	}
}

// TestFontsDirWOFF2: a .woff2 file of OGMINT_FONTS_DIR, and WOFF2 bytes in
// a file named otherwise, are families like any other, handed over as
// TrueType (the module needs no WOFF2 decoder).
func TestFontsDirWOFF2(t *testing.T) {
	w2 := testdata(t, interWOFF2)
	dir := writeFiles(t, map[string][]byte{
		"Inter.woff2":      w2,
		"Inter-Bold.WOFF2": w2,
		"Renamed.ttf":      w2,
		"Plain.woff":       testdata(t, interWOFF),
	})
	files, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		for _, b := range [][]byte{f.Regular, f.Bold} {
			if b != nil && IsWOFF2(b) {
				t.Errorf("%s: handed over as WOFF2", f.Name)
			}
		}
	}
	if want := []string{"Inter", "Plain", "Renamed"}; !slices.Equal(names, want) {
		t.Fatalf("families %v, want %v", names, want)
	}
	if files[0].Bold == nil {
		t.Error("Inter-Bold.WOFF2 is not Inter's bold")
	}
	ref := parseFont(t, testdata(t, interWOFF))
	sameGlyphs(t, parseFont(t, files[0].Regular), ref, []rune("Hé!"))
	cat, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := Names(cat); !slices.Equal(got[len(got)-3:], names) {
		t.Errorf("catalogue families %v", got)
	}
	for i, f := range cat.Families {
		fam, err := fonts.Unpack(cat.Packed(i))
		if err != nil {
			t.Fatal(err)
		}
		if IsWOFF2(fam.Regular) {
			t.Errorf("%s packed as WOFF2", f.Name)
		}
	}
}

// FuzzWOFF2: no input panics the decoder, a decoded font is within the
// limit and allocation is bounded by the limit (not by what a header
// claims). The fuzz limit is 1 MiB (the Inter file decodes to 46 KiB) so
// each input is fast; DecodeWOFF2 uses abi.MaxFontBytes the same way.
func FuzzWOFF2(f *testing.F) {
	good := testdata(f, interWOFF2)
	f.Add(good)
	f.Add(good[:len(good)/3])
	// The same font with a transformed hmtx, and as a collection of two
	// fonts sharing tables.
	tabs, sfnt := interTables(f)
	hmtx := slices.Clone(tabs)
	for i, e := range hmtx {
		if e.tag == "hmtx" {
			hmtx[i] = encTable{tag: "hmtx", version: 1, orig: e.orig, data: transformHmtx(f, sfnt)}
		}
	}
	f.Add(encodeWOFF2(f, 0x00010000, hmtx, nil))
	var all, second []int
	for i, e := range tabs {
		all = append(all, i)
		if !strings.Contains("GDEF GPOS GSUB STAT", e.tag) {
			second = append(second, i)
		}
	}
	coll := encodeWOFF2(f, 0, hmtx, [][]int{all, second})
	if _, err := DecodeWOFF2(coll); err != nil {
		f.Fatal(err)
	}
	f.Add(coll)
	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, b []byte) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		out, err := decodeWOFF2(b, limit)
		runtime.ReadMemStats(&m1)
		if err == nil && len(out) > limit {
			t.Fatalf("decoded %d bytes, limit %d", len(out), limit)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "WOFF2: ") {
			t.Fatalf("error %q", err)
		}
		// Brotli's window (up to 16 MiB) and the buffers, each at most
		// twice its limit.
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 8*limit+64*uint64(len(b))+(18<<20) {
			t.Fatalf("%d bytes allocated for a %d-byte input", alloc, len(b))
		}
	})
}
