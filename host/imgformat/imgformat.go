// Package imgformat encodes render frames as PNG, JPEG or WebP and tells the
// formats apart: the render parameter format (wasm/params) picks one.
//
//   - png: host/pngfast, as before (lossless; quality does not apply).
//   - jpeg: the standard library's image/jpeg from the RGBA frame, at the
//     request's quality (1-100, default 85), baseline, 4:2:0 chroma
//     subsampling (image/jpeg's only choice for colour images).
//   - webp: github.com/HugoSmits86/nativewebp, pure Go (no cgo, no wasm),
//     lossless VP8L: the pixels decode exactly; quality does not apply.
package imgformat

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"

	"github.com/HugoSmits86/nativewebp"

	"github.com/ogmint/ogmint/host/pngfast"
)

// The format names of the render parameter.
const (
	PNG  = "png"
	JPEG = "jpeg"
	WebP = "webp"
)

// DefaultQuality is JPEG's quality when the request gives none.
const DefaultQuality = 85

// Version names the encoders' output for format: it changes when the bytes
// for the same pixels and quality change (caches keyed by it then miss once).
func Version(format string) string {
	switch format {
	case JPEG:
		return "stdjpeg-1"
	case WebP:
		return "nativewebp-0.9.3"
	}
	return pngfast.Version
}

// ContentType is format's media type.
func ContentType(format string) string {
	switch format {
	case JPEG:
		return "image/jpeg"
	case WebP:
		return "image/webp"
	}
	return "image/png"
}

// Ext is format's file extension, with the dot.
func Ext(format string) string {
	switch format {
	case JPEG:
		return ".jpg"
	case WebP:
		return ".webp"
	}
	return ".png"
}

// Sniff returns the format of encoded bytes from their magic numbers: PNG,
// JPEG or WebP; "" for none of these.
func Sniff(b []byte) string {
	switch {
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return PNG
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return JPEG
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP
	}
	return ""
}

// SniffContentType is the media type of encoded bytes; image/png when
// Sniff does not know them (what the store held before formats).
func SniffContentType(b []byte) string { return ContentType(Sniff(b)) }

// ErrFormat reports a format this package does not encode.
var ErrFormat = errors.New("imgformat: unknown format")

// Encode appends the w x h opaque RGBA frame pix (stride 4*w) encoded as
// format to dst and returns the extended slice. quality is JPEG's (1-100;
// 0 for the default) and ignored by the lossless formats.
func Encode(dst []byte, format string, quality int, pix []byte, w, h int) ([]byte, error) {
	switch format {
	case PNG, "":
		return pngfast.Encode(dst, pix, w, h)
	case JPEG, WebP:
	default:
		return dst, ErrFormat
	}
	if w <= 0 || h <= 0 || len(pix) != 4*w*h {
		return dst, pngfast.ErrSize
	}
	img := &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	buf := bytes.NewBuffer(dst)
	var err error
	if format == JPEG {
		if quality <= 0 {
			quality = DefaultQuality
		}
		err = jpeg.Encode(buf, img, &jpeg.Options{Quality: min(quality, 100)})
	} else {
		err = nativewebp.Encode(buf, img, nil)
	}
	return buf.Bytes(), err
}
