package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/apikeys"
	"github.com/ogmint/ogmint/host/imgformat"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/params"
)

// The custom template API (V2, x-api-key): create, list, read, update (a
// new version), delete, and preview without storing.
const (
	routeTemplates       = "/api/v2/templates"
	routeTemplate        = "/api/v2/templates/{id}"
	routeTemplatePreview = "/api/v2/templates/preview"
)

// customPrefix starts every custom template id.
const customPrefix = "custom_"

// templateRoute names the template endpoint of path, or "".
func templateRoute(path string) string {
	switch {
	case path == routeTemplates:
		return routeTemplates
	case path == routeTemplatePreview:
		return routeTemplatePreview
	case strings.HasPrefix(path, routeTemplates+"/"):
		return routeTemplate
	}
	return ""
}

// templateProblem is one validation problem of a template, at its JSON Pointer.
type templateProblem struct {
	Field   string `json:"field"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// invalidTemplate is the 400 for a template that does not validate: every
// problem, each with its JSON Pointer (under prefix, the template's place
// in the body).
func invalidTemplate(err error, prefix string) *Error {
	var problems []templateProblem
	var ve *templates.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			problems = append(problems, templateProblem{Field: "template", Pointer: prefix + p.Pointer, Message: p.Message})
		}
	} else {
		problems = append(problems, templateProblem{Field: "template", Pointer: prefix, Message: err.Error()})
	}
	return &Error{Status: fasthttp.StatusBadRequest, Message: "invalid template", Details: problems}
}

// parseTemplate validates a user's template JSON, fonts included: a
// family is built-in or one keyID uploaded (checkFamilies).
func (s *Server) parseTemplate(ctx context.Context, doc []byte, prefix, keyID string) (*templates.Template, error) {
	if len(doc) > s.opt.MaxTemplateBytes {
		return nil, &Error{Status: fasthttp.StatusRequestEntityTooLarge, Message: "template too large",
			Details: []params.FieldError{{Field: "template", Message: "at most " + strconv.Itoa(s.opt.MaxTemplateBytes) + " bytes"}}}
	}
	lim := s.opt.TemplateLimits
	lim.MaxBytes = s.opt.MaxTemplateBytes
	t, err := templates.ParseWith(doc, templates.Options{Custom: true, Limits: lim})
	if err != nil {
		return nil, invalidTemplate(err, prefix)
	}
	if err := s.checkFamilies(ctx, t, keyID, prefix); err != nil {
		return nil, err
	}
	return t, nil
}

// templateInfo is a custom template as the API shows it.
type templateInfo struct {
	ID        string          `json:"id"`
	Version   int             `json:"version"`
	Name      string          `json:"name,omitempty"`
	Params    []string        `json:"params"`
	CreatedAt string          `json:"createdAt,omitempty"`
	Template  json.RawMessage `json:"template,omitempty"`
}

func infoOf(st *store.Template, t *templates.Template, withJSON bool) templateInfo {
	in := templateInfo{ID: st.ID, Version: st.Version, Name: st.Name, Params: []string{}}
	if t != nil && t.Params != nil {
		in.Params = t.Params
	}
	if !st.CreatedAt.IsZero() {
		in.CreatedAt = st.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	if withJSON {
		in.Template = st.JSON
	}
	return in
}

// templatesCollection serves GET and POST /api/v2/templates.
func (s *Server) templatesCollection(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	opctx, cancel := storeContext()
	defer cancel()
	if string(ctx.Method()) == fasthttp.MethodGet {
		list, err := s.opt.Store.Templates(opctx, key.ID)
		if err != nil {
			return err
		}
		out := make([]templateInfo, 0, len(list))
		for _, st := range list {
			// The listing carries no JSON: the parameters come from the
			// parsed version the render path caches (read once per version).
			var t *templates.Template
			if ct, err := s.customs.version(opctx, st.ID, st.Version); err == nil {
				t = ct.t
			}
			out = append(out, infoOf(st, t, false))
		}
		writeJSON(ctx, map[string]any{"templates": out})
		return nil
	}
	body := ctx.PostBody()
	t, err := s.parseTemplate(opctx, body, "", key.ID)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		st := &store.Template{ID: store.NewTemplateID(), Version: 1, KeyID: key.ID, Name: t.Name, JSON: bytes.Clone(body)}
		err := s.opt.Store.CreateTemplate(opctx, st)
		if errors.Is(err, store.ErrIDTaken) && try < 8 {
			continue
		}
		if err != nil {
			return err
		}
		ctx.SetStatusCode(fasthttp.StatusCreated)
		ctx.Response.Header.Set("Location", routeTemplates+"/"+st.ID)
		ctx.Response.Header.Set("ETag", versionETag(st.Version))
		writeJSON(ctx, infoOf(st, t, false))
		return nil
	}
}

// versionETag is a template version's ETag, for If-Match on PUT.
func versionETag(v int) string { return `"` + strconv.Itoa(v) + `"` }

// templateItem serves GET, PUT and DELETE /api/v2/templates/{id}.
func (s *Server) templateItem(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	id := strings.TrimPrefix(requestPath(ctx), routeTemplates+"/")
	notFound := &Error{Status: fasthttp.StatusNotFound, Message: "template not found",
		Details: []params.FieldError{{Field: "id", Message: "no template " + strconv.Quote(printableID(id)) + " for this API key"}}}
	if !store.ValidTemplateID(id) {
		return notFound
	}
	opctx, cancel := storeContext()
	defer cancel()
	switch string(ctx.Method()) {
	case fasthttp.MethodGet:
		st, err := s.opt.Store.Template(opctx, id, 0)
		if errors.Is(err, store.ErrNotFound) || err == nil && (st.KeyID != key.ID || !st.DeletedAt.IsZero()) {
			return notFound
		}
		if err != nil {
			return err
		}
		t, _ := parseStored(st.JSON)
		ctx.Response.Header.Set("ETag", versionETag(st.Version))
		writeJSON(ctx, infoOf(st, t, true))
		return nil
	case fasthttp.MethodPut:
		body := ctx.PostBody()
		t, err := s.parseTemplate(opctx, body, "", key.ID)
		if err != nil {
			return err
		}
		ifVersion := 0
		if m := strings.TrimSpace(string(ctx.Request.Header.Peek("If-Match"))); m != "" && m != "*" {
			v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(m, "W/"), `"`))
			if err != nil || v < 1 {
				return badRequest("If-Match", `want the template's ETag, e.g. "3"`)
			}
			ifVersion = v
		}
		v, err := s.opt.Store.UpdateTemplate(opctx, key.ID, id, ifVersion, bytes.Clone(body), t.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return notFound
		case errors.Is(err, store.ErrConflict):
			return &Error{Status: fasthttp.StatusConflict, Message: "version conflict",
				Details: []params.FieldError{{Field: "If-Match", Message: "the template has a newer version than " + strconv.Itoa(ifVersion) + "; read it again"}}}
		case err != nil:
			return err
		}
		s.customs.forget(id)
		ctx.Response.Header.Set("ETag", versionETag(v))
		writeJSON(ctx, infoOf(&store.Template{ID: id, Version: v, Name: t.Name}, t, false))
		return nil
	default: // DELETE
		err := s.opt.Store.DeleteTemplate(opctx, key.ID, id, time.Now())
		if errors.Is(err, store.ErrNotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		s.customs.forget(id)
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return nil
	}
}

// printableID clips an id for an error message.
func printableID(id string) string {
	if len(id) > 40 {
		id = id[:40] + "…"
	}
	return strings.ToValidUTF8(id, "?")
}

// previewRequest is the body of POST /api/v2/templates/preview.
type previewRequest struct {
	Template json.RawMessage   `json:"template"`
	Params   map[string]string `json:"params"`
}

// templatePreview serves POST /api/v2/templates/preview: a template and
// parameters in, a PNG out; nothing is stored or cached.
func (s *Server) templatePreview(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	// A preview is a render: it counts against the key's render limit.
	if allowed, wait := s.opt.KeyRateLimit.Allow(key.ID); !allowed {
		return &Error{Status: fasthttp.StatusTooManyRequests, Message: "rate limit exceeded", RetryAfter: int(wait/time.Second) + 1}
	}
	var req previewRequest
	dec := json.NewDecoder(bytes.NewReader(ctx.PostBody()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return badRequest("body", "want {\"template\": {…}, \"params\": {\"title\": \"…\"}}: "+jsonError(err))
	}
	if len(req.Template) == 0 {
		return badRequest("template", "required")
	}
	opctx, cancel := storeContext()
	defer cancel()
	t, err := s.parseTemplate(opctx, req.Template, "/template", key.ID)
	if err != nil {
		return err
	}
	// A name of its content: one instance never mixes up two previews.
	sum := sha256.Sum256(req.Template)
	t.Name, t.Version = customPrefix+"p"+hex.EncodeToString(sum[:8]), 1
	ct, err := s.bindFonts(opctx, &customTemplate{t: t, json: req.Template, keyID: key.ID, users: uploadedFamilies(s.opt.Templates, t)})
	if err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range req.Params {
		q.Set(k, v)
	}
	q.Set("template", t.Name)
	q.Set("tv", "1")
	q.Del(abi.ParamFontTag)
	if ct.t.FontTag != "" {
		q.Set(abi.ParamFontTag, ct.t.FontTag)
	}
	p, perr := params.Parse(q, s.setWith(ct.t))
	if perr != nil {
		return fromParams(perr)
	}
	images, err := s.fetchImages(opctx, p)
	if err != nil {
		return err
	}
	png, err := s.renderImage(s.withCustom(opctx, ct), "preview", p.Canonical(), p.Format, p.Quality, images)
	if err != nil {
		return err
	}
	ctx.SetContentType(imgformat.ContentType(p.Format))
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.Response.SetBodyRaw(png)
	return nil
}

// setWith is the server's template set with custom template t added (a
// shallow copy: the built-ins are shared).
func (s *Server) setWith(t *templates.Template) *templates.Set {
	set := *s.opt.Templates
	set.Templates = maps.Clone(s.opt.Templates.Templates)
	set.Templates[t.Name] = t
	return &set
}

// parseParams is params.Parse for V1 and V2 requests, custom templates
// included: a custom template's latest version is looked up (its owner
// must be key for V2; nil key, V1: anyone with the id) and becomes part of
// the parameters (tv), so caches and dedup keys follow versions. ct is the
// custom template, for the render (withCustom), or nil.
func (s *Server) parseParams(q url.Values, key *apikeys.Key) (p *params.Params, ct *customTemplate, err error) {
	name := q.Get("template")
	q.Del(abi.ParamFontTag) // ours to set
	if !strings.HasPrefix(name, customPrefix) || len(q["template"]) != 1 {
		p, perr := params.Parse(q, s.opt.Templates)
		if perr != nil {
			return nil, nil, fromParams(perr)
		}
		return p, nil, nil
	}
	notFound := &Error{Status: fasthttp.StatusNotFound, Message: "template not found",
		Details: []params.FieldError{{Field: "template", Message: "no custom template " + strconv.Quote(printableID(name))}}}
	if ft := s.opt.FileTemplates[name]; ft != nil {
		ct = &customTemplate{t: ft.Template, json: ft.JSON}
		q.Set("tv", strconv.Itoa(ft.Version))
		p, perr := params.Parse(q, s.setWith(ct.t))
		if perr != nil {
			return nil, nil, fromParams(perr)
		}
		return p, ct, nil
	}
	if !store.ValidTemplateID(name) {
		return nil, nil, notFound
	}
	opctx, cancel := storeContext()
	defer cancel()
	ct, err = s.customs.resolve(opctx, name)
	if errors.Is(err, errNoCustom) || err == nil && key != nil && ct.keyID != key.ID {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	if ct, err = s.bindFonts(opctx, ct); err != nil {
		return nil, nil, err
	}
	q.Set("tv", strconv.Itoa(ct.t.Version))
	if ct.t.FontTag != "" {
		q.Set(abi.ParamFontTag, ct.t.FontTag)
	}
	p, perr := params.Parse(q, s.setWith(ct.t))
	if perr != nil {
		return nil, nil, fromParams(perr)
	}
	return p, ct, nil
}

// withCustom returns ctx carrying custom template ct for the render pool
// (ctx itself when ct is nil) and, for a template bound to its owner's
// fonts, their source, with the families packed ahead (prefetch).
func (s *Server) withCustom(ctx context.Context, ct *customTemplate) context.Context {
	if ct == nil {
		return ctx
	}
	ctx = renderpool.WithTemplate(ctx, ct.t.Name, ct.t.Version, ct.json)
	if ct.t.FontTag != "" {
		s.prefetch(ctx, ct)
		ctx = renderpool.WithFamilies(ctx, s.fonts.source(ct.keyID))
	}
	return ctx
}

// DefaultMaxTemplateBytes is Options.MaxTemplateBytes's default; the
// render module takes at most abi.MaxTemplateBytes.
const DefaultMaxTemplateBytes = 2 << 20

var _ = abi.MaxTemplateBytes
