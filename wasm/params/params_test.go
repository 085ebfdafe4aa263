package params_test

import (
	"crypto/sha256"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
)

var (
	setOnce sync.Once
	theSet  *templates.Set
	setErr  error
)

// loadSet returns the real embedded template set, loaded once per test binary.
func loadSet(tb testing.TB) *templates.Set {
	tb.Helper()
	setOnce.Do(func() { theSet, setErr = templates.Load() })
	if setErr != nil {
		tb.Fatalf("templates.Load: %v", setErr)
	}
	return theSet
}

// parse parses a raw query string (so tests can use %FF for invalid UTF-8 and
// control parameter order) and validates it against set.
func parse(tb testing.TB, set *templates.Set, raw string) (*params.Params, *params.Error) {
	tb.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		tb.Fatalf("ParseQuery(%q): %v", raw, err)
	}
	return params.Parse(q, set)
}

// esc query-escapes s.
func esc(s string) string { return url.QueryEscape(s) }

const base = "template=blog&title=Hello"

type paramCase struct {
	name  string
	query string
	// On success: check inspects the result (may be nil).
	check func(t *testing.T, p *params.Params)
	// On failure: the sorted field names of the error.
	fields   []string
	notFound bool
	// msgHas: substrings the error text (message + fields) must contain.
	msgHas []string
}

func paramCases() []paramCase {
	r := strings.Repeat
	emoji := "😀" // one code point, four bytes
	wantTitle := func(want string) func(*testing.T, *params.Params) {
		return func(t *testing.T, p *params.Params) {
			t.Helper()
			if p.Title != want {
				t.Errorf("Title = %q, want %q", p.Title, want)
			}
		}
	}
	wantFont := func(want string) func(*testing.T, *params.Params) {
		return func(t *testing.T, p *params.Params) {
			t.Helper()
			if p.Font != want {
				t.Errorf("Font = %q, want %q", p.Font, want)
			}
		}
	}
	wantColors := func(bg, text, accent, surface string) func(*testing.T, *params.Params) {
		return func(t *testing.T, p *params.Params) {
			t.Helper()
			got := [4]string{p.Bg, p.Text, p.Accent, p.Surface}
			if want := [4]string{bg, text, accent, surface}; got != want {
				t.Errorf("colours (bg, text, accent, surface) = %q, want %q", got, want)
			}
		}
	}
	wantField := func(get func(*params.Params) string, want string) func(*testing.T, *params.Params) {
		return func(t *testing.T, p *params.Params) {
			t.Helper()
			if got := get(p); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		}
	}
	avatar := func(p *params.Params) string { return p.Avatar }
	logo := func(p *params.Params) string { return p.Logo }
	desc := func(p *params.Params) string { return p.Description }
	D := params.DefaultBg
	T := params.DefaultText
	A := params.DefaultAccent
	S := params.DefaultSurface
	longURL := func(n int) string { // an https URL of exactly n bytes
		prefix := "https://example.com/"
		return prefix + r("a", n-len(prefix))
	}

	return []paramCase{
		// Minimal request and defaults.
		{name: "minimal", query: base, check: func(t *testing.T, p *params.Params) {
			want := params.Params{Template: "blog", TemplateVer: 4, Title: "Hello", Font: "Inter",
				Bg: D, Text: T, Accent: A, Surface: S, Format: "png"}
			if !reflect.DeepEqual(*p, want) {
				t.Errorf("got %+v\nwant %+v", *p, want)
			}
		}},
		// Formats.
		{name: "format png explicit equals default", query: base + "&format=PNG", check: func(t *testing.T, p *params.Params) {
			if p.Format != "png" || p.Quality != 0 || strings.Contains(p.Canonical(), "format") {
				t.Errorf("got %q %d, canonical %q", p.Format, p.Quality, p.Canonical())
			}
		}},
		{name: "format jpeg default quality", query: base + "&format=jpeg", check: func(t *testing.T, p *params.Params) {
			if p.Format != "jpeg" || p.Quality != 85 || !strings.Contains(p.Canonical(), "format=jpeg") || !strings.Contains(p.Canonical(), "quality=85") {
				t.Errorf("got %q %d, canonical %q", p.Format, p.Quality, p.Canonical())
			}
		}},
		{name: "format jpg alias quality", query: base + "&format=jpg&quality=80", check: func(t *testing.T, p *params.Params) {
			if p.Format != "jpeg" || p.Quality != 80 {
				t.Errorf("got %q %d", p.Format, p.Quality)
			}
		}},
		{name: "format webp", query: base + "&format=webp", check: func(t *testing.T, p *params.Params) {
			if p.Format != "webp" || p.Quality != 0 || !strings.Contains(p.Canonical(), "format=webp") {
				t.Errorf("got %q %d, canonical %q", p.Format, p.Quality, p.Canonical())
			}
		}},
		{name: "format unknown", query: base + "&format=gif", fields: []string{"format"}, msgHas: []string{"png, jpeg, webp"}},
		{name: "quality with png", query: base + "&quality=80", fields: []string{"quality"}, msgHas: []string{"lossless"}},
		{name: "quality with webp", query: base + "&format=webp&quality=80", fields: []string{"quality"}},
		{name: "quality 0", query: base + "&format=jpeg&quality=0", fields: []string{"quality"}, msgHas: []string{"1 to 100"}},
		{name: "quality 101", query: base + "&format=jpeg&quality=101", fields: []string{"quality"}},
		{name: "quality not a number", query: base + "&format=jpeg&quality=high", fields: []string{"quality"}},
		{name: "all optional fields", query: base + "&description=D&tag=T&author=Ada+Lovelace&avatar=" +
			esc("https://example.com/a.png") + "&logo=" + esc("https://cdn.example.com/logo.svg?v=2"),
			check: func(t *testing.T, p *params.Params) {
				if p.Description != "D" || p.Tag != "T" || p.Author != "Ada Lovelace" ||
					p.Avatar != "https://example.com/a.png" || p.Logo != "https://cdn.example.com/logo.svg?v=2" {
					t.Errorf("got %+v", *p)
				}
			}},

		// template
		{name: "template missing", query: "title=Hello", fields: []string{"template"}, msgHas: []string{"required", "blog"}},
		{name: "template unknown", query: "template=nope&title=Hello", fields: []string{"template"}, msgHas: []string{`"nope"`, "blog"}},
		{name: "template empty", query: "template=&title=Hello", fields: []string{"template"}},
		{name: "template case-sensitive", query: "template=Blog&title=Hello", fields: []string{"template"}},
		{name: "template custom is not found", query: "template=custom_abc123&title=Hello", notFound: true, fields: []string{"template"}},
		{name: "template custom not found even with other errors", query: "template=custom_x&bgColor=zz", notFound: true, fields: []string{"template"}},
		{name: "template repeated", query: base + "&template=blog", fields: []string{"template"}, msgHas: []string{"2 times"}},
		{name: "template invalid UTF-8", query: "template=%FF&title=Hello", fields: []string{"template"}, msgHas: []string{"UTF-8"}},

		// title
		{name: "title missing", query: "template=blog", fields: []string{"title"}, msgHas: []string{"required"}},
		{name: "title empty", query: "template=blog&title=", fields: []string{"title"}},
		{name: "title only spaces", query: "template=blog&title=+%09+", fields: []string{"title"}, msgHas: []string{"no visible"}},
		{name: "title only controls and bidi", query: "template=blog&title=%00%1B%E2%80%AE%E2%80%8B", fields: []string{"title"}},
		{name: "title 200 zero-width joiners", query: "template=blog&title=" + esc(r("\u200d", 200)), fields: []string{"title"}, msgHas: []string{"no visible"}},
		{name: "title only selectors, tags, ZWNJ", query: "template=blog&title=" + esc("\ufe0f\U000e0067\u200c\u2060\u034f"), fields: []string{"title"}, msgHas: []string{"no visible"}},
		{name: "title joiner and a letter", query: "template=blog&title=" + esc("\u200da"), check: wantTitle("\u200da")},
		{name: "title 1 char", query: "template=blog&title=x", check: wantTitle("x")},
		{name: "title 200 ascii", query: "template=blog&title=" + r("a", 200), check: wantTitle(r("a", 200))},
		{name: "title 201 ascii", query: "template=blog&title=" + r("a", 201), fields: []string{"title"}, msgHas: []string{"201", "200"}},
		{name: "title 200 emoji", query: "template=blog&title=" + esc(r(emoji, 200)), check: wantTitle(r(emoji, 200))},
		{name: "title 201 emoji", query: "template=blog&title=" + esc(r(emoji, 201)), fields: []string{"title"}},
		{name: "title 200 CJK", query: "template=blog&title=" + esc(r("字", 200)), check: wantTitle(r("字", 200))},
		{name: "title 201 CJK", query: "template=blog&title=" + esc(r("字", 201)), fields: []string{"title"}},
		{name: "title cleaned", query: "template=blog&title=" + esc("  Hello\t\u202eWorld\u200b!  \n"), check: wantTitle("Hello World!")},
		{name: "title repeated", query: base + "&title=Again", fields: []string{"title"}},
		{name: "title invalid UTF-8", query: "template=blog&title=ok%FFok", fields: []string{"title"}, msgHas: []string{"UTF-8"}},

		// description, tag, author limits (code points, not bytes)
		{name: "description 500 emoji", query: base + "&description=" + esc(r(emoji, 500)), check: wantField(desc, r(emoji, 500))},
		{name: "description 501", query: base + "&description=" + r("d", 501), fields: []string{"description"}},
		{name: "description empty is absent", query: base + "&description=", check: wantField(desc, "")},
		{name: "description invalid UTF-8", query: base + "&description=%C3", fields: []string{"description"}},
		{name: "tag 50 emoji", query: base + "&tag=" + esc(r(emoji, 50)), check: func(t *testing.T, p *params.Params) {
			if p.Tag != r(emoji, 50) {
				t.Errorf("Tag = %q", p.Tag)
			}
		}},
		{name: "tag 51", query: base + "&tag=" + r("t", 51), fields: []string{"tag"}},
		{name: "author 100 Cyrillic", query: base + "&author=" + esc(r("Ж", 100)), check: func(t *testing.T, p *params.Params) {
			if p.Author != r("Ж", 100) {
				t.Errorf("Author = %q", p.Author)
			}
		}},
		{name: "author 101", query: base + "&author=" + r("a", 101), fields: []string{"author"}},
		{name: "author repeated", query: base + "&author=a&author=b", fields: []string{"author"}},

		// font
		{name: "font default", query: base, check: wantFont("Inter")},
		{name: "font empty is default", query: base + "&font=", check: wantFont("Inter")},
		{name: "font exact", query: base + "&font=JetBrains+Mono", check: wantFont("JetBrains Mono")},
		{name: "font lower case", query: base + "&font=dejavu+serif", check: wantFont("DejaVu Serif")},
		{name: "font upper case", query: base + "&font=INTER", check: wantFont("Inter")},
		{name: "font alias sans", query: base + "&font=sans", check: wantFont("Inter")},
		{name: "font alias sans-serif", query: base + "&font=Sans-Serif", check: wantFont("Inter")},
		{name: "font alias serif", query: base + "&font=serif", check: wantFont("DejaVu Serif")},
		{name: "font alias mono", query: base + "&font=MONO", check: wantFont("JetBrains Mono")},
		{name: "font alias monospace", query: base + "&font=monospace", check: wantFont("JetBrains Mono")},
		{name: "font unknown lists fonts", query: base + "&font=Comic+Sans", fields: []string{"font"},
			msgHas: []string{`"Comic Sans"`, "DejaVu Serif, Inter, JetBrains Mono"}},
		{name: "font partial name", query: base + "&font=Jet", fields: []string{"font"}},
		{name: "font repeated", query: base + "&font=Inter&font=serif", fields: []string{"font"}},
		{name: "font invalid UTF-8", query: base + "&font=%FF", fields: []string{"font"}},

		// colours
		{name: "colours default", query: base, check: wantColors(D, T, A, S)},
		{name: "bgColor", query: base + "&bgColor=ff0000", check: wantColors("ff0000", T, A, S)},
		{name: "colours lower-cased", query: base + "&bgColor=FF00AA&textColor=AbCdEf&accentColor=0A0B0C&surfaceColor=DDDDDD",
			check: wantColors("ff00aa", "abcdef", "0a0b0c", "dddddd")},
		{name: "alias bg", query: base + "&bg=112233", check: wantColors("112233", T, A, S)},
		{name: "alias text", query: base + "&text=445566", check: wantColors(D, "445566", A, S)},
		{name: "alias accent", query: base + "&accent=778899", check: wantColors(D, T, "778899", S)},
		{name: "alias and name agree", query: base + "&bg=ABCDEF&bgColor=abcdef", check: wantColors("abcdef", T, A, S)},
		{name: "alias and name conflict bg", query: base + "&bg=000000&bgColor=ffffff", fields: []string{"bgColor"}, msgHas: []string{"disagree"}},
		{name: "alias and name conflict text", query: base + "&text=000000&textColor=ffffff", fields: []string{"textColor"}},
		{name: "alias and name conflict accent", query: base + "&accent=000000&accentColor=ffffff", fields: []string{"accentColor"}},
		{name: "alias given empty with name", query: base + "&bg=&bgColor=ffffff", fields: []string{"bgColor"}},
		{name: "surface has no alias", query: base + "&surface=ffffff", check: wantColors(D, T, A, S)},
		{name: "colour with the # design tools copy", query: base + "&bgColor=%23FF0000", check: wantColors("ff0000", T, A, S)},
		{name: "alias with # agrees with name without", query: base + "&bg=%23abcdef&bgColor=ABCDEF", check: wantColors("abcdef", T, A, S)},
		{name: "colour with two hashes", query: base + "&bgColor=%23%23ff0000", fields: []string{"bgColor"}, msgHas: []string{"6 hex"}},
		{name: "hash alone", query: base + "&bgColor=%23", fields: []string{"bgColor"}},
		{name: "colour 3 digits", query: base + "&bgColor=fff", fields: []string{"bgColor"}},
		{name: "colour 7 digits", query: base + "&textColor=fffffff", fields: []string{"textColor"}},
		{name: "colour 8 digits (alpha)", query: base + "&accentColor=ff0000ff", fields: []string{"accentColor"}},
		{name: "colour not hex", query: base + "&surfaceColor=gggggg", fields: []string{"surfaceColor"}},
		{name: "colour name", query: base + "&bgColor=red", fields: []string{"bgColor"}},
		{name: "colour empty", query: base + "&bgColor=", fields: []string{"bgColor"}},
		{name: "colour alias empty", query: base + "&bg=", fields: []string{"bg"}},
		{name: "colour alias invalid", query: base + "&accent=12345g", fields: []string{"accent"}},
		{name: "colour alias with #", query: base + "&accent=%23123456", check: wantColors(D, T, "123456", S)},
		{name: "colour fullwidth digits", query: base + "&bgColor=" + esc("１２３４５６"), fields: []string{"bgColor"}},
		{name: "colour repeated", query: base + "&bgColor=000000&bgColor=000000", fields: []string{"bgColor"}},
		{name: "colour alias repeated", query: base + "&bg=000000&bg=111111", fields: []string{"bg"}},
		{name: "colour invalid UTF-8", query: base + "&textColor=%FF%FF%FF%FF%FF%FF", fields: []string{"textColor"}},

		// palettes
		{name: "palette midnight", query: base + "&palette=midnight", check: wantColors(D, T, A, S)},
		{name: "palette paper", query: base + "&palette=paper", check: wantColors("f5f1e8", "1f1b16", "c2410c", "fffdf8")},
		{name: "palette forest", query: base + "&palette=forest", check: wantColors("0b1f17", "e6f4ea", "34d399", "12291f")},
		{name: "palette sunset", query: base + "&palette=sunset", check: wantColors("2a0f1f", "fff1e6", "fb7185", "3b1429")},
		{name: "palette ocean", query: base + "&palette=ocean", check: wantColors("06182b", "e0f2fe", "38bdf8", "0c2540")},
		{name: "palette then explicit colour", query: base + "&palette=paper&accent=123456&surfaceColor=ABCDEF",
			check: wantColors("f5f1e8", "1f1b16", "123456", "abcdef")},
		{name: "explicit colour before palette in query", query: "bgColor=000000&palette=ocean&" + base,
			check: wantColors("000000", "e0f2fe", "38bdf8", "0c2540")},
		{name: "palette empty is default", query: base + "&palette=", check: wantColors(D, T, A, S)},
		{name: "palette unknown lists palettes", query: base + "&palette=neon", fields: []string{"palette"},
			msgHas: []string{`"neon"`, "forest, midnight, ocean, paper, sunset"}},
		{name: "palette repeated", query: base + "&palette=paper&palette=ocean", fields: []string{"palette"}},

		// avatar and logo
		{name: "avatar https", query: base + "&avatar=" + esc("https://example.com/me.png"), check: wantField(avatar, "https://example.com/me.png")},
		{name: "avatar https upper-case scheme", query: base + "&avatar=" + esc("HTTPS://example.com/me.png"), check: wantField(avatar, "https://example.com/me.png")},
		{name: "avatar with port, query and IPv6", query: base + "&avatar=" + esc("https://[::1]:8443/a.png?s=64"), check: wantField(avatar, "https://[::1]:8443/a.png?s=64")},
		{name: "avatar empty is absent", query: base + "&avatar=", check: wantField(avatar, "")},
		{name: "avatar http", query: base + "&avatar=" + esc("http://example.com/me.png"), fields: []string{"avatar"}, msgHas: []string{"https"}},
		{name: "avatar ftp", query: base + "&avatar=" + esc("ftp://example.com/me.png"), fields: []string{"avatar"}},
		{name: "avatar javascript", query: base + "&avatar=" + esc("javascript:alert(1)"), fields: []string{"avatar"}},
		{name: "avatar data URL", query: base + "&avatar=" + esc("data:image/png;base64,iVBORw0KGgo="), fields: []string{"avatar"}},
		{name: "avatar file", query: base + "&avatar=" + esc("file:///etc/passwd"), fields: []string{"avatar"}},
		{name: "avatar scheme-relative", query: base + "&avatar=" + esc("//example.com/me.png"), fields: []string{"avatar"}},
		{name: "avatar relative path", query: base + "&avatar=me.png", fields: []string{"avatar"}},
		{name: "avatar opaque https", query: base + "&avatar=" + esc("https:example.com/me.png"), fields: []string{"avatar"}},
		{name: "avatar no host", query: base + "&avatar=" + esc("https:///me.png"), fields: []string{"avatar"}, msgHas: []string{"host"}},
		{name: "avatar port only", query: base + "&avatar=" + esc("https://:443/me.png"), fields: []string{"avatar"}},
		{name: "avatar userinfo", query: base + "&avatar=" + esc("https://user:pw@example.com/me.png"), fields: []string{"avatar"}, msgHas: []string{"user info"}},
		{name: "avatar user only", query: base + "&avatar=" + esc("https://user@example.com/me.png"), fields: []string{"avatar"}},
		{name: "avatar empty userinfo", query: base + "&avatar=" + esc("https://@example.com/me.png"), fields: []string{"avatar"}},
		{name: "avatar not a URL", query: base + "&avatar=" + esc("https://exa mple.com/"), fields: []string{"avatar"}},
		{name: "avatar bad escape", query: base + "&avatar=" + esc("https://example.com/%zz"), fields: []string{"avatar"}},
		{name: "avatar control char", query: base + "&avatar=" + esc("https://example.com/a\x00b"), fields: []string{"avatar"}},
		{name: "avatar at length limit", query: base + "&avatar=" + esc(longURL(params.MaxURL)), check: wantField(avatar, longURL(params.MaxURL))},
		{name: "avatar over length limit", query: base + "&avatar=" + esc(longURL(params.MaxURL+1)), fields: []string{"avatar"}, msgHas: []string{"2048"}},
		// Normalisation must not take a URL past the limit: the canonical
		// string is parsed again by the render module.
		{name: "avatar over length limit once escaped", query: base + "&avatar=" + esc("https://example.com/"+r(" ", 1000)), fields: []string{"avatar"}},
		{name: "avatar repeated", query: base + "&avatar=" + esc("https://a.example/") + "&avatar=" + esc("https://b.example/"), fields: []string{"avatar"}},
		{name: "avatar invalid UTF-8", query: base + "&avatar=https%3A%2F%2Fexample.com%2F%FF", fields: []string{"avatar"}},
		{name: "logo https", query: base + "&logo=" + esc("https://example.com/logo.png"), check: wantField(logo, "https://example.com/logo.png")},
		{name: "logo http", query: base + "&logo=" + esc("http://example.com/logo.png"), fields: []string{"logo"}},
		{name: "logo userinfo", query: base + "&logo=" + esc("https://u@example.com/logo.png"), fields: []string{"logo"}},
		{name: "logo over length limit", query: base + "&logo=" + esc(longURL(params.MaxURL+1)), fields: []string{"logo"}},

		// unknown parameters
		{name: "unknown params ignored", query: base + "&utm_source=x&utm_source=y&fbclid=%FF&ref=&Title=nope&TEMPLATE=x&bgcolor=zz",
			check: wantTitle("Hello")},

		// Every bad field is reported at once, once each.
		{name: "every bad field at once", query: "template=nope&title=" + r("t", 201) + "&description=" + r("d", 501) +
			"&tag=" + r("g", 51) + "&author=" + r("a", 101) + "&avatar=http%3A%2F%2Fx&logo=ftp%3A%2F%2Fx&font=Papyrus" +
			"&palette=neon&bgColor=x&text=%23fff&accentColor=1&accent=2&surfaceColor=zzzzzz",
			fields: []string{"accentColor", "author", "avatar", "bgColor", "description", "font", "logo",
				"palette", "surfaceColor", "tag", "template", "text", "title"}},
		{name: "missing template and title", query: "", fields: []string{"template", "title"}},
	}
}

func TestParse(t *testing.T) {
	set := loadSet(t)
	for _, c := range paramCases() {
		t.Run(c.name, func(t *testing.T) {
			p, err := parse(t, set, c.query)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if p == nil {
					t.Fatal("nil params and nil error")
				}
				if c.check != nil {
					c.check(t, p)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error on %v, got %+v", c.fields, *p)
			}
			if p != nil {
				t.Errorf("params returned with an error: %+v", *p)
			}
			if err.NotFound != c.notFound {
				t.Errorf("NotFound = %v, want %v (%v)", err.NotFound, c.notFound, err)
			}
			if got := err.SortedFields(); !reflect.DeepEqual(got, c.fields) {
				t.Errorf("fields = %q, want %q (%v)", got, c.fields, err)
			}
			msg := err.Error()
			for _, s := range c.msgHas {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			for _, f := range err.Fields {
				if f.Message == "" {
					t.Errorf("field %s has an empty message", f.Field)
				}
			}
		})
	}
}

// TestParseDoesNotModifyQuery: the caller's values are left alone.
func TestParseDoesNotModifyQuery(t *testing.T) {
	set := loadSet(t)
	q := url.Values{"template": {"blog"}, "title": {"  Hi\u202e  "}, "bg": {"ABCDEF"}, "palette": {"paper"}}
	before := url.Values{}
	for k, v := range q {
		before[k] = append([]string(nil), v...)
	}
	if _, err := params.Parse(q, set); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q, before) {
		t.Errorf("query modified: %v, was %v", q, before)
	}
}

func TestErrorString(t *testing.T) {
	e := &params.Error{Message: "invalid parameters", Fields: []params.FieldError{{"b", "bad"}, {"a", "worse"}}}
	if got, want := e.Error(), "invalid parameters; b: bad; a: worse"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := e.SortedFields(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("SortedFields = %q", got)
	}
}

func TestFindFamily(t *testing.T) {
	set := loadSet(t)
	for in, want := range map[string]string{
		"Inter": "Inter", "inter": "Inter", "SANS": "Inter", "serif": "DejaVu Serif",
		"jetbrains mono": "JetBrains Mono", "monospace": "JetBrains Mono",
		"": "", "Arial": "", "Inter ": "", "mono space": "",
	} {
		if got := params.FindFamily(set, in); got != want {
			t.Errorf("FindFamily(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValue(t *testing.T) {
	p := &params.Params{Title: "t", Description: "d", Tag: "g", Author: "a", Avatar: "https://x/a", Logo: "https://x/l", Bg: "000000"}
	for name, want := range map[string]string{"title": "t", "description": "d", "tag": "g", "author": "a",
		"avatar": "https://x/a", "logo": "https://x/l", "bg": "", "bgColor": "", "": "", "Title": ""} {
		if got := p.Value(name); got != want {
			t.Errorf("Value(%q) = %q, want %q", name, got, want)
		}
	}
}

func mustParse(tb testing.TB, set *templates.Set, raw string) *params.Params {
	tb.Helper()
	p, err := parse(tb, set, raw)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", raw, err)
	}
	return p
}

func TestCanonicalEqual(t *testing.T) {
	set := loadSet(t)
	allDefault := "&bgColor=" + params.DefaultBg + "&textColor=" + params.DefaultText +
		"&accentColor=" + params.DefaultAccent + "&surfaceColor=" + params.DefaultSurface
	groups := [][]string{
		{ // order, aliases, case, palette midnight == defaults == explicit default colours
			base,
			"title=Hello&template=blog",
			base + "&palette=midnight",
			base + allDefault,
			"surfaceColor=13131A&" + base + "&bg=0A0A0F&text=F0F0F8&accent=6366F1",
			base + "&palette=midnight&bgColor=0a0a0f",
			base + "&font=Inter",
			base + "&font=sans",
			base + "&font=SANS-SERIF",
			base + "&font=",
			base + "&palette=",
			base + "&description=&tag=&author=&avatar=&logo=",
			base + "&utm_source=newsletter&fbclid=abc",
			"template=blog&title=" + esc("  Hello\u200b \u202e"),
		},
		{ // palette resolved == the same explicit colours
			base + "&palette=paper",
			base + "&bg=f5f1e8&text=1f1b16&accent=c2410c&surfaceColor=fffdf8",
			base + "&palette=ocean&bgColor=F5F1E8&textColor=1F1B16&accentColor=C2410C&surfaceColor=FFFDF8",
		},
		{ // palette override
			base + "&palette=forest&accent=ff0000",
			"accentColor=FF0000&" + base + "&palette=forest",
			base + "&bgColor=0b1f17&text=e6f4ea&accentColor=ff0000&surfaceColor=12291f",
		},
		{ // texts are compared after cleaning
			"template=blog&title=A+B&description=" + esc("x\ty") + "&tag=" + esc("\u2066t\u2069") + "&author=" + esc(" Ada  L "),
			"author=Ada+L&tag=t&description=x+y&title=A%20B&template=blog",
		},
		{ // font family aliases
			base + "&font=mono",
			base + "&font=JetBrains+Mono",
			base + "&font=jetbrains+MONO",
		},
	}
	var firsts []string
	for gi, g := range groups {
		want := mustParse(t, set, g[0]).Canonical()
		if again := mustParse(t, set, g[0]).Canonical(); again != want {
			t.Errorf("group %d: Canonical not stable: %q then %q", gi, want, again)
		}
		for _, raw := range g[1:] {
			if got := mustParse(t, set, raw).Canonical(); got != want {
				t.Errorf("group %d: %q\n canonical %q\n want      %q", gi, raw, got, want)
			}
		}
		firsts = append(firsts, want)
	}
	for i := range firsts {
		for j := i + 1; j < len(firsts); j++ {
			if firsts[i] == firsts[j] {
				t.Errorf("groups %d and %d share a canonical form %q", i, j, firsts[i])
			}
		}
	}
}

// TestCanonicalDiffers: changing any render-affecting field changes the canonical string.
func TestCanonicalDiffers(t *testing.T) {
	set := withTemplates(t, loadSet(t), "other", 1)
	ref := base + "&description=D&tag=T&author=A&avatar=" + esc("https://e.example/a.png") +
		"&logo=" + esc("https://e.example/l.png") + "&font=Inter&palette=midnight"
	variants := map[string]string{
		"template":                  strings.Replace(ref, "template=blog", "template=other", 1),
		"title":                     strings.Replace(ref, "title=Hello", "title=Hello!", 1),
		"title case":                strings.Replace(ref, "title=Hello", "title=hello", 1),
		"description":               strings.Replace(ref, "description=D", "description=E", 1),
		"description removed":       strings.Replace(ref, "&description=D", "", 1),
		"tag":                       strings.Replace(ref, "tag=T", "tag=U", 1),
		"author":                    strings.Replace(ref, "author=A", "author=B", 1),
		"avatar":                    strings.Replace(ref, "a.png", "b.png", 1),
		"avatar removed":            strings.Replace(ref, "&avatar="+esc("https://e.example/a.png"), "", 1),
		"logo":                      strings.Replace(ref, "l.png", "m.png", 1),
		"font":                      strings.Replace(ref, "font=Inter", "font=serif", 1),
		"palette":                   strings.Replace(ref, "palette=midnight", "palette=sunset", 1),
		"bgColor":                   ref + "&bgColor=0a0a0e",
		"textColor":                 ref + "&textColor=f0f0f7",
		"accentColor":               ref + "&accentColor=6366f2",
		"surfaceColor":              ref + "&surfaceColor=13131b",
		"title moved to tag":        strings.Replace(strings.Replace(ref, "tag=T", "tag=Hello", 1), "title=Hello", "title=T", 1),
		"avatar and logo swapped":   strings.Replace(strings.Replace(ref, "a.png", "X", 1), "l.png", "a.png", 1),
		"description with & inside": strings.Replace(ref, "description=D", "description="+esc("D&tag=T"), 1),
		"format jpeg":               ref + "&format=jpeg",
		"format jpeg quality 80":    ref + "&format=jpeg&quality=80",
		"format webp":               ref + "&format=webp",
	}
	want := mustParse(t, set, ref).Canonical()
	seen := map[string]string{want: "ref"}
	for name, raw := range variants {
		got := mustParse(t, set, raw).Canonical()
		if other, dup := seen[got]; dup {
			t.Errorf("%s: canonical equals that of %s: %q", name, other, got)
		}
		seen[got] = name
	}
}

// TestCanonicalRoundTrip: the host hands the canonical string to the render
// module, which parses it again; it must validate and canonicalise to itself.
func TestCanonicalRoundTrip(t *testing.T) {
	set := loadSet(t)
	for _, c := range paramCases() {
		if c.fields != nil {
			continue
		}
		p := mustParse(t, set, c.query)
		canon := p.Canonical()
		p2, err := parse(t, set, canon)
		if err != nil {
			t.Errorf("%s: canonical %q does not parse: %v", c.name, canon, err)
			continue
		}
		if !reflect.DeepEqual(p2, p) {
			t.Errorf("%s: reparsed %+v\nwant %+v", c.name, *p2, *p)
		}
		if got := p2.Canonical(); got != canon {
			t.Errorf("%s: canonical not a fixed point:\n %q\n %q", c.name, canon, got)
		}
	}
}

// TestCanonicalTemplateVersion: a new version of a template draws different
// pixels, so it must change the canonical form of the same request.
func TestCanonicalTemplateVersion(t *testing.T) {
	v1 := loadSet(t)
	v2 := withTemplates(t, v1, "blog", v1.Templates["blog"].Version+1)
	a, b := mustParse(t, v1, base).Canonical(), mustParse(t, v2, base).Canonical()
	if a == b {
		t.Errorf("template version bump kept canonical %q", a)
	}
}

func TestCanonicalIncludesVersions(t *testing.T) {
	set := loadSet(t)
	c := mustParse(t, set, base).Canonical()
	q, err := url.ParseQuery(c)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("tv") != strconv.Itoa(set.Templates["blog"].Version) || q.Get("rv") == "" || q.Get("template") != "blog" || q.Get("font") != "Inter" {
		t.Errorf("canonical %q lacks versions, template or font", c)
	}
	if q.Has("palette") || q.Has("bg") {
		t.Errorf("canonical %q carries a palette or an alias", c)
	}
}

func TestKey(t *testing.T) {
	set := loadSet(t)
	p := mustParse(t, set, base+"&palette=paper")
	if p.Key() != sha256.Sum256([]byte(p.Canonical())) {
		t.Error("Key is not the SHA-256 of Canonical")
	}
	if p.Key() == mustParse(t, set, base).Key() {
		t.Error("different params share a key")
	}
}

// withTemplates returns a copy of set with extra templates: name, version pairs.
func withTemplates(tb testing.TB, set *templates.Set, nameVersions ...any) *templates.Set {
	tb.Helper()
	cp := *set
	cp.Templates = map[string]*templates.Template{}
	for k, v := range set.Templates {
		cp.Templates[k] = v
	}
	for i := 0; i+1 < len(nameVersions); i += 2 {
		name, ver := nameVersions[i].(string), nameVersions[i+1].(int)
		tpl := *set.Templates["blog"]
		tpl.Name, tpl.Version = name, ver
		cp.Templates[name] = &tpl
	}
	return &cp
}

// TestSigningCanonical: the signing form leaves out the versions, the
// custom template font tag and the defaults, and sorts custom fields with
// the rest.
func TestSigningCanonical(t *testing.T) {
	p := &params.Params{Template: "custom_x", TemplateVer: 7, TemplateFonts: "ab", Title: "T", Font: "Inter",
		Bg: params.DefaultBg, Text: "ffffff", Accent: params.DefaultAccent, Surface: params.DefaultSurface,
		Fields: map[string]string{"zeta": "z", "alpha": "a b", "empty": ""}}
	const want = "alpha=a+b&template=custom_x&textColor=ffffff&title=T&zeta=z"
	if got := p.SigningCanonical("Inter"); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	p.TemplateVer = 8
	if got := p.SigningCanonical("Inter"); got != want {
		t.Fatalf("a new template version changed it: %s", got)
	}
	if got := p.SigningCanonical("DejaVu Serif"); !strings.HasPrefix(got, "alpha=a+b&font=Inter&") {
		t.Fatalf("a non-default font: %s", got)
	}
}
