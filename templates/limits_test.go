package templates_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

func TestDefaultLimits(t *testing.T) {
	want := templates.Limits{MaxBytes: 2 << 20, MaxElements: 64, MaxChildren: 16,
		MaxAssetBytes: 512 << 10, MaxAssetsBytes: 1536 << 10, MaxAssetPixels: 4_000_000}
	if templates.DefaultLimits != want {
		t.Errorf("DefaultLimits %+v, want %+v", templates.DefaultLimits, want)
	}
}

// TestParseWithLimits: each limit, at and past its value.
func TestParseWithLimits(t *testing.T) {
	size := len(customTemplate)
	jpeg := jpegAsset(t, 3, 2)
	twoAssets := strings.Replace(customTemplate, `"assets": {"logo-mark": "`+pngAsset+`"}`,
		`"assets": {"logo-mark": "`+pngAsset+`", "photo": "`+jpeg+`"}`, 1)
	twoAssets = strings.Replace(twoAssets, `"src": "avatar"`, `"src": "asset:photo"`, 1)
	pngBytes, jpegBytes := 79, (len(jpeg)-len("data:image/jpeg;base64,"))/4*3-strings.Count(jpeg, "=")
	for _, c := range []struct {
		name     string
		doc      string
		limits   templates.Limits
		at, want string // "" want: accepted
	}{
		{"bytes at the limit", customTemplate, templates.Limits{MaxBytes: size}, "", ""},
		{"bytes past the limit", customTemplate, templates.Limits{MaxBytes: size - 1}, "", strconv.Itoa(size) + " bytes; at most " + strconv.Itoa(size-1)},
		{"elements at the limit", customTemplate, templates.Limits{MaxElements: 10}, "", ""},
		{"elements past the limit", customTemplate, templates.Limits{MaxElements: 9}, "/elements", "10 elements; want 1-9"},
		{"asset bytes at the limit", customTemplate, templates.Limits{MaxAssetBytes: pngBytes}, "", ""},
		{"asset bytes past the limit", customTemplate, templates.Limits{MaxAssetBytes: pngBytes - 1}, "/assets/logo-mark", "79 bytes; at most 78"},
		{"asset pixels at the limit", customTemplate, templates.Limits{MaxAssetPixels: 4}, "", ""},
		{"asset pixels past the limit", customTemplate, templates.Limits{MaxAssetPixels: 3}, "/assets/logo-mark", "a 2x2 image; at most 3 pixels"},
		{"two assets", twoAssets, templates.Limits{}, "", ""},
		{"assets at the limit together", twoAssets, templates.Limits{MaxAssetsBytes: pngBytes + jpegBytes}, "", ""},
		{"assets past the limit together", twoAssets, templates.Limits{MaxAssetsBytes: pngBytes + jpegBytes - 1}, "/assets",
			strconv.Itoa(pngBytes+jpegBytes) + " bytes of images together; at most " + strconv.Itoa(pngBytes+jpegBytes-1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := templates.ParseWith([]byte(c.doc), templates.Options{Custom: true, Limits: c.limits})
			if c.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			checkProblem(t, err, c.at, c.want)
		})
	}
}

func TestParseChildrenLimit(t *testing.T) {
	child := `{"type": "text", "text": "{title}", "size": [20, 20], "color": "text"}`
	doc := func(n int) []byte {
		return []byte(`{"name": "n", "version": 1, "background": "bg", "elements": [{"type": "stack", "box": [60, 60, 500, 300], "children": [` +
			strings.TrimSuffix(strings.Repeat(child+",", n), ",") + `]}]}`)
	}
	lim := templates.Options{Limits: templates.Limits{MaxChildren: 3}}
	if _, err := templates.ParseWith(doc(3), lim); err != nil {
		t.Errorf("3 children: %v", err)
	}
	_, err := templates.ParseWith(doc(4), lim)
	checkProblem(t, err, "/elements/0/children", "4 children; want 1-3")
}

// TestParseTooManyElements: a document with far more elements than any
// valid template has is not decoded (each would take hundreds of bytes).
func TestParseTooManyElements(t *testing.T) {
	doc := `{"background": 5, "elements": [{}, {}, {"children": [{}, {}, {}]}], "name": 5}`
	lim := templates.Options{Limits: templates.Limits{MaxElements: 2, MaxChildren: 1}}
	_, err := templates.ParseWith([]byte(doc), lim)
	want := `/background: want a string, got a number; more than 4 elements in all (2 top-level elements, each stack with at most 1 children)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

// TestParseMinimumCanvas: the smallest canvas, with text in its safe zone.
func TestParseMinimumCanvas(t *testing.T) {
	doc := `{"name": "n", "version": 1, "background": "bg", "width": 200, "height": 200, "elements": [
		{"type": "text", "text": "{title}", "box": [60, 60, 80, 80], "size": [8, 20], "color": "text"},
		{"type": "rect", "box": [0, 0, 200, 200], "fill": "accent", "opacity": 0.1}]}`
	if _, err := templates.Parse([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	_, err := templates.Parse([]byte(strings.Replace(doc, "[60, 60, 80, 80]", "[60, 60, 81, 80]", 1)))
	checkProblem(t, err, "/elements/0/box", "text must keep 60 px")
}

// TestParseProblemCap: a template with hundreds of problems lists the first 100.
func TestParseProblemCap(t *testing.T) {
	bad := `{"type": "rect", "box": [0, 0, 0, 0], "fill": "red"}`
	doc := `{"name": "n", "version": 1, "background": "bg", "elements": [` +
		strings.TrimSuffix(strings.Repeat(bad+",", 150), ",") + `]}`
	_, err := templates.ParseWith([]byte(doc), templates.Options{Limits: templates.Limits{MaxElements: 1000}})
	ve, ok := err.(*templates.ValidationError)
	if !ok || len(ve.Problems) != templates.MaxProblems {
		t.Fatalf("got %T with %d problems", err, len(ve.Problems))
	}
	if p := ve.Problems[0]; p.Pointer != "/elements/0/box" {
		t.Errorf("first problem %+v", p)
	}
	if p := ve.Problems[99]; p.Pointer != "/elements/49/fill" {
		t.Errorf("last problem %+v", p)
	}
}

// TestParseCollectsEveryProblem: problems in several places are all
// reported, in document order.
func TestParseCollectsEveryProblem(t *testing.T) {
	doc := strings.NewReplacer(`"version": 3`, `"version": 0`, `"gap": 10`, `"gap": -1`,
		`"maxLines": 3`, `"maxLines": 30`, `"valign": "bottom"`, `"valign": "low"`).Replace(validTemplate)
	_, err := templates.Parse([]byte(doc))
	want := "/version: 0: must be >= 1; /elements/1/gap: -1: want 0..200; /elements/1/children/1/maxLines: 30: want 0..12 (0 = 1); " +
		`/elements/3/valign: "low" is not one of ["top" "middle" "bottom"]`
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

func TestValidationErrorJSON(t *testing.T) {
	e := &templates.ValidationError{Problems: []templates.Problem{{Pointer: "", Message: "whole"}, {Pointer: "/a~1b/0", Message: "part"}}}
	if got, want := e.Error(), "whole; /a~1b/0: part"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	b, err := json.Marshal(e.Problems)
	if err != nil || string(b) != `[{"pointer":"","message":"whole"},{"pointer":"/a~1b/0","message":"part"}]` {
		t.Errorf("JSON %s, %v", b, err)
	}
}
