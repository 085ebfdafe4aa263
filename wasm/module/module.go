// Package module is the render module's logic behind the ABI in wasm/abi:
// request buffer, validation, render, portable PNG encoding and the output
// buffer. wasm/cmd/ogmint-render exports it with //go:wasmexport; native tests
// and benchmarks call the very same methods.
package module

import (
	"encoding/json"
	"errors"
	"fmt"
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
	// users are the user font families held (abi step 1e), least recently
	// used first, of userBytes packed bytes in all; wanted are those of the
	// template the last StatusNeedFamilies was about (never evicted while
	// it waits for the rest).
	users     []userFamily
	userBytes int
	wanted    []string
	// ImageLimits bound the decoding of avatar and logo files: pixels and
	// bytes (abi.MaxImagePixels, abi.MaxImageDecodeBytes and
	// abi.DirectImageBytes by default).
	ImageLimits imagedec.Limits
	// MaxUserFontBytes bounds the user font families kept, in packed bytes
	// (abi.MaxUserFontBytes by default).
	MaxUserFontBytes int
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
	return &Module{Set: set, renderer: r, request: make([]byte, 0, 4096), ImageLimits: DefaultImageLimits,
		MaxUserFontBytes: abi.MaxUserFontBytes}, nil
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

// FontAdd adds the family written into the Font buffer (its first n
// bytes): a fallback family, or a user family when its name starts with
// abi.UserFamilyPrefix (abi step 1e).
func (m *Module) FontAdd(n int) abi.Status {
	if m.font == nil || n != len(m.font) {
		m.fail(abi.StatusInvalid, "font: call ogmint_font first, with the same length", nil)
		return abi.StatusInvalid
	}
	b := m.font
	m.font = nil
	fam, err := fonts.Unpack(b)
	if err == nil && strings.HasPrefix(fam.Name, abi.UserFamilyPrefix) {
		err = m.addUser(fam, len(b))
	} else if err == nil {
		err = m.renderer.AddFamily(b)
	}
	if err != nil {
		m.fail(abi.StatusInvalid, err.Error(), nil)
		return abi.StatusInvalid
	}
	m.output = m.output[:0]
	return abi.StatusOK
}

// userFamily is a user font family the instance holds.
type userFamily struct {
	name  string
	bytes int // packed
}

// userIndex is the index of user family name in m.users, or -1.
func (m *Module) userIndex(name string) int {
	return slices.IndexFunc(m.users, func(u userFamily) bool { return u.name == name })
}

// addUser adds a user family (n bytes packed), evicting the least
// recently used ones first so that all fit in MaxUserFontBytes (the
// memory they free serves the new family's parsing).
func (m *Module) addUser(fam *fonts.Family, n int) error {
	if m.userIndex(fam.Name) >= 0 {
		m.touchUsers([]string{fam.Name})
		return nil
	}
	m.evictUsers(m.MaxUserFontBytes - n)
	if err := m.renderer.AddUserFamily(fam.Name, fam.Regular, fam.Bold); err != nil {
		return err
	}
	m.users = append(m.users, userFamily{fam.Name, n})
	m.userBytes += n
	return nil
}

// touchUsers makes the user families names the most recently used.
func (m *Module) touchUsers(names []string) {
	for _, name := range names {
		if i := m.userIndex(name); i >= 0 {
			u := m.users[i]
			m.users = append(slices.Delete(m.users, i, i+1), u)
		}
	}
}

// evictUsers drops the least recently used user families until they take
// at most budget bytes, sparing the waiting template's (m.wanted); a held
// template naming an evicted family is dropped with it, so a held
// template always has its families.
func (m *Module) evictUsers(budget int) {
	for i := 0; m.userBytes > budget && i < len(m.users); {
		u := m.users[i]
		if slices.Contains(m.wanted, u.name) {
			i++
			continue
		}
		m.renderer.RemoveFamily(u.name)
		m.userBytes -= u.bytes
		m.users = slices.Delete(m.users, i, i+1)
		m.held = slices.DeleteFunc(m.held, func(h heldTemplate) bool {
			if slices.Contains(h.families, u.name) {
				delete(m.Set.Templates, h.name)
				return true
			}
			return false
		})
	}
}

// UserFamilies lists the user font families held, least recently used
// first, and their packed bytes in all (tests, stats).
func (m *Module) UserFamilies() ([]string, int) {
	out := make([]string, len(m.users))
	for i, u := range m.users {
		out[i] = u.name
	}
	return out, m.userBytes
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

// heldTemplate names a custom template at a version and font tag
// (abi.ParamFontTag), with the user font families it names.
type heldTemplate struct {
	name     string
	version  int
	tag      string
	families []string
}

// same reports whether h is the template name at version and tag.
func (h heldTemplate) same(name string, version int, tag string) bool {
	return h.name == name && h.version == version && h.tag == tag
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
// request's name, version and font tag, and keeps it (evicting the least
// recently used beyond abi.MaxHeldTemplates). A template naming user font
// families the instance lacks answers abi.StatusNeedFamilies with their
// names, one a line, and keeps the buffer for the next call (abi step 1e).
// A built-in family's alias becomes its name.
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
	if err != nil {
		m.template = m.template[:0]
		m.output = append(m.output[:0], TemplateErrorJSON(err)...)
		return abi.StatusInvalid
	}
	var users, missing []string
	var unknown string
	eachElement(t.Elements, func(e *templates.Element) {
		switch {
		case e.Family == "":
		case params.FindFamily(m.Set, e.Family) != "":
			e.Family = params.FindFamily(m.Set, e.Family)
		case strings.HasPrefix(e.Family, abi.UserFamilyPrefix):
			if !slices.Contains(users, e.Family) {
				users = append(users, e.Family)
				if m.userIndex(e.Family) < 0 {
					missing = append(missing, e.Family)
				}
			}
		case unknown == "":
			unknown = e.Family
		}
	})
	switch {
	case unknown != "":
		m.template = m.template[:0]
		m.fail(abi.StatusInvalid, "invalid template", []params.FieldError{{Field: "template", Message: "unknown font family " + strconv.Quote(unknown)}})
		return abi.StatusInvalid
	case len(users) > 0 && m.pending.tag == "":
		// Only a host that bound the template to its owner's fonts names
		// them: a template from anywhere else never reaches a family
		// another template's owner uploaded.
		m.template = m.template[:0]
		m.fail(abi.StatusInvalid, "invalid template", []params.FieldError{{Field: "template",
			Message: "font family " + strconv.Quote(users[0]) + " without a font tag (" + abi.ParamFontTag + ")"}})
		return abi.StatusInvalid
	case len(users) > abi.MaxTemplateFamilies:
		m.template = m.template[:0]
		m.fail(abi.StatusInvalid, "invalid template", []params.FieldError{{Field: "template",
			Message: fmt.Sprintf("%d uploaded font families; at most %d", len(users), abi.MaxTemplateFamilies)}})
		return abi.StatusInvalid
	case len(missing) > 0:
		m.wanted = users // those held too: none leaves while the rest arrive
		m.output = append(m.output[:0], strings.Join(missing, "\n")...)
		return abi.StatusNeedFamilies
	}
	m.template = m.template[:0]
	m.wanted = nil
	m.touchUsers(users)
	t.Name, t.Version, t.FontTag = m.pending.name, m.pending.version, m.pending.tag
	m.hold(t, users)
	m.pending = heldTemplate{}
	m.output = m.output[:0]
	return abi.StatusOK
}

// eachElement calls fn for every element, stacks' children included.
func eachElement(es []*templates.Element, fn func(*templates.Element)) {
	for _, e := range es {
		fn(e)
		eachElement(e.Children, fn)
	}
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

// hold puts custom template t, naming user families users, in the set,
// replacing an older version and evicting the least recently used beyond
// abi.MaxHeldTemplates.
func (m *Module) hold(t *templates.Template, users []string) {
	m.held = slices.DeleteFunc(m.held, func(h heldTemplate) bool { return h.name == t.Name })
	m.held = append(m.held, heldTemplate{t.Name, t.Version, t.FontTag, users})
	m.Set.Templates[t.Name] = t
	for len(m.held) > abi.MaxHeldTemplates {
		delete(m.Set.Templates, m.held[0].name)
		m.held = slices.Delete(m.held, 0, 1)
	}
}

// needsTemplate reports whether q names a custom template (at version tv
// and font tag tf) that the instance does not hold; then the output holds
// the name and the request is remembered for TemplateAdd. A held one, and
// its user font families, become the most recently used.
func (m *Module) needsTemplate(q url.Values) bool {
	name := q.Get("template")
	if !strings.HasPrefix(name, "custom_") || len(name) > 64 {
		return false
	}
	version, err := strconv.Atoi(q.Get("tv"))
	if err != nil || version < 1 {
		return false // params answers: not found
	}
	tag := q.Get(abi.ParamFontTag)
	i := slices.IndexFunc(m.held, func(h heldTemplate) bool { return h.same(name, version, tag) })
	if i >= 0 {
		h := m.held[i]
		m.held = append(slices.Delete(m.held, i, i+1), h)
		m.touchUsers(h.families)
		return false
	}
	m.pending = heldTemplate{name: name, version: version, tag: tag}
	m.wanted = nil
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
