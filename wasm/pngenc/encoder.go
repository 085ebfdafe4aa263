package pngenc

import (
	"encoding/binary"
	"hash/crc32"
)

// Encoder writes opaque RGBA frames as PNGs with its own deflate (see
// Deflater): palette when the frame has at most 256 colours, else RGB. It
// is reusable and not safe for concurrent use.
type Encoder struct {
	img Image
	d   Deflater
}

// Encode appends a PNG of the w x h RGBA frame pix (stride 4*w) to dst.
// Alpha is dropped.
func (e *Encoder) Encode(dst, pix []byte, w, h int) ([]byte, error) {
	if err := CheckSize(pix, w, h); err != nil {
		return nil, err
	}
	defer e.img.Release()
	if !e.img.Palette(pix, w, h) {
		e.img.Truecolor(pix, w, h)
	}
	return e.encode(dst), nil
}

func (e *Encoder) encode(dst []byte) []byte {
	dst, start := BeginIDAT(e.img.AppendHeader(dst))
	dst, sum, _ := e.d.Rows(dst, &e.img, 0, e.img.H, true)
	return EndIDAT(dst, start, sum)
}

// BeginIDAT appends an IDAT chunk's length (patched by EndIDAT), type and
// zlib header, and returns where the chunk starts.
func BeginIDAT(dst []byte) ([]byte, int) {
	start := len(dst)
	// CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (fastest, no dictionary).
	return append(dst, 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x78, 0x01), start
}

// EndIDAT appends the zlib checksum sum, the chunk's CRC and IEND.
func EndIDAT(dst []byte, start int, sum uint32) []byte {
	dst = binary.BigEndian.AppendUint32(dst, sum)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-8))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start+4:]))
	return append(dst, iend...)
}

var iend = Trailer()
