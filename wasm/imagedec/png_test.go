package imagedec

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
)

// rawPNG writes a PNG of w x h random samples in any colour type, bit depth
// and interlacing (image/png writes neither interlaced files nor grey below
// 8 bits), each row with filter type y%5 so that every filter is used.
type rawPNG struct {
	w, h, ctype, depth int
	interlaced         bool
	palette, trns      []byte
	seed               uint64
}

func (p rawPNG) encode(t *testing.T) []byte {
	t.Helper()
	f := &pngFile{w: p.w, h: p.h, ctype: p.ctype, depth: p.depth}
	r := rand.New(rand.NewPCG(p.seed, 7))
	var data bytes.Buffer
	passes := [][4]int{{0, 0, 1, 1}}
	if p.interlaced {
		passes = adam7[:]
	}
	for _, ps := range passes {
		pw, ph := ceilDiv(p.w-ps[0], ps[2]), ceilDiv(p.h-ps[1], ps[3])
		if pw <= 0 || ph <= 0 {
			continue
		}
		n := f.rowBytes(pw)
		prev := make([]byte, n)
		for y := range ph {
			row := make([]byte, n)
			for i := range row {
				row[i] = byte(r.Uint32())
				if p.ctype == ctPalette && p.depth == 8 {
					row[i] %= byte(len(p.palette)/3 + 2) // a few indices past the palette
				}
			}
			if (p.ctype == ctGray || p.ctype == ctRGB) && p.trns != nil && y%3 == 0 {
				copyKey(row, p.trns, p.depth) // some pixels of the transparent colour
			}
			ft := byte(y % 5)
			data.WriteByte(ft)
			data.Write(filter(ft, row, prev, max(1, f.samples()*p.depth/8)))
			prev = row
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(data.Bytes())
	zw.Close()

	var out bytes.Buffer
	out.WriteString(pngMagic)
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(p.w)), uint32(p.h))
	il := byte(0)
	if p.interlaced {
		il = 1
	}
	chunk(&out, "IHDR", append(ihdr, byte(p.depth), byte(p.ctype), 0, 0, il))
	if p.palette != nil {
		chunk(&out, "PLTE", p.palette)
	}
	if p.trns != nil {
		chunk(&out, "tRNS", p.trns)
	}
	zb := z.Bytes()
	chunk(&out, "IDAT", zb[:len(zb)/2]) // two IDAT chunks
	chunk(&out, "IDAT", zb[len(zb)/2:])
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

// copyKey puts the tRNS colour into the first pixel of a grey or RGB row of
// depth 8 or 16.
func copyKey(row, trns []byte, depth int) {
	switch depth {
	case 16:
		copy(row, trns)
	case 8:
		for i := 0; i < len(trns)/2 && i < len(row); i++ {
			row[i] = trns[2*i+1]
		}
	}
}

func chunk(w *bytes.Buffer, typ string, data []byte) {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	w.Write(binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:])))
}

// filter applies PNG filter ft to row (prev: the row above, unfiltered).
func filter(ft byte, row, prev []byte, bpp int) []byte {
	out := make([]byte, len(row))
	for i := range row {
		var a, c int
		if i >= bpp {
			a, c = int(row[i-bpp]), int(prev[i-bpp])
		}
		b := int(prev[i])
		var pred int
		switch ft {
		case 1:
			pred = a
		case 2:
			pred = b
		case 3:
			pred = (a + b) / 2
		case 4:
			pa, pb, pc := abs(b-c), abs(a-c), abs(a+b-2*c)
			switch {
			case pa <= pb && pa <= pc:
				pred = a
			case pb <= pc:
				pred = b
			default:
				pred = c
			}
		}
		out[i] = row[i] - byte(pred)
	}
	return out
}

// nrgba8 is c as image/png decoded it, in 8 bits a channel: 16-bit colours
// keep their high byte (image/png's 16-bit colours are not premultiplied
// unless opaque).
func nrgba8(c color.Color) [4]byte {
	switch c := c.(type) {
	case color.NRGBA64:
		return [4]byte{byte(c.R >> 8), byte(c.G >> 8), byte(c.B >> 8), byte(c.A >> 8)}
	case color.RGBA64:
		return [4]byte{byte(c.R >> 8), byte(c.G >> 8), byte(c.B >> 8), byte(c.A >> 8)}
	case color.Gray16:
		return [4]byte{byte(c.Y >> 8), byte(c.Y >> 8), byte(c.Y >> 8), 0xff}
	}
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return [4]byte{n.R, n.G, n.B, n.A}
}

// streamed decodes b's rows with the streaming decoder into one NRGBA buffer.
func streamed(t *testing.T, b []byte) (*pngFile, []byte) {
	t.Helper()
	f, err := parsePNG(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	if err := f.decode(func(row []byte) { got = append(got, row...) }); err != nil {
		t.Fatal(err)
	}
	return f, got
}

// TestPNGRowsMatchImagePNG: every colour type, bit depth, tRNS and
// interlacing gives the pixels image/png gives, at 8 bits.
func TestPNGRowsMatchImagePNG(t *testing.T) {
	pal := make([]byte, 3*200)
	for i := range pal {
		pal[i] = byte(i * 7)
	}
	alphas := []byte{0, 40, 128, 255, 3}
	var cases []rawPNG
	for _, il := range []bool{false, true} {
		for _, c := range []rawPNG{
			{ctype: ctGray, depth: 1}, {ctype: ctGray, depth: 2}, {ctype: ctGray, depth: 4},
			{ctype: ctGray, depth: 8}, {ctype: ctGray, depth: 16},
			{ctype: ctGray, depth: 8, trns: []byte{0, 77}}, {ctype: ctGray, depth: 16, trns: []byte{1, 2}},
			{ctype: ctRGB, depth: 8}, {ctype: ctRGB, depth: 16},
			{ctype: ctRGB, depth: 8, trns: []byte{0, 1, 0, 2, 0, 3}}, {ctype: ctRGB, depth: 16, trns: []byte{1, 2, 3, 4, 5, 6}},
			{ctype: ctPalette, depth: 1, palette: pal[:6]}, {ctype: ctPalette, depth: 2, palette: pal[:12], trns: alphas[:2]},
			{ctype: ctPalette, depth: 4, palette: pal[:48]}, {ctype: ctPalette, depth: 8, palette: pal, trns: alphas},
			{ctype: ctGrayAlpha, depth: 8}, {ctype: ctGrayAlpha, depth: 16},
			{ctype: ctRGBA, depth: 8}, {ctype: ctRGBA, depth: 16},
		} {
			c.interlaced = il
			cases = append(cases, c)
		}
	}
	for i, c := range cases {
		for _, size := range []image.Point{{1, 1}, {3, 2}, {37, 29}} {
			c.w, c.h, c.seed = size.X, size.Y, uint64(i)
			name := fmt.Sprintf("type%d-depth%d-trns%v-interlaced%v-%dx%d", c.ctype, c.depth, c.trns != nil, c.interlaced, c.w, c.h)
			t.Run(name, func(t *testing.T) {
				b := c.encode(t)
				want, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("image/png: %v", err)
				}
				_, got := streamed(t, b)
				for y := range c.h {
					for x := range c.w {
						if g, w := [4]byte(got[4*(y*c.w+x):]), nrgba8(want.At(x, y)); g != w {
							t.Fatalf("pixel (%d,%d) = %v, image/png %v", x, y, g, w)
						}
					}
				}
			})
		}
	}
}

// TestPNGGrayBitsTransparency: sub-byte grey with tRNS compares the raw
// sample (the spec; image/png compares the scaled value, so its 1-bit
// white never matches tRNS 1).
func TestPNGGrayBitsTransparency(t *testing.T) {
	f := &pngFile{w: 8, h: 1, ctype: ctGray, depth: 1, trns: []byte{0, 1}}
	dst := make([]byte, 32)
	f.convert(dst, []byte{0b10100000})
	for x, want := range []byte{0, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff} {
		if dst[4*x+3] != want {
			t.Errorf("pixel %d alpha %d, want %d", x, dst[4*x+3], want)
		}
	}
}

// TestPNGErrors: damaged files are refused, as image/png refuses them.
func TestPNGErrors(t *testing.T) {
	good := rawPNG{w: 16, h: 16, ctype: ctRGBA, depth: 8}.encode(t)
	idat := bytes.Index(good, []byte("IDAT"))
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-20] }},
		{"bad crc", func(b []byte) []byte { b[idat+6] ^= 1; return b }},
		{"no IEND", func(b []byte) []byte { return b[:len(b)-12] }},
		{"bad depth", func(b []byte) []byte { return setDepth(b, 5) }},
		{"bad filter", func(b []byte) []byte { return repack(t, b, func(d []byte) { d[0] = 9 }) }},
		{"short data", func(b []byte) []byte { return repack(t, b, func(d []byte) {}, -10) }},
		{"long data", func(b []byte) []byte { return repack(t, b, func(d []byte) {}, 10) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.edit(bytes.Clone(good))
			if _, err := png.Decode(bytes.NewReader(b)); err == nil {
				t.Fatal("image/png decodes it: not a damaged file")
			}
			f, err := parsePNG(b)
			if err == nil {
				err = f.decode(func([]byte) {})
			}
			if err == nil {
				t.Fatal("decoded a damaged file")
			}
		})
	}
}

// setDepth sets the bit depth in b's IHDR and fixes its CRC.
func setDepth(b []byte, depth byte) []byte {
	b[24] = depth
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// repack rewrites b's image data: inflated, edited, grown or cut by extra
// bytes, deflated into one IDAT chunk.
func repack(t *testing.T, b []byte, edit func([]byte), extra ...int) []byte {
	t.Helper()
	f, err := parsePNG(b)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(bytes.Join(f.idat, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var d bytes.Buffer
	d.ReadFrom(zr)
	data := d.Bytes()
	edit(data)
	for _, n := range extra {
		if n < 0 {
			data = data[:len(data)+n]
		} else {
			data = append(data, make([]byte, n)...)
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	var out bytes.Buffer
	out.Write(b[:8+12+13])
	chunk(&out, "IDAT", z.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes()
}
