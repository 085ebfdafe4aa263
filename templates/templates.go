// Package templates holds ogmint's built-in card templates, colour palettes and
// fonts as embedded data, and the schema that describes them. The renderer in
// wasm/ interprets a Template; adding a template means adding a JSON file here
// (and its golden images), never new Go code.
package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

//go:embed builtin/*.json palettes.json fonts.json fonts/*.txt
var files embed.FS

// Canvas size of every card, in pixels.
const (
	Width  = 1200
	Height = 630
	// SafeMargin is the distance from each canvas edge that text must keep.
	SafeMargin = 60
)

// Set is the parsed, validated collection of built-in templates, palettes and fonts.
type Set struct {
	Templates map[string]*Template
	Palettes  map[string]Palette
	Families  map[string]*Family
	// DefaultFamily is the family used when a request names none.
	DefaultFamily string
	// FallbackOrder lists families tried, in order, for a glyph the chosen family lacks.
	FallbackOrder []string
}

// Palette is a named set of the four card colours, as 6 hex digits each.
type Palette struct {
	Bg      string `json:"bgColor"`
	Text    string `json:"textColor"`
	Accent  string `json:"accentColor"`
	Surface string `json:"surfaceColor"`
}

// Family is a font family: one file per weight, with its licence file.
type Family struct {
	Name    string   `json:"name"`
	Regular string   `json:"regular"`
	Bold    string   `json:"bold"`
	License string   `json:"license"`
	Aliases []string `json:"aliases"`
	// Pack: the files are not in the render module but handed over by the
	// host when a text asks for the family (package templates/fontpack),
	// which keeps the module small.
	Pack bool `json:"pack"`
}

// Names returns the built-in template names in sorted order (custom
// templates a render module holds are left out).
func (s *Set) Names() []string {
	names := sortedKeys(s.Templates)
	return slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, "custom_") })
}

// PaletteNames returns the palette names in sorted order.
func (s *Set) PaletteNames() []string { return sortedKeys(s.Palettes) }

// FamilyNames returns the font family names in sorted order.
func (s *Set) FamilyNames() []string { return sortedKeys(s.Families) }

// FontFile returns the bytes of an embedded font file named in fonts.json.
// The bytes are shared and must not be modified: fonts are embedded as
// variables (fontFiles) so that reading one does not copy it, which a render
// instance would otherwise pay at every start.
func FontFile(name string) ([]byte, error) {
	if b, ok := fontFiles[name]; ok {
		return b, nil
	}
	if b, err := files.ReadFile(path.Join("fonts", name)); err == nil {
		return b, nil // a licence file
	}
	return nil, fmt.Errorf("font %s: not embedded (add it to templates/fonts_embed.go)", name)
}

// Load parses and validates every embedded template, palette and font family.
func Load() (*Set, error) {
	s := &Set{Templates: map[string]*Template{}}
	if err := readJSON("palettes.json", &s.Palettes); err != nil {
		return nil, err
	}
	for name, p := range s.Palettes {
		for _, c := range []string{p.Bg, p.Text, p.Accent, p.Surface} {
			if !IsHexColor(c) {
				return nil, fmt.Errorf("palettes.json: palette %q: colour %q is not 6 hex digits", name, c)
			}
		}
	}
	var fonts struct {
		Default  string    `json:"default"`
		Fallback []string  `json:"fallback"`
		Families []*Family `json:"families"`
	}
	if err := readJSON("fonts.json", &fonts); err != nil {
		return nil, err
	}
	s.Families = map[string]*Family{}
	for _, f := range fonts.Families {
		if _, err := fs.Stat(files, path.Join("fonts", f.License)); err != nil {
			return nil, fmt.Errorf("fonts.json: family %q: %w", f.Name, err)
		}
		for _, file := range []string{f.Regular, f.Bold} {
			if _, err := FontFile(file); err != nil && !f.Pack {
				return nil, fmt.Errorf("fonts.json: family %q: %w", f.Name, err)
			}
		}
		s.Families[f.Name] = f
	}
	if s.Families[fonts.Default] == nil {
		return nil, fmt.Errorf("fonts.json: default family %q is not listed", fonts.Default)
	}
	s.DefaultFamily, s.FallbackOrder = fonts.Default, fonts.Fallback
	for _, name := range s.FallbackOrder {
		if s.Families[name] == nil {
			return nil, fmt.Errorf("fonts.json: fallback family %q is not listed", name)
		}
	}
	entries, err := files.ReadDir("builtin")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		t, err := Parse(mustRead("builtin/" + e.Name()))
		if err != nil {
			return nil, fmt.Errorf("templates/builtin/%s: %w", e.Name(), err)
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); t.Name != want {
			return nil, fmt.Errorf("templates/builtin/%s: name %q must match the file name", e.Name(), t.Name)
		}
		for _, fam := range t.Families() {
			if s.Families[fam] == nil {
				return nil, fmt.Errorf("templates/builtin/%s: family %q is not in fonts.json (use the exact family name)", e.Name(), fam)
			}
		}
		s.Templates[t.Name] = t
	}
	return s, nil
}

func readJSON(name string, v any) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("templates/%s: %w", name, err)
	}
	return nil
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

// IsHexColor reports whether s is exactly 6 hex digits (no '#').
func IsHexColor(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
