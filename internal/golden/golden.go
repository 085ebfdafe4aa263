// Package golden holds the golden-image cases (every template x palette) and
// compares rendered frames with the stored PNGs by decoded pixels, tolerance 0.
// The native renderer test writes them (make golden); the wazero and edge
// tests compare against the same files.
package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ogmint/ogmint/templates"
)

// Case is one golden image: a name (file stem) and its request query.
type Case struct {
	Name  string
	Query string
}

// Texts used for every template: long enough to wrap, with a tag and author.
var Texts = url.Values{
	"title":       {"Rendering social images at the edge without a headless browser"},
	"description": {"How a Go renderer compiled to WebAssembly draws Open Graph cards in milliseconds, in wazero and on workers."},
	"tag":         {"Engineering"},
	"author":      {"Ada Lovelace"},
}

// Cases lists every template x palette of the set, plus layout edge cases
// (long text that must shrink and clamp, non-Latin scripts, missing optional
// fields, each font family) on the blog template.
func Cases(set *templates.Set) []Case {
	var out []Case
	for _, t := range set.Names() {
		for _, p := range set.PaletteNames() {
			q := clone(Texts)
			q.Set("template", t)
			q.Set("palette", p)
			out = append(out, Case{Name: t + "-" + p, Query: q.Encode()})
		}
	}
	long := url.Values{"template": {"blog"},
		"title":       {repeat("Exceptionally long headline words keep coming ", 200)},
		"description": {repeat("A description that goes on and on, far beyond two lines of text. ", 500)},
		"tag":         {repeat("Very long category label ", 50)},
		"author":      {repeat("Someone With A Remarkably Long Name ", 100)}}
	out = append(out, Case{"edge-long", long.Encode()})
	out = append(out, Case{"edge-scripts", url.Values{"template": {"blog"},
		"title":       {"Привет, мир — Γειά σου Κόσμε — Zażółć gęślą jaźń"},
		"description": {"Кириллица, ελληνικά, and a glyph no font has: 日本 ☃"}}.Encode()})
	out = append(out, Case{"edge-title-only", url.Values{"template": {"blog"}, "title": {"Just a title"}}.Encode()})
	out = append(out, Case{"edge-unbreakable", url.Values{"template": {"blog"},
		"title": {"Supercalifragilisticexpialidocious-antidisestablishmentarianism-pneumonoultramicroscopic"}}.Encode()})
	for _, f := range set.FamilyNames() {
		q := clone(Texts)
		q.Set("template", "blog")
		q.Set("font", f)
		out = append(out, Case{Name: "font-" + slug(f), Query: q.Encode()})
	}
	return out
}

// ImageCase is a golden image drawn with image files in the module's slots
// (abi.SlotAvatar, abi.SlotLogo), as a host puts them there after fetching.
type ImageCase struct {
	Case
	Images map[int]string // slot -> file name under testdata/images
}

// Image slots, as in wasm/abi (not imported: golden has no module deps).
const (
	slotAvatar = 0
	slotLogo   = 1
)

// ImageCases draws the avatar (a landscape JPEG, cropped into the initials'
// disc) and the logo (a PNG with transparency, fitted into its box) on every
// template that shows them.
func ImageCases(set *templates.Set) []ImageCase {
	var out []ImageCase
	for _, t := range set.Names() {
		q := clone(Texts)
		q.Set("template", t)
		q.Set("avatar", "https://images.example.com/avatar.jpg")
		q.Set("logo", "https://images.example.com/logo.png")
		out = append(out, ImageCase{Case{Name: "image-" + t, Query: q.Encode()},
			map[int]string{slotAvatar: "avatar.jpg", slotLogo: "logo.png"}})
	}
	return out
}

// ImageFile reads a test image from testdata/images.
func ImageFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(Dir(), "images", name))
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func repeat(s string, maxRunes int) string {
	var b []rune
	for len(b) < maxRunes {
		b = append(b, []rune(s)...)
	}
	return string(b[:maxRunes])
}

func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == ' ' {
			b[i] = '-'
		}
	}
	return string(bytes.ToLower(b))
}

// Dir is the directory of the golden PNGs.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

// Path is the golden PNG of a case.
func Path(name string) string { return filepath.Join(Dir(), name+".png") }

// Updating reports whether tests should rewrite the golden files.
func Updating() bool { return os.Getenv("OGMINT_UPDATE_GOLDEN") != "" }

// Load decodes a golden PNG into RGBA bytes (w*h*4).
func Load(name string) ([]byte, error) {
	b, err := os.ReadFile(Path(name))
	if err != nil {
		return nil, fmt.Errorf("golden %s: %w (run `make golden` after an intended change)", name, err)
	}
	return DecodeRGBA(b)
}

// DecodeRGBA decodes a PNG into opaque RGBA bytes.
func DecodeRGBA(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	out := make([]byte, 0, r.Dx()*r.Dy()*4)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			out = append(out, uint8(cr>>8), uint8(cg>>8), uint8(cb>>8), uint8(ca>>8))
		}
	}
	return out, nil
}

// Diff compares two RGBA frames of width w and describes the first
// difference, or returns "" when every pixel is identical.
func Diff(got, want []byte, w int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("size differs: %d vs %d bytes", len(got), len(want))
	}
	n, first := 0, -1
	for i := 0; i < len(got); i += 4 {
		if !bytes.Equal(got[i:i+4], want[i:i+4]) {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	px := first / 4
	return fmt.Sprintf("%d pixels differ; first at (%d,%d): got %v want %v", n, px%w, px/w, got[first:first+4], want[first:first+4])
}

// Save writes an RGBA frame as the golden PNG of a case.
func Save(name string, pix []byte, w, h int) error {
	img := &image.RGBA{Pix: pix, Stride: w * 4, Rect: image.Rect(0, 0, w, h)}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	if err := os.MkdirAll(Dir(), 0o755); err != nil {
		return err
	}
	return os.WriteFile(Path(name), buf.Bytes(), 0o644)
}

// CasesFile lists the cases as JSON ([{"name","query"}]) for tests outside
// Go (the edge runtimes), next to the PNGs.
func CasesFile() string { return filepath.Join(Dir(), "cases.json") }

// CasesJSON encodes cases for CasesFile.
func CasesJSON(cases []Case) []byte {
	type jc struct {
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	out := make([]jc, len(cases))
	for i, c := range cases {
		out[i] = jc{c.Name, c.Query}
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return append(b, '\n')
}
