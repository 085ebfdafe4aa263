package imagedec

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// PNG colour types.
const (
	ctGray      = 0
	ctRGB       = 2
	ctPalette   = 3
	ctGrayAlpha = 4
	ctRGBA      = 6
)

const pngMagic = "\x89PNG\r\n\x1a\n"

// pngFile is a PNG's header and the chunks decoding needs (slices of the
// file, not copies).
type pngFile struct {
	w, h       int
	depth      int // bits per sample
	ctype      int
	interlaced bool
	palette    []byte // PLTE: RGB triples
	trns       []byte // tRNS
	idat       [][]byte
}

// adam7 are the interlace passes: x and y offset, x and y step.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

// parsePNG walks the chunks of b, checking their CRCs, up to IEND.
func parsePNG(b []byte) (*pngFile, error) {
	if !bytes.HasPrefix(b, []byte(pngMagic)) {
		return nil, errors.New("not a PNG file")
	}
	f := &pngFile{}
	b = b[len(pngMagic):]
	for first := true; ; first = false {
		if len(b) < 12 {
			return nil, io.ErrUnexpectedEOF
		}
		n := int(binary.BigEndian.Uint32(b))
		if n < 0 || n > len(b)-12 {
			return nil, io.ErrUnexpectedEOF
		}
		typ, data := string(b[4:8]), b[8:8+n]
		if crc32.ChecksumIEEE(b[4:8+n]) != binary.BigEndian.Uint32(b[8+n:]) {
			return nil, fmt.Errorf("invalid checksum in %s chunk", typ)
		}
		b = b[12+n:]
		if first != (typ == "IHDR") {
			return nil, errors.New("IHDR is not the first chunk")
		}
		switch typ {
		case "IHDR":
			if err := f.header(data); err != nil {
				return nil, err
			}
		case "PLTE":
			f.palette = data
		case "tRNS":
			f.trns = data
		case "IDAT":
			f.idat = append(f.idat, data)
		case "IEND":
			return f, f.check()
		}
	}
}

// header reads IHDR.
func (f *pngFile) header(d []byte) error {
	if len(d) != 13 {
		return errors.New("bad IHDR length")
	}
	f.w, f.h = int(binary.BigEndian.Uint32(d)), int(binary.BigEndian.Uint32(d[4:]))
	f.depth, f.ctype = int(d[8]), int(d[9])
	if d[10] != 0 || d[11] != 0 || d[12] > 1 {
		return errors.New("unsupported compression, filter or interlace method")
	}
	f.interlaced = d[12] == 1
	if !validDepth(f.ctype, f.depth) {
		return fmt.Errorf("bit depth %d, colour type %d", f.depth, f.ctype)
	}
	return nil
}

func validDepth(ctype, depth int) bool {
	switch ctype {
	case ctGray:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16
	case ctPalette:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case ctRGB, ctGrayAlpha, ctRGBA:
		return depth == 8 || depth == 16
	}
	return false
}

// check reports what the chunks lack.
func (f *pngFile) check() error {
	switch {
	case len(f.idat) == 0:
		return errors.New("no IDAT chunk")
	case f.ctype == ctPalette && (len(f.palette) == 0 || len(f.palette)%3 != 0 || len(f.palette) > 3*256):
		return errors.New("bad or missing palette")
	case f.trns != nil && f.ctype == ctGray && len(f.trns) != 2,
		f.trns != nil && f.ctype == ctRGB && len(f.trns) != 6:
		return errors.New("bad tRNS length")
	}
	return nil
}

// samples is the number of samples per pixel.
func (f *pngFile) samples() int {
	return [...]int{ctGray: 1, ctRGB: 3, ctPalette: 1, ctGrayAlpha: 2, ctRGBA: 4}[f.ctype]
}

// rowBytes is the length of a row of w pixels, filter byte excluded.
func (f *pngFile) rowBytes(w int) int { return (w*f.samples()*f.depth + 7) / 8 }

// directBytes is what image/png allocates: the image (by the colour model
// it decodes to; an interlaced one also holds its largest pass, half the
// image) and two rows.
func (f *pngFile) directBytes() int {
	bpp := 4 // NRGBA, RGBA
	switch {
	case f.depth == 16 && (f.ctype == ctGray && f.trns == nil):
		bpp = 2 // Gray16
	case f.depth == 16:
		bpp = 8 // NRGBA64, RGBA64
	case f.ctype == ctPalette, f.ctype == ctGray && f.trns == nil:
		bpp = 1 // Paletted, Gray
	}
	img := f.w * f.h * bpp
	if f.interlaced {
		img += img / 2
	}
	return img + 2*(f.rowBytes(f.w)+1)
}

// streamBytes is what decode keeps besides the reducer: two raw rows, a
// converted row, the inflater, and the whole image for an interlaced file.
func (f *pngFile) streamBytes() int {
	n := 2*(f.rowBytes(f.w)+1) + f.w*4 + inflateBytes
	if f.interlaced {
		n += f.w * f.h * 4
	}
	return n
}

// decode inflates the image data and calls row with each row of the image,
// top to bottom, as 8-bit NRGBA (16-bit samples keep their high byte).
func (f *pngFile) decode(row func([]byte)) error {
	readers := make([]io.Reader, len(f.idat))
	for i, d := range f.idat {
		readers[i] = bytes.NewReader(d)
	}
	z, err := zlib.NewReader(io.MultiReader(readers...))
	if err != nil {
		return err
	}
	out := make([]byte, f.w*4)
	if !f.interlaced {
		err = f.pass(z, f.w, f.h, func(_ int, px []byte) { row(px) }, out)
	} else {
		err = f.deinterlace(z, row)
	}
	if err != nil {
		return err
	}
	return finish(z)
}

// deinterlace reads the seven passes into a full 8-bit image, then hands
// it over row by row.
func (f *pngFile) deinterlace(z io.Reader, row func([]byte)) error {
	img := make([]byte, f.w*f.h*4)
	out := make([]byte, f.w*4)
	for _, p := range adam7 {
		pw, ph := ceilDiv(f.w-p[0], p[2]), ceilDiv(f.h-p[1], p[3])
		if pw <= 0 || ph <= 0 {
			continue
		}
		err := f.pass(z, pw, ph, func(y int, px []byte) {
			line := img[(p[1]+y*p[3])*f.w*4:]
			for x := range pw {
				copy(line[(p[0]+x*p[2])*4:][:4], px[x*4:])
			}
		}, out)
		if err != nil {
			return err
		}
	}
	for y := range f.h {
		row(img[y*f.w*4 : (y+1)*f.w*4])
	}
	return nil
}

// pass reads h filtered rows of w pixels and calls row with each, converted
// into out.
func (f *pngFile) pass(z io.Reader, w, h int, row func(y int, px []byte), out []byte) error {
	n := f.rowBytes(w)
	cur, prev := make([]byte, n+1), make([]byte, n+1)
	bpp := max(1, f.samples()*f.depth/8)
	for y := range h {
		if _, err := io.ReadFull(z, cur); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("not enough pixel data: %w", err)
		}
		if err := unfilter(cur[0], cur[1:], prev[1:], bpp); err != nil {
			return err
		}
		f.convert(out[:w*4], cur[1:])
		row(y, out[:w*4])
		cur, prev = prev, cur
	}
	return nil
}

// finish checks that the image data ends where the image does (and its
// checksum, which zlib verifies at the end).
func finish(z io.ReadCloser) error {
	var one [1]byte
	if n, err := z.Read(one[:]); n > 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return err
		}
		return errors.New("too much pixel data")
	}
	return z.Close()
}

// unfilter reverses a row's filter in place (PNG spec, section 9).
func unfilter(ft byte, cur, prev []byte, bpp int) error {
	switch ft {
	case 0:
	case 1:
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2:
		for i, p := range prev {
			cur[i] += p
		}
	case 3:
		for i := range bpp {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += uint8((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case 4:
		paeth(cur, prev, bpp)
	default:
		return errors.New("bad filter type")
	}
	return nil
}

func paeth(cur, prev []byte, bpp int) {
	for i := range cur {
		var a, c int
		if i >= bpp {
			a, c = int(cur[i-bpp]), int(prev[i-bpp])
		}
		b := int(prev[i])
		pa, pb, pc := abs(b-c), abs(a-c), abs(a+b-2*c)
		switch {
		case pa <= pb && pa <= pc:
		case pb <= pc:
			a = b
		default:
			a = c
		}
		cur[i] += uint8(a)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
