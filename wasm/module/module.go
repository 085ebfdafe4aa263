// Package module is the render module's logic behind the ABI in wasm/abi:
// request buffer, validation, render, portable PNG encoding and the output
// buffer. wasm/cmd/ogmint-render exports it with //go:wasmexport; native tests
// and benchmarks call the very same methods.
package module

import (
	"encoding/json"
	"errors"
	"image"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/imagedec"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/pngenc"
	"github.com/ogmint/ogmint/wasm/render"
)

// Module holds one instance's state. Not safe for concurrent use.
type Module struct {
	Set      *templates.Set
	renderer *render.Renderer
	request  []byte
	output   []byte
	png      pngenc.Encoder
	rendered bool
	images   [abi.NumSlots][]byte // image files for the next render, by slot
	font     []byte               // a packed font family being handed over
	asked    bool                 // this request already answered StatusNeedFonts
	template []byte               // a custom template being handed over
	pending  heldTemplate         // the custom template the last request lacked
	held     []heldTemplate       // custom templates in Set, most recently used last
	// ImageLimits bound the decoding of avatar and logo files: pixels and
	// bytes (abi.MaxImagePixels, abi.MaxImageDecodeBytes and
	// abi.DirectImageBytes by default).
	ImageLimits imagedec.Limits
}

// DefaultImageLimits are the ABI's image limits.
var DefaultImageLimits = imagedec.Limits{MaxPixels: abi.MaxImagePixels, MaxBytes: abi.MaxImageDecodeBytes, DirectBytes: abi.DirectImageBytes}

// New loads templates and fonts.
func New() (*Module, error) {
	set, err := templates.Load()
	if err != nil {
		return nil, err
	}
	r, err := render.New(set)
	if err != nil {
		return nil, err
	}
	return &Module{Set: set, renderer: r, request: make([]byte, 0, 4096), ImageLimits: DefaultImageLimits}, nil
}

// Request returns a buffer of n bytes for the next request, or nil when n
// exceeds abi.MaxRequest.
func (m *Module) Request(n int) []byte {
	if n < 0 || n > abi.MaxRequest {
		return nil
	}
	if cap(m.request) < n {
		m.request = make([]byte, n)
	}
	m.request = m.request[:n]
	for i := range m.images {
		m.images[i] = m.images[i][:0]
	}
	m.asked = false
	return m.request
}

// Font returns a buffer of n bytes for a packed font family
// (fonts.Family.Pack), or nil beyond abi.MaxFontBytes. FontAdd takes it.
func (m *Module) Font(n int) []byte {
	if n <= 0 || n > abi.MaxFontBytes {
		return nil
	}
	// Each family keeps its own bytes: the typesetter holds on to them.
	m.font = make([]byte, n)
	return m.font
}

// FontAdd adds the family written into the Font buffer (its first n bytes).
func (m *Module) FontAdd(n int) abi.Status {
	if m.font == nil || n != len(m.font) {
		m.fail(abi.StatusInvalid, "font: call ogmint_font first, with the same length", nil)
		return abi.StatusInvalid
	}
	b := m.font
	m.font = nil
	if err := m.renderer.AddFamily(b); err != nil {
		m.fail(abi.StatusInvalid, err.Error(), nil)
		return abi.StatusInvalid
	}
	m.output = m.output[:0]
	return abi.StatusOK
}

// Image returns a buffer of n bytes for the image file of slot (abi.SlotAvatar,
// abi.SlotLogo) for the next render, or nil for a bad slot or n beyond
// abi.MaxImageBytes. Request empties every slot.
func (m *Module) Image(slot, n int) []byte {
	if slot < 0 || slot >= abi.NumSlots || n < 0 || n > abi.MaxImageBytes {
		return nil
	}
	if cap(m.images[slot]) < n {
		m.images[slot] = make([]byte, n)
	}
	m.images[slot] = m.images[slot][:n]
	return m.images[slot]
}

// heldTemplate names a custom template at a version.
type heldTemplate struct {
	name    string
	version int
}

// Template returns a buffer of n bytes for a custom template's JSON, or nil
// beyond abi.MaxTemplateBytes. TemplateAdd takes it.
func (m *Module) Template(n int) []byte {
	if n <= 0 || n > abi.MaxTemplateBytes {
		return nil
	}
	if cap(m.template) < n {
		m.template = make([]byte, n)
	}
	m.template = m.template[:n]
	return m.template
}

// TemplateAdd parses the template written into the Template buffer (its
// first n bytes) as the custom template the last request lacked, with that
// request's name and version, and keeps it (evicting the least recently
// used beyond abi.MaxHeldTemplates).
func (m *Module) TemplateAdd(n int) abi.Status {
	if n <= 0 || n != len(m.template) {
		m.fail(abi.StatusInvalid, "template: call ogmint_template first, with the same length", nil)
		return abi.StatusInvalid
	}
	if m.pending.name == "" {
		m.fail(abi.StatusInvalid, "template: no request is waiting for a template", nil)
		return abi.StatusInvalid
	}
	t, err := templates.ParseWith(m.template, templates.Options{Custom: true, Limits: templates.Limits{MaxBytes: abi.MaxTemplateBytes}})
	m.template = m.template[:0]
	if err != nil {
		m.output = append(m.output[:0], TemplateErrorJSON(err)...)
		return abi.StatusInvalid
	}
	for _, fam := range t.Families() {
		if params.FindFamily(m.Set, fam) == "" {
			m.fail(abi.StatusInvalid, "invalid template", []params.FieldError{{Field: "template", Message: "unknown font family " + strconv.Quote(fam)}})
			return abi.StatusInvalid
		}
	}
	t.Name, t.Version = m.pending.name, m.pending.version
	m.hold(t)
	m.pending = heldTemplate{}
	m.output = m.output[:0]
	return abi.StatusOK
}

// TemplateProblem is one problem of an invalid template in an error body,
// at its JSON Pointer (RFC 6901) into the template.
type TemplateProblem struct {
	Field   string `json:"field"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// TemplateErrorJSON is the error body for a template that does not
// validate: {"error":"invalid template","details":[{"field":"template",
// "pointer":…,"message":…}]}, one entry per problem.
func TemplateErrorJSON(err error) []byte {
	var problems []TemplateProblem
	var ve *templates.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			problems = append(problems, TemplateProblem{Field: "template", Pointer: p.Pointer, Message: p.Message})
		}
	} else {
		problems = append(problems, TemplateProblem{Field: "template", Message: err.Error()})
	}
	b, _ := json.Marshal(struct {
		Error   string            `json:"error"`
		Details []TemplateProblem `json:"details"`
	}{"invalid template", problems})
	return b
}

// hold puts custom template t in the set, replacing an older version and
// evicting the least recently used beyond abi.MaxHeldTemplates.
func (m *Module) hold(t *templates.Template) {
	m.held = slices.DeleteFunc(m.held, func(h heldTemplate) bool { return h.name == t.Name })
	m.held = append(m.held, heldTemplate{t.Name, t.Version})
	m.Set.Templates[t.Name] = t
	for len(m.held) > abi.MaxHeldTemplates {
		delete(m.Set.Templates, m.held[0].name)
		m.held = slices.Delete(m.held, 0, 1)
	}
}

// needsTemplate reports whether q names a custom template (at version tv)
// that the instance does not hold; then the output holds the name and the
// request is remembered for TemplateAdd. A held one becomes the most
// recently used.
func (m *Module) needsTemplate(q url.Values) bool {
	name := q.Get("template")
	if !strings.HasPrefix(name, "custom_") || len(name) > 64 {
		return false
	}
	version, err := strconv.Atoi(q.Get("tv"))
	if err != nil || version < 1 {
		return false // params answers: not found
	}
	i := slices.Index(m.held, heldTemplate{name, version})
	if i >= 0 {
		h := m.held[i]
		m.held = append(slices.Delete(m.held, i, i+1), h)
		return false
	}
	m.pending = heldTemplate{name, version}
	m.output = append(m.output[:0], name...)
	return true
}

// Output is the output buffer of the last call.
func (m *Module) Output() []byte { return m.output }

// Pixels is the frame (FrameSize()'s w*h*4 bytes, RGBA).
func (m *Module) Pixels() []byte { return m.renderer.Frame().Pix }

// FrameSize is the size of the frame the last render drew.
func (m *Module) FrameSize() (w, h int) {
	f := m.renderer.Frame()
	return f.W, f.H
}

func (m *Module) parse(n int) (*params.Params, abi.Status) {
	m.rendered = false
	if n < 0 || n > len(m.request) {
		m.fail(abi.StatusTooLarge, "request too large", nil)
		return nil, abi.StatusTooLarge
	}
	q, err := url.ParseQuery(string(m.request[:n]))
	if err != nil {
		m.fail(abi.StatusInvalid, "invalid parameters", []params.FieldError{{Field: "query", Message: "not a valid query string"}})
		return nil, abi.StatusInvalid
	}
	debugHook(q)
	if m.needsTemplate(q) {
		return nil, abi.StatusNeedTemplate
	}
	p, perr := params.Parse(q, m.Set)
	if perr != nil {
		st := abi.StatusInvalid
		if perr.NotFound {
			st = abi.StatusNotFound
		}
		m.fail(st, perr.Message, perr.Fields)
		return nil, st
	}
	return p, abi.StatusOK
}

// Validate parses the first n request bytes; on success the output holds the
// canonical query string.
func (m *Module) Validate(n int) abi.Status {
	p, st := m.parse(n)
	if st == abi.StatusOK {
		m.output = append(m.output[:0], p.Canonical()...)
	}
	return st
}

// Render parses the first n request bytes and draws the card into Pixels.
func (m *Module) Render(n int) abi.Status {
	p, st := m.parse(n)
	if st != abi.StatusOK {
		return st
	}
	images, fields := m.decodeImages(p)
	if fields != nil {
		m.fail(abi.StatusInvalid, "invalid parameters", fields)
		return abi.StatusInvalid
	}
	if _, err := m.renderer.RenderImages(p, images); err != nil {
		m.fail(abi.StatusInternal, err.Error(), nil)
		return abi.StatusInternal
	}
	if missing := m.renderer.Missing(); len(missing) > 0 && !m.asked {
		// Ask the host once per request for the families that draw these.
		m.asked = true
		m.output = m.output[:0]
		for _, r := range missing {
			m.output = utf8.AppendRune(m.output, r)
		}
		return abi.StatusNeedFonts
	}
	m.output = m.output[:0]
	m.rendered = true
	return abi.StatusOK
}

// decodeImages decodes the image files the host put in the slots of the
// images p names (a named image with an empty slot is left out: the host did
// not fetch it), one after the other, each within ImageLimits and reduced to
// what the template draws (see package imagedec). Files that are not PNG,
// JPEG or GIF, or are past the limits, are field errors.
func (m *Module) decodeImages(p *params.Params) (map[string]image.Image, []params.FieldError) {
	var images map[string]image.Image
	var fields []params.FieldError
	t := m.Set.Templates[p.Template]
	for _, im := range []struct {
		name string
		url  string
		slot int
	}{{"avatar", p.Avatar, abi.SlotAvatar}, {"logo", p.Logo, abi.SlotLogo}} {
		b := m.images[im.slot]
		if im.url == "" || len(b) == 0 || t == nil {
			continue
		}
		img, err := imagedec.Decode(b, m.ImageLimits, func(size image.Point) []imagedec.Draw {
			return render.ImageDraws(t, im.name, size)
		})
		if err != nil {
			fields = append(fields, params.FieldError{Field: im.name, Message: err.Error()})
			continue
		}
		if images == nil {
			images = map[string]image.Image{}
		}
		images[im.name] = img
	}
	return images, fields
}

// EncodePNG encodes the last rendered frame into the output buffer with
// the project's PNG encoder (wasm/pngenc; the host runs the same code).
func (m *Module) EncodePNG() abi.Status {
	if !m.rendered {
		m.fail(abi.StatusInternal, "encode before a successful render", nil)
		return abi.StatusInternal
	}
	w, h := m.FrameSize()
	out, err := m.png.Encode(m.output[:0], m.Pixels(), w, h)
	if err != nil {
		m.fail(abi.StatusInternal, err.Error(), nil)
		return abi.StatusInternal
	}
	m.output = out
	return abi.StatusOK
}

// Info puts a JSON description of templates, palettes and fonts in the output.
func (m *Module) Info() abi.Status {
	b, err := json.Marshal(Describe(m.Set))
	if err != nil {
		m.fail(abi.StatusInternal, err.Error(), nil)
		return abi.StatusInternal
	}
	m.output = b
	return abi.StatusOK
}

// ErrorBody is the JSON error shape of the product contract.
type ErrorBody struct {
	Error   string              `json:"error"`
	Details []params.FieldError `json:"details,omitempty"`
}

func (m *Module) fail(_ abi.Status, msg string, fields []params.FieldError) {
	b, _ := json.Marshal(ErrorBody{Error: msg, Details: fields})
	m.output = append(m.output[:0], b...)
}

// TemplateInfo describes one template for /api/templates.
type TemplateInfo struct {
	Name        string   `json:"name"`
	Version     int      `json:"version"`
	Description string   `json:"description"`
	Params      []string `json:"params"`
}

// Info is the JSON document ogmint_info and GET /api/templates return.
type Info struct {
	Templates []TemplateInfo               `json:"templates"`
	Palettes  map[string]templates.Palette `json:"palettes"`
	Fonts     []string                     `json:"fonts"`
	Defaults  map[string]string            `json:"defaults"`
}

// Describe lists the set's templates, palettes and fonts.
func Describe(set *templates.Set) Info {
	info := Info{Palettes: set.Palettes, Fonts: set.FamilyNames(), Defaults: map[string]string{
		"font": set.DefaultFamily, "bgColor": params.DefaultBg, "textColor": params.DefaultText,
		"accentColor": params.DefaultAccent, "surfaceColor": params.DefaultSurface,
	}}
	for _, name := range set.Names() {
		t := set.Templates[name]
		info.Templates = append(info.Templates, TemplateInfo{Name: t.Name, Version: t.Version, Description: t.Description, Params: t.Params})
	}
	return info
}

// RenderWithFonts renders as a host does: when the module asks for fonts,
// it hands over the catalogue's families that own the runes and renders
// again (for native tests, benchmarks and the CLI).
func (m *Module) RenderWithFonts(n int, cat *fonts.Catalog) abi.Status {
	st := m.Render(n)
	if st != abi.StatusNeedFonts {
		return st
	}
	for _, i := range cat.Needed([]rune(string(m.Output()))) {
		b := cat.Packed(i)
		copy(m.Font(len(b)), b)
		if st := m.FontAdd(len(b)); st != abi.StatusOK {
			return st
		}
	}
	return m.Render(n)
}
