package render_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/url"
	"sync"
	"testing"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/render"
)

var (
	v2Once sync.Once
	v2R    *render.Renderer
	v2Err  error
)

// v2Renderer is one renderer for the format-2 tests (they register their
// templates in its set under names of their own).
func v2Renderer(t *testing.T) *render.Renderer {
	t.Helper()
	v2Once.Do(func() {
		set, err := templates.Load()
		if err != nil {
			v2Err = err
			return
		}
		v2R, v2Err = render.New(set)
	})
	if v2Err != nil {
		t.Fatal(v2Err)
	}
	return v2R
}

// Colours of the tests' cards.
var (
	bgC    = [3]uint8{0, 0, 0}
	redC   = [3]uint8{255, 0, 0}
	blueC  = [3]uint8{0, 0, 255}
	whiteC = [3]uint8{255, 255, 255}
)

// card renders elements (JSON) on a black 1200x630 canvas (extra: more
// template fields, e.g. `"width": 500,`) and returns a copy of the frame.
func card(t *testing.T, r *render.Renderer, extra, elements string) *raster.Frame {
	t.Helper()
	name := fmt.Sprintf("t%d", len(r.Set.Templates))
	js := fmt.Sprintf(`{"name": %q, "version": 1, "background": "#000000", %s "elements": [%s]}`, name, extra, elements)
	return renderJSON(t, r, js, "title=Hello")
}

func renderJSON(t *testing.T, r *render.Renderer, js, query string) *raster.Frame {
	t.Helper()
	var tpl templates.Template
	dec := json.NewDecoder(bytes.NewReader([]byte(js)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tpl); err != nil {
		t.Fatalf("template: %v\n%s", err, js)
	}
	r.Set.Templates[tpl.Name] = &tpl
	q, _ := url.ParseQuery(query)
	q.Set("template", tpl.Name)
	p, perr := params.Parse(q, r.Set)
	if perr != nil {
		t.Fatal(perr)
	}
	fr, err := r.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	return &raster.Frame{Pix: bytes.Clone(fr.Pix), W: fr.W, H: fr.H}
}

func px(f *raster.Frame, x, y int) [3]uint8 {
	i := (y*f.W + x) * 4
	return [3]uint8{f.Pix[i], f.Pix[i+1], f.Pix[i+2]}
}

// want checks pixels (x, y) of f are c.
func want(t *testing.T, f *raster.Frame, c [3]uint8, pts ...[2]int) {
	t.Helper()
	for _, p := range pts {
		if got := px(f, p[0], p[1]); got != c {
			t.Errorf("pixel (%d, %d): %v, want %v", p[0], p[1], got, c)
		}
	}
}

// edge is how near a shape's edge a pixel's centre may be and still be
// wholly inside or outside it: half the pixel's diagonal, plus the curves'
// flattening tolerance and some slack.
const edge = 0.7072 + 0.15

// region checks every pixel of x0..x1 x y0..y1 whose centre is at least
// edge inside the shape, by sd (a lower bound of the distance to the
// shape's edge, negative inside), is in, and every one at least edge
// outside it is out; pixels across the edge are left out. It returns how
// many pixels it checked inside.
func region(t *testing.T, f *raster.Frame, x0, y0, x1, y1 int, sd func(x, y float64) float64, in, out [3]uint8) int {
	t.Helper()
	n, bad := 0, 0
	for y := max(y0, 0); y < min(y1, f.H); y++ {
		for x := max(x0, 0); x < min(x1, f.W); x++ {
			d := sd(float64(x)+0.5, float64(y)+0.5)
			var c [3]uint8
			switch {
			case d <= -edge:
				c = in
				n++
			case d >= edge:
				c = out
			default:
				continue
			}
			if got := px(f, x, y); got != c && c != anyC && bad < 5 {
				bad++
				t.Errorf("pixel (%d, %d) %.2f from the edge: %v, want %v", x, y, d, got, c)
			}
		}
	}
	return n
}

// anyC as region's colour inside or outside: not checked.
var anyC = [3]uint8{1, 2, 3}

// Distance bounds (negative inside) of the tests' shapes.
func sdEllipse(cx, cy, a, b float64) func(x, y float64) float64 {
	return func(x, y float64) float64 {
		// The ellipse's norm changes by at most 1/min(a, b) per px.
		return (math.Hypot((x-cx)/a, (y-cy)/b) - 1) * min(a, b)
	}
}

func sdBox(x0, y0, x1, y1 float64) func(x, y float64) float64 {
	return func(x, y float64) float64 { return max(x0-x, x-x1, y0-y, y-y1) }
}

// sdConvex: a convex polygon, its points clockwise on the screen.
func sdConvex(pts ...[2]float64) func(x, y float64) float64 {
	return func(x, y float64) float64 {
		d := math.Inf(-1)
		for i, a := range pts {
			b := pts[(i+1)%len(pts)]
			l := math.Hypot(b[0]-a[0], b[1]-a[1])
			d = max(d, -((b[0]-a[0])*(y-a[1])-(b[1]-a[1])*(x-a[0]))/l)
		}
		return d
	}
}

func sdUnion(fs ...func(x, y float64) float64) func(x, y float64) float64 {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, f := range fs {
			d = min(d, f(x, y))
		}
		return d
	}
}

// TestEllipse: every pixel wholly inside the ellipse its box bounds is the
// fill, every pixel wholly outside is the background; circles (square
// boxes, an even one drawn by raster's discs) too.
func TestEllipse(t *testing.T) {
	r := v2Renderer(t)
	for _, box := range [][4]int{{100, 100, 300, 150}, {500, 100, 200, 200}, {750, 100, 201, 201}, {-50, 400, 300, 300}} {
		f := card(t, r, "", fmt.Sprintf(`{"type": "ellipse", "box": [%d, %d, %d, %d], "fill": "#ff0000"}`, box[0], box[1], box[2], box[3]))
		a, b := float64(box[2])/2, float64(box[3])/2
		sd := sdEllipse(float64(box[0])+a, float64(box[1])+b, a, b)
		if n := region(t, f, box[0]-5, box[1]-5, box[0]+box[2]+5, box[1]+box[3]+5, sd, redC, bgC); n < box[2]*box[3]/3 {
			t.Errorf("box %v: only %d pixels inside", box, n)
		}
	}
}

// TestPolygonAndPath: a triangle's inside and outside; a path of lines,
// curves and an arc (a "D": a square left half and a half disc).
func TestPolygonAndPath(t *testing.T) {
	r := v2Renderer(t)
	f := card(t, r, "", `{"type": "polygon", "box": [100, 100, 300, 200], "points": [[150, 0], [300, 200], [0, 200]], "fill": "#0000ff"}`)
	region(t, f, 90, 90, 410, 310, sdConvex([2]float64{250, 100}, [2]float64{400, 300}, [2]float64{100, 300}), blueC, bgC)

	f = card(t, r, "", `{"type": "path", "box": [500, 100, 200, 200], "path": "M0 0 H100 A100 100 0 0 1 100 200 H0 Z", "fill": "#ffffff"}`)
	d := sdUnion(sdBox(500, 100, 600, 300), sdEllipse(600, 200, 100, 100))
	region(t, f, 490, 90, 710, 310, d, whiteC, bgC)
	// Relative commands and a cubic: the same square as a path.
	f = card(t, r, "", `{"type": "path", "box": [800, 100, 100, 100], "path": "m0 0h100v100h-100z", "fill": "#ffffff", "opacity": 0.5}`)
	region(t, f, 790, 90, 910, 210, sdBox(800, 100, 900, 200), [3]uint8{128, 128, 128}, bgC)
}

// TestStroke: a horizontal line 10 px wide on a pixel row boundary covers
// exactly rows 195..204 and, with butt caps, columns 100..499; round caps
// reach 5 px further as half discs; a dash pattern leaves its gaps.
func TestStroke(t *testing.T) {
	r := v2Renderer(t)
	line := func(extra string) *raster.Frame {
		return card(t, r, "", `{"type": "line", "box": [100, 150, 400, 100], "points": [[0, 50], [400, 50]], "stroke": {"color": "#ffffff", "width": 10`+extra+`}}`)
	}
	f := line("")
	for _, x := range []int{100, 101, 300, 498, 499} {
		for y := 190; y < 210; y++ {
			c := bgC
			if y >= 195 && y < 205 {
				c = whiteC
			}
			want(t, f, c, [2]int{x, y})
		}
	}
	want(t, f, bgC, [2]int{99, 200}, [2]int{500, 200}, [2]int{99, 195}, [2]int{500, 204})

	f = line(`, "cap": "round"`)
	// A capsule: points within 5 px of the segment (100, 200)-(500, 200).
	capsule := func(x, y float64) float64 {
		cx := max(100, min(x, 500))
		return math.Hypot(x-cx, y-200) - 5
	}
	region(t, f, 90, 190, 510, 210, capsule, whiteC, bgC)
	want(t, f, whiteC, [2]int{96, 200}, [2]int{503, 199})

	f = line(`, "cap": "square"`)
	want(t, f, whiteC, [2]int{95, 195}, [2]int{504, 204})
	want(t, f, bgC, [2]int{94, 200}, [2]int{505, 200})

	f = line(`, "dash": [20, 10]`)
	for x := 100; x < 500; x++ {
		c := bgC
		if (x-100)%30 < 20 {
			c = whiteC
		}
		want(t, f, c, [2]int{x, 200}, [2]int{x, 196})
	}
	// An odd dash list repeats: [20] is 20 on, 20 off.
	f = line(`, "dash": [20]`)
	want(t, f, whiteC, [2]int{105, 200}, [2]int{145, 200})
	want(t, f, bgC, [2]int{125, 200}, [2]int{165, 200})
	// Translucent.
	f = line(`, "opacity": 0.5`)
	want(t, f, [3]uint8{128, 128, 128}, [2]int{300, 200})
}

// TestStrokeShapes: a rect's stroke is centred on its edge, miter corners
// square; a circle's stroke is a ring; a closed polygon has no seam where
// it starts (its stroke at the first corner is a full miter).
func TestStrokeShapes(t *testing.T) {
	r := v2Renderer(t)
	f := card(t, r, "", `{"type": "rect", "box": [100, 100, 200, 100], "fill": "#ff0000", "stroke": {"color": "#ffffff", "width": 20}}`)
	outer, inner := sdBox(90, 90, 310, 210), sdBox(110, 110, 290, 190)
	ring := func(x, y float64) float64 { return max(outer(x, y), -inner(x, y)) }
	region(t, f, 80, 80, 320, 220, ring, whiteC, anyC)
	region(t, f, 80, 80, 320, 220, outer, anyC, bgC)
	region(t, f, 80, 80, 320, 220, inner, redC, anyC)
	want(t, f, whiteC, [2]int{90, 90}, [2]int{309, 209}) // the miter corners

	f = card(t, r, "", `{"type": "ellipse", "box": [400, 100, 200, 200], "stroke": {"color": "#ffffff", "width": 10}}`)
	annulus := func(x, y float64) float64 { d := math.Hypot(x-500, y-200); return max(d-105, 95-d) }
	region(t, f, 390, 90, 610, 310, annulus, whiteC, bgC)

	for _, join := range []string{"", "round", "bevel"} {
		f = card(t, r, "", `{"type": "polygon", "box": [700, 100, 200, 200], "points": [[0, 0], [200, 0], [200, 200], [0, 200]], "stroke": {"color": "#ffffff", "width": 20, "join": "`+join+`"}}`)
		// Every corner alike, the first one (0, 0) included.
		for _, c := range [][2]int{{700, 100}, {900, 100}, {900, 300}, {700, 300}} {
			sx, sy := sign(c[0]-800), sign(c[1]-200)
			for _, d := range [][2]int{{-3, -3}, {2, 2}, {-9, 5}, {5, -9}, {0, -9}, {-9, 0}} {
				want(t, f, whiteC, [2]int{c[0] + d[0]*sx, c[1] + d[1]*sy})
			}
			x, y := c[0]+9*sx, c[1]+9*sy // the corner's tip (outside is +sx, +sy)
			switch got := px(f, x, y); {
			case join == "" && got != whiteC:
				t.Errorf("miter: corner tip (%d, %d) %v, want white", x, y, got)
			case join != "" && got == whiteC:
				t.Errorf("join %q: corner tip (%d, %d) drawn", join, x, y)
			}
		}
	}
}

func sign(v int) int {
	if v < 0 {
		return -1
	}
	return 1
}

// TestGradient: a left-to-right red-to-blue rect is red in its first column
// and blue in its last, exactly, and halfway between in its middle; a
// vertical one the same down; a radial one is its first colour at the
// centre and its last past the radius; the background too.
func TestGradient(t *testing.T) {
	r := v2Renderer(t)
	f := card(t, r, "", `{"type": "rect", "box": [100, 100, 400, 200], "fillGradient": {"type": "linear", "angle": 90, "stops": [{"color": "#ff0000", "at": 0}, {"color": "#0000ff", "at": 1}]}}`)
	for y := 100; y < 300; y += 37 {
		want(t, f, redC, [2]int{100, y})
		want(t, f, blueC, [2]int{499, y})
		if c := px(f, 300, y); absd(c[0], 127) > 1 || absd(c[2], 128) > 1 || c[1] != 0 {
			t.Errorf("middle (300, %d): %v, want about 127, 0, 128", y, c)
		}
	}
	want(t, f, bgC, [2]int{99, 150}, [2]int{500, 150})

	// Down (the default angle), through an ellipse: each pixel the colour
	// at its centre's height, within a level.
	f = card(t, r, "", `{"type": "ellipse", "box": [600, 100, 200, 200], "fillGradient": {"type": "linear", "stops": [{"color": "#ffffff", "at": 0}, {"color": "#0000ff", "at": 1}]}}`)
	for y := 110; y < 290; y++ {
		p := (float64(y) + 0.5 - 100) / 200
		c := px(f, 700, y)
		if absd(c[0], uint8(math.Round(255*(1-p)))) > 1 || c[0] != c[1] || c[2] != 255 {
			t.Fatalf("(700, %d): %v, want %.1f, %.1f, 255", y, c, 255*(1-p), 255*(1-p))
		}
	}
	f = card(t, r, "", `{"type": "rect", "box": [100, 350, 200, 200], "fillGradient": {"type": "radial", "radius": 0.5, "stops": [{"color": "#ffffff", "at": 0}, {"color": "#ff0000", "at": 1}]}}`)
	// Radius: half of the half diagonal, 70.7 px.
	if c := px(f, 200, 450); c[0] != 255 || c[1] < 250 {
		t.Errorf("radial centre %v, want about white", c)
	}
	want(t, f, redC, [2]int{100, 350}, [2]int{299, 549}, [2]int{200, 350 + 15}, [2]int{100 + 15, 450})

	f = card(t, r, `"backgroundGradient": {"type": "linear", "angle": 180, "stops": [{"color": "#ff0000", "at": 0}, {"color": "#0000ff", "at": 1}]},`, `{"type": "text", "box": [60, 60, 400, 60], "text": "{title}", "size": [20, 20], "color": "#ffffff"}`)
	want(t, f, redC, [2]int{0, 0}, [2]int{1199, 0})
	want(t, f, blueC, [2]int{0, 629}, [2]int{1199, 629})
}

func absd(a, b uint8) int { return int(max(a, b) - min(a, b)) }

// TestShadow: a shadow without blur is the outline moved by its offset, in
// its colour, below the element; with blur it is softened (no pixel left
// fully the colour near the edge, some spread past it) and evenly on both
// sides.
func TestShadow(t *testing.T) {
	r := v2Renderer(t)
	f := card(t, r, "", `{"type": "rect", "box": [200, 200, 100, 100], "fill": "#ffffff", "shadow": {"offset": [30, 40], "color": "#ff0000"}}`)
	want(t, f, whiteC, [2]int{200, 200}, [2]int{299, 299}) // the rect over its shadow
	want(t, f, redC, [2]int{300, 240}, [2]int{329, 339}, [2]int{230, 300}, [2]int{329, 300})
	want(t, f, bgC, [2]int{330, 300}, [2]int{300, 239}, [2]int{229, 320}, [2]int{300, 340})

	f = card(t, r, "", `{"type": "rect", "box": [200, 200, 100, 100], "fill": "#ffffff", "shadow": {"offset": [150, 0], "blur": 20, "color": "#ff0000"}}`)
	// The shadow's box is 350..450 x 200..300; blurred, its edge is half
	// strength, its middle full, and it spreads past its edge.
	if c := px(f, 400, 250); c != redC {
		t.Errorf("shadow middle %v, want red", c)
	}
	edge, out := px(f, 350, 250)[0], px(f, 345, 250)[0]
	if edge < 100 || edge > 160 || out == 0 || out >= edge {
		t.Errorf("shadow edge %d and 5 px out %d: want about half, and less but some", edge, out)
	}
	if l, rr := px(f, 352, 250), px(f, 447, 250); l != rr {
		t.Errorf("blur not even: %v at the left, %v at the right", l, rr)
	}
	want(t, f, bgC, [2]int{310, 250}, [2]int{490, 250})

	// A shadowed shape: an ellipse's shadow is an ellipse.
	f = card(t, r, "", `{"type": "ellipse", "box": [600, 100, 100, 100], "fill": "#ffffff", "shadow": {"offset": [0, 120], "color": "#0000ff", "opacity": 1}}`)
	want(t, f, blueC, [2]int{650, 270})
	want(t, f, bgC, [2]int{602, 222})
}

// TestRotate: turning moves a rect's corners about its centre.
func TestRotate(t *testing.T) {
	r := v2Renderer(t)
	el := `{"type": "rect", "box": [400, 200, 200, 100], "fill": "#ffffff", "rotate": %g}`
	f := card(t, r, "", fmt.Sprintf(el, 0.0))
	want(t, f, whiteC, [2]int{401, 201}, [2]int{598, 298})
	// A quarter turn: 100 wide, 200 high about (500, 250).
	f = card(t, r, "", fmt.Sprintf(el, 90.0))
	want(t, f, bgC, [2]int{401, 201}, [2]int{598, 298}, [2]int{449, 250}, [2]int{550, 250})
	want(t, f, whiteC, [2]int{450, 150}, [2]int{549, 349})
	// 30 degrees clockwise: the rectangle turned about its centre.
	f = card(t, r, "", fmt.Sprintf(el, 30.0))
	s, c := math.Sincos(30 * math.Pi / 180)
	turned := func(x, y float64) float64 { // turn back and measure to the box
		dx, dy := x-500, y-250
		u, v := dx*c+dy*s, -dx*s+dy*c
		return max(math.Abs(u)-100, math.Abs(v)-50)
	}
	region(t, f, 350, 100, 650, 400, turned, whiteC, bgC)
	// The top-left corner (400, 200) moved to about (438.4, 156.7).
	want(t, f, whiteC, [2]int{440, 160})
	want(t, f, bgC, [2]int{402, 202})
}

// redPNG is a w x h PNG of one colour, as a data URI.
func redPNG(w, h int, c color.NRGBA) string {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// TestImageClipAndAsset: an asset image fills its box; clipped to an
// ellipse it shows only inside the ellipse; turned, its corners move;
// shadowed, the shadow is its outline.
func TestImageClipAndAsset(t *testing.T) {
	r := v2Renderer(t)
	assets := fmt.Sprintf(`"assets": {"red": %q, "bad": "data:image/png;base64,AAAA"},`, redPNG(50, 50, color.NRGBA{255, 0, 0, 255}))
	f := card(t, r, assets, `{"type": "image", "src": "asset:red", "box": [100, 100, 200, 200], "fit": "cover"}, {"type": "image", "src": "asset:bad", "box": [400, 100, 100, 100]}`)
	want(t, f, redC, [2]int{100, 100}, [2]int{299, 299}, [2]int{200, 200})
	want(t, f, bgC, [2]int{99, 100}, [2]int{300, 299}, [2]int{450, 150}) // the bad asset draws nothing

	f = card(t, r, assets, `{"type": "image", "src": "asset:red", "box": [100, 100, 200, 100], "fit": "cover", "clip": "ellipse"}`)
	region(t, f, 90, 90, 310, 210, sdEllipse(200, 150, 100, 50), redC, bgC)

	f = card(t, r, assets, `{"type": "image", "src": "asset:red", "box": [100, 100, 200, 200], "fit": "cover", "clip": "path", "clipPath": "M0 0 H200 L0 200 Z"}`)
	want(t, f, redC, [2]int{105, 105}, [2]int{280, 110}, [2]int{110, 280})
	want(t, f, bgC, [2]int{295, 295}, [2]int{210, 210})

	f = card(t, r, assets, `{"type": "image", "src": "asset:red", "box": [400, 200, 200, 100], "fit": "cover", "rotate": 90}`)
	want(t, f, bgC, [2]int{402, 202}, [2]int{597, 297})
	want(t, f, redC, [2]int{455, 160}, [2]int{545, 340}, [2]int{500, 250})

	f = card(t, r, assets, `{"type": "image", "src": "asset:red", "box": [100, 100, 100, 100], "shadow": {"offset": [0, 150], "color": "#0000ff"}},
		{"type": "image", "src": "asset:red", "box": [400, 100, 100, 100], "radius": 50, "shadow": {"offset": [0, 150], "color": "#0000ff"}}`)
	want(t, f, redC, [2]int{100, 100}, [2]int{450, 150})
	want(t, f, blueC, [2]int{100, 250}, [2]int{199, 349}, [2]int{450, 300})
	want(t, f, bgC, [2]int{99, 250}, [2]int{402, 252}) // the disc's shadow is a disc
}

// TestLetterSpacing: spacing moves every letter but the first by its index
// times the spacing: the ink of a left-aligned "Hello" ends 4 spacings
// further, and begins where it did.
func TestLetterSpacing(t *testing.T) {
	r := v2Renderer(t)
	el := `{"type": "text", "box": [100, 100, 800, 80], "text": "Hello", "size": [48, 48], "color": "#ffffff", "letterSpacing": %g},
		{"type": "pill", "box": [100, 300, 800, 80], "text": "Hello", "size": [30, 30], "color": "#000000", "fill": "#ffffff", "padX": 10, "padY": 5, "letterSpacing": %g}`
	inkX := func(f *raster.Frame, y0, y1 int, c [3]uint8) (x0, x1 int) {
		x0, x1 = f.W, 0
		for y := y0; y < y1; y++ {
			for x := 0; x < f.W; x++ {
				if px(f, x, y) != c {
					x0, x1 = min(x0, x), max(x1, x+1)
				}
			}
		}
		return x0, x1
	}
	plain := card(t, r, "", fmt.Sprintf(el, 0.0, 0.0))
	spaced := card(t, r, "", fmt.Sprintf(el, 12.0, 8.0))
	a0, a1 := inkX(plain, 100, 180, bgC)
	b0, b1 := inkX(spaced, 100, 180, bgC)
	if b0 != a0 || b1 != a1+4*12 {
		t.Errorf("text ink %d..%d spaced, %d..%d plain: want the end 48 px further", b0, b1, a0, a1)
	}
	// The pill grows with its text: 4 spacings wider.
	a0, a1 = inkX(plain, 300, 380, bgC)
	b0, b1 = inkX(spaced, 300, 380, bgC)
	if b0 != a0 || b1 != a1+4*8 {
		t.Errorf("pill %d..%d spaced, %d..%d plain: want 32 px wider", b0, b1, a0, a1)
	}
}

// TestCanvasSize: a template's canvas size sizes the frame; the next card
// of another size resizes it, keeping the buffer when it is large enough.
func TestCanvasSize(t *testing.T) {
	r := v2Renderer(t)
	f := card(t, r, `"width": 1080, "height": 1080,`, `{"type": "rect", "box": [1000, 1000, 80, 80], "fill": "#ffffff"}`)
	if f.W != 1080 || f.H != 1080 || len(f.Pix) != 1080*1080*4 {
		t.Fatalf("frame %dx%d (%d bytes), want 1080x1080", f.W, f.H, len(f.Pix))
	}
	want(t, f, whiteC, [2]int{1079, 1079}, [2]int{1000, 1000})
	want(t, f, bgC, [2]int{999, 1079})
	f = card(t, r, "", `{"type": "rect", "box": [1100, 600, 100, 30], "fill": "#ffffff"}`)
	if fr := r.Frame(); fr.W != 1200 || fr.H != 630 || len(fr.Pix) != 1200*630*4 || cap(fr.Pix) < 1080*1080*4 {
		t.Fatalf("frame %dx%d, %d bytes (cap %d)", fr.W, fr.H, len(fr.Pix), cap(fr.Pix))
	}
	want(t, f, whiteC, [2]int{1199, 629})
	f = card(t, r, `"width": 300, "height": 200,`, `{"type": "ellipse", "box": [-100, -100, 600, 400], "fill": "#ffffff"}`)
	if f.W != 300 || f.H != 200 {
		t.Fatalf("frame %dx%d", f.W, f.H)
	}
	want(t, f, whiteC, [2]int{0, 0}, [2]int{299, 199})
}

// TestOddValuesDoNotPanic: values validation would refuse still draw.
func TestOddValuesDoNotPanic(t *testing.T) {
	r := v2Renderer(t)
	card(t, r, `"width": 100000, "height": -5, "backgroundGradient": {"type": "radial", "radius": -1, "center": [1e308, -1e308], "stops": []},`,
		`{"type": "path", "box": [0, 0, 10, 10], "path": "M0 0 L1e300 1e300 C 1e300 0 0 1e300 -1e300 -1e300 Z", "fill": "#ffffff", "stroke": {"color": "#ffffff", "width": 1e9, "dash": [0, 0]}, "rotate": 1e300},
		 {"type": "line", "box": [0, 0, 10, 10], "points": [[0, 0]], "stroke": {"color": "#ffffff", "width": -1, "dash": [1e-9, 1e-9]}},
		 {"type": "line", "box": [0, 0, 10, 10], "points": [[0, 0], [5000, 5000]], "stroke": {"color": "#ffffff", "width": 2, "dash": [0.001, 0.001]}},
		 {"type": "polygon", "box": [0, 0, 10, 10], "points": [], "fill": "#ffffff"},
		 {"type": "ellipse", "box": [0, 0, 0, 0], "fill": "#ffffff", "shadow": {"offset": [100000, -100000], "blur": 100000, "color": "#ffffff"}},
		 {"type": "image", "src": "asset:none", "box": [0, 0, 10, 10], "clip": "path", "clipPath": "nonsense"},
		 {"type": "text", "box": [60, 60, 400, 60], "text": "{title}", "size": [20, 20], "color": "#ffffff", "letterSpacing": -1e300}`)
}
