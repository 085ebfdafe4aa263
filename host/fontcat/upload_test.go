package fontcat

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
)

// encodeWOFF is a WOFF 1.0 encoder for tests: every table of an SFNT,
// zlib-compressed when that is smaller.
func encodeWOFF(t testing.TB, sfnt []byte) []byte {
	t.Helper()
	be := binary.BigEndian
	n := int(be.Uint16(sfnt[4:]))
	hdr := make([]byte, 44+20*n)
	copy(hdr, "wOFF")
	be.PutUint32(hdr[4:], be.Uint32(sfnt))
	be.PutUint16(hdr[12:], uint16(n))
	be.PutUint32(hdr[16:], uint32(len(sfnt)))
	be.PutUint16(hdr[20:], 1)
	var data []byte
	for k := range n {
		e := sfnt[12+16*k:]
		off, l := be.Uint32(e[8:]), be.Uint32(e[12:])
		table := sfnt[off : off+l]
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(table)
		zw.Close()
		if z.Len() < len(table) {
			table = z.Bytes()
		}
		d := hdr[44+20*k:]
		copy(d, e[:4])
		be.PutUint32(d[4:], uint32(len(hdr)+len(data)))
		be.PutUint32(d[8:], uint32(len(table)))
		be.PutUint32(d[12:], l)
		be.PutUint32(d[16:], be.Uint32(e[4:]))
		data = append(data, table...)
		for len(data)%4 != 0 {
			data = append(data, 0)
		}
	}
	out := append(hdr, data...)
	be.PutUint32(out[8:], uint32(len(out)))
	return out
}

// TestDecodeWOFF: a WOFF 1.0 file decodes to an SFNT (directory sorted,
// tables aligned, checksums as given) with every table of the file, which
// is the font the same file's WOFF2 encodes; a TrueType font survives a
// round trip through WOFF table for table.
func TestDecodeWOFF(t *testing.T) {
	woff := testdata(t, interWOFF)
	sfnt, format, err := ToSFNT(woff, 1<<20)
	if err != nil || format != FormatWOFF {
		t.Fatalf("ToSFNT: %s %v", format, err)
	}
	got, want := sfntTables(t, sfnt, 0), woff1Tables(t, woff)
	if len(got) != len(want) {
		t.Fatalf("%d tables, want %d", len(got), len(want))
	}
	for tag, data := range want {
		if !bytes.Equal(got[tag], data) {
			t.Errorf("table %q differs", tag)
		}
	}
	if err := CheckTemplateFont(sfnt); err != nil {
		t.Fatal(err)
	}
	w2, _, err := ToSFNT(testdata(t, interWOFF2), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	sameGlyphs(t, parseFont(t, sfnt), parseFont(t, w2), []rune("Hamburgefonstiv 0123456789"))

	ttf, err := os.ReadFile("../../templates/fontpack/JetBrainsMono-Regular.ttf")
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeWOFF(encodeWOFF(t, ttf), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	orig, round := sfntTables(t, ttf, 0), sfntTables(t, back, 0)
	for tag, data := range orig {
		if !bytes.Equal(round[tag], data) {
			t.Errorf("round trip: table %q differs", tag)
		}
	}
	if len(round) != len(orig) {
		t.Errorf("round trip: %d tables, want %d", len(round), len(orig))
	}
}

// TestToSFNTRefuses: what an upload cannot be, each with an error, never
// a panic.
func TestToSFNTRefuses(t *testing.T) {
	woff := testdata(t, interWOFF)
	be := binary.BigEndian
	patch := func(off int, v uint32) []byte {
		b := bytes.Clone(woff)
		be.PutUint32(b[off:], v)
		return b
	}
	ttc := append([]byte("ttcf"), make([]byte, 40)...)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a font file"},
		{"PNG", []byte("\x89PNG\r\n\x1a\n...."), "not a font file"},
		{"collection", ttc, "collection"},
		{"WOFF length", patch(8, uint32(len(woff)+1)), "header says"},
		{"WOFF truncated", woff[:len(woff)-100], "header says"},
		{"WOFF table outside", patch(44+4, uint32(len(woff))), "outside"},
		{"WOFF compressed larger", patch(44+8, 1<<30), "outside"},
		{"WOFF bad zlib", func() []byte { b := bytes.Clone(woff); o := be.Uint32(b[44+4:]); copy(b[o:], "xxxx"); return b }(), "table"},
		{"WOFF2 truncated", testdata(t, interWOFF2)[:100], "WOFF2"},
	} {
		if _, _, err := ToSFNT(tc.b, 1<<20); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	for _, b := range [][]byte{woff, testdata(t, interWOFF2)} {
		if _, _, err := ToSFNT(b, 4096); !errors.Is(err, ErrDecodedTooLarge) {
			t.Errorf("%.4s over the limit: %v", b, err)
		}
	}
}

// TestCheckTemplateFont: outline fonts (TrueType and CFF) are template
// families; an emoji font, and a file that is not a font, are not.
func TestCheckTemplateFont(t *testing.T) {
	for _, path := range []string{"../../templates/fontpack/DejaVuSerif.ttf", "../../templates/fonts/Inter-Regular.otf"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckTemplateFont(b); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	emoji, err := os.ReadFile("../../templates/fontpack/NotoColorEmoji.ttf")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckTemplateFont(emoji); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("emoji: %v", err)
	}
	if err := CheckTemplateFont(append([]byte("\x00\x01\x00\x00"), make([]byte, 100)...)); err == nil {
		t.Error("a header without tables passed")
	}
}

// FuzzDecodeWOFF: any bytes decode to an SFNT within the limit or an
// error, never a panic.
func FuzzDecodeWOFF(f *testing.F) {
	f.Add(testdata(f, interWOFF))
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 1 << 20
		out, err := DecodeWOFF(b, limit)
		if err == nil && len(out) > limit {
			t.Fatalf("%d bytes decoded, limit %d", len(out), limit)
		}
	})
}
