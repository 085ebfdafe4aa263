package params_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/textclean"
)

// FuzzParse feeds raw query strings to Parse. Whatever the input: no panic;
// an error names only known fields, each once; a success is fully valid and
// its canonical form parses again to the same params (the host hands the
// canonical string to the render module, which parses it again).
func FuzzParse(f *testing.F) {
	for _, c := range paramCases() {
		f.Add(c.query)
	}
	f.Add("template=blog&title=%E2%80%AE%CC%81x%F4%8F%BF%BD&avatar=https%3A%2F%2F%5B%3A%3A1%5D%2F")
	f.Add("template=blog&title=a&avatar=https%3A%2F%2Fh%2F%3Fq%3D%25%26x%23frag%20ment")
	f.Add("template=blog&title=a;b&c")
	for _, c := range fieldCases() {
		f.Add(c.query)
	}
	set := fieldSet(f)
	known := map[string]bool{}
	for _, k := range params.Known {
		known[k] = true
	}
	for name := range set.Templates["fielded"].Fields {
		known[name] = true
	}

	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw) // keep what parsed, as a lenient host might
		p, perr := params.Parse(q, set)
		p2, perr2 := params.Parse(q, set)
		if !reflect.DeepEqual(p, p2) || !reflect.DeepEqual(perr, perr2) {
			t.Fatalf("Parse not deterministic")
		}
		if (p == nil) == (perr == nil) {
			t.Fatalf("want exactly one of params and error, got %v and %v", p, perr)
		}
		if perr != nil {
			checkError(t, perr, q, known)
			return
		}
		checkParams(t, p, set)

		canon := p.Canonical()
		if !utf8.ValidString(canon) {
			t.Fatalf("canonical %q is not valid UTF-8", canon)
		}
		cq, err := url.ParseQuery(canon)
		if err != nil {
			t.Fatalf("canonical %q is not a valid query: %v", canon, err)
		}
		p3, perr3 := params.Parse(cq, set)
		if perr3 != nil {
			t.Fatalf("canonical %q of %q is rejected: %v", canon, raw, perr3)
		}
		if !reflect.DeepEqual(p3, p) {
			t.Fatalf("canonical round trip changed params:\n %+v\n %+v", *p, *p3)
		}
		if c3 := p3.Canonical(); c3 != canon {
			t.Fatalf("canonical not a fixed point:\n %q\n %q", canon, c3)
		}
	})
}

func checkError(t *testing.T, perr *params.Error, q url.Values, known map[string]bool) {
	t.Helper()
	if perr.Message == "" || len(perr.Fields) == 0 {
		t.Fatalf("error without message or fields: %+v", perr)
	}
	seen := map[string]bool{}
	for _, fe := range perr.Fields {
		if !known[fe.Field] {
			t.Fatalf("error names unknown field %q: %v", fe.Field, perr)
		}
		if seen[fe.Field] {
			t.Fatalf("field %q reported twice: %v", fe.Field, perr)
		}
		seen[fe.Field] = true
		if fe.Message == "" {
			t.Fatalf("field %q has no message", fe.Field)
		}
		if !utf8.ValidString(fe.Message) {
			t.Fatalf("message for %q is not valid UTF-8: %q", fe.Field, fe.Message)
		}
	}
	if perr.NotFound {
		if len(q["template"]) == 0 || !strings.HasPrefix(q["template"][0], "custom_") {
			t.Fatalf("NotFound for template %q", q["template"])
		}
	}
	_ = perr.Error()
}

func checkParams(t *testing.T, p *params.Params, set *templates.Set) {
	t.Helper()
	tpl := set.Templates[p.Template]
	if tpl == nil || tpl.Version != p.TemplateVer {
		t.Fatalf("template %q v%d not in the set", p.Template, p.TemplateVer)
	}
	for _, f := range []struct {
		name     string
		v        string
		max      int
		required bool
	}{
		{"title", p.Title, params.MaxTitle, true},
		{"description", p.Description, params.MaxDescription, false},
		{"tag", p.Tag, params.MaxTag, false},
		{"author", p.Author, params.MaxAuthor, false},
	} {
		if f.required && f.v == "" {
			t.Fatalf("%s empty", f.name)
		}
		if n := utf8.RuneCountInString(f.v); n > f.max {
			t.Fatalf("%s has %d characters, max %d", f.name, n, f.max)
		}
		if c := textclean.Clean(f.v); c != f.v {
			t.Fatalf("%s %q not clean (%q)", f.name, f.v, c)
		}
	}
	for name, v := range p.Fields {
		f, ok := tpl.Fields[name]
		if !ok || v == "" || utf8.RuneCountInString(v) > f.MaxLength || textclean.Clean(v) != v {
			t.Fatalf("field %s = %q (declared %v: %+v)", name, v, ok, f)
		}
	}
	for name, f := range tpl.Fields {
		if f.Required && p.Fields[name] == "" {
			t.Fatalf("required field %s empty", name)
		}
	}
	if set.Families[p.Font] == nil {
		t.Fatalf("font %q not a family", p.Font)
	}
	for _, c := range []string{p.Bg, p.Text, p.Accent, p.Surface} {
		if !templates.IsHexColor(c) || c != strings.ToLower(c) {
			t.Fatalf("colour %q not 6 lower-case hex digits", c)
		}
	}
	for _, u := range []string{p.Avatar, p.Logo} {
		if u == "" {
			continue
		}
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "https" || pu.Hostname() == "" || pu.User != nil || len(u) > params.MaxURL {
			t.Fatalf("bad image URL %q accepted", u)
		}
	}
}
