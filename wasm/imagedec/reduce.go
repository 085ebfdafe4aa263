package imagedec

import (
	"image"
	"image/color"
)

// reducer box-averages rows of 8-bit NRGBA pixels, kx x ky source pixels to
// one, into a premultiplied image (cells at the right and bottom edges
// average the pixels they have). It keeps one output row of sums.
type reducer struct {
	size image.Point // source
	k    image.Point
	out  *image.RGBA
	sums []uint32 // premultiplied R, G, B, A sums of the output row being filled
	y    int      // source rows taken
}

func newReducer(size, k image.Point) *reducer {
	o := reducedSize(size, k)
	return &reducer{size: size, k: k, out: image.NewRGBA(image.Rect(0, 0, o.X, o.Y)), sums: make([]uint32, 4*o.X)}
}

// add takes the next source row (size.X NRGBA pixels).
func (r *reducer) add(row []byte) {
	s := r.sums
	for cx, x := 0, 0; x < r.size.X; cx++ {
		end := min(x+r.k.X, r.size.X)
		var sr, sg, sb, sa uint32
		for ; x < end; x++ {
			p := row[4*x : 4*x+4]
			a := uint32(p[3])
			sa += a
			if a == 0xff {
				sr, sg, sb = sr+uint32(p[0]), sg+uint32(p[1]), sb+uint32(p[2])
				continue
			}
			sr += premul(p[0], a)
			sg += premul(p[1], a)
			sb += premul(p[2], a)
		}
		s[4*cx] += sr
		s[4*cx+1] += sg
		s[4*cx+2] += sb
		s[4*cx+3] += sa
	}
	r.y++
	if r.y%r.k.Y == 0 || r.y == r.size.Y {
		r.flush()
	}
}

// premul is c*a/255 rounded, without a division (exact for bytes).
func premul(c uint8, a uint32) uint32 {
	t := uint32(c)*a + 128
	return (t + t>>8) >> 8
}

// flush writes the averages of the output row and clears the sums.
func (r *reducer) flush() {
	oy := (r.y - 1) / r.k.Y
	rows := uint32(r.y - oy*r.k.Y)
	line := r.out.Pix[oy*r.out.Stride:]
	for cx := 0; cx < r.out.Rect.Dx(); cx++ {
		n := rows * uint32(min(r.k.X, r.size.X-cx*r.k.X))
		for c := range 4 {
			line[4*cx+c] = uint8((r.sums[4*cx+c] + n/2) / n)
			r.sums[4*cx+c] = 0
		}
	}
}

// reduceImage box-reduces a decoded image by k, converting each row to
// NRGBA first (a YCbCr image is averaged before it is converted).
func reduceImage(img image.Image, k image.Point) *image.RGBA {
	if m, ok := img.(*image.YCbCr); ok {
		return reduceYCbCr(m, k)
	}
	b := img.Bounds()
	r := newReducer(b.Size(), k)
	row := make([]byte, 4*b.Dx())
	conv := rowConverter(img)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		conv(row, y)
		r.add(row)
	}
	return r.out
}

// reduceYCbCr box-reduces a JPEG's planes by k, averaging Y, Cb and Cr over
// each cell and converting the averages to RGB: a conversion per output
// pixel, not per source pixel.
func reduceYCbCr(m *image.YCbCr, k image.Point) *image.RGBA {
	b := m.Rect
	hs, vs := chromaShift(m.SubsampleRatio)
	o := reducedSize(b.Size(), k)
	out := image.NewRGBA(image.Rectangle{Max: o})
	sums := make([]uint32, 3*o.X)
	for oy := range o.Y {
		y0, y1 := b.Min.Y+oy*k.Y, min(b.Min.Y+(oy+1)*k.Y, b.Max.Y)
		for y := y0; y < y1; y++ {
			yrow := m.Y[(y-b.Min.Y)*m.YStride:]
			crow := ((y >> vs) - (b.Min.Y >> vs)) * m.CStride
			for cx := range o.X {
				var sy, sb, sr uint32
				for x := b.Min.X + cx*k.X; x < min(b.Min.X+(cx+1)*k.X, b.Max.X); x++ {
					ci := crow + (x >> hs) - (b.Min.X >> hs)
					sy, sb, sr = sy+uint32(yrow[x-b.Min.X]), sb+uint32(m.Cb[ci]), sr+uint32(m.Cr[ci])
				}
				sums[3*cx], sums[3*cx+1], sums[3*cx+2] = sums[3*cx]+sy, sums[3*cx+1]+sb, sums[3*cx+2]+sr
			}
		}
		line := out.Pix[oy*out.Stride:]
		for cx := range o.X {
			n := uint32((y1 - y0) * (min(b.Min.X+(cx+1)*k.X, b.Max.X) - (b.Min.X + cx*k.X)))
			avg := func(s uint32) uint8 { return uint8((s + n/2) / n) }
			line[4*cx], line[4*cx+1], line[4*cx+2] = color.YCbCrToRGB(avg(sums[3*cx]), avg(sums[3*cx+1]), avg(sums[3*cx+2]))
			line[4*cx+3] = 0xff
			sums[3*cx], sums[3*cx+1], sums[3*cx+2] = 0, 0, 0
		}
	}
	return out
}

// chromaShift is how far x and y shift right to index a chroma plane.
func chromaShift(r image.YCbCrSubsampleRatio) (hs, vs int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 1, 0
	case image.YCbCrSubsampleRatio420:
		return 1, 1
	case image.YCbCrSubsampleRatio440:
		return 0, 1
	case image.YCbCrSubsampleRatio411:
		return 2, 0
	case image.YCbCrSubsampleRatio410:
		return 2, 1
	}
	return 0, 0
}

// rowConverter returns a function that converts row y of img into 8-bit
// NRGBA, with fast paths for what image/jpeg (besides YCbCr) and image/gif
// return.
func rowConverter(img image.Image) func(dst []byte, y int) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.NRGBA:
		return func(dst []byte, y int) { copy(dst, m.Pix[m.PixOffset(b.Min.X, y):][:4*b.Dx()]) }
	case *image.CMYK:
		return func(dst []byte, y int) {
			for x, p := 0, m.Pix[m.PixOffset(b.Min.X, y):]; x < b.Dx(); x++ {
				dst[4*x], dst[4*x+1], dst[4*x+2] = color.CMYKToRGB(p[4*x], p[4*x+1], p[4*x+2], p[4*x+3])
				dst[4*x+3] = 0xff
			}
		}
	case *image.Gray:
		return func(dst []byte, y int) {
			for x, g := range m.Pix[m.PixOffset(b.Min.X, y):][:b.Dx()] {
				dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = g, g, g, 0xff
			}
		}
	case *image.Paletted:
		pal := nrgbaPalette(m.Palette)
		return func(dst []byte, y int) {
			for x, i := range m.Pix[m.PixOffset(b.Min.X, y):][:b.Dx()] {
				copy(dst[4*x:4*x+4], pal[i][:])
			}
		}
	}
	return func(dst []byte, y int) {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			p := dst[4*(x-b.Min.X):]
			p[0], p[1], p[2], p[3] = c.R, c.G, c.B, c.A
		}
	}
}

// nrgbaPalette is p as 8-bit NRGBA, 256 entries; an index past p is opaque
// black (image/gif refuses such files; this only keeps the table total).
func nrgbaPalette(p color.Palette) *[256][4]byte {
	var t [256][4]byte
	for i := range t {
		t[i] = [4]byte{0, 0, 0, 0xff}
		if i < len(p) {
			c := color.NRGBAModel.Convert(p[i]).(color.NRGBA)
			t[i] = [4]byte{c.R, c.G, c.B, c.A}
		}
	}
	return &t
}
