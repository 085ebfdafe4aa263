// Command compare puts the benchmark card of each renderer side by side in
// one PNG, with a label over each, and says how far each differs from the
// first (ogmint's), by decoded pixels (PNG bytes differ by encoder anyway).
//
//	compare -o sidebyside.png ogmint=a.png takumi=b.png satori=c.png
//
// It prints one JSON line per image: {"name":..,"mean_abs_diff":..,"pct_px_over_32":..}.
// mean_abs_diff is the mean |difference| over R, G and B (0-255); the share
// of pixels with a channel off by more than 32 shows where the layouts part
// (anti-aliasing alone moves a channel by a few units).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

func main() {
	out := flag.String("o", "sidebyside.png", "output PNG")
	fontPath := flag.String("font", "templates/fonts/Inter-Bold.otf", "label font")
	flag.Parse()
	var names []string
	var imgs []image.Image
	for _, a := range flag.Args() {
		name, path, ok := strings.Cut(a, "=")
		if !ok {
			fail("arguments are name=file.png")
		}
		f, err := os.Open(path)
		if err != nil {
			fail(err.Error())
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			fail(path + ": " + err.Error())
		}
		names, imgs = append(names, name), append(imgs, img)
	}
	if len(imgs) == 0 {
		fail("no images")
	}
	for i, img := range imgs {
		mad, over := diff(imgs[0], img)
		b, _ := json.Marshal(map[string]any{"name": names[i], "mean_abs_diff": round(mad), "pct_px_over_32": round(over)})
		fmt.Println(string(b))
	}
	if err := os.WriteFile(*out, sideBySide(names, imgs, *fontPath), 0o644); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "compare:", msg)
	os.Exit(1)
}

func round(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// diff returns the mean absolute channel difference and the percentage of
// pixels with any channel more than 32 apart.
func diff(a, b image.Image) (mad, pctOver float64) {
	r := a.Bounds().Intersect(b.Bounds())
	var sum, over, n int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ca := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			d := [3]int{abs(int(ca.R) - int(cb.R)), abs(int(ca.G) - int(cb.G)), abs(int(ca.B) - int(cb.B))}
			sum += d[0] + d[1] + d[2]
			if max(d[0], d[1], d[2]) > 32 {
				over++
			}
			n++
		}
	}
	return float64(sum) / float64(3*n), 100 * float64(over) / float64(n)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sideBySide lays the images out left to right, 20 px apart, each under a
// 48 px label strip, on white.
func sideBySide(names []string, imgs []image.Image, fontPath string) []byte {
	const gap, strip = 20, 48
	w, h := gap, 0
	for _, img := range imgs {
		w += img.Bounds().Dx() + gap
		h = max(h, img.Bounds().Dy())
	}
	canvas := image.NewRGBA(image.Rect(0, 0, w, h+strip+gap))
	draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
	face := labelFace(fontPath)
	x := gap
	for i, img := range imgs {
		draw.Draw(canvas, img.Bounds().Sub(img.Bounds().Min).Add(image.Pt(x, strip)), img, img.Bounds().Min, draw.Src)
		if face != nil {
			d := font.Drawer{Dst: canvas, Src: image.Black, Face: face, Dot: fixed.P(x, strip-14)}
			d.DrawString(names[i])
		}
		x += img.Bounds().Dx() + gap
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas); err != nil {
		fail(err.Error())
	}
	return buf.Bytes()
}

// labelFace loads the label font; without it the images go unlabelled.
func labelFace(path string) font.Face {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f, err := opentype.Parse(b)
	if err != nil {
		return nil
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 28, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil
	}
	return face
}
