package imagedec

import "image"

// file is what inspect learnt from a file's header.
type file struct {
	format string // "png", "jpeg" or "gif"
	size   image.Point
	png    *pngFile  // format "png"
	jpeg   *jpegInfo // format "jpeg"
}

// kind names the file for messages.
func (f *file) kind() string {
	switch {
	case f.png != nil && f.png.depth == 16:
		return "16-bit PNG"
	case f.jpeg != nil && f.jpeg.progressive:
		return "progressive JPEG"
	case f.jpeg != nil:
		return "JPEG"
	}
	return map[string]string{"png": "PNG", "gif": "GIF"}[f.format]
}

// inflateBytes is what a zlib reader keeps (window and tables), rounded up.
const inflateBytes = 64 << 10

// scaleBytesPerPixel is what x/image/draw's Catmull-Rom scaler keeps per
// destination column and source row: a [4]float64.
const scaleBytesPerPixel = 32

// directBytes is what image.Decode allocates for the file.
func (f *file) directBytes() int {
	pixels := f.size.X * f.size.Y
	switch {
	case f.png != nil:
		return f.png.directBytes()
	case f.jpeg != nil:
		return f.jpeg.decodeBytes(f.size)
	}
	return pixels // GIF: one paletted frame
}

// reducedCost is the memory, in bytes, decoding f reduced by k and drawing
// it as draws say needs at its peak. Decoding holds the decoder's own
// buffers (rows for a PNG that is not interlaced; the whole image for an
// interlaced one, a JPEG or a GIF), a source row and a row of sums besides
// the reduced image; drawing holds the reduced image and the largest draw's
// scaling scratch. The two do not overlap: Decode collects the decoder's
// garbage before it returns.
func (f *file) reducedCost(draws []Draw, k image.Point) int {
	out := reducedSize(f.size, k)
	decoding := f.decoderBytes() + f.size.X*4 + out.X*16
	return out.X*out.Y*4 + max(decoding, scratchBytes(draws, f.size, out))
}

// decoderBytes is what the decoder of the reduced path keeps.
func (f *file) decoderBytes() int {
	if f.png != nil {
		return f.png.streamBytes()
	}
	return f.directBytes()
}

// scratchBytes is the largest memory a draw of draws needs to scale an
// image of size whose pixels are pix: the Catmull-Rom scratch and the
// scaled result.
func scratchBytes(draws []Draw, size, pix image.Point) int {
	var most int
	for _, d := range draws {
		rows := ceilDiv(d.Src.Dy()*pix.Y, size.Y)
		most = max(most, d.Dst.X*rows*scaleBytesPerPixel+d.Dst.X*d.Dst.Y*4)
	}
	return most
}
