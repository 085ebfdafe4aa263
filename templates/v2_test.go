package templates_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

// pngAsset is a 2x2 PNG as a data URL.
const pngAsset = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mJKTvv4nwEGQBxAAAAA//8u2QV1EZhJKAAAAABJRU5ErkJggg=="

// customTemplate is a valid custom template using every field of format
// version 2; each bad case below changes one thing in it.
const customTemplate = `{
  "name": "Pricing card ✨",
  "version": 0,
  "description": "a plan and its price",
  "background": "bg",
  "width": 1200,
  "height": 630,
  "backgroundGradient": {"type": "linear", "angle": 135, "stops": [{"color": "bg", "at": 0}, {"color": "surface", "at": 0.6}, {"color": "accent", "at": 1, "opacity": 0.4}]},
  "fields": {"price": {"maxLength": 20, "required": true, "description": "The price"}, "plan": {"maxLength": 30}},
  "assets": {"logo-mark": "` + pngAsset + `"},
  "elements": [
    {"type": "ellipse", "box": [900, -100, 400, 400], "opacity": 0.8,
     "fillGradient": {"type": "radial", "center": [0.5, 0.4], "radius": 1.2, "stops": [{"color": "accent", "at": 0}, {"color": "bg", "at": 1, "opacity": 0.5}]},
     "stroke": {"color": "accent", "width": 6, "dash": [12, 6], "cap": "round"}},
    {"type": "rect", "box": [60, 360, 400, 200], "radius": 24, "fill": "surface",
     "shadow": {"offset": [0, 8], "blur": 24, "color": "#000000", "opacity": 0.3},
     "stroke": {"color": "text", "width": 1, "opacity": 0.2, "join": "round"}},
    {"type": "line", "box": [60, 330, 1080, 2], "points": [[0, 1], [1080, 1]], "stroke": {"color": "accent", "width": 2, "dash": [4, 4]}},
    {"type": "polygon", "box": [1000, 480, 140, 120], "points": [[70, 0], [140, 120], [0, 120]], "fill": "accent", "rotate": 15},
    {"type": "path", "box": [80, 80, 64, 64], "path": "M0 32C0 14 14 0 32 0S64 14 64 32 50 64 32 64 0 50 0 32Z", "fill": "accent", "stroke": {"color": "text", "width": 2}},
    {"type": "image", "src": "asset:logo-mark", "box": [1040, 60, 100, 100], "clip": "ellipse", "rotate": -10, "shadow": {"offset": [0, 4], "blur": 8, "color": "#000000"}},
    {"type": "image", "if": "avatar", "src": "avatar", "box": [900, 400, 120, 120], "clip": "path", "clipPath": "M60 0L120 60 60 120 0 60z"},
    {"type": "text", "text": "{title}", "box": [160, 80, 800, 200], "size": [40, 64], "color": "text", "weight": "bold", "letterSpacing": -1, "maxLines": 2},
    {"type": "pill", "if": "plan", "text": "{plan}", "box": [100, 380, 320, 40], "size": [20, 20], "fill": "accent", "color": "bg", "padX": 12, "padY": 6, "radius": 16, "letterSpacing": 2},
    {"type": "text", "text": "{price}", "box": [100, 440, 320, 100], "size": [40, 72], "color": "text", "weight": "bold"}
  ]
}`

var custom = templates.Options{Custom: true}

func TestParseCustom(t *testing.T) {
	tpl, err := templates.ParseWith([]byte(customTemplate), custom)
	if err != nil {
		t.Fatalf("ParseWith: %v", err)
	}
	if want := []string{"avatar", "plan", "price", "title"}; !reflect.DeepEqual(tpl.Params, want) {
		t.Errorf("Params %v, want %v", tpl.Params, want)
	}
	if got := tpl.Elements[9].Placeholders(); !reflect.DeepEqual(got, []string{"price"}) {
		t.Errorf("placeholders %v", got)
	}
	if w, h := tpl.Size(); w != 1200 || h != 630 {
		t.Errorf("Size %dx%d", w, h)
	}
	// The built-ins' rules: a name of [a-z0-9_-] and a version >= 1.
	_, err = templates.Parse([]byte(customTemplate))
	want := []templates.Problem{
		{Pointer: "/name", Message: `"Pricing card ✨": want 1-32 of [a-z0-9_-], starting with a letter`},
		{Pointer: "/version", Message: "0: must be >= 1"},
	}
	if ve, ok := err.(*templates.ValidationError); !ok || !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("Parse: %v", err)
	}
}

// mutateCustom replaces old (which must occur exactly once) in customTemplate.
func mutateCustom(t *testing.T, old, new string) []byte {
	t.Helper()
	if n := strings.Count(customTemplate, old); n != 1 {
		t.Fatalf("%q occurs %d times in the custom template", old, n)
	}
	return []byte(strings.Replace(customTemplate, old, new, 1))
}

// TestParseCustomEdges: values at the limits are accepted.
func TestParseCustomEdges(t *testing.T) {
	for _, c := range []struct{ name, old, new string }{
		{"empty name", `"name": "Pricing card ✨"`, `"name": ""`},
		{"64-character name", `"name": "Pricing card ✨"`, `"name": "` + strings.Repeat("é", 64) + `"`},
		{"name with emoji ZWJ", `"name": "Pricing card ✨"`, `"name": "👨‍👩‍👧 cards"`},
		{"version 7", `"version": 0`, `"version": 7`},
		{"default canvas", `"width": 1200,
  "height": 630,`, ``},
		{"2400 x 1666", `"width": 1200,
  "height": 630,`, `"width": 2400, "height": 1666,`},
		{"radial gradient background", `"type": "linear", "angle": 135`, `"type": "radial"`},
		{"angle -360", `"angle": 135`, `"angle": -360`},
		{"equal stops", `"at": 0.6`, `"at": 1`},
		{"8 stops", `{"color": "surface", "at": 0.6}`, strings.Repeat(`{"color": "surface", "at": 0.6}, `, 5) + `{"color": "surface", "at": 0.6}`},
		{"radius 4", `"radius": 1.2`, `"radius": 4`},
		{"center corner", `"center": [0.5, 0.4]`, `"center": [1, 0]`},
		{"stroke width 0.5", `"width": 6`, `"width": 0.5`},
		{"stroke width 200", `"width": 6`, `"width": 200`},
		{"dash of 8 with a zero", `"dash": [12, 6]`, `"dash": [0, 1, 2, 3, 4, 5, 6, 1000]`},
		{"shadow at the limits", `"offset": [0, 8], "blur": 24`, `"offset": [-200, 200], "blur": 100`},
		{"rotate 360", `"rotate": 15`, `"rotate": 360`},
		{"letterSpacing -20", `"letterSpacing": -1`, `"letterSpacing": -20`},
		{"letterSpacing 100", `"letterSpacing": 2`, `"letterSpacing": 100`},
		{"shape box at the far corner", `[900, -100, 400, 400]`, `[2399, 1259, 1, 1]`},
		{"shape box one canvas out", `[900, -100, 400, 400]`, `[-1200, -630, 3600, 1890]`},
		{"point limits", `[[70, 0], [140, 120], [0, 120]]`, `[[-2400, -1260], [3600, 1890], [0.5, 1e-9]]`},
		{"256 points", `[[70, 0], [140, 120], [0, 120]]`, "[" + strings.TrimSuffix(strings.Repeat("[1, 2], ", 256), ", ") + "]"},
		{"fillGradient without fill", `"fillGradient": {"type": "radial"`, `"fill": "", "fillGradient": {"type": "radial"`},
		{"rect with a fillGradient only", `"radius": 24, "fill": "surface"`, `"radius": 24, "fillGradient": {"type": "linear", "stops": [{"color": "bg", "at": 0}, {"color": "text", "at": 1}]}`},
		{"ellipse with a stroke only", `"opacity": 0.8,
     "fillGradient": {"type": "radial", "center": [0.5, 0.4], "radius": 1.2, "stops": [{"color": "accent", "at": 0}, {"color": "bg", "at": 1, "opacity": 0.5}]},`, `"opacity": 0.8,`},
		{"path with a fill only", `"fill": "accent", "stroke": {"color": "text", "width": 2}`, `"fill": "accent"`},
		{"field used as a condition only", `"text": "{plan}"`, `"text": "Plan"`},
		{"field with digits", `"text": "{price}"`, `"text": "{price2}"`},
		{"field of 32 characters", `"text": "{price}"`, `"text": "{p` + strings.Repeat("X", 31) + `}"`},
		{"jpeg asset", pngAsset, jpegAsset(t, 3, 2)},
		{"asset name of digits", `"logo-mark"`, `"0_9"`},
	} {
		data := mutateCustom(t, c.old, c.new)
		switch c.name {
		case "field with digits":
			data = bytes.Replace(data, []byte(`"price": {`), []byte(`"price2": {`), 1)
		case "field of 32 characters":
			data = bytes.Replace(data, []byte(`"price": {`), []byte(`"p`+strings.Repeat("X", 31)+`": {`), 1)
		case "asset name of digits":
			data = bytes.Replace(data, []byte(`asset:logo-mark`), []byte(`asset:0_9`), 1)
		}
		if _, err := templates.ParseWith(data, custom); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// jpegAsset encodes a w x h JPEG as a data URL.
func jpegAsset(tb testing.TB, w, h int) string {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		tb.Fatal(err)
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

func TestParseCustomRejects(t *testing.T) {
	const (
		canvas  = "\"width\": 1200,\n  \"height\": 630,"
		ellipse = `"type": "ellipse", "box": [900, -100, 400, 400]`
		line    = `"type": "line", "box": [60, 330, 1080, 2]`
		polygon = `"type": "polygon", "box": [1000, 480, 140, 120]`
		path    = `"type": "path", "box": [80, 80, 64, 64]`
		title   = `"type": "text", "text": "{title}"`
		pill    = `"type": "pill", "if": "plan"`
		rect    = `"type": "rect", "box": [60, 360, 400, 200]`
		asset   = `"src": "asset:logo-mark"`
		avatar  = `"src": "avatar"`
	)
	long := strings.Repeat("x", 65)
	cases := []struct {
		name, old, new string
		at, want       string
	}{
		// name and version
		{"name of 65 characters", `"Pricing card ✨"`, `"` + long + `"`, "/name", "65 characters; at most 64"},
		{"name with a newline", `"Pricing card ✨"`, `"Pricing\ncard"`, "/name", "control character U+000A at byte 7"},
		{"name with a bidi override", `"Pricing card ✨"`, `"Pricing \u202ecard"`, "/name", "control character U+202E"},
		{"negative version", `"version": 0`, `"version": -1`, "/version", "-1: must be >= 0"},

		// canvas
		{"width too small", canvas, `"width": 199,`, "/width", "199: want 200..2400 px (0 = 1200)"},
		{"width too large", canvas, `"width": 2401,`, "/width", "2401: want 200..2400"},
		{"negative height", canvas, `"height": -630,`, "/height", "-630: want 200..2400 px (0 = 630)"},
		{"too many pixels", canvas, `"width": 2400, "height": 1667,`, "/height", "a 2400x1667 canvas has 4000800 px; at most 4000000"},
		{"text outside a smaller canvas", canvas, `"width": 1000, "height": 630,`, "/elements/7/box", "[160 80 800 200]: text must keep 60 px"},
		{"rect outside a shorter canvas", canvas, `"width": 1200, "height": 500,`, "/elements/1/box", "[60 360 400 200]: must lie inside the 1200x500 canvas"},

		// gradients
		{"gradient type", `"type": "linear", "angle": 135`, `"type": "conic", "angle": 135`, "/backgroundGradient/type", `"conic": want linear or radial`},
		{"gradient type missing", `"type": "linear", "angle": 135`, `"angle": 135`, "/backgroundGradient/type", `"": want linear or radial`},
		{"angle too large", `"angle": 135`, `"angle": 360.5`, "/backgroundGradient/angle", "360.5: want -360..360"},
		{"angle on a radial gradient", `"type": "radial", "center"`, `"type": "radial", "angle": 90, "center"`, "/elements/0/fillGradient/angle", "only linear gradients have an angle"},
		{"center on a linear gradient", `"angle": 135`, `"angle": 135, "center": [0.5, 0.5]`, "/backgroundGradient/center", "only radial gradients have a center"},
		{"radius on a linear gradient", `"angle": 135`, `"angle": 135, "radius": 2`, "/backgroundGradient/radius", "only radial gradients have a radius"},
		{"center out of the box", `"center": [0.5, 0.4]`, `"center": [0.5, 1.1]`, "/elements/0/fillGradient/center/1", "1.1: want 0..1"},
		{"radius too large", `"radius": 1.2`, `"radius": 4.5`, "/elements/0/fillGradient/radius", "4.5: want 0 < radius <= 4"},
		{"negative radius", `"radius": 1.2`, `"radius": -1`, "/elements/0/fillGradient/radius", "-1: want 0 < radius <= 4"},
		{"one stop", `{"color": "bg", "at": 0}, {"color": "surface", "at": 0.6}, {"color": "accent", "at": 1, "opacity": 0.4}`, `{"color": "bg", "at": 0}`, "/backgroundGradient/stops", "1 stops; want 2-8"},
		{"nine stops", `{"color": "surface", "at": 0.6}`, strings.TrimSuffix(strings.Repeat(`{"color": "surface", "at": 0.6}, `, 7), ", "), "/backgroundGradient/stops", "9 stops; want 2-8"},
		{"stops out of order", `"at": 1, "opacity": 0.4`, `"at": 0.5, "opacity": 0.4`, "/backgroundGradient/stops/2/at", "0.5: before the previous stop's 0.6; stops go in order"},
		{"stop beyond 1", `"at": 0.6`, `"at": 1.5`, "/backgroundGradient/stops/1/at", "1.5: want 0..1"},
		{"stop colour", `{"color": "surface", "at": 0.6}`, `{"color": "red", "at": 0.6}`, "/backgroundGradient/stops/1/color", `"red": want bg, surface`},
		{"stop opacity", `"at": 1, "opacity": 0.4`, `"at": 1, "opacity": 2`, "/backgroundGradient/stops/2/opacity", "2: want 0..1"},

		// strokes
		{"stroke too thin", `"width": 6`, `"width": 0.4`, "/elements/0/stroke/width", "0.4: want 0.5..200"},
		{"stroke too wide", `"width": 6`, `"width": 201`, "/elements/0/stroke/width", "201: want 0.5..200"},
		{"stroke without width", `"width": 6, `, ``, "/elements/0/stroke/width", "0: want 0.5..200"},
		{"stroke colour", `"stroke": {"color": "accent", "width": 6`, `"stroke": {"color": "#12345", "width": 6`, "/elements/0/stroke/color", `"#12345": want bg, surface`},
		{"stroke opacity", `"width": 1, "opacity": 0.2`, `"width": 1, "opacity": -0.2`, "/elements/1/stroke/opacity", "-0.2: want 0..1"},
		{"one dash", `"dash": [12, 6]`, `"dash": [12]`, "/elements/0/stroke/dash", "1 lengths; want 2-8"},
		{"nine dashes", `"dash": [12, 6]`, `"dash": [1, 2, 3, 4, 5, 6, 7, 8, 9]`, "/elements/0/stroke/dash", "9 lengths; want 2-8"},
		{"zero dashes", `"dash": [12, 6]`, `"dash": [0, 0]`, "/elements/0/stroke/dash", "all lengths are 0"},
		{"long dash", `"dash": [12, 6]`, `"dash": [12, 1001]`, "/elements/0/stroke/dash/1", "1001: want 0..1000"},
		{"negative dash", `"dash": [12, 6]`, `"dash": [-1, 6]`, "/elements/0/stroke/dash/0", "-1: want 0..1000"},
		{"cap", `"cap": "round"`, `"cap": "arrow"`, "/elements/0/stroke/cap", `"arrow" is not one of ["butt" "round" "square"]`},
		{"join", `"join": "round"`, `"join": "mitre"`, "/elements/1/stroke/join", `"mitre" is not one of ["miter" "round" "bevel"]`},
		{"stroke on text", title, title + `, "stroke": {"color": "text", "width": 1}`, "/elements/7/stroke", "not allowed on text elements (only on rect, ellipse, line, polygon, path)"},

		// shadows
		{"shadow offset", `"offset": [0, 8]`, `"offset": [0, 201]`, "/elements/1/shadow/offset/1", "201: want -200..200"},
		{"shadow blur", `"blur": 24`, `"blur": 101`, "/elements/1/shadow/blur", "101: want 0..100"},
		{"negative blur", `"blur": 24`, `"blur": -1`, "/elements/1/shadow/blur", "-1: want 0..100"},
		{"shadow colour", `"blur": 24, "color": "#000000"`, `"blur": 24, "color": "black"`, "/elements/1/shadow/color", `"black": want bg`},
		{"shadow without colour", `"blur": 8, "color": "#000000"`, `"blur": 8`, "/elements/5/shadow/color", `"": want bg`},
		{"shadow opacity", `"opacity": 0.3`, `"opacity": 1.3`, "/elements/1/shadow/opacity", "1.3: want 0..1"},
		{"shadow on a pill", pill, pill + `, "shadow": {"offset": [1, 1], "color": "bg"}`, "/elements/8/shadow", "not allowed on pill elements"},
		{"shadow offset of 3", `"offset": [0, 8]`, `"offset": [0, 8, 1]`, "/elements/1/shadow/offset", "want an array of 2 integers, got 3"},

		// rotation
		{"rotate too far", `"rotate": 15`, `"rotate": 361`, "/elements/3/rotate", "361: want -360..360"},
		{"rotate an image too far", `"rotate": -10`, `"rotate": -360.5`, "/elements/5/rotate", "-360.5: want -360..360"},
		{"rotate text", title, title + `, "rotate": 5`, "/elements/7/rotate", "not allowed on text elements (only on ellipse, line, polygon, path, image)"},
		{"rotate a rect", rect, rect + `, "rotate": 5`, "/elements/1/rotate", "not allowed on rect elements"},

		// shapes
		{"shape box too far left", `[900, -100, 400, 400]`, `[-1201, -100, 400, 400]`, "/elements/0/box", "a shape's box must lie within x -1200..2400, y -630..1260"},
		{"shape box too wide", `[900, -100, 400, 400]`, `[900, -100, 1501, 400]`, "/elements/0/box", "a shape's box"},
		{"shape box too low", `[900, -100, 400, 400]`, `[900, 1000, 400, 261]`, "/elements/0/box", "a shape's box"},
		{"shape box huge", `[900, -100, 400, 400]`, `[900, -100, 9223372036854775807, 400]`, "/elements/0/box", "a shape's box"},
		{"shape box empty", `[80, 80, 64, 64]`, `[80, 80, 0, 64]`, "/elements/4/box", "a shape's box"},
		{"ellipse without paint", `"opacity": 0.8,
     "fillGradient": {"type": "radial", "center": [0.5, 0.4], "radius": 1.2, "stops": [{"color": "accent", "at": 0}, {"color": "bg", "at": 1, "opacity": 0.5}]},
     "stroke": {"color": "accent", "width": 6, "dash": [12, 6], "cap": "round"}}`, `"opacity": 0.8}`, "/elements/0", "ellipse elements need a fill, a fillGradient or a stroke"},
		{"polygon fill colour", `"fill": "accent", "rotate": 15`, `"fill": "#xyz", "rotate": 15`, "/elements/3/fill", `"#xyz": want bg`},
		{"legacy gradient on a shape", `"fill": "accent", "rotate": 15`, `"fill": "accent", "gradient": "vertical", "fill2": "bg", "rotate": 15`, "/elements/3/gradient", "use fillGradient"},
		{"line without stroke", `"points": [[0, 1], [1080, 1]], "stroke": {"color": "accent", "width": 2, "dash": [4, 4]}`, `"points": [[0, 1], [1080, 1]]`, "/elements/2/stroke", "required: a line is drawn by its stroke"},
		{"line with a fill", line, line + `, "fill": "accent"`, "/elements/2/fill", "a line has no inside"},
		{"line with a fillGradient", line, line + `, "fillGradient": {"type": "linear", "stops": [{"color": "bg", "at": 0}, {"color": "text", "at": 1}]}`, "/elements/2/fillGradient", "not allowed on line elements (only on rect, ellipse, polygon, path)"},
		{"line of 3 points", `[[0, 1], [1080, 1]]`, `[[0, 1], [1080, 1], [5, 5]]`, "/elements/2/points", "3 points; a line has exactly 2"},
		{"line without points", `"points": [[0, 1], [1080, 1]], `, ``, "/elements/2/points", "0 points; a line has exactly 2"},
		{"polygon of 2 points", `[[70, 0], [140, 120], [0, 120]]`, `[[70, 0], [140, 120]]`, "/elements/3/points", "2 points; want 3..256"},
		{"polygon of 257 points", `[[70, 0], [140, 120], [0, 120]]`, "[" + strings.TrimSuffix(strings.Repeat("[1, 2], ", 257), ", ") + "]", "/elements/3/points", "257 points; want 3..256"},
		{"point too far right", `[140, 120]`, `[3601, 120]`, "/elements/3/points/1/0", "3601: want -2400..3600"},
		{"point too far up", `[140, 120]`, `[140, -1261]`, "/elements/3/points/1/1", "-1261: want -1260..1890"},
		{"point of 3 numbers", `[140, 120]`, `[140, 120, 1]`, "/elements/3/points/1", "want an array of 2 numbers, got 3"},
		{"points on a path", path, path + `, "points": [[0, 0], [1, 1]]`, "/elements/4/points", "not allowed on path elements (only on line, polygon)"},
		{"path missing", `"path": "M0 32C0 14 14 0 32 0S64 14 64 32 50 64 32 64 0 50 0 32Z", `, ``, "/elements/4/path", "required: SVG path data"},
		{"path syntax", `"M0 32C0 14 14 0 32 0S64`, `"M0 32C0 14 14 0 32 0X64`, "/elements/4/path", "path data at byte 20: want a command"},
		{"path not starting with M", `"M0 32C0 14 14 0 32 0S64`, `"L0 32C0 14 14 0 32 0S64`, "/elements/4/path", "must start with M or m"},
		{"path on a polygon", polygon, polygon + `, "path": "M0 0"`, "/elements/3/path", "not allowed on polygon elements (only on path)"},
		{"path too long", `"M0 32C0 14 14 0 32 0S64`, `"M0 32` + strings.Repeat(" L1 1", templates.MaxPathBytes/5) + `C0 14 14 0 32 0S64`, "/elements/4/path", "at most 16384"},
		{"ellipse in a stack", `{"type": "text", "text": "{price}", "box": [100, 440, 320, 100], "size": [40, 72], "color": "text", "weight": "bold"}`,
			`{"type": "stack", "box": [100, 440, 320, 100], "children": [{"type": "ellipse", "fill": "accent"}, {"type": "text", "text": "{price}", "size": [40, 72], "color": "text"}]}`,
			"/elements/9/children/0", "ellipse elements cannot be stacked (only text, pill and rect)"},

		// images: sources, clips and assets
		{"unknown asset", asset, `"src": "asset:nope"`, "/elements/5/src", `"asset:nope": the template has no asset "nope"`},
		{"unknown source", avatar, `"src": "https://example.com/a.png"`, "/elements/6/src", `want avatar, logo or asset:<name>`},
		{"clip kind", `"clip": "ellipse"`, `"clip": "circle"`, "/elements/5/clip", `"circle" is not one of ["ellipse" "path"]`},
		{"clip path missing", `, "clipPath": "M60 0L120 60 60 120 0 60z"`, ``, "/elements/6/clipPath", `required with "clip": "path"`},
		{"clip path without clip", `"clip": "path", "clipPath"`, `"clipPath"`, "/elements/6/clipPath", `only with "clip": "path"`},
		{"clip path syntax", `"M60 0L120 60 60 120 0 60z"`, `"M60 0L120"`, "/elements/6/clipPath", "path data at byte 9: command L needs 2 numbers"},
		{"clip on a rect", rect, rect + `, "clip": "ellipse"`, "/elements/1/clip", "not allowed on rect elements (only on image)"},
		{"clipPath on a path", path, path + `, "clipPath": "M0 0"`, "/elements/4/clipPath", "not allowed on path elements (only on image)"},
		{"unused asset", asset, avatar, "/assets/logo-mark", `no image element shows it (src "asset:logo-mark")`},
		{"asset name", `"logo-mark": "`, `"Logo": "`, "/assets/Logo", `name "Logo": want 1-32 of [a-z0-9_-], starting with a letter or digit`},
		{"asset as a URL", pngAsset, "https://example.com/logo.png", "/assets/logo-mark", "want data:image/png;base64,… or data:image/jpeg;base64,…"},
		{"asset as a GIF", "data:image/png;base64,", "data:image/gif;base64,", "/assets/logo-mark", "want data:image/png;base64,"},
		{"asset not base64", "data:image/png;base64,iVBOR", "data:image/png;base64,*VBOR", "/assets/logo-mark", "base64: illegal base64 data at input byte 0"},
		{"asset not an image", pngAsset, "data:image/png;base64,aGVsbG8gd29ybGQ=", "/assets/logo-mark", "not a png image"},
		{"asset mislabelled", pngAsset, strings.Replace(jpegAsset(t, 2, 2), "jpeg", "png", 1), "/assets/logo-mark", "a jpeg image in a data URL of image/png"},
		{"assets not an object", `"assets": {"logo-mark": "` + pngAsset + `"}`, `"assets": ["` + pngAsset + `"]`, "/assets", "want an object, got an array"},

		// letter spacing
		{"letterSpacing too tight", `"letterSpacing": -1`, `"letterSpacing": -20.5`, "/elements/7/letterSpacing", "-20.5: want -20..100"},
		{"letterSpacing too wide", `"letterSpacing": 2`, `"letterSpacing": 101`, "/elements/8/letterSpacing", "101: want -20..100"},
		{"letterSpacing on an image", asset, asset + `, "letterSpacing": 1`, "/elements/5/letterSpacing", "not allowed on image elements (only on text, pill)"},

		// fills
		{"fillGradient on a pill", pill, pill + `, "fillGradient": {"type": "linear", "stops": [{"color": "bg", "at": 0}, {"color": "text", "at": 1}]}`, "/elements/8/fillGradient", "not allowed on pill elements"},
		{"fillGradient checked", `"center": [0.5, 0.4], "radius": 1.2, "stops": [{"color": "accent", "at": 0}`, `"center": [0.5, 0.4], "radius": 1.2, "stops": [{"color": "accent", "at": -1}`, "/elements/0/fillGradient/stops/0/at", "-1: want 0..1"},
		{"rect without fill or gradient", `"radius": 24, "fill": "surface"`, `"radius": 24`, "/elements/1/fill", `"": want bg`},
		{"children on a text", title, title + `, "children": [{"type": "text"}]`, "/elements/7/children", "not allowed on text elements (only on stack)"},

		// custom fields
		{"undeclared placeholder", `"text": "{price}"`, `"text": "{price} {cost}"`, "/elements/9/text", "unknown placeholder {cost}"},
		{"undeclared condition", pill, `"type": "pill", "if": "tier"`, "/elements/8/if", `unknown parameter "tier"`},
		{"unused field", `"text": "{price}"`, `"text": "{title}"`, "/fields/price", "declared but never used: show it as {price} in a text or test it with \"if\""},
		{"field name with a dash", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "x-y": {"maxLength": 1}`, "/fields/x-y", `name "x-y": want a-z, then up to 31 of a-z A-Z 0-9`},
		{"field name upper case", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "Plan": {"maxLength": 1}`, "/fields/Plan", `name "Plan": want a-z`},
		{"field name of 33", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "p` + strings.Repeat("x", 32) + `": {"maxLength": 1}`, "/fields/p" + strings.Repeat("x", 32), "want a-z, then up to 31"},
		{"field named title", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "title": {"maxLength": 10}`, "/fields/title", `name "title" is a built-in parameter`},
		{"field named bgColor", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "bgColor": {"maxLength": 10}`, "/fields/bgColor", "is a built-in parameter"},
		{"field named tv", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "tv": {"maxLength": 10}`, "/fields/tv", "is a built-in parameter"},
		{"field named s", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}, "s": {"maxLength": 10}`, "/fields/s", "is a built-in parameter"},
		{"maxLength 0", `"maxLength": 30`, `"maxLength": 0`, "/fields/plan/maxLength", "0: want 1..500"},
		{"maxLength 501", `"maxLength": 30`, `"maxLength": 501`, "/fields/plan/maxLength", "501: want 1..500"},
		{"unknown field of a field", `"maxLength": 30`, `"maxLength": 30, "default": "Pro"`, "/fields/plan", `unknown field "default"`},
		{"17 fields", `"plan": {"maxLength": 30}`, `"plan": {"maxLength": 30}` + manyFields(15), "/fields", "17 fields; at most 16"},

		// opacity everywhere
		{"opacity of a stack", `"opacity": 0.8`, `"opacity": 1.01`, "/elements/0/opacity", "1.01: want 0..1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := mutateCustom(t, c.old, c.new)
			tpl, err := templates.ParseWith(data, custom)
			if err == nil {
				t.Fatalf("accepted: %s", data)
			}
			if tpl != nil {
				t.Errorf("template returned with error %v", err)
			}
			checkProblem(t, err, c.at, c.want)
		})
	}
}

// manyFields declares n more fields, each used nowhere.
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`, "extra` + strconv.Itoa(i) + `": {"maxLength": 1}`)
	}
	return b.String()
}

// TestV2Seeds: the fuzzer's seeds are valid templates.
func TestV2Seeds(t *testing.T) {
	for i, doc := range v2Seeds {
		if _, err := templates.ParseWith([]byte(doc), custom); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}
