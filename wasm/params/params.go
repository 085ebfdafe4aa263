// Package params parses and validates render parameters (shared by the V1 and
// V2 APIs, the host and the render module) into a canonical, typed request.
package params

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/textclean"
	"github.com/ogmint/ogmint/wasm/typeset"
)

// RendererVersion changes whenever the same parameters would draw different
// pixels; it is part of every cache and dedup key.
const RendererVersion = 1

// Limits from the product contract, in characters (Unicode code points).
const (
	MaxTitle       = 200
	MaxDescription = 500
	MaxTag         = 50
	MaxAuthor      = 100
	MaxURL         = 2048
	MaxFont        = 64
)

// Default colours (the midnight palette).
const (
	DefaultBg      = "0a0a0f"
	DefaultText    = "f0f0f8"
	DefaultAccent  = "6366f1"
	DefaultSurface = "13131a"
)

// Params is a validated render request. Texts are cleaned, colours resolved
// (palette, then explicit colours) and lower-case, the font family canonical.
type Params struct {
	Template    string
	TemplateVer int
	// TemplateFonts is a custom template's font tag (abi.ParamFontTag):
	// what its user font families are bound to; "" for none.
	TemplateFonts string
	Title         string
	Description   string
	Tag           string
	Author        string
	Avatar        string
	Logo          string
	Font          string
	Bg            string
	Text          string
	Accent        string
	Surface       string
	// Format is the encoding: "png" (the default), "jpeg" or "webp".
	Format string
	// Quality is JPEG's quality, 1-100 (default 85); 0 for the lossless
	// formats, for which it is an error to give one.
	Quality int
	// Fields holds the values of the template's custom fields (cleaned like
	// the other texts), by name; empty values are left out, and the map is
	// nil when there are none.
	Fields map[string]string
}

// FieldError names one bad parameter.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a rejected request: NotFound for an unknown custom template,
// otherwise invalid parameters with one entry per bad field.
type Error struct {
	NotFound bool
	Message  string
	Fields   []FieldError
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// add records a problem with field; the first problem found for a field is
// the one reported, so Fields has one entry per bad field.
func (e *Error) add(field, format string, args ...any) {
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	e.Fields = append(e.Fields, FieldError{field, fmt.Sprintf(format, args...)})
}

// Known lists every parameter name (with aliases) that Parse reads, besides
// the custom fields of the requested template.
var Known = []string{"template", "title", "description", "tag", "author", "avatar", "logo", "font",
	"palette", "bgColor", "bg", "textColor", "text", "accentColor", "accent", "surfaceColor",
	"format", "quality"}

// Formats are the values of the format parameter; the first is the default.
var Formats = []string{"png", "jpeg", "webp"}

// DefaultQuality is JPEG's quality when the request gives none.
const DefaultQuality = 85

// Parse validates q against the template set. Unknown parameters are ignored
// (links carry tracking parameters); a known parameter given twice is an error.
func Parse(q url.Values, set *templates.Set) (*Params, *Error) {
	e := &Error{Message: "invalid parameters"}
	get := func(name string) string {
		v := q[name]
		if len(v) > 1 {
			e.add(name, "given %d times; give it once", len(v))
		}
		if len(v) == 0 {
			return ""
		}
		if !utf8.ValidString(v[0]) {
			e.add(name, "not valid UTF-8")
			return ""
		}
		return v[0]
	}
	p := &Params{}

	name := get("template")
	var tpl *templates.Template
	switch {
	case name == "":
		e.add("template", "required; one of %s", strings.Join(set.Names(), ", "))
	case strings.HasPrefix(name, "custom_"):
		// Custom templates are held by the module (abi step 1d) under
		// the version the host asked for (tv).
		tpl = set.Templates[name]
		if tpl == nil || strconv.Itoa(tpl.Version) != q.Get("tv") || tpl.FontTag != q.Get(abi.ParamFontTag) {
			return nil, &Error{NotFound: true, Message: "template not found",
				Fields: []FieldError{{"template", fmt.Sprintf("no custom template %q", truncate(name, 80))}}}
		}
		p.Template, p.TemplateVer, p.TemplateFonts = tpl.Name, tpl.Version, tpl.FontTag
	default:
		tpl = set.Templates[name]
		if tpl == nil {
			e.add("template", "unknown template %q; one of %s", truncate(name, 80), strings.Join(set.Names(), ", "))
		} else {
			p.Template, p.TemplateVer = tpl.Name, tpl.Version
		}
	}

	p.Title = text(e, "title", get("title"), MaxTitle, true)
	p.Description = text(e, "description", get("description"), MaxDescription, false)
	p.Tag = text(e, "tag", get("tag"), MaxTag, false)
	p.Author = text(e, "author", get("author"), MaxAuthor, false)
	if tpl != nil {
		p.Fields = fields(e, tpl, get)
	}
	p.Avatar = imageURL(e, "avatar", get("avatar"))
	p.Logo = imageURL(e, "logo", get("logo"))

	p.Font = set.DefaultFamily
	if f := get("font"); f != "" {
		if fam := FindFamily(set, f); fam != "" {
			p.Font = fam
		} else {
			e.add("font", "unknown font %q; one of %s", truncate(f, 80), strings.Join(set.FamilyNames(), ", "))
		}
	}

	p.Bg, p.Text, p.Accent, p.Surface = DefaultBg, DefaultText, DefaultAccent, DefaultSurface
	if name := get("palette"); name != "" {
		if pal, ok := set.Palettes[name]; ok {
			p.Bg, p.Text, p.Accent, p.Surface = lower(pal.Bg), lower(pal.Text), lower(pal.Accent), lower(pal.Surface)
		} else {
			e.add("palette", "unknown palette %q; one of %s", truncate(name, 80), strings.Join(set.PaletteNames(), ", "))
		}
	}
	color(e, q, get, &p.Bg, "bgColor", "bg")
	color(e, q, get, &p.Text, "textColor", "text")
	color(e, q, get, &p.Accent, "accentColor", "accent")
	color(e, q, get, &p.Surface, "surfaceColor", "")

	format(e, p, get("format"), get("quality"))

	if len(e.Fields) > 0 {
		return nil, e
	}
	return p, nil
}

// format sets p's Format and Quality (ParseFormat).
func format(e *Error, p *Params, f, q string) {
	var fe []FieldError
	p.Format, p.Quality, fe = ParseFormat(f, q)
	for _, x := range fe {
		e.add(x.Field, "%s", x.Message)
	}
}

// ParseFormat validates the format and quality parameters ("" when not
// given): format png (the default), jpeg (alias jpg) or webp; quality 1-100,
// only for jpeg (png and the lossless webp encoder have none), default 85.
func ParseFormat(f, q string) (format string, quality int, errs []FieldError) {
	format = "png"
	switch lf := lower(f); lf {
	case "":
	case "png", "jpeg", "webp":
		format = lf
	case "jpg":
		format = "jpeg"
	default:
		return format, 0, []FieldError{{"format", fmt.Sprintf("unknown format %q; one of %s", truncate(f, 80), strings.Join(Formats, ", "))}}
	}
	if q == "" {
		if format == "jpeg" {
			quality = DefaultQuality
		}
		return format, quality, nil
	}
	if format != "jpeg" {
		return format, 0, []FieldError{{"quality", fmt.Sprintf("only for format=jpeg (%s is lossless)", format)}}
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > 100 {
		return format, 0, []FieldError{{"quality", fmt.Sprintf("must be an integer from 1 to 100, not %q", truncate(q, 20))}}
	}
	return format, n, nil
}

// FindFamily returns the canonical family for a name or alias (any case), or "".
func FindFamily(set *templates.Set, name string) string {
	for _, f := range set.Families {
		if strings.EqualFold(f.Name, name) {
			return f.Name
		}
		for _, a := range f.Aliases {
			if strings.EqualFold(a, name) {
				return f.Name
			}
		}
	}
	return ""
}

func text(e *Error, field, v string, max int, required bool) string {
	if n := utf8.RuneCountInString(v); n > max {
		e.add(field, "%d characters; at most %d", n, max)
		return ""
	}
	clean := textclean.Clean(v)
	if !typeset.Visible(clean) {
		clean = "" // only joiners, selectors and the like: nothing to draw
	}
	if required && clean == "" {
		if v == "" {
			e.add(field, "required; 1-%d characters", max)
		} else {
			e.add(field, "has no visible characters")
		}
	}
	return clean
}

// fields reads the custom fields tpl declares, each from the query
// parameter of its name, with its maxLength and required.
func fields(e *Error, tpl *templates.Template, get func(string) string) map[string]string {
	var out map[string]string
	for _, name := range sortedKeys(tpl.Fields) {
		f := tpl.Fields[name]
		if v := text(e, name, get(name), f.MaxLength, f.Required); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
		}
	}
	return out
}

func imageURL(e *Error, field, v string) string {
	if v == "" {
		return ""
	}
	if len(v) > MaxURL {
		e.add(field, "URL longer than %d bytes", MaxURL)
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		e.add(field, "not a URL")
	case u.Scheme != "https":
		e.add(field, "must be an https:// URL")
	case u.Host == "" || u.Hostname() == "":
		e.add(field, "URL has no host")
	case u.User != nil:
		e.add(field, "URL must not contain user info")
	case len(u.String()) > MaxURL:
		// Parse escapes (a space becomes %20): the canonical form, which the
		// render module parses again, must itself be within the limit.
		e.add(field, "URL longer than %d bytes once escaped", MaxURL)
	default:
		return u.String()
	}
	return ""
}

// color reads a colour parameter (or its alias): 6 hex digits, with or
// without the '#' design tools copy.
func color(e *Error, q url.Values, get func(string) string, dst *string, name, alias string) {
	v := strings.TrimPrefix(get(name), "#")
	if alias != "" {
		a := strings.TrimPrefix(get(alias), "#")
		if _, given := q[alias]; given {
			if _, both := q[name]; both && !strings.EqualFold(v, a) {
				e.add(name, "%s and its alias %s disagree", name, alias)
				return
			}
			v, name = a, alias
		}
	}
	if _, given := q[name]; !given {
		return
	}
	if !templates.IsHexColor(v) {
		e.add(name, "%q: want 6 hex digits, e.g. 6366f1 or #6366f1", truncate(v, 20))
		return
	}
	*dst = lower(v)
}

func lower(s string) string { return strings.ToLower(s) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Canonical is the stable encoding of every render-affecting field, with the
// template and renderer versions: equal strings draw equal pixels.
func (p *Params) Canonical() string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("template", p.Template)
	set("tv", strconv.Itoa(p.TemplateVer))
	set(abi.ParamFontTag, p.TemplateFonts)
	set("rv", strconv.Itoa(RendererVersion))
	set("title", p.Title)
	set("description", p.Description)
	set("tag", p.Tag)
	set("author", p.Author)
	set("avatar", p.Avatar)
	set("logo", p.Logo)
	set("font", p.Font)
	set("bgColor", p.Bg)
	set("textColor", p.Text)
	set("accentColor", p.Accent)
	set("surfaceColor", p.Surface)
	// The default format is left out: PNG cards keep the keys they had.
	if p.Format != "" && p.Format != "png" {
		set("format", p.Format)
	}
	if p.Quality != 0 {
		set("quality", strconv.Itoa(p.Quality))
	}
	var b strings.Builder
	b.WriteString(v.Encode()) // url.Values.Encode sorts by key
	// Custom fields follow, sorted: their names never clash with the above
	// (templates.ReservedNames), and the render module reads them back by name.
	for _, name := range sortedKeys(p.Fields) {
		if val := p.Fields[name]; val != "" {
			b.WriteString("&" + url.QueryEscape(name) + "=" + url.QueryEscape(val))
		}
	}
	return b.String()
}

// SigningCanonical is what a signed V1 URL's s parameter authenticates
// (host/signing): the parameters of Canonical that a URL's author chose,
// without the versions (tv, rv) and the custom template font tag (tf), so
// that a signature survives a template's new version or a renderer
// upgrade; and without the values that are the defaults (the midnight
// colours, the font defaultFont), so that a signer needs no template set
// for them. Custom fields are sorted together with the rest: the whole is
// url.Values.Encode of canonical names and cleaned values.
func (p *Params) SigningCanonical(defaultFont string) string {
	v := url.Values{}
	set := func(k, s, def string) {
		if s != "" && s != def {
			v.Set(k, s)
		}
	}
	set("template", p.Template, "")
	set("title", p.Title, "")
	set("description", p.Description, "")
	set("tag", p.Tag, "")
	set("author", p.Author, "")
	set("avatar", p.Avatar, "")
	set("logo", p.Logo, "")
	set("font", p.Font, defaultFont)
	set("bgColor", p.Bg, DefaultBg)
	set("textColor", p.Text, DefaultText)
	set("accentColor", p.Accent, DefaultAccent)
	set("surfaceColor", p.Surface, DefaultSurface)
	for name, val := range p.Fields {
		set(name, val, "")
	}
	return v.Encode()
}

// Key is the SHA-256 of Canonical.
func (p *Params) Key() [32]byte { return sha256.Sum256([]byte(p.Canonical())) }

// Value returns the text a template placeholder or condition refers to: a
// built-in parameter or a custom field.
func (p *Params) Value(name string) string {
	switch name {
	case "title":
		return p.Title
	case "description":
		return p.Description
	case "tag":
		return p.Tag
	case "author":
		return p.Author
	case "avatar":
		return p.Avatar
	case "logo":
		return p.Logo
	}
	return p.Fields[name]
}

// SortedFields returns the field names of an error, sorted, for messages and tests.
func (e *Error) SortedFields() []string {
	out := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
