// Package imagedec decodes the avatar and logo files of a render (PNG, JPEG,
// GIF) within a byte budget. The module's linear memory is capped (128 MiB
// by default), and a file the pixel limit allows can still decode to far more
// bytes than its size on the wire: a 2048x2048 16-bit RGBA PNG of 38 KB is a
// 32 MiB image.NRGBA64 for image/png, and drawing it with Catmull-Rom keeps
// float64 rows of scratch (17 MiB more for a 260 px avatar).
//
// Decode therefore counts bytes, not pixels. A file whose plain decode and
// drawing need at most Limits.DirectBytes is decoded by the standard library
// as it always was (same pixels). A larger one is box-reduced while it
// decodes, to the smallest size that still has at least the pixels the
// template draws (Draw), and converted to 8-bit premultiplied RGBA: PNG rows
// are streamed (no full-size image at all unless interlaced), JPEG and GIF
// are decoded whole and reduced at once. What that needs is checked against
// Limits.MaxBytes; beyond it, or beyond Limits.MaxPixels, Decode fails with
// a message for the caller.
package imagedec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the formats image.Decode knows
	_ "image/jpeg"
	_ "image/png"
	"runtime"
)

// Limits bound what Decode accepts and the memory it may use.
type Limits struct {
	// MaxPixels is the most pixels (width x height) an image may have.
	MaxPixels int
	// MaxBytes is the most memory, in bytes, decoding and drawing one image
	// may need: the decoder's buffers, the reduced image and the scaling
	// scratch of its largest draw.
	MaxBytes int
	// DirectBytes: an image whose plain decode and drawing need at most this
	// is decoded as it is, unreduced. Changing it changes the pixels of the
	// images between the old and the new value.
	DirectBytes int
}

// Validate reports a limit that cannot work.
func (l Limits) Validate() error {
	switch {
	case l.MaxPixels < 1:
		return fmt.Errorf("imagedec: MaxPixels %d: want at least 1", l.MaxPixels)
	case l.MaxBytes < 1<<20:
		return fmt.Errorf("imagedec: MaxBytes %d: want at least 1 MiB", l.MaxBytes)
	case l.DirectBytes < 0 || l.DirectBytes > l.MaxBytes:
		return fmt.Errorf("imagedec: DirectBytes %d: want 0 to MaxBytes (%d)", l.DirectBytes, l.MaxBytes)
	}
	return nil
}

// Draw is one way a template draws an image: Src, a rectangle of the
// file's image (origin 0,0), is scaled to Dst pixels.
type Draw struct {
	Src image.Rectangle
	Dst image.Point
}

// Planner lists how the template draws an image of the given size.
type Planner func(size image.Point) []Draw

// Reduced is an image box-reduced while it was decoded: RGBA holds its
// pixels (8-bit, premultiplied, origin 0,0) and Size the size of the file's
// image, in whose coordinates layout is done.
type Reduced struct {
	*image.RGBA
	Size image.Point
}

// ErrFormat: the file is not an image Decode reads. Every error of Decode
// has a text for the caller (a field's message).
var ErrFormat = errors.New("not a PNG, JPEG or GIF image")

// Decode decodes file b, which plan says how the template draws: as it is
// when that is cheap (an image.Image as image.Decode returns it), else
// box-reduced (a *Reduced). Errors are for the caller: the format, the
// pixel and byte limits, or the decoder's complaint.
func Decode(b []byte, lim Limits, plan Planner) (image.Image, error) {
	f, err := inspect(b, lim)
	if err != nil {
		return nil, err
	}
	draws := plan(f.size)
	if f.directBytes()+scratchBytes(draws, f.size, f.size) <= lim.DirectBytes {
		return f.decodeDirect(b)
	}
	k := Factor(draws, f.size)
	if need := f.reducedCost(draws, k); need > lim.MaxBytes {
		return nil, fmt.Errorf("%dx%d %s needs %s to decode; at most %s", f.size.X, f.size.Y, f.kind(), mib(need), mib(lim.MaxBytes))
	}
	// A decoder that holds a whole image starts on a collected heap, so
	// that its buffers take the place of garbage rather than adding to it;
	// its buffers are freed before the next image or the draw allocates
	// (their cost is counted apart from the draw's).
	big := f.decoderBytes() > 1<<20
	if big {
		runtime.GC()
	}
	img, err := f.decodeReduced(b, k, plan)
	if big {
		runtime.GC()
	}
	return img, err
}

// inspect reads the file's header and checks the pixel limit.
func inspect(b []byte, lim Limits) (*file, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, ErrFormat
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 || w > lim.MaxPixels/h {
		return nil, fmt.Errorf("image is %dx%d; at most %d pixels", w, h, lim.MaxPixels)
	}
	f := &file{format: format, size: image.Pt(w, h)}
	switch format {
	case "png":
		f.png, err = parsePNG(b)
	case "jpeg":
		f.jpeg, err = scanJPEG(b)
	}
	if err != nil {
		return nil, fmt.Errorf("%s image does not decode: %v", format, err)
	}
	return f, nil
}

// decodeDirect decodes b with the standard library, unreduced.
func (f *file) decodeDirect(b []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s image does not decode: %v", f.format, err)
	}
	return img, nil
}

// decodeReduced decodes b box-reduced by k: PNG rows as they inflate,
// JPEG and GIF whole, then reduced (k computed again from the frame's own
// size: a GIF's first frame may be smaller than its screen).
func (f *file) decodeReduced(b []byte, k image.Point, plan Planner) (image.Image, error) {
	if f.png != nil {
		r := newReducer(f.size, k)
		if err := f.png.decode(r.add); err != nil {
			return nil, fmt.Errorf("png image does not decode: %v", err)
		}
		return &Reduced{RGBA: r.out, Size: f.size}, nil
	}
	img, err := f.decodeDirect(b)
	if err != nil {
		return nil, err
	}
	size := img.Bounds().Size()
	if size != f.size {
		k = Factor(plan(size), size)
	}
	return &Reduced{RGBA: reduceImage(img, k), Size: size}, nil
}

// Factor is the largest box reduction per axis that leaves every draw at
// least the pixels it draws (1 when a draw enlarges the image); with no
// draw at all, the image shrinks to one pixel.
func Factor(draws []Draw, size image.Point) image.Point {
	if len(draws) == 0 {
		return size
	}
	k := size
	for _, d := range draws {
		k.X = min(k.X, max(1, d.Src.Dx()/max(d.Dst.X, 1)))
		k.Y = min(k.Y, max(1, d.Src.Dy()/max(d.Dst.Y, 1)))
	}
	return k
}

// reducedSize is the size of an image of size reduced by k.
func reducedSize(size, k image.Point) image.Point {
	return image.Pt(ceilDiv(size.X, k.X), ceilDiv(size.Y, k.Y))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// mib formats n bytes for messages.
func mib(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
