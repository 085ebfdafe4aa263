package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/fontcat"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/params"
)

// Fonts an API key uploads for its custom templates (V2, x-api-key):
// POST /api/v2/fonts?family=…&weight=regular|bold with the font file as
// the body, GET /api/v2/fonts, GET and DELETE /api/v2/fonts/{id}.
//
// A custom template's element may name one of its owner's families. The
// module knows such a family by a name unique to its font files ("u:" +
// the regular's id + ":" + the bold's, "-" for a missing one: two keys'
// families of one name never meet inside an instance); before a render,
// the host binds the template to its owner's current fonts, rewrites the
// family names of its JSON to those, and tags the binding (tf in the
// render parameters, so caches and dedup keys follow font changes). The
// module asks for the families it lacks when the template is handed over
// (wasm/abi step 1e); they are packed here from the stored files (WOFF and
// WOFF2 decoded), kept in a cache bounded in bytes.
const (
	routeFonts = "/api/v2/fonts"
	routeFont  = "/api/v2/fonts/{id}"
)

// fontRoute names the font endpoint of path, or "".
func fontRoute(path string) string {
	switch {
	case path == routeFonts:
		return routeFonts
	case strings.HasPrefix(path, routeFonts+"/"):
		return routeFont
	}
	return ""
}

// Font limits.
const (
	// DefaultMaxFontBytes is Options.MaxFontBytes's default and most: the
	// store keeps font files of at most store.MaxFontSize bytes.
	DefaultMaxFontBytes = store.MaxFontSize
	// MaxDecodedFontBytes bounds the TrueType/OpenType font a WOFF or
	// WOFF2 file decodes to: a family (regular and bold) then takes at
	// most 3/4 of the render module's budget of user families
	// (abi.MaxUserFontBytes, 32 MiB).
	MaxDecodedFontBytes = 12 << 20
	// MaxFamilyName is the longest family name, in characters.
	MaxFamilyName = 64
	// DefaultPackedFontBytes bounds the packed families the host keeps.
	DefaultPackedFontBytes = 64 << 20
)

// maxFontBytes is the upload limit in force.
func maxFontBytes(opt Options) int {
	if opt.MaxFontBytes <= 0 || opt.MaxFontBytes > DefaultMaxFontBytes {
		return DefaultMaxFontBytes
	}
	return opt.MaxFontBytes
}

// fontTypes are the Content-Types a font upload may have, with the format
// each promises ("" for any).
var fontTypes = map[string]string{
	"font/ttf": fontcat.FormatTTF, "font/otf": fontcat.FormatOTF, "font/woff": fontcat.FormatWOFF,
	"font/woff2": fontcat.FormatWOFF2, "application/octet-stream": "", "font/sfnt": "",
}

// fontInfo is an uploaded font as the API shows it.
type fontInfo struct {
	ID        string `json:"id"`
	Family    string `json:"family"`
	Weight    string `json:"weight"`
	Format    string `json:"format"`
	Size      int    `json:"size"`
	CreatedAt string `json:"createdAt,omitempty"`
}

func fontInfoOf(f *store.Font) fontInfo {
	in := fontInfo{ID: f.ID, Family: f.Family, Weight: f.Weight, Format: f.Format, Size: f.Size}
	if !f.CreatedAt.IsZero() {
		in.CreatedAt = f.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return in
}

// fontsCollection serves GET and POST /api/v2/fonts.
func (s *Server) fontsCollection(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	opctx, cancel := storeContext()
	defer cancel()
	if string(ctx.Method()) == fasthttp.MethodGet {
		list, err := s.opt.Store.Fonts(opctx, key.ID)
		if err != nil {
			return err
		}
		out := make([]fontInfo, 0, len(list))
		for _, f := range list {
			out = append(out, fontInfoOf(f))
		}
		writeJSON(ctx, map[string]any{"fonts": out})
		return nil
	}
	body := ctx.PostBody()
	if limit := maxFontBytes(s.opt); len(body) > limit {
		return &Error{Status: fasthttp.StatusRequestEntityTooLarge, Message: "font too large",
			Details: []params.FieldError{{Field: "body", Message: strconv.Itoa(len(body)) + " bytes; at most " + strconv.Itoa(limit)}}}
	}
	family, weight, err := s.fontParams(ctx)
	if err != nil {
		return err
	}
	format, err := checkFontFile(string(ctx.Request.Header.ContentType()), body)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		f := &store.Font{ID: store.NewFontID(), KeyID: key.ID, Family: family, Weight: weight, Format: format, Data: bytes.Clone(body)}
		err := s.opt.Store.CreateFont(opctx, f)
		switch {
		case errors.Is(err, store.ErrIDTaken) && try < 8:
			continue
		case errors.Is(err, store.ErrConflict):
			return &Error{Status: fasthttp.StatusConflict, Message: "font exists",
				Details: []params.FieldError{{Field: "family", Message: "this key already has a " + weight + " font of family " +
					strconv.Quote(family) + "; delete it first (DELETE " + routeFonts + "/{id})"}}}
		case err != nil:
			return err
		}
		s.fonts.forget(key.ID)
		ctx.SetStatusCode(fasthttp.StatusCreated)
		ctx.Response.Header.Set("Location", routeFonts+"/"+f.ID)
		writeJSON(ctx, fontInfoOf(f))
		return nil
	}
}

// fontParams validates the family and weight query parameters.
func (s *Server) fontParams(ctx *fasthttp.RequestCtx) (family, weight string, err error) {
	args := ctx.QueryArgs()
	var fields []params.FieldError
	bad := func(field, msg string) { fields = append(fields, params.FieldError{Field: field, Message: msg}) }
	for _, name := range []string{"family", "weight"} {
		v := args.PeekMulti(name)
		switch {
		case len(v) > 1:
			bad(name, "given "+strconv.Itoa(len(v))+" times; give it once")
		case name == "family":
			if len(v) == 1 {
				family = string(v[0])
			}
			if msg := familyProblem(s.opt.Templates, family); msg != "" {
				bad(name, msg)
			}
		case len(v) == 0:
			weight = store.FontRegular
		case !store.ValidFontWeight(string(v[0])):
			bad(name, "want regular or bold (default regular)")
		default:
			weight = string(v[0])
		}
	}
	if fields != nil {
		return "", "", &Error{Status: fasthttp.StatusBadRequest, Message: "invalid parameters", Details: fields}
	}
	return family, weight, nil
}

// familyProblem says what is wrong with an uploaded font's family name, or "".
func familyProblem(set *templates.Set, family string) string {
	n := utf8.RuneCountInString(family)
	switch {
	case family == "":
		return "required: the family name templates use, 1-" + strconv.Itoa(MaxFamilyName) + " characters"
	case !utf8.ValidString(family):
		return "not valid UTF-8"
	case n > MaxFamilyName:
		return strconv.Itoa(n) + " characters; at most " + strconv.Itoa(MaxFamilyName)
	case strings.TrimSpace(family) != family:
		return "starts or ends with white space"
	case strings.IndexFunc(family, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) >= 0:
		return "has a control character"
	case params.FindFamily(set, family) != "":
		return strconv.Quote(family) + " is a built-in family (" + params.FindFamily(set, family) + "); choose another name"
	}
	return ""
}

// checkFontFile checks an uploaded file against its Content-Type, decodes
// it and checks the font, returning its format.
func checkFontFile(contentType string, body []byte) (string, error) {
	mt := ""
	if contentType != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(contentType); err != nil {
			mt = contentType
		}
	}
	want, ok := fontTypes[strings.ToLower(mt)]
	if !ok && mt != "" {
		return "", badRequest("Content-Type", strconv.Quote(contentType)+": want font/ttf, font/otf, font/woff, font/woff2 or application/octet-stream, with the font file as the body")
	}
	if len(body) == 0 {
		return "", badRequest("body", "empty: send the font file as the body")
	}
	sfnt, format, err := fontcat.ToSFNT(body, MaxDecodedFontBytes)
	if errors.Is(err, fontcat.ErrDecodedTooLarge) {
		return "", &Error{Status: fasthttp.StatusRequestEntityTooLarge, Message: "font too large",
			Details: []params.FieldError{{Field: "body", Message: err.Error() + "; at most " + strconv.Itoa(MaxDecodedFontBytes) + " bytes decoded"}}}
	}
	if err != nil {
		return "", badRequest("body", err.Error())
	}
	if want != "" && format != want {
		return "", badRequest("Content-Type", strconv.Quote(contentType)+" but the file is "+strings.ToUpper(format))
	}
	if err := fontcat.CheckTemplateFont(sfnt); err != nil {
		return "", badRequest("body", err.Error())
	}
	return format, nil
}

// fontItem serves GET and DELETE /api/v2/fonts/{id}.
func (s *Server) fontItem(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	id := strings.TrimPrefix(requestPath(ctx), routeFonts+"/")
	notFound := &Error{Status: fasthttp.StatusNotFound, Message: "font not found",
		Details: []params.FieldError{{Field: "id", Message: "no font " + strconv.Quote(printableID(id)) + " for this API key"}}}
	if !store.ValidFontID(id) {
		return notFound
	}
	opctx, cancel := storeContext()
	defer cancel()
	if string(ctx.Method()) == fasthttp.MethodGet {
		list, err := s.opt.Store.Fonts(opctx, key.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(f *store.Font) bool { return f.ID == id })
		if i < 0 {
			return notFound
		}
		writeJSON(ctx, fontInfoOf(list[i]))
		return nil
	}
	err = s.opt.Store.DeleteFont(opctx, key.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	s.fonts.forget(key.ID)
	ctx.SetStatusCode(fasthttp.StatusNoContent)
	return nil
}

// userFonts keeps what the render path needs of uploaded fonts: each
// key's families (re-read at most every ttl, forgotten on this host's
// uploads and deletes) and packed families, within a byte budget.
type userFonts struct {
	store    store.Store
	ttl      time.Duration
	maxBytes int

	mu     sync.Mutex
	lists  map[string]fontList // by key ID
	packed map[string][]byte   // by module family name and key ID
	order  []string            // packed keys, least recently used first
	bytes  int
	now    func() time.Time
}

// fontList is a key's families: family -> font id of each weight ("" none).
type fontList struct {
	families map[string][2]string
	at       time.Time
}

func newUserFonts(st store.Store, ttl time.Duration, maxBytes int) *userFonts {
	if ttl <= 0 {
		ttl = DefaultCustomTTL
	}
	if maxBytes <= 0 {
		maxBytes = DefaultPackedFontBytes
	}
	return &userFonts{store: st, ttl: ttl, maxBytes: maxBytes, lists: map[string]fontList{}, packed: map[string][]byte{}, now: time.Now}
}

// families returns keyID's families.
func (u *userFonts) families(ctx context.Context, keyID string) (map[string][2]string, error) {
	if u.store == nil || keyID == "" {
		return nil, nil
	}
	now := u.now()
	u.mu.Lock()
	l, ok := u.lists[keyID]
	u.mu.Unlock()
	if ok && now.Sub(l.at) < u.ttl {
		return l.families, nil
	}
	list, err := u.store.Fonts(ctx, keyID)
	if err != nil {
		return nil, err
	}
	fams := map[string][2]string{}
	for _, f := range list {
		ids := fams[f.Family]
		ids[b2i(f.Weight == store.FontBold)] = f.ID
		fams[f.Family] = ids
	}
	u.mu.Lock()
	if len(u.lists) > 4096 { // bounded: drop the lot, they are re-read
		clear(u.lists)
	}
	u.lists[keyID] = fontList{fams, now}
	u.mu.Unlock()
	return fams, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// forget drops what is known of keyID's families.
func (u *userFonts) forget(keyID string) {
	u.mu.Lock()
	delete(u.lists, keyID)
	u.mu.Unlock()
}

// moduleFamily is the module's name of a family of font files ids.
func moduleFamily(ids [2]string) string {
	if ids == [2]string{} {
		return ""
	}
	name := abi.UserFamilyPrefix
	for i, id := range ids {
		if i > 0 {
			name += ":"
		}
		name += cmpOr(id, "-")
	}
	return name
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fontIDs parses moduleFamily's name.
func fontIDs(name string) ([2]string, bool) {
	rest, ok := strings.CutPrefix(name, abi.UserFamilyPrefix)
	reg, bold, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || reg == "-" && bold == "-" {
		return [2]string{}, false
	}
	var ids [2]string
	for i, id := range []string{reg, bold} {
		if id == "-" {
			continue
		}
		if !store.ValidFontID(id) {
			return [2]string{}, false
		}
		ids[i] = id
	}
	return ids, true
}

// pack returns family name (moduleFamily) of keyID's fonts packed for
// the module: regular and bold decoded to TrueType/OpenType, a missing
// weight left empty (the module then draws it with the other). Fonts that
// are gone are renderpool.ErrFamilyNotFound.
func (u *userFonts) pack(ctx context.Context, keyID, name string) ([]byte, error) {
	ids, ok := fontIDs(name)
	if !ok || u.store == nil {
		return nil, fmt.Errorf("%w: %s", renderpool.ErrFamilyNotFound, name)
	}
	ck := name + "\x00" + keyID
	u.mu.Lock()
	if b, ok := u.packed[ck]; ok {
		u.touch(ck)
		u.mu.Unlock()
		return b, nil
	}
	u.mu.Unlock()
	var files [2][]byte
	for i, id := range ids {
		if id == "" {
			continue
		}
		f, err := u.store.Font(ctx, keyID, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%w: %s (font %s)", renderpool.ErrFamilyNotFound, name, id)
		}
		if err != nil {
			return nil, err
		}
		if files[i], _, err = fontcat.ToSFNT(f.Data, MaxDecodedFontBytes); err != nil {
			return nil, fmt.Errorf("api: stored font %s no longer decodes: %w", id, err)
		}
	}
	fam := &fonts.Family{Name: name, Regular: files[0], Bold: files[1]}
	if fam.Regular == nil {
		fam.Regular, fam.Bold = fam.Bold, nil
	}
	b := fam.Pack()
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.packed[ck]; !ok && len(b) <= u.maxBytes {
		u.packed[ck] = b
		u.order = append(u.order, ck)
		u.bytes += len(b)
		for u.bytes > u.maxBytes {
			old := u.order[0]
			u.order = u.order[1:]
			u.bytes -= len(u.packed[old])
			delete(u.packed, old)
		}
	}
	return b, nil
}

// touch makes k the most recently used (u.mu held).
func (u *userFonts) touch(k string) {
	if i := slices.Index(u.order, k); i >= 0 {
		u.order = append(slices.Delete(u.order, i, i+1), k)
	}
}

// source is the render pool's FamilySource for keyID's templates.
func (u *userFonts) source(keyID string) renderpool.FamilySource {
	return func(ctx context.Context, name string) ([]byte, error) { return u.pack(ctx, keyID, name) }
}

// uploadedFamilies lists the families t names that are not built-in, in
// order of first use.
func uploadedFamilies(set *templates.Set, t *templates.Template) []string {
	var out []string
	for _, fam := range t.Families() {
		if params.FindFamily(set, fam) == "" && !slices.Contains(out, fam) {
			out = append(out, fam)
		}
	}
	return out
}

// checkFamilies reports, at each element's JSON Pointer (under prefix),
// the families t names that are neither built-in nor one of keyID's
// uploaded families, and uploaded families past abi.MaxTemplateFamilies.
func (s *Server) checkFamilies(ctx context.Context, t *templates.Template, keyID, prefix string) error {
	var uploaded map[string][2]string
	if len(uploadedFamilies(s.opt.Templates, t)) > 0 && keyID != "" {
		var err error
		if uploaded, err = s.fonts.families(ctx, keyID); err != nil {
			return err
		}
	}
	var problems []templateProblem
	var used []string
	check := func(e *templates.Element, at string) {
		fam := e.Family
		if fam == "" || params.FindFamily(s.opt.Templates, fam) != "" {
			return
		}
		if _, ok := uploaded[fam]; !ok {
			msg := "unknown font family " + strconv.Quote(fam) + "; one of " + strings.Join(s.opt.Templates.FamilyNames(), ", ")
			if keyID != "" {
				msg += ", or a family this API key uploaded (POST " + routeFonts + ")"
			}
			problems = append(problems, templateProblem{Field: "template", Pointer: at + "/family", Message: msg})
			return
		}
		if !slices.Contains(used, fam) {
			used = append(used, fam)
			if len(used) > abi.MaxTemplateFamilies {
				problems = append(problems, templateProblem{Field: "template", Pointer: at + "/family",
					Message: "a template may use at most " + strconv.Itoa(abi.MaxTemplateFamilies) + " uploaded font families"})
			}
		}
	}
	for i, e := range t.Elements {
		at := prefix + "/elements/" + strconv.Itoa(i)
		check(e, at)
		for j, c := range e.Children {
			check(c, at+"/children/"+strconv.Itoa(j))
		}
	}
	if problems != nil {
		return &Error{Status: fasthttp.StatusBadRequest, Message: "invalid template", Details: problems}
	}
	return nil
}

// bound is a custom template bound to its owner's fonts: the tag of the
// binding and the JSON the module gets (family names rewritten).
type bound struct {
	tag  string
	json []byte
}

// bindFonts binds custom template ct (its user families, ct.users) to
// its owner's current fonts: each family becomes its module name
// (moduleFamily), or "" (the request's font) when the owner no longer has
// it. The rewritten JSON is kept in ct for the binding's tag. ct itself
// when it names no uploaded family.
func (s *Server) bindFonts(ctx context.Context, ct *customTemplate) (*customTemplate, error) {
	if len(ct.users) == 0 {
		return ct, nil
	}
	fams, err := s.fonts.families(ctx, ct.keyID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ct.users))
	h := sha256.New()
	for _, fam := range ct.users {
		names[fam] = moduleFamily(fams[fam])
		fmt.Fprintf(h, "%q=%q;", fam, names[fam])
	}
	tag := hex.EncodeToString(h.Sum(nil)[:8])
	ct.mu.Lock()
	b := ct.bound
	ct.mu.Unlock()
	if b == nil || b.tag != tag {
		doc, err := rewriteFamilies(ct.json, names)
		if err != nil {
			return nil, err
		}
		b = &bound{tag, doc}
		ct.mu.Lock()
		ct.bound = b
		ct.mu.Unlock()
	}
	t := *ct.t
	t.FontTag = tag
	return &customTemplate{t: &t, json: b.json, keyID: ct.keyID, users: ct.users}, nil
}

// rewriteFamilies returns template JSON doc with each element's family
// (stacks' children included) renamed by names; a family named "" is
// removed. Numbers keep their text.
func rewriteFamilies(doc []byte, names map[string]string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var t map[string]any
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("api: rewriting a stored template: %w", err)
	}
	var walk func(v any)
	walk = func(v any) {
		list, _ := v.([]any)
		for _, item := range list {
			e, ok := item.(map[string]any)
			if !ok {
				continue
			}
			if fam, ok := e["family"].(string); ok {
				if name, ok := names[fam]; ok {
					if name == "" {
						delete(e, "family")
					} else {
						e["family"] = name
					}
				}
			}
			walk(e["children"])
		}
	}
	walk(t["elements"])
	return json.Marshal(t)
}

// prefetch packs the families a bound template names, so the module's
// hand-over (which runs under the render deadline) finds them packed.
// Failures are left for the hand-over to report.
func (s *Server) prefetch(ctx context.Context, ct *customTemplate) {
	if ct == nil || ct.t.FontTag == "" {
		return
	}
	fams, err := s.fonts.families(ctx, ct.keyID)
	if err != nil {
		return
	}
	for _, fam := range ct.users {
		if name := moduleFamily(fams[fam]); name != "" {
			_, _ = s.fonts.pack(ctx, ct.keyID, name)
		}
	}
}
