package templates_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

// FuzzTemplateParse: user templates go through ParseWith, so it must never
// panic, must report problems at pointers into the document, and whatever it
// accepts must be drawable: every box where its kind may be, text in the safe
// zone, no nested stacks, {title} shown, fields and assets used. What Parse
// (the built-ins' stricter rules) accepts, ParseWith for a custom template
// accepts too, and an accepted template re-encodes to JSON that parses to the
// same template.
func FuzzTemplateParse(f *testing.F) {
	f.Add([]byte(validTemplate))
	f.Add([]byte(customTemplate))
	for _, doc := range v2Seeds {
		f.Add([]byte(doc))
	}
	files, _ := filepath.Glob("builtin/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, doc := range []string{``, `{}`, `null`, `{"elements": [null]}`, `{"name":"a","version":1,"background":"bg","elements":[{"type":"stack","children":[null]}]}`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		builtin, berr := templates.Parse(data)
		tpl, err := templates.ParseWith(data, templates.Options{Custom: true})
		checkResult(t, data, builtin, berr)
		checkResult(t, data, tpl, err)
		if berr == nil && err != nil {
			t.Fatalf("Parse accepts what ParseWith(Custom) rejects: %v", err)
		}
		if err != nil {
			if _, err2 := templates.ParseWith(data, templates.Options{Custom: true}); err2.Error() != err.Error() {
				t.Fatalf("not deterministic:\n%v\n%v", err, err2)
			}
			return
		}
		checkDrawable(t, tpl)
		out, err := json.Marshal(tpl)
		if err != nil {
			t.Fatal(err)
		}
		again, err := templates.ParseWith(out, templates.Options{Custom: true})
		if err != nil || !reflect.DeepEqual(again, tpl) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// checkResult: exactly one of a template and a *ValidationError, whose
// problems (1..MaxProblems) are at pointers whose parent is in the document.
func checkResult(t *testing.T, data []byte, tpl *templates.Template, err error) {
	t.Helper()
	if (tpl == nil) == (err == nil) {
		t.Fatalf("template %v and error %v", tpl != nil, err)
	}
	if err == nil {
		return
	}
	ve, ok := err.(*templates.ValidationError)
	if !ok || len(ve.Problems) == 0 || len(ve.Problems) > templates.MaxProblems {
		t.Fatalf("error %T %v", err, err)
	}
	var doc any
	valid := json.Unmarshal(data, &doc) == nil
	for _, p := range ve.Problems {
		if p.Message == "" || p.Pointer != "" && p.Pointer[0] != '/' {
			t.Fatalf("problem %+v", p)
		}
		if i := strings.LastIndexByte(p.Pointer, '/'); valid && i >= 0 && !resolves(doc, p.Pointer[:i]) {
			t.Fatalf("problem %+v: its parent is not in the document", p)
		}
	}
}

// resolves reports whether a JSON Pointer names a value in doc.
func resolves(doc any, ptr string) bool {
	if ptr == "" {
		return true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch v := doc.(type) {
		case map[string]any:
			var ok bool
			if doc, ok = v[tok]; !ok {
				return false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return false
			}
			doc = v[i]
		default:
			return false
		}
	}
	return true
}

// checkDrawable checks an accepted template against the rules the renderer
// relies on.
func checkDrawable(t *testing.T, tpl *templates.Template) {
	t.Helper()
	if tpl.Version < 0 || len(tpl.Elements) < 1 || len(tpl.Elements) > 64 || len(tpl.Fields) > templates.MaxFields {
		t.Fatalf("accepted version %d with %d elements, %d fields", tpl.Version, len(tpl.Elements), len(tpl.Fields))
	}
	W, H := tpl.Size()
	if W < templates.MinCanvasSide || H < templates.MinCanvasSide || W > templates.MaxCanvasSide ||
		H > templates.MaxCanvasSide || W*H > templates.MaxCanvasPixels {
		t.Fatalf("canvas %dx%d", W, H)
	}
	if !sort.StringsAreSorted(tpl.Params) || !contains(tpl.Params, "title") {
		t.Fatalf("params %v", tpl.Params)
	}
	for _, p := range tpl.Params {
		if _, field := tpl.Fields[p]; !field && !contains(templates.ConditionParams, p) {
			t.Fatalf("param %q", p)
		}
	}
	for name := range tpl.Fields {
		if !contains(tpl.Params, name) || contains(templates.ReservedNames, name) {
			t.Fatalf("field %q unused or reserved (params %v)", name, tpl.Params)
		}
	}
	for _, e := range tpl.Elements {
		x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
		if templates.IsShape(e.Type) {
			if w <= 0 || h <= 0 || x < -W || y < -H || x > 2*W || y > 2*H || w > 2*W-x || h > 2*H-y {
				t.Fatalf("%s box %v too far off the %dx%d canvas", e.Type, e.Box, W, H)
			}
			if e.Fill == "" && e.FillGradient == nil && e.Stroke == nil || e.Type == templates.KindLine && e.Stroke == nil {
				t.Fatalf("%s without paint", e.Type)
			}
			continue
		}
		if x < 0 || y < 0 || w <= 0 || h <= 0 || x > W || y > H || w > W-x || h > H-y {
			t.Fatalf("%s box %v off the %dx%d canvas", e.Type, e.Box, W, H)
		}
		m := templates.SafeMargin
		safe := x >= m && y >= m && x+w <= W-m && y+h <= H-m
		if (e.Type == templates.KindText || e.Type == templates.KindPill || e.Type == templates.KindStack) && !safe {
			t.Fatalf("%s box %v outside the safe zone", e.Type, e.Box)
		}
		if e.Type == templates.KindImage {
			if name, ok := strings.CutPrefix(e.Src, "asset:"); ok && tpl.Assets[name] == "" {
				t.Fatalf("image of a missing asset %q", name)
			}
		}
		if e.Type == templates.KindStack && (len(e.Children) < 1 || len(e.Children) > 16) {
			t.Fatalf("stack with %d children", len(e.Children))
		}
		for _, c := range e.Children {
			if c == nil || c.Type != templates.KindText && c.Type != templates.KindPill && c.Type != templates.KindRect {
				t.Fatalf("bad stack child %+v", c)
			}
			if c.Type == templates.KindRect && (c.Box[3] <= 0 || c.Box[3] > H) {
				t.Fatalf("stacked rect height %d", c.Box[3])
			}
		}
	}
}

// v2Seeds are small templates of format version 2, one per new element
// kind and field, for the fuzzer to start from.
var v2Seeds = []string{
	v2Seed(`"width": 1000, "height": 800, "backgroundGradient": {"type": "radial", "center": [0.3, 0.3], "radius": 2, "stops": [{"color": "accent", "at": 0, "opacity": 0.5}, {"color": "bg", "at": 1}]}`, ``),
	v2Seed(``, `{"type": "ellipse", "box": [-100, -100, 300, 300], "fill": "accent", "stroke": {"color": "text", "width": 4, "dash": [8, 4], "cap": "round", "join": "bevel"}, "rotate": 30, "opacity": 0.5}`),
	v2Seed(``, `{"type": "line", "box": [60, 500, 1080, 10], "points": [[0, 5], [1080, 5]], "stroke": {"color": "accent", "width": 3}, "shadow": {"offset": [2, 2], "blur": 3, "color": "#000000"}}`),
	v2Seed(``, `{"type": "polygon", "box": [900, 300, 200, 200], "points": [[100, 0], [200, 200], [0, 200]], "fillGradient": {"type": "linear", "angle": 45, "stops": [{"color": "accent", "at": 0}, {"color": "surface", "at": 1}]}}`),
	v2Seed(``, `{"type": "path", "box": [900, 60, 100, 100], "path": "M0 0h100v100H0z m10 10 a40 40 0 1 0 80 0 a40 40 0 1 0 -80 0", "fill": "text", "opacity": 0.2}`),
	v2Seed(`"assets": {"mark": "`+pngAsset+`"}`, `{"type": "image", "src": "asset:mark", "box": [1000, 470, 100, 100], "clip": "path", "clipPath": "M50 0L100 50 50 100 0 50Z", "rotate": 45}`),
	v2Seed(``, `{"type": "image", "if": "avatar", "src": "avatar", "box": [1000, 470, 100, 100], "clip": "ellipse", "shadow": {"offset": [0, 6], "blur": 12, "color": "#000000", "opacity": 0.4}}`),
	v2Seed(`"fields": {"price": {"maxLength": 12, "required": true, "description": "Price"}, "badge": {"maxLength": 20}}`,
		`{"type": "pill", "if": "badge", "text": "{badge}", "box": [60, 400, 400, 50], "size": [20, 20], "fill": "accent", "color": "bg", "letterSpacing": 1.5}, {"type": "text", "text": "{price}", "box": [60, 460, 400, 60], "size": [30, 40], "color": "text", "letterSpacing": -0.5}`),
	v2Seed(``, `{"type": "rect", "box": [40, 40, 1120, 550], "radius": 24, "fillGradient": {"type": "linear", "stops": [{"color": "surface", "at": 0}, {"color": "surface", "at": 0.5}, {"color": "bg", "at": 1, "opacity": 0.3}]}, "stroke": {"color": "accent", "width": 0.5}, "shadow": {"offset": [0, 10], "blur": 30, "color": "#000000", "opacity": 0.5}}`),
}

// v2Seed is a custom template showing the title, with extra top-level
// fields and extra elements (either may be empty).
func v2Seed(fields, elements string) string {
	doc := `{"name": "Seed", "version": 0, "background": "bg", `
	if fields != "" {
		doc += fields + ", "
	}
	doc += `"elements": [{"type": "text", "text": "{title}", "box": [60, 60, 800, 200], "size": [30, 60], "color": "text"}`
	if elements != "" {
		doc += ", " + elements
	}
	return doc + "]}"
}

// FuzzValidPathData: ValidPathData never panics, reports an offset inside
// the data, and accepts only the characters of path data, starting with a
// moveto; accepted data stays accepted with white space around it.
func FuzzValidPathData(f *testing.F) {
	for _, d := range []string{"M0 0", "M10 10 L 20 20 Z", "m.5.5-1e2,3E+1h1v1z", "M10 10a5 5 0 1120 20",
		"M0 0C1 2 3 4 5 6S7 8 9 10Q1 2 3 4T5 6", "M1e", "M0 0A-5 5 0 1 0 1 1", "", "M", "M0 0 L1 1,"} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		err := templates.ValidPathData(d)
		if err != nil {
			var pe *templates.PathDataError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(d) || pe.Message == "" {
				t.Fatalf("error %#v", err)
			}
			return
		}
		if len(d) > templates.MaxPathBytes {
			t.Fatalf("accepted %d bytes", len(d))
		}
		trimmed := strings.TrimLeft(d, " \t\r\n\f")
		if trimmed == "" || trimmed[0] != 'M' && trimmed[0] != 'm' {
			t.Fatalf("accepted %q: no leading moveto", d)
		}
		if i := strings.IndexFunc(d, func(r rune) bool { return !strings.ContainsRune("MmLlHhVvCcSsQqTtAaZz0123456789.+-eE, \t\r\n\f", r) }); i >= 0 {
			t.Fatalf("accepted %q with %q at %d", d, d[i], i)
		}
		if len(d)+2 <= templates.MaxPathBytes {
			if err := templates.ValidPathData(" " + d + "\n"); err != nil {
				t.Fatalf("%q accepted, with white space around rejected: %v", d, err)
			}
		}
	})
}
