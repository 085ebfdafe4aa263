package params_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
)

// fielded is a template with custom fields: price (required, 10
// characters) and plan (8).
const fielded = `{"name": "fielded", "version": 2, "background": "bg",
  "fields": {"price": {"maxLength": 10, "required": true}, "plan": {"maxLength": 8}},
  "elements": [
    {"type": "text", "text": "{title}: {price}", "box": [60, 60, 1080, 200], "size": [20, 40], "color": "text"},
    {"type": "pill", "if": "plan", "text": "{plan}", "box": [60, 300, 300, 60], "size": [20, 20], "fill": "accent", "color": "bg"}
  ]}`

// fieldSet is the real template set with the fielded template added.
func fieldSet(tb testing.TB) *templates.Set {
	tb.Helper()
	tpl, err := templates.Parse([]byte(fielded))
	if err != nil {
		tb.Fatal(err)
	}
	set := withTemplates(tb, loadSet(tb))
	set.Templates["fielded"] = tpl
	return set
}

const fbase = "template=fielded&title=Hi&price=9"

func fieldCases() []paramCase {
	wantFields := func(want map[string]string) func(*testing.T, *params.Params) {
		return func(t *testing.T, p *params.Params) {
			t.Helper()
			if !reflect.DeepEqual(p.Fields, want) {
				t.Errorf("Fields = %q, want %q", p.Fields, want)
			}
		}
	}
	return []paramCase{
		{name: "required field", query: fbase, check: wantFields(map[string]string{"price": "9"})},
		{name: "both fields", query: fbase + "&plan=Pro", check: wantFields(map[string]string{"price": "9", "plan": "Pro"})},
		{name: "field at maxLength", query: "template=fielded&title=Hi&price=" + strings.Repeat("€", 10), check: wantFields(map[string]string{"price": strings.Repeat("€", 10)})},
		{name: "field cleaned", query: fbase + "&plan=" + esc(" P\u202ero\t "), check: wantFields(map[string]string{"price": "9", "plan": "Pro"})},
		{name: "empty optional field left out", query: fbase + "&plan=", check: wantFields(map[string]string{"price": "9"})},
		{name: "invisible optional field left out", query: fbase + "&plan=" + esc("\u200d"), check: wantFields(map[string]string{"price": "9"})},
		{name: "fields of another template ignored", query: base + "&price=9&plan=Pro", check: wantFields(nil)},
		{name: "required field missing", query: "template=fielded&title=Hi", fields: []string{"price"}, msgHas: []string{"price: required; 1-10 characters"}},
		{name: "required field empty", query: "template=fielded&title=Hi&price=", fields: []string{"price"}},
		{name: "required field invisible", query: "template=fielded&title=Hi&price=%09", fields: []string{"price"}, msgHas: []string{"no visible"}},
		{name: "field too long", query: fbase + "&plan=" + esc("Ultimate+"), fields: []string{"plan"}, msgHas: []string{"plan: 9 characters; at most 8"}},
		{name: "field given twice", query: fbase + "&plan=a&plan=b", fields: []string{"plan"}, msgHas: []string{"2 times"}},
		{name: "field invalid UTF-8", query: fbase + "&plan=%FF", fields: []string{"plan"}, msgHas: []string{"UTF-8"}},
		{name: "fields with other errors", query: "template=fielded&plan=muchtoolong&bgColor=x", fields: []string{"bgColor", "plan", "price", "title"}},
	}
}

func TestParseFields(t *testing.T) {
	set := fieldSet(t)
	for _, c := range fieldCases() {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			p, perr := params.Parse(q, set)
			if c.fields == nil {
				if perr != nil {
					t.Fatalf("unexpected error: %v", perr)
				}
				c.check(t, p)
				if again := mustParse(t, set, p.Canonical()); !reflect.DeepEqual(again, p) {
					t.Errorf("canonical %q parses to %+v", p.Canonical(), again)
				}
				return
			}
			if perr == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if got := perr.SortedFields(); !reflect.DeepEqual(got, c.fields) {
				t.Errorf("fields %q, want %q (%v)", got, c.fields, perr)
			}
			for _, s := range c.msgHas {
				if !strings.Contains(perr.Error(), s) {
					t.Errorf("error %q does not contain %q", perr, s)
				}
			}
		})
	}
}

func TestValueFields(t *testing.T) {
	p := &params.Params{Title: "t", Fields: map[string]string{"price": "9", "title": "not this"}}
	for name, want := range map[string]string{"price": "9", "title": "t", "plan": "", "": ""} {
		if got := p.Value(name); got != want {
			t.Errorf("Value(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCanonicalFields: fields are part of the canonical form, sorted, after
// the built-in parameters, and it parses back to the same params.
func TestCanonicalFields(t *testing.T) {
	set := fieldSet(t)
	p := mustParse(t, set, "plan=Pro+%26+co&"+fbase)
	if p.Fields["plan"] != "Pro & co" {
		t.Fatalf("Fields %q", p.Fields)
	}
	canon := p.Canonical()
	if !strings.HasSuffix(canon, "&tv=2&plan=Pro+%26+co&price=9") {
		t.Errorf("canonical %q does not end with the sorted fields", canon)
	}
	again := mustParse(t, set, canon)
	if !reflect.DeepEqual(again, p) || again.Canonical() != canon {
		t.Errorf("canonical %q parses to %+v", canon, again)
	}
	for _, other := range []string{fbase, "template=fielded&title=Hi&price=8&plan=Pro+%26+co", fbase + "&plan=Pro"} {
		if mustParse(t, set, other).Canonical() == canon {
			t.Errorf("%q shares the canonical form %q", other, canon)
		}
	}
	if got, want := mustParse(t, set, fbase+"&plan=").Canonical(), mustParse(t, set, fbase).Canonical(); got != want {
		t.Errorf("an empty field changes the canonical form: %q, %q", got, want)
	}
}

// TestReservedNames: every name Parse reads, and the canonical form's
// keys, are names a custom field cannot take.
func TestReservedNames(t *testing.T) {
	p := mustParse(t, loadSet(t), base+"&description=d&tag=t&author=a&avatar="+esc("https://e.example/a")+"&logo="+esc("https://e.example/l"))
	q, err := url.ParseQuery(p.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	names := append([]string(nil), params.Known...)
	for k := range q {
		names = append(names, k)
	}
	for _, name := range names {
		if !contains(templates.ReservedNames, name) {
			t.Errorf("%q is not in templates.ReservedNames", name)
		}
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
