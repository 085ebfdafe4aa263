package api

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/apikeys"
	"github.com/ogmint/ogmint/host/imgformat"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
	"github.com/ogmint/ogmint/wasm/params"
)

// ImageCacheControl: a slug's image never changes.
const ImageCacheControl = "public, max-age=31536000, immutable"

// MaxWebhookSecret is the longest webhookSecret accepted (the contract's limit).
const MaxWebhookSecret = 100

// slugAlphabet is [0-9A-Za-z]; slugs are 8 characters drawn with crypto/rand.
const slugAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// SlugLen is the length of a slug.
const SlugLen = 8

// NewSlug returns a random slug (rejection sampling: no modulo bias).
func NewSlug() string {
	var out [SlugLen]byte
	var buf [16]byte
	for n := 0; n < SlugLen; {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if b < 248 && n < SlugLen { // 248 = 4*62
				out[n] = slugAlphabet[b%62]
				n++
			}
		}
	}
	return string(out[:])
}

// ValidSlug reports whether s has the shape of a slug.
func ValidSlug(s string) bool {
	if len(s) != SlugLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// v2Fields are the string fields of a V2 body that are render parameters.
var v2Fields = []string{"template", "title", "description", "tag", "author", "avatar", "logo", "font",
	"palette", "bgColor", "bg", "textColor", "text", "accentColor", "accent", "surfaceColor", "format"}

// v2Request is a parsed POST /api/v2/render body.
type v2Request struct {
	params   url.Values
	webhook  string
	secret   string
	metadata []byte // canonical JSON object, nil when absent
	custom   *customTemplate
}

// v2Response is the contract's answer, fields in the contract's order.
type v2Response struct {
	Success           bool   `json:"success"`
	Slug              string `json:"slug"`
	URL               string `json:"url"`
	Cached            bool   `json:"cached,omitempty"`
	WebhookDispatched bool   `json:"webhook_dispatched"`
}

// requireKey returns the caller's API key or a 401.
func (s *Server) requireKey(ctx *fasthttp.RequestCtx) (apikeys.Key, error) {
	presented := ctx.Request.Header.Peek("x-api-key")
	if len(presented) == 0 {
		return apikeys.Key{}, &Error{Status: fasthttp.StatusUnauthorized, Message: "missing API key",
			Details: []params.FieldError{{Field: "x-api-key", Message: "required"}}}
	}
	k, ok := s.opt.Keys.Lookup(presented)
	if !ok {
		return apikeys.Key{}, &Error{Status: fasthttp.StatusUnauthorized, Message: "invalid API key",
			Details: []params.FieldError{{Field: "x-api-key", Message: "unknown key"}}}
	}
	return k, nil
}

// parseV2 decodes and validates a V2 body, render parameters included (with
// params.Parse, as V1), reporting every bad field at once.
func (s *Server) parseV2(body []byte, key *apikeys.Key) (*v2Request, *params.Params, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, badRequest("body", "a JSON object is required")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, nil, badRequest("body", "not a JSON object: "+jsonError(err))
	}
	req := &v2Request{params: url.Values{}}
	e := &Error{Status: fasthttp.StatusBadRequest, Message: "invalid parameters"}
	bad := func(field, msg string) {
		e.Details = append(e.Details.([]params.FieldError), params.FieldError{Field: field, Message: msg})
	}
	e.Details = []params.FieldError{}
	str := func(name string, v json.RawMessage) (string, bool) {
		var val string
		if err := json.Unmarshal(v, &val); err != nil {
			bad(name, "must be a string")
			return "", false
		}
		return val, true
	}
	for name, v := range raw {
		if string(v) == "null" {
			continue
		}
		switch {
		case slices.Contains(v2Fields, name):
			if val, ok := str(name, v); ok {
				req.params.Set(name, val)
			}
		case name == "quality":
			// A number (or its digits as a string); params checks the range.
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil {
				bad(name, "must be an integer from 1 to 100")
				break
			}
			req.params.Set(name, n.String())
		case name == "webhookUrl":
			if val, ok := str(name, v); ok {
				if err := s.opt.Webhooks.CheckURL(val); err != nil {
					bad("webhookUrl", err.Error())
				}
				req.webhook = val
			}
		case name == "webhookSecret":
			if val, ok := str(name, v); ok {
				switch {
				case !utf8.ValidString(val):
					bad("webhookSecret", "not valid UTF-8")
				case utf8.RuneCountInString(val) > MaxWebhookSecret:
					bad("webhookSecret", fmt.Sprintf("at most %d characters", MaxWebhookSecret))
				default:
					if err := webhook.CheckSecret(val); err != nil {
						bad("webhookSecret", err.Error())
					}
				}
				req.secret = val
			}
		case name == "fields":
			// A custom template's own text fields; params checks them
			// against the template's declarations.
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(v, &fields); err != nil {
				bad("fields", "must be an object of strings")
				break
			}
			for k, fv := range fields {
				if slices.Contains(params.Known, k) || k == "tv" {
					bad("fields."+k, "a render parameter, not a template field: give it at the top level")
					continue
				}
				if val, ok := str("fields."+k, fv); ok {
					req.params.Set(k, val)
				}
			}
		case name == "metadata":
			canon, err := s.opt.Metadata(v)
			if err != nil {
				bad("metadata", err.Error())
			}
			req.metadata = canon
		default:
			bad(name, "unknown field")
		}
	}
	if req.secret != "" && req.webhook == "" {
		bad("webhookSecret", "given without webhookUrl")
	}
	p, ct, perr := s.parseParams(req.params, key)
	req.custom = ct
	fields := e.Details.([]params.FieldError)
	if perr != nil {
		pe, ok := perr.(*Error)
		if !ok || pe.Status == fasthttp.StatusNotFound && len(fields) == 0 {
			return nil, nil, perr
		}
		pf, _ := pe.Details.([]params.FieldError)
		for _, f := range pf {
			if !hasField(fields, f.Field) { // one message per field: the body's own first
				fields = append(fields, f)
			}
		}
	}
	if len(fields) > 0 {
		sortFields(fields)
		e.Details = fields
		return nil, nil, e
	}
	return req, p, nil
}

// v2Render serves POST /api/v2/render.
func (s *Server) v2Render(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	req, p, err := s.parseV2(ctx.PostBody(), &key)
	if err != nil {
		return err
	}
	// fasthttp recycles its RequestCtx after the handler returns, so
	// database/sql's and the pool's goroutines get a context of their own.
	opctx, cancel := storeContext()
	defer cancel()
	canonical := p.Canonical()
	hash := sha256.Sum256([]byte(canonical))
	build := s.deliveryBuilder(req, p.Template)

	// A stored render: answer from the index (enqueueing a webhook if asked).
	if r, err := s.opt.Store.RenderByDedup(opctx, key.ID, hash); err == nil {
		return s.answerCached(ctx, r, key, hash, p.Template, canonical, build)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if allowed, wait := s.opt.KeyRateLimit.Allow(key.ID); !allowed {
		return &Error{Status: fasthttp.StatusTooManyRequests, Message: "rate limit exceeded", RetryAfter: int(wait/time.Second) + 1}
	}
	// Concurrent identical requests render once: the leader renders and
	// stores; the others then take the dedup path with their own webhook.
	leader := false
	v, err, _ := s.flight.Do("v2\x00"+key.ID+"\x00"+string(hash[:]), func() (any, error) {
		leader = true
		images, err := s.fetchImages(opctx, p)
		if err != nil {
			return nil, err
		}
		png, err := s.renderImage(s.withCustom(opctx, req.custom), p.Template, canonical, p.Format, p.Quality, images)
		if err != nil {
			return nil, err
		}
		// From here on the render is stored even if the client goes away.
		for try := 0; ; try++ {
			r := &store.Render{Slug: NewSlug(), KeyID: key.ID, DedupHash: hash, Template: p.Template, Canonical: canonical, PNG: png}
			got, created, err := s.opt.Store.CreateRender(opctx, r, build)
			if errors.Is(err, store.ErrSlugTaken) && try < 8 {
				continue
			}
			if err != nil {
				return nil, err
			}
			return &created2{got, created}, nil
		}
	})
	if err != nil {
		return err
	}
	res := v.(*created2)
	if !leader || !res.created {
		return s.answerCached(ctx, res.r, key, hash, p.Template, canonical, build)
	}
	if req.webhook != "" {
		s.notifyDispatcher()
	}
	ctx.SetStatusCode(fasthttp.StatusCreated)
	writeJSON(ctx, v2Response{Success: true, Slug: res.r.Slug, URL: s.imageURL(res.r.Slug), WebhookDispatched: req.webhook != ""})
	return nil
}

type created2 struct {
	r       *store.Render
	created bool
}

// answerCached answers a dedup hit: 200 with cached true. With a webhook the
// delivery is enqueued durably (through CreateRender's dedup path) first.
func (s *Server) answerCached(ctx *fasthttp.RequestCtx, r *store.Render, key apikeys.Key, hash [32]byte, template, canonical string, build store.DeliveryBuilder) error {
	s.opt.Metrics.CacheHit("v2_dedup").Inc()
	dispatched := false
	if build != nil {
		sctx, cancel := storeContext()
		defer cancel()
		probe := &store.Render{Slug: NewSlug(), KeyID: key.ID, DedupHash: hash, Template: template, Canonical: canonical}
		got, created, err := s.opt.Store.CreateRender(sctx, probe, build)
		if err != nil {
			return err
		}
		if created { // cannot happen: the render exists; fail loudly rather than store an empty image
			return fmt.Errorf("api: dedup render %s vanished", r.Slug)
		}
		r, dispatched = got, true
		s.notifyDispatcher()
	}
	writeJSON(ctx, v2Response{Success: true, Slug: r.Slug, URL: s.imageURL(r.Slug), Cached: true, WebhookDispatched: dispatched})
	return nil
}

// deliveryBuilder returns the builder that makes the webhook delivery of a
// request inside the store's transaction, or nil without a webhookUrl.
func (s *Server) deliveryBuilder(req *v2Request, template string) store.DeliveryBuilder {
	if req.webhook == "" {
		return nil
	}
	return func(r *store.Render, cached bool) (*store.Delivery, error) {
		body := s.opt.Payload(s.imageURL(r.Slug), r.Slug, template, req.metadata, r.CreatedAt, cached)
		d := &store.Delivery{URL: req.webhook, Secret: req.secret, Payload: body}
		if s.opt.WebhookFirstDelay > 0 {
			d.NextAttemptAt = time.Now().Add(s.opt.WebhookFirstDelay)
		}
		return d, nil
	}
}

func (s *Server) imageURL(slug string) string { return s.opt.PublicURL + "/i/" + slug }

// image serves GET/HEAD /i/{slug}. The store checks an image against its
// checksum when it is read; the cache then holds checked bytes. A 304 reads
// no image and hashes nothing: a slug's image never changes, so the render
// existing is all it needs.
func (s *Server) image(ctx *fasthttp.RequestCtx) error {
	slug := strings.TrimPrefix(requestPath(ctx), "/i/")
	notFound := &Error{Status: fasthttp.StatusNotFound, Message: "image not found",
		Details: []params.FieldError{{Field: "slug", Message: "no image with this slug"}}}
	if !ValidSlug(slug) {
		return notFound
	}
	etag := `"` + slug + `"`
	var ck [32]byte
	copy(ck[:], "i/"+slug)
	png, ok := s.images.Get(ck)
	if ok {
		s.opt.Metrics.CacheHit("image_cache").Inc()
	}
	if inm := ctx.Request.Header.Peek("If-None-Match"); len(inm) > 0 && etagMatch(string(inm), etag) {
		if !ok {
			sctx, cancel := storeContext()
			defer cancel()
			if _, err := s.opt.Store.RenderBySlug(sctx, slug); err != nil {
				return s.imageError(ctx, slug, err, notFound)
			}
		}
		ctx.Response.Header.Set("ETag", etag)
		ctx.Response.Header.Set("Cache-Control", ImageCacheControl)
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	if !ok {
		var err error
		sctx, cancel := storeContext()
		defer cancel()
		if png, err = s.opt.Store.Image(sctx, slug); err != nil {
			return s.imageError(ctx, slug, err, notFound)
		}
		s.images.Add(ck, png)
	}
	ctx.Response.Header.Set("ETag", etag)
	ctx.Response.Header.Set("Cache-Control", ImageCacheControl)
	// The store keeps the bytes of any format (its column is named png):
	// the magic bytes tell which.
	ctx.SetContentType(imgformat.SniffContentType(png))
	ctx.Response.SetBodyRaw(png) // not copied: stored images are never modified
	return nil
}

// imageError maps a store error about slug's image: ErrNotFound to
// notFound; ErrCorrupt to a 500 written here with one log line that names
// the damage (the bytes are never sent); anything else is returned.
func (s *Server) imageError(ctx *fasthttp.RequestCtx, slug string, err error, notFound *Error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound
	case errors.Is(err, store.ErrCorrupt):
		s.opt.Logger.LogAttrs(ctx, slog.LevelError, "store corruption: image not served",
			slog.String("slug", slug), slog.String("err", err.Error()))
		writeError(ctx, &Error{Status: fasthttp.StatusInternalServerError,
			Message: "the stored image is damaged"})
		return nil
	}
	return err
}

func jsonError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	return "expected an object"
}

func hasField(fields []params.FieldError, name string) bool {
	for _, f := range fields {
		if f.Field == name {
			return true
		}
	}
	return false
}
