// Package testimages holds the large avatar and logo files of the image
// memory tests (issue 10, item 2): files at the documented pixel limit
// (2048x2048) that decode to many bytes. PNG16 and JPEG are made here,
// deterministically; image/jpeg cannot write progressive files, so those
// two are committed (testdata/), made from the same picture as JPEG with
// libjpeg-turbo 2.1.5 (Debian's libjpeg-turbo-progs):
//
//	go run ./internal/testimages/ppm > grad.ppm   # the picture of JPEG
//	cjpeg -quality 90 -progressive -sample 2x2 grad.ppm > testdata/progressive420.jpg
//	cjpeg -quality 90 -progressive -sample 1x1 grad.ppm > testdata/progressive444.jpg
package testimages

import (
	"bytes"
	_ "embed"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Side is the side of the square test images: 2048x2048 is
// abi.MaxImagePixels exactly.
const Side = 2048

// PNG16 is a Side x Side 16-bit RGBA PNG (colour type 6, depth 16;
// image/png decodes it as a 32 MiB *image.NRGBA64) of about 38 KB: a
// horizontal gradient in colour and alpha whose rows repeat, so every row
// after the first filters to zeros.
func PNG16() []byte {
	img := image.NewNRGBA64(image.Rect(0, 0, Side, Side))
	for x := range Side {
		img.SetNRGBA64(x, 0, color.NRGBA64{R: uint16(x * 32), G: uint16(65535 - x*32), B: uint16(x * 7), A: 0xffff - uint16(x*16)})
	}
	for y := 1; y < Side; y++ {
		copy(img.Pix[y*img.Stride:(y+1)*img.Stride], img.Pix[:img.Stride])
	}
	return encodePNG(img)
}

// JPEG is a Side x Side baseline JPEG (4:2:0, quality 90) of about 90 KB
// of Picture.
func JPEG() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, Picture(), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Picture is the opaque Side x Side picture of the JPEG files: gradients
// and a XOR pattern.
func Picture() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, Side, Side))
	for y := range Side {
		for x := range Side {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x/8), uint8(y/8), uint8((x^y)/8), 0xff
		}
	}
	return img
}

// ProgressiveJPEG420 is Picture as a progressive 4:2:0 JPEG (50 KB):
// image/jpeg keeps its DCT coefficients, 24 MiB, besides the 6 MiB image.
func ProgressiveJPEG420() []byte { return progressive420 }

// ProgressiveJPEG444 is Picture as a progressive 4:4:4 JPEG (96 KB):
// 48 MiB of coefficients and a 12 MiB image.
func ProgressiveJPEG444() []byte { return progressive444 }

var (
	//go:embed testdata/progressive420.jpg
	progressive420 []byte
	//go:embed testdata/progressive444.jpg
	progressive444 []byte
)

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}
