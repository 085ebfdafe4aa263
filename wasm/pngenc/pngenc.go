// Package pngenc writes opaque RGBA frames as PNGs. Encoder is the project's
// encoder, run by the host (host/pngfast, in two bands), by the render module
// (ogmint_encode_png) and so by the edge: a palette PNG when the frame has at
// most 256 colours, else 8-bit RGB; rows equal to the row above filtered Up,
// the others None; its own deflate (Deflater), made for cards. Encode is the
// plain reference: RGB, filter None, any zlib writer. All decode to the same
// pixels; the bytes differ.
package pngenc

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// Signature starts every PNG file.
var Signature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

// Header returns the signature and the IHDR chunk for a w x h RGB image.
func Header(w, h int) []byte { return appendHeader(nil, w, h, 2) }

// appendHeader appends the signature and the IHDR chunk for a w x h 8-bit
// image of a colour type (2: truecolour, 3: palette).
func appendHeader(dst []byte, w, h int, colorType byte) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // bit depth
	ihdr[9] = colorType
	// compression, filter method, interlace: 0
	return AppendChunk(append(dst, Signature...), "IHDR", ihdr[:])
}

// AppendChunk appends one PNG chunk (length, type, data, CRC) to dst.
func AppendChunk(dst []byte, typ string, data []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(data)))
	start := len(dst)
	dst = append(dst, typ...)
	dst = append(dst, data...)
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
	return dst
}

// Trailer is the IEND chunk.
func Trailer() []byte { return AppendChunk(nil, "IEND", nil) }

// Scanlines writes rows [y0, y1) of an RGBA frame (stride w*4) to dst as PNG
// scanlines: a filter byte 0 then RGB triples. row is scratch space of at
// least 1+3*w bytes.
func Scanlines(dst io.Writer, pix []byte, w, y0, y1 int, row []byte) error {
	row = row[:1+3*w]
	row[0] = 0
	for y := y0; y < y1; y++ {
		src := pix[y*w*4 : (y+1)*w*4]
		d := row[1:]
		for x := 0; x < w; x++ {
			s := src[x*4 : x*4+3 : x*4+3]
			o := d[x*3 : x*3+3 : x*3+3]
			o[0], o[1], o[2] = s[0], s[1], s[2]
		}
		if _, err := dst.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// ZlibWriter is what Encode needs from a zlib implementation.
type ZlibWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

// Encode appends a complete PNG of the w x h RGBA frame to dst, compressing
// with z (reset onto an internal buffer). row is scratch of 1+3*w bytes.
func Encode(dst []byte, pix []byte, w, h int, z ZlibWriter, row []byte) ([]byte, error) {
	var idat sliceWriter
	z.Reset(&idat)
	if err := Scanlines(z, pix, w, 0, h, row); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	dst = append(dst, Header(w, h)...)
	dst = AppendChunk(dst, "IDAT", idat)
	return append(dst, Trailer()...), nil
}

type sliceWriter []byte

func (s *sliceWriter) Write(p []byte) (int, error) {
	*s = append(*s, p...)
	return len(p), nil
}
