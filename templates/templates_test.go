package templates_test

import (
	"encoding/json"
	"reflect"
	"strconv"
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
	if !reflect.DeepEqual(blog.Params, []string{"author", "avatar", "description", "logo", "tag", "title"}) {
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
		"{price2} {a1b2} {2a}":     {"price2", "a1b2"},
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
	if want := []string{"author", "avatar", "logo", "tag", "title"}; !reflect.DeepEqual(tpl.Params, want) {
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
		name, old, new string
		at, want       string // a problem at pointer at whose message has want
	}{
		// element types
		{"unknown element type", `"type": "rect", "box": [0, 0, 1200, 630]`, `"type": "circle", "box": [0, 0, 1200, 630]`, "/elements/0/type", `"circle": want one of rect, text`},
		{"empty element type", `"type": "rect", "box": [0, 0, 1200, 630]`, `"type": "", "box": [0, 0, 1200, 630]`, "/elements/0/type", `"": want one of rect, text`},
		{"type is case-sensitive", `"type": "initials"`, `"type": "Initials"`, "/elements/2/type", `"Initials": want one of rect, text`},
		{"unknown type in a stack", `"type": "pill"`, `"type": "image"`, "/elements/1/children/0", "image elements cannot be stacked (only text, pill and rect)"},

		// boxes on the canvas
		{"box wider than canvas", `[0, 0, 1200, 630]`, `[0, 0, 1201, 630]`, "/elements/0/box", "inside the 1200x630 canvas"},
		{"box taller than canvas", `[0, 0, 1200, 630]`, `[0, 0, 1200, 631]`, "/elements/0/box", "canvas"},
		{"box negative x", `[0, 0, 1200, 630]`, `[-1, 0, 100, 100]`, "/elements/0/box", "canvas"},
		{"box negative y", `[0, 570, 60, 60]`, `[0, -5, 60, 60]`, "/elements/2/box", "canvas"},
		{"box zero width", `[0, 0, 1200, 630]`, `[0, 0, 0, 630]`, "/elements/0/box", "canvas"},
		{"box zero height", `[0, 570, 60, 60]`, `[0, 570, 60, 0]`, "/elements/2/box", "canvas"},
		{"box missing", `"box": [0, 570, 60, 60], `, ``, "/elements/2/box", "canvas"},
		{"initials off the bottom", `[0, 570, 60, 60]`, `[0, 571, 60, 60]`, "/elements/2/box", "canvas"},
		{"huge width overflowing x+w", `[0, 0, 1200, 630]`, `[1100, 0, 9223372036854775807, 630]`, "/elements/0/box", "canvas"},
		{"huge x overflowing x+w", `[0, 0, 1200, 630]`, `[9223372036854775807, 0, 1, 630]`, "/elements/0/box", "canvas"},
		{"huge height overflowing y+h", `[0, 570, 60, 60]`, `[0, 570, 60, 9223372036854775807]`, "/elements/2/box", "canvas"},
		{"huge text box overflowing the safe zone check", byline, `"box": [60, 9223372036854775000, 1080, 9000]`, "/elements/3/box", "canvas"},
		{"stacked rect taller than the canvas", `[0, 0, 200, 4]`, `[0, 0, 200, 9223372036854775807]`, "/elements/1/children/2/box", "height"},
		{"stacked rect of 631 px", `[0, 0, 200, 4]`, `[0, 0, 200, 631]`, "/elements/1/children/2/box", "height"},
		{"null child", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`, `null`, "/elements/1/children/2", "null"},

		// safe zone for text, pills and stacks
		{"text left of safe zone", byline, `"box": [59, 480, 1080, 90]`, "/elements/3/box", "60 px"},
		{"text right of safe zone", byline, `"box": [60, 480, 1081, 90]`, "/elements/3/box", "60 px"},
		{"text above safe zone", byline, `"box": [60, 59, 1080, 90]`, "/elements/3/box", "60 px"},
		{"text below safe zone", byline, `"box": [60, 481, 1080, 90]`, "/elements/3/box", "60 px"},
		{"pill outside safe zone", `"type": "initials", "if": "author", "text": "{author}", "box": [0, 570, 60, 60]`,
			`"type": "pill", "if": "author", "text": "{author}", "box": [30, 500, 200, 40]`, "/elements/2/box", "text must keep 60 px"},
		{"stack outside safe zone", `[60, 60, 1080, 400]`, `[40, 60, 1080, 400]`, "/elements/1/box", "a stack must keep 60 px"},
		{"stack below safe zone", `[60, 60, 1080, 400]`, `[60, 200, 1080, 400]`, "/elements/1/box", "a stack must keep 60 px"},

		// colours
		{"bad colour ref", `"fill": "surface"`, `"fill": "primary"`, "/elements/1/children/2/fill", "want bg, surface, accent, text or #rrggbb"},
		{"colour ref case", `"color": "text"`, `"color": "Text"`, "/elements/1/children/1/color", `"Text": want bg, surface`},
		{"short hex colour", `"fill": "#102030"`, `"fill": "#123"`, "/elements/0/fill", `"#123": want bg, surface`},
		{"hex without hash", `"fill": "#102030"`, `"fill": "102030"`, "/elements/0/fill", `"102030": want bg, surface`},
		{"bad hex digit", `"color": "#FFFFFF"`, `"color": "#FFFFFG"`, "/elements/3/color", `"#FFFFFG": want bg, surface`},
		{"missing text colour", `, "color": "#FFFFFF"`, ``, "/elements/3/color", `"": want bg, surface`},
		{"bad fill2", `"fill2": "accent"`, `"fill2": "nope"`, "/elements/0/fill2", `"nope": want bg, surface`},
		{"gradient without fill2", `"fill2": "accent", `, ``, "/elements/0/fill2", `"": want bg, surface`},
		{"unknown gradient", `"gradient": "vertical"`, `"gradient": "radial"`, "/elements/0/gradient", `"radial": want horizontal or vertical`},
		{"bad background", `"background": "bg"`, `"background": "black"`, "/background", `"black": want bg, surface`},
		{"missing background", `"background": "bg",`, ``, "/background", `"": want bg, surface`},
		{"pill without fill", `"fill": "accent", "color": "bg", "padX"`, `"color": "bg", "padX"`, "/elements/1/children/0/fill", `"": want bg, surface`},
		{"initials without fill", `"box": [0, 570, 60, 60], "fill": "accent",`, `"box": [0, 570, 60, 60],`, "/elements/2/fill", `"": want bg, surface`},

		// text metrics
		{"size min below 8", `"size": [8, 200]`, `"size": [7, 200]`, "/elements/3/size", "[7 200]: want [min, max] with 8 <= min <= max <= 200"},
		{"size max above 200", `"size": [8, 200]`, `"size": [8, 201]`, "/elements/3/size", "[8 201]: want [min, max] with 8 <= min <= max <= 200"},
		{"size min above max", `"size": [40, 64]`, `"size": [64, 40]`, "/elements/1/children/1/size", "[64 40]: want [min, max] with 8 <= min <= max <= 200"},
		{"size missing", `"size": [8, 200], `, ``, "/elements/3/size", "[0 0]: want [min, max] with 8 <= min <= max <= 200"},
		{"size negative", `"size": [20, 20], "fill": "accent", "color": "bg", "padX"`, `"size": [-20, 20], "fill": "accent", "color": "bg", "padX"`, "/elements/1/children/0/size", "[-20 20]: want [min, max] with 8 <= min <= max <= 200"},
		{"lineHeight too small", `"lineHeight": 1.15`, `"lineHeight": 0.5`, "/elements/1/children/1/lineHeight", "0.5: want 0.8..3"},
		{"lineHeight too large", `"lineHeight": 1.15`, `"lineHeight": 3.5`, "/elements/1/children/1/lineHeight", "3.5: want 0.8..3"},
		{"lineHeight negative", `"lineHeight": 1.15`, `"lineHeight": -1`, "/elements/1/children/1/lineHeight", "-1: want 0.8..3"},
		{"maxLines too many", `"maxLines": 3`, `"maxLines": 13`, "/elements/1/children/1/maxLines", "13: want 0..12 (0 = 1)"},
		{"maxLines negative", `"maxLines": 3`, `"maxLines": -1`, "/elements/1/children/1/maxLines", "-1: want 0..12 (0 = 1)"},
		{"bad weight", `"weight": "bold"`, `"weight": "heavy"`, "/elements/1/children/1/weight", `"heavy" is not one of ["regular" "bold"]`},
		{"bad align", `"align": "right"`, `"align": "justify"`, "/elements/3/align", `"justify" is not one of ["left" "center" "right" "start" "end"]`},
		{"bad valign", `"valign": "bottom"`, `"valign": "center"`, "/elements/3/valign", `"center" is not one of ["top" "middle" "bottom"]`},
		{"bad transform", `"transform": "upper"`, `"transform": "lower"`, "/elements/3/transform", `"lower" is not one of ["upper"]`},
		{"bad anchor", `"anchor": "middle"`, `"anchor": "center"`, "/elements/1/anchor", `"center" is not one of ["top" "middle" "bottom"]`},
		{"opacity above 1", `"opacity": 0.5`, `"opacity": 1.5`, "/elements/0/opacity", "1.5: want 0..1"},
		{"opacity negative", `"opacity": 0.5`, `"opacity": -0.1`, "/elements/0/opacity", "-0.1: want 0..1"},
		{"negative rect radius", `"fill": "#102030"`, `"fill": "#102030", "radius": -4`, "/elements/0/radius", "-4: must be >= 0"},

		// placeholders and conditions
		{"unknown placeholder", `"text": "by {author}"`, `"text": "by {author} on {date}"`, "/elements/3/text", "unknown placeholder {date}"},
		{"placeholder case", `"text": "by {author}"`, `"text": "by {Author}"`, "/elements/3/text", "unknown placeholder {Author}"},
		{"image param as placeholder", `"text": "by {author}"`, `"text": "{logo}"`, "/elements/3/text", "unknown placeholder {logo}"},
		{"missing {title}", `"text": "{title}"`, `"text": "{description}"`, "", "never shows {title}"},
		{"title only in a literal", `"text": "{title}"`, `"text": "title"`, "", "never shows {title}"},
		{"empty text", `"text": "{title}"`, `"text": ""`, "/elements/1/children/1/text", "empty"},
		{"unknown condition", `"if": "logo"`, `"if": "subtitle"`, "/elements/3/if", `unknown parameter "subtitle"`},
		{"colour is no condition", `"if": "logo"`, `"if": "bgColor"`, "/elements/3/if", `unknown parameter "bgColor"`},

		// stacks
		{"nested stacks", titleText, `{"type": "stack", "box": [60, 60, 100, 100], "children": [` + titleText + `]}`, "/elements/1/children/1", "stacks do not nest"},
		{"initials in a stack", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`,
			`{"type": "initials", "text": "{author}", "fill": "accent", "color": "bg", "size": [20, 20]}`, "/elements/1/children/2", "initials elements cannot be stacked"},
		{"stacked rect without height", `[0, 0, 200, 4]`, `[0, 0, 200, 0]`, "/elements/1/children/2/box", "needs a height"},
		{"too many children", `{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"}`,
			strings.TrimSuffix(strings.Repeat(`{"type": "rect", "box": [0, 0, 200, 4], "fill": "surface"},`, 15), ","), "/elements/1/children", "17 children; want 1-16"},

		// JSON structure and top-level fields
		{"unknown top-level field", `"version": 3,`, `"version": 3, "author": "me",`, "", "unknown field"},
		{"unknown element field", `"gap": 10,`, `"gap": 10, "padding": 4,`, "/elements/1", "unknown field"},
		{"unknown child field", `"padX": 12`, `"padX": 12, "margin": 2`, "/elements/1/children/0", "unknown field"},
		{"misspelt field", `"maxLines": 3`, `"maxLine": 3`, "/elements/1/children/1", "unknown field"},
		{"wrong field type", `"version": 3`, `"version": "3"`, "/version", "want an integer, got a string"},
		{"box with 3 numbers", `[0, 570, 60, 60]`, `[0, 570, 60]`, "/elements/2/box", "want an array of 4 integers, got 3"},
		{"version 0", `"version": 3`, `"version": 0`, "/version", "0: must be >= 1"},
		{"version missing", `"version": 3,`, ``, "/version", "0: must be >= 1"},
		{"name upper case", `"name": "test-card_1"`, `"name": "Test"`, "/name", `"Test": want 1-32 of`},
		{"name starts with digit", `"name": "test-card_1"`, `"name": "1test"`, "/name", `"1test": want 1-32 of`},
		{"name too long", `"name": "test-card_1"`, `"name": "a` + strings.Repeat("b", 32) + `"`, "/name", `want 1-32 of`},
		{"name with space", `"name": "test-card_1"`, `"name": "test card"`, "/name", `"test card": want 1-32 of`},
		{"name empty", `"name": "test-card_1"`, `"name": ""`, "/name", `"": want 1-32 of`},
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
			checkProblem(t, err, c.at, c.want)
		})
	}
}

// checkProblem fails t unless err is a *ValidationError with a problem at
// pointer at whose message contains want.
func checkProblem(t *testing.T, err error, at, want string) {
	t.Helper()
	ve, ok := err.(*templates.ValidationError)
	if !ok {
		t.Fatalf("error %T %v, want a *ValidationError", err, err)
	}
	for _, p := range ve.Problems {
		if p.Pointer == at && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("no problem at %q mentioning %q in %q", at, want, err)
}

// TestParseRejectsDocuments: whole documents that are not valid templates,
// with every problem listed.
func TestParseRejectsDocuments(t *testing.T) {
	title := `{"type": "text", "text": "{title}", "box": [60, 60, 1080, 100], "size": [20, 40], "color": "text"}`
	head := `{"name": "n", "version": 1, "background": "bg", `
	type P = templates.Problem
	for _, c := range []struct {
		name, doc string
		want      []P
	}{
		{"empty input", ``, []P{{"", "invalid JSON at byte 0: unexpected end of JSON input"}}},
		{"truncated", validTemplate[:300], []P{{"", "invalid JSON at byte 300: unexpected end of JSON input"}}},
		{"syntax error", `{"name": "n",, "version": 1}`, []P{{"", "invalid JSON at byte 14: invalid character ',' looking for beginning of object key string"}}},
		{"trailing data", validTemplate + ` {}`, []P{{"", "invalid JSON at byte " + strconv.Itoa(len(validTemplate)+2) + ": invalid character '{' after top-level value"}}},
		{"not an object", `[]`, []P{{"", "want a JSON object, got an array"}}},
		{"null", `null`, []P{{"", "want a JSON object, got null"}}},
		{"empty object", `{}`, []P{
			{"/name", `"": want 1-32 of [a-z0-9_-], starting with a letter`},
			{"/version", "0: must be >= 1"},
			{"/background", `"": want bg, surface, accent, text or #rrggbb`},
			{"/elements", "0 elements; want 1-64"},
			{"", "the template never shows {title}"},
		}},
		{"no elements", head + `"elements": []}`, []P{{"/elements", "0 elements; want 1-64"}, {"", "the template never shows {title}"}}},
		{"elements missing", `{"name": "n", "version": 1, "background": "bg"}`, []P{{"/elements", "0 elements; want 1-64"}, {"", "the template never shows {title}"}}},
		{"stack without children", head + `"elements": [` + title + `, {"type": "stack", "box": [60, 60, 500, 300], "children": []}]}`,
			[]P{{"/elements/1/children", "0 children; want 1-16"}}},
		{"element is null", head + `"elements": [null]}`, []P{{"/elements/0", "null"}, {"", "the template never shows {title}"}}},
		{"field names are case-sensitive", head + `"Elements": [` + title + `], "elements": [` + title + `]}`,
			[]P{{"", `unknown field "Elements"`}}},
		{"a field in the wrong case is not read", head + `"elements": [` + title + `, {"type": "rect", "box": [0, 0, 10, 10], "fill": "bg", "Stroke": {"width": -1}}]}`,
			[]P{{"/elements/1", `unknown field "Stroke"`}}},
		{"a field given twice", head + `"elements": [` + title + `], "elements": [` + title + `]}`, []P{{"/elements", "given twice"}}},
		{"wrong types, no echoes", head + `"elements": [{"type": "text", "text": 5, "box": "big", "size": [20, 40], "color": "text"}]}`, []P{
			{"/elements/0/text", "want a string, got a number"},
			{"/elements/0/box", "want an array of 4 integers, got a string"},
		}},
		{"integers", head + `"width": 1.5, "height": 1e3, "elements": [{"type": "text", "text": "{title}", "box": [60, 60, 1080, 99999999999999999999], "size": [20, 40], "color": "text"}]}`, []P{
			{"/width", "want an integer, got 1.5"},
			{"/height", "want an integer, got 1e3"},
			{"/elements/0/box/3", "integer 99999999999999999999 out of range"},
		}},
		{"numbers", head + `"elements": [` + title + `], "backgroundGradient": {"type": "linear", "angle": 1e999, "stops": [{"color": "bg", "at": true}, {"color": 1, "at": 1}]}}`, []P{
			{"/backgroundGradient/angle", "number 1e999 out of range"},
			{"/backgroundGradient/stops/0/at", "want a number, got a boolean"},
			{"/backgroundGradient/stops/1/color", "want a string, got a number"},
		}},
		{"pointer escapes", head + `"elements": [` + title + `], "fields": {"a/b~c": {"maxLength": 5}}}`, []P{
			{"/fields/a~1b~0c", `name "a/b~c": want a-z, then up to 31 of a-z A-Z 0-9`},
			{"/fields/a~1b~0c", "declared but never used: show it as {a/b~c} in a text or test it with \"if\""},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := templates.Parse([]byte(c.doc))
			if err == nil {
				t.Fatalf("accepted %+v", tpl)
			}
			ve, ok := err.(*templates.ValidationError)
			if !ok {
				t.Fatalf("error %T %v", err, err)
			}
			if !reflect.DeepEqual(ve.Problems, c.want) {
				t.Errorf("problems\n%q\nwant\n%q", ve.Problems, c.want)
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

// TestParamsListEveryParameterShown: a template's parameter list names
// everything it can show, the avatar of an initials disc included.
func TestParamsListEveryParameterShown(t *testing.T) {
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"blog":    "author avatar description logo tag title",
		"profile": "author avatar description tag title",
		"minimal": "author logo tag title",
	} {
		if got := strings.Join(set.Templates[name].Params, " "); got != want {
			t.Errorf("%s params %q, want %q", name, got, want)
		}
	}
}
