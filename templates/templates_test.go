package templates_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

func TestLoad(t *testing.T) {
	s, err := templates.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	blog := s.Templates["blog"]
	if blog == nil {
		t.Fatalf("no blog template; have %v", s.Names())
	}
	if !reflect.DeepEqual(blog.Params, []string{"author", "description", "logo", "tag", "title"}) {
		t.Errorf("blog params %v", blog.Params)
	}
	for name, tpl := range s.Templates {
		if tpl.Name != name || tpl.Version < 1 || len(tpl.Elements) == 0 {
			t.Errorf("template %q: name %q version %d, %d elements", name, tpl.Name, tpl.Version, len(tpl.Elements))
		}
		if !contains(tpl.Params, "title") {
			t.Errorf("template %q does not show the title", name)
		}
	}
	if got := s.PaletteNames(); !reflect.DeepEqual(got, []string{"forest", "midnight", "ocean", "paper", "sunset"}) {
		t.Errorf("palettes %v", got)
	}
	if s.Palettes["midnight"] != (templates.Palette{Bg: "0a0a0f", Text: "f0f0f8", Accent: "6366f1", Surface: "13131a"}) {
		t.Errorf("midnight is not the default colours: %+v", s.Palettes["midnight"])
	}
	if got := s.FamilyNames(); !reflect.DeepEqual(got, []string{"DejaVu Serif", "Inter", "JetBrains Mono"}) {
		t.Errorf("families %v", got)
	}
	if s.DefaultFamily != "Inter" || len(s.FallbackOrder) == 0 {
		t.Errorf("default %q fallback %v", s.DefaultFamily, s.FallbackOrder)
	}
	for _, f := range s.Families {
		files := []string{f.Regular, f.Bold, f.License}
		if f.Pack {
			files = files[2:] // the host hands these over (templates/fontpack)
		}
		for _, file := range files {
			b, err := templates.FontFile(file)
			if err != nil || len(b) < 1000 {
				t.Errorf("family %s: %s: %d bytes, %v", f.Name, file, len(b), err)
			}
		}
	}
	if _, err := templates.FontFile("nope.ttf"); err == nil {
		t.Error("FontFile of a missing file succeeded")
	}
	if names := s.Names(); !sortedStrings(names) || len(names) != len(s.Templates) {
		t.Errorf("Names %v not sorted or incomplete", names)
	}
	// Load is deterministic.
	s2, err := templates.Load()
	if err != nil || !reflect.DeepEqual(s, s2) {
		t.Errorf("second Load differs (err %v)", err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

func TestIsHexColor(t *testing.T) {
	for s, want := range map[string]bool{
		"000000": true, "ffffff": true, "FFFFFF": true, "6366f1": true, "aBcDeF": true,
		"": false, "fff": false, "#ffffff": false, "fffffff": false, "gggggg": false, "12345 ": false,
		"１２３４５６": false, "ff ff f": false,
	} {
		if got := templates.IsHexColor(s); got != want {
			t.Errorf("IsHexColor(%q) = %v", s, got)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	for in, want := range map[string][]string{
		"{title}":                  {"title"},
		"by {author} in {tag}":     {"author", "tag"},
		"no placeholders":          nil,
		"{ title } {1} {a_b} {}":   nil,
		"{{title}}":                {"title"},
		"{Title}{DESCRIPTION}":     {"Title", "DESCRIPTION"},
		"docs / {tag} / {missing}": {"tag", "missing"},
	} {
		if got := templates.Placeholders(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Placeholders(%q) = %q, want %q", in, got, want)
		}
	}
}

// validTemplate is a small template that passes Parse; each bad case below
// changes one thing in it.
const validTemplate = `{
  "name": "test-card_1",
  "version": 3,
  "description": "for tests",
  "background": "bg",
  "elements": [
    {"type": "rect", "box": [0, 0, 1200, 630], "fill": "#102030", "fill2": "accent", "gradient": "vertical", "opacity": 0.5},
    {"type": "stack", "box": [60, 60, 1080, 400], "gap": 10, "anchor": "middle", "children": [
      {"type": "pill", "if": "tag", "text": "{tag}", "size": [20, 20], "fill": "accent", "color": "bg", "padX": 12, "padY": 6, "radius": 16},
      {"type": "text", "text": "{title}", "weight": "bold", "size": [40, 64], "lineHeight": 1.15, "maxLines": 3, "color": "text"},
      {"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}
    ]},
    {"type": "initials", "if": "author", "text": "{author}", "box": [0, 570, 60, 60], "fill": "accent", "color": "bg", "size": [20, 20]},
    {"type": "text", "if": "logo", "text": "by {author}", "box": [60, 480, 1080, 90], "size": [8, 200], "color": "#FFFFFF", "align": "right", "valign": "bottom", "transform": "upper", "family": "JetBrains Mono"}
  ]
}`

func TestParseValid(t *testing.T) {
	tpl, err := templates.Parse([]byte(validTemplate))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if tpl.Name != "test-card_1" || tpl.Version != 3 || len(tpl.Elements) != 4 || len(tpl.Elements[1].Children) != 3 {
		t.Errorf("parsed %+v", tpl)
	}
	if want := []string{"author", "logo", "tag", "title"}; !reflect.DeepEqual(tpl.Params, want) {
		t.Errorf("Params %v, want %v", tpl.Params, want)
	}
}

// TestParseValidEdges: values exactly at the limits are accepted.
func TestParseValidEdges(t *testing.T) {
	for _, c := range []struct{ name, old, new string }{
		{"text exactly on the safe zone", `"box": [60, 480, 1080, 90]`, `"box": [60, 60, 1080, 510]`},
		{"rect edge to edge", `"box": [0, 0, 1200, 630], "fill": "#102030"`, `"box": [1199, 629, 1, 1], "fill": "#102030"`},
		{"size 8..200", `"size": [8, 200]`, `"size": [200, 200]`},
		{"lineHeight 0.8", `"lineHeight": 1.15`, `"lineHeight": 0.8`},
		{"lineHeight 3", `"lineHeight": 1.15`, `"lineHeight": 3`},
		{"maxLines 12", `"maxLines": 3`, `"maxLines": 12`},
		{"opacity 1", `"opacity": 0.5`, `"opacity": 1`},
		{"name 32 chars", `"name": "test-card_1"`, `"name": "a` + strings.Repeat("b", 31) + `"`},
		{"16 children", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`,
			strings.TrimSuffix(strings.Repeat(`{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"},`, 14), ",")},
		{"title as a condition", `"text": "{title}"`, `"if": "title", "text": "Read more"`},
	} {
		data := mutate(t, c.old, c.new)
		if _, err := templates.Parse(data); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// mutate replaces old (which must occur exactly once) in validTemplate.
func mutate(t *testing.T, old, new string) []byte {
	t.Helper()
	if n := strings.Count(validTemplate, old); n != 1 {
		t.Fatalf("%q occurs %d times in the valid template", old, n)
	}
	return []byte(strings.Replace(validTemplate, old, new, 1))
}

func TestParseRejects(t *testing.T) {
	const (
		titleText = `{"type": "text", "text": "{title}", "weight": "bold", "size": [40, 64], "lineHeight": 1.15, "maxLines": 3, "color": "text"}`
		byline    = `"box": [60, 480, 1080, 90]`
	)
	cases := []struct {
		name, old, new, want string
	}{
		// element types
		{"unknown element type", `"type": "rect", "box": [0, 0, 1200, 630]`, `"type": "circle", "box": [0, 0, 1200, 630]`, "type: want one of"},
		{"empty element type", `"type": "rect", "box": [0, 0, 1200, 630]`, `"type": "", "box": [0, 0, 1200, 630]`, "type: want one of"},
		{"type is case-sensitive", `"type": "initials"`, `"type": "Initials"`, "type: want one of"},
		{"unknown type in a stack", `"type": "pill"`, `"type": "image"`, "children[0]"},

		// boxes on the canvas
		{"box wider than canvas", `[0, 0, 1200, 630]`, `[0, 0, 1201, 630]`, "inside the 1200x630 canvas"},
		{"box taller than canvas", `[0, 0, 1200, 630]`, `[0, 0, 1200, 631]`, "canvas"},
		{"box negative x", `[0, 0, 1200, 630]`, `[-1, 0, 100, 100]`, "canvas"},
		{"box negative y", `[0, 570, 60, 60]`, `[0, -5, 60, 60]`, "canvas"},
		{"box zero width", `[0, 0, 1200, 630]`, `[0, 0, 0, 630]`, "canvas"},
		{"box zero height", `[0, 570, 60, 60]`, `[0, 570, 60, 0]`, "canvas"},
		{"box missing", `"box": [0, 570, 60, 60], `, ``, "canvas"},
		{"initials off the bottom", `[0, 570, 60, 60]`, `[0, 571, 60, 60]`, "canvas"},
		{"huge width overflowing x+w", `[0, 0, 1200, 630]`, `[1100, 0, 9223372036854775807, 630]`, "canvas"},
		{"huge x overflowing x+w", `[0, 0, 1200, 630]`, `[9223372036854775807, 0, 1, 630]`, "canvas"},
		{"huge height overflowing y+h", `[0, 570, 60, 60]`, `[0, 570, 60, 9223372036854775807]`, "canvas"},
		{"huge text box overflowing the safe zone check", byline, `"box": [60, 9223372036854775000, 1080, 9000]`, "canvas"},
		{"stacked rect taller than the canvas", `[0, 0, 200, 4]`, `[0, 0, 200, 9223372036854775807]`, "height"},
		{"stacked rect of 631 px", `[0, 0, 200, 4]`, `[0, 0, 200, 631]`, "height"},
		{"null child", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`, `null`, "children[2]: null"},

		// safe zone for text, pills and stacks
		{"text left of safe zone", byline, `"box": [59, 480, 1080, 90]`, "60 px"},
		{"text right of safe zone", byline, `"box": [60, 480, 1081, 90]`, "60 px"},
		{"text above safe zone", byline, `"box": [60, 59, 1080, 90]`, "60 px"},
		{"text below safe zone", byline, `"box": [60, 481, 1080, 90]`, "60 px"},
		{"pill outside safe zone", `"type": "initials", "if": "author", "text": "{author}", "box": [0, 570, 60, 60]`,
			`"type": "pill", "if": "author", "text": "{author}", "box": [30, 500, 200, 40]`, "60 px"},
		{"stack outside safe zone", `[60, 60, 1080, 400]`, `[40, 60, 1080, 400]`, "a stack must keep 60 px"},
		{"stack below safe zone", `[60, 60, 1080, 400]`, `[60, 200, 1080, 400]`, "a stack must keep 60 px"},

		// colours
		{"bad colour ref", `"fill": "surface"`, `"fill": "primary"`, "want bg, surface, accent, text or #rrggbb"},
		{"colour ref case", `"color": "text"`, `"color": "Text"`, "color"},
		{"short hex colour", `"fill": "#102030"`, `"fill": "#123"`, "fill"},
		{"hex without hash", `"fill": "#102030"`, `"fill": "102030"`, "fill"},
		{"bad hex digit", `"color": "#FFFFFF"`, `"color": "#FFFFFG"`, "color"},
		{"missing text colour", `, "color": "#FFFFFF"`, ``, "color"},
		{"bad fill2", `"fill2": "accent"`, `"fill2": "nope"`, "fill2"},
		{"gradient without fill2", `"fill2": "accent", `, ``, "fill2"},
		{"unknown gradient", `"gradient": "vertical"`, `"gradient": "radial"`, "gradient"},
		{"bad background", `"background": "bg"`, `"background": "black"`, "background"},
		{"missing background", `"background": "bg",`, ``, "background"},
		{"pill without fill", `"fill": "accent", "color": "bg", "padX"`, `"color": "bg", "padX"`, "fill"},
		{"initials without fill", `"box": [0, 570, 60, 60], "fill": "accent",`, `"box": [0, 570, 60, 60],`, "fill"},

		// text metrics
		{"size min below 8", `"size": [8, 200]`, `"size": [7, 200]`, "size"},
		{"size max above 200", `"size": [8, 200]`, `"size": [8, 201]`, "size"},
		{"size min above max", `"size": [40, 64]`, `"size": [64, 40]`, "size"},
		{"size missing", `"size": [8, 200], `, ``, "size"},
		{"size negative", `"size": [20, 20], "fill": "accent", "color": "bg", "padX"`, `"size": [-20, 20], "fill": "accent", "color": "bg", "padX"`, "size"},
		{"lineHeight too small", `"lineHeight": 1.15`, `"lineHeight": 0.5`, "lineHeight"},
		{"lineHeight too large", `"lineHeight": 1.15`, `"lineHeight": 3.5`, "lineHeight"},
		{"lineHeight negative", `"lineHeight": 1.15`, `"lineHeight": -1`, "lineHeight"},
		{"maxLines too many", `"maxLines": 3`, `"maxLines": 13`, "maxLines"},
		{"maxLines negative", `"maxLines": 3`, `"maxLines": -1`, "maxLines"},
		{"bad weight", `"weight": "bold"`, `"weight": "heavy"`, "weight"},
		{"bad align", `"align": "right"`, `"align": "justify"`, "align"},
		{"bad valign", `"valign": "bottom"`, `"valign": "center"`, "valign"},
		{"bad transform", `"transform": "upper"`, `"transform": "lower"`, "transform"},
		{"bad anchor", `"anchor": "middle"`, `"anchor": "center"`, "anchor"},
		{"opacity above 1", `"opacity": 0.5`, `"opacity": 1.5`, "opacity"},
		{"opacity negative", `"opacity": 0.5`, `"opacity": -0.1`, "opacity"},
		{"negative rect radius", `"fill": "#102030"`, `"fill": "#102030", "radius": -4`, "radius"},

		// placeholders and conditions
		{"unknown placeholder", `"text": "by {author}"`, `"text": "by {author} on {date}"`, "unknown placeholder {date}"},
		{"placeholder case", `"text": "by {author}"`, `"text": "by {Author}"`, "unknown placeholder {Author}"},
		{"image param as placeholder", `"text": "by {author}"`, `"text": "{logo}"`, "unknown placeholder {logo}"},
		{"missing {title}", `"text": "{title}"`, `"text": "{description}"`, "never shows {title}"},
		{"title only in a literal", `"text": "{title}"`, `"text": "title"`, "never shows {title}"},
		{"empty text", `"text": "{title}"`, `"text": ""`, "text: empty"},
		{"unknown condition", `"if": "logo"`, `"if": "subtitle"`, "if: unknown parameter"},
		{"colour is no condition", `"if": "logo"`, `"if": "bgColor"`, "if: unknown parameter"},

		// stacks
		{"nested stacks", titleText, `{"type": "stack", "box": [60, 60, 100, 100], "children": [` + titleText + `]}`, "stacks do not nest"},
		{"initials in a stack", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`,
			`{"type": "initials", "text": "{author}", "fill": "accent", "color": "bg", "size": [20, 20]}`, "initials cannot be stacked"},
		{"stacked rect without height", `[0, 0, 200, 4]`, `[0, 0, 200, 0]`, "needs a height"},
		{"too many children", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`,
			strings.TrimSuffix(strings.Repeat(`{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"},`, 15), ","), "children: want 1-16"},

		// JSON structure and top-level fields
		{"unknown top-level field", `"version": 3,`, `"version": 3, "author": "me",`, "unknown field"},
		{"unknown element field", `"gap": 10,`, `"gap": 10, "padding": 4,`, "unknown field"},
		{"unknown child field", `"padX": 12`, `"padX": 12, "margin": 2`, "unknown field"},
		{"misspelt field", `"maxLines": 3`, `"maxLine": 3`, "unknown field"},
		{"wrong field type", `"version": 3`, `"version": "3"`, "version"},
		{"box with 3 numbers", `[0, 570, 60, 60]`, `[0, 570, 60]`, "canvas"},
		{"version 0", `"version": 3`, `"version": 0`, "version"},
		{"version missing", `"version": 3,`, ``, "version"},
		{"name upper case", `"name": "test-card_1"`, `"name": "Test"`, "name"},
		{"name starts with digit", `"name": "test-card_1"`, `"name": "1test"`, "name"},
		{"name too long", `"name": "test-card_1"`, `"name": "a` + strings.Repeat("b", 32) + `"`, "name"},
		{"name with space", `"name": "test-card_1"`, `"name": "test card"`, "name"},
		{"name empty", `"name": "test-card_1"`, `"name": ""`, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := mutate(t, c.old, c.new)
			tpl, err := templates.Parse(data)
			if err == nil {
				t.Fatalf("accepted: %s", data)
			}
			if tpl != nil {
				t.Errorf("template returned with error %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestParseRejectsDocuments: whole documents that are not valid templates.
func TestParseRejectsDocuments(t *testing.T) {
	title := `{"type": "text", "text": "{title}", "box": [60, 60, 1080, 100], "size": [20, 40], "color": "text"}`
	for _, c := range []struct{ name, doc, want string }{
		{"empty input", ``, "EOF"},
		{"truncated", validTemplate[:300], "EOF"},
		{"not an object", `[]`, "cannot unmarshal"},
		{"null", `null`, "name"},
		{"empty object", `{}`, "name"},
		{"no elements", `{"name": "n", "version": 1, "background": "bg", "elements": []}`, "elements: want 1-64"},
		{"elements missing", `{"name": "n", "version": 1, "background": "bg"}`, "elements: want 1-64"},
		{"stack without children", `{"name": "n", "version": 1, "background": "bg", "elements": [` + title +
			`, {"type": "stack", "box": [60, 60, 500, 300], "children": []}]}`, "children: want 1-16"},
		{"element is null", `{"name": "n", "version": 1, "background": "bg", "elements": [null]}`, "elements[0]: null"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Parse panicked: %v", r)
				}
			}()
			tpl, err := templates.Parse([]byte(c.doc))
			if err == nil {
				t.Fatalf("accepted %+v", tpl)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestParseElementCounts: 1-64 top-level elements.
func TestParseElementCounts(t *testing.T) {
	title := `{"type": "text", "text": "{title}", "box": [60, 60, 1080, 100], "size": [20, 40], "color": "text"}`
	rect := `{"type": "rect", "box": [0, 0, 10, 10], "fill": "bg"}`
	mk := func(n int) []byte {
		els := []string{title}
		for len(els) < n {
			els = append(els, rect)
		}
		if n == 0 {
			els = nil
		}
		return []byte(`{"name": "n", "version": 1, "background": "bg", "elements": [` + strings.Join(els, ",") + `]}`)
	}
	for n, ok := range map[int]bool{0: false, 1: true, 64: true, 65: false} {
		_, err := templates.Parse(mk(n))
		if (err == nil) != ok {
			t.Errorf("%d elements: err %v", n, err)
		}
	}
}

// TestBuiltinsRoundTrip: every built-in template re-encodes to JSON that
// parses to the same template (the schema has no lossy fields).
func TestBuiltinsRoundTrip(t *testing.T) {
	s, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, tpl := range s.Templates {
		data, err := json.Marshal(tpl)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := templates.Parse(data)
		if err != nil {
			t.Errorf("%s: re-encoded template rejected: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(again, tpl) {
			t.Errorf("%s: round trip changed the template", name)
		}
	}
}
