// Package api serves ogmint's HTTP API on fasthttp: the V1 image API
// (GET/HEAD /api/og), the V2 render API (POST /api/v2/render, /i/{slug}),
// the template list, health, readiness and metrics.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sync/singleflight"

	"github.com/ogmint/ogmint/host/apikeys"
	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/filetemplates"
	"github.com/ogmint/ogmint/host/imagefetch"
	"github.com/ogmint/ogmint/host/imgformat"
	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/pngfast"
	"github.com/ogmint/ogmint/host/printable"
	"github.com/ogmint/ogmint/host/ratelimit"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/signing"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
	"github.com/ogmint/ogmint/wasm/params"
)

// V1CacheControl is the contract's caching policy for rendered cards.
const V1CacheControl = "public, max-age=86400, s-maxage=86400"

// encoderVersion changes when the PNG bytes for the same pixels change; it
// is part of the ETag (imgformat.Version names each format's encoder; the
// canonical parameters name the format when it is not PNG).
const encoderVersion = pngfast.Version

// URLChecker validates webhook URLs at submit time (the SSRF guard).
type URLChecker interface{ CheckURL(raw string) error }

// Options wires a Server. Pool, Templates and Keys are required; the V2
// routes need Store, Webhooks, Metadata and Payload too.
type Options struct {
	Pool      *renderpool.Pool
	Templates *templates.Set
	Keys      *apikeys.Set
	Cache     *cardcache.Cache   // V1 cards; nil: no cache
	Images    *cardcache.Cache   // /i/{slug} images; nil: no cache
	RateLimit *ratelimit.Limiter // anonymous V1 renders per IP; nil: unlimited
	// KeyRateLimit limits V2 renders (not dedup hits) per API key; nil: unlimited.
	KeyRateLimit *ratelimit.Limiter
	Store        store.Store
	PublicURL    string
	Webhooks     URLChecker
	// Metadata canonicalises a V2 metadata value (JavaScript round-trip
	// form) or says why it is rejected.
	Metadata func(raw []byte) ([]byte, error)
	// Payload builds the exact webhook body of a render.
	Payload func(url, slug, template string, metadata []byte, created time.Time, cached bool) []byte
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	// Dispatcher is told when a webhook delivery was enqueued; nil: the
	// dispatcher finds it at its next poll.
	Dispatcher Dispatcher
	// WebhookFirstDelay delays a new delivery's first attempt (the retry
	// schedule's first entry); 0: due at once.
	WebhookFirstDelay time.Duration
	// Ready reports whether dependencies are usable (for /readyz); nil: always.
	Ready func(context.Context) error
	// Fetcher fetches the avatar and logo images of a render (on a cache or
	// dedup miss only); nil: images are not fetched, and the module draws
	// the card without them.
	Fetcher *imagefetch.Fetcher
	// MaxTemplateBytes bounds a custom template's JSON, assets included
	// (DefaultMaxTemplateBytes when 0; at most abi.MaxTemplateBytes).
	MaxTemplateBytes int
	// TemplateLimits bound the rest of a custom template (elements,
	// children, assets); zero fields are templates.DefaultLimits', which
	// are also the most the render module accepts.
	TemplateLimits templates.Limits
	// CustomTTL is how long a host trusts what it read of a custom
	// template's latest version (DefaultCustomTTL when 0); CustomCacheBytes
	// bounds the parsed custom templates it keeps (DefaultCustomMaxBytes).
	CustomTTL        time.Duration
	CustomCacheBytes int
	// MaxRequestBytes bounds request bodies outside the template routes
	// (the HTTP server's own limit must then allow templates:
	// MaxBodyBytes); 0: only the server's limit.
	MaxRequestBytes int
	// FileTemplates are the custom templates of OGMINT_TEMPLATES_DIR
	// (package filetemplates), by name: public, like a known id.
	FileTemplates map[string]*filetemplates.Template
	// Pages answers the paths no endpoint has ("/", "/playground" and
	// its files: package pages) and reports whether it did; nil, or false:
	// 404.
	Pages func(*fasthttp.RequestCtx) bool
	// MaxFontBytes bounds an uploaded font file (POST /api/v2/fonts;
	// DefaultMaxFontBytes when 0, and at most that).
	MaxFontBytes int
	// SigningKeys, when any, make V1 renders need s, a signature of their
	// parameters under one of them (package signing); a request with a
	// valid x-api-key needs none. Empty: s is ignored like any unknown
	// parameter.
	SigningKeys [][]byte
}

// MaxBodyBytes is the body limit the HTTP server needs for opt: templates
// and font files are larger than other requests.
func MaxBodyBytes(opt Options) int {
	t := opt.MaxTemplateBytes
	if t <= 0 || t > abi.MaxTemplateBytes {
		t = min(DefaultMaxTemplateBytes, abi.MaxTemplateBytes)
	}
	// A preview wraps the template with its parameters. A font one byte
	// over the limit still reaches the handler, which answers 413 in the
	// contract's shape.
	return max(opt.MaxRequestBytes, t+abi.MaxRequest, maxFontBytes(opt)+1)
}

// Server holds the handlers' dependencies.
type Server struct {
	opt      Options
	flight   singleflight.Group
	images   *cardcache.Cache
	started  time.Time
	maxQuery int
	reqSeq   atomic.Uint64
	bootID   string
	customs  *customs
	fonts    *userFonts
}

// New builds a Server.
func New(opt Options) *Server {
	if opt.Cache == nil {
		opt.Cache = cardcache.New(0)
	}
	if opt.Images == nil {
		opt.Images = cardcache.New(0)
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Metrics == nil {
		opt.Metrics = metrics.New(nil, nil)
	}
	if opt.Keys == nil {
		opt.Keys, _ = apikeys.New(nil, "none")
	}
	if opt.MaxTemplateBytes <= 0 || opt.MaxTemplateBytes > abi.MaxTemplateBytes {
		opt.MaxTemplateBytes = min(DefaultMaxTemplateBytes, abi.MaxTemplateBytes)
	}
	boot := sha256.Sum256([]byte(time.Now().String()))
	return &Server{opt: opt, images: opt.Images, started: time.Now(), maxQuery: abi.MaxRequest,
		bootID: hex.EncodeToString(boot[:4]), customs: newCustoms(opt.Store, opt.Templates, opt.CustomTTL, opt.CustomCacheBytes),
		fonts: newUserFonts(opt.Store, opt.CustomTTL, DefaultPackedFontBytes)}
}

// fixedRoutes are the endpoints whose path is the route itself.
var fixedRoutes = map[string]string{"/api/og": "/api/og", "/api/templates": "/api/templates",
	"/api/v2/render": "/api/v2/render", "/healthz": "/healthz", "/readyz": "/readyz", "/metrics": "/metrics"}

// route names the endpoint a path belongs to (metrics and logs; never the
// raw path, which would make label values unbounded).
func route(path string) string {
	if r, ok := fixedRoutes[path]; ok {
		return r
	}
	if strings.HasPrefix(path, "/i/") {
		return "/i/{slug}"
	}
	if r := deliveryRoute(path); r != "" {
		return r
	}
	if r := templateRoute(path); r != "" {
		return r
	}
	if strings.HasPrefix(path, "/api/templates/") {
		return routeTemplateJSON
	}
	// The pages (Options.Pages).
	if path == "/" {
		return "/"
	}
	if path == "/playground" || strings.HasPrefix(path, "/playground/") {
		return "/playground"
	}
	if r := fontRoute(path); r != "" {
		return r
	}
	return "other"
}

// routeOf is route(decodeUnreserved(p)), without allocating for the fixed
// routes as clients send them (the map lookup does not copy p).
func routeOf(p []byte) string {
	if r, ok := fixedRoutes[string(p)]; ok {
		return r
	}
	return route(decodeUnreserved(p))
}

// methodName is string(m) without allocating for the usual methods.
func methodName(m []byte) string {
	switch string(m) {
	case fasthttp.MethodGet:
		return fasthttp.MethodGet
	case fasthttp.MethodHead:
		return fasthttp.MethodHead
	case fasthttp.MethodPost:
		return fasthttp.MethodPost
	}
	return string(m)
}

// requestPath is the path as the client sent it, with only the escapes of
// letters, digits, "-", "_" and "~" decoded (RFC 3986 6.2.2.2: /api/%6Fg is
// /api/og). Dot segments are not removed and "%2e" and "%2f" stay escaped,
// so /i/%2e%2e%2fmetrics stays under /i/ (an invalid slug, 404) instead of
// becoming /metrics as fasthttp's normalised Path() has it: a proxy that
// exposes only /i/ and /api/og cannot be walked past. No route of ours has
// a character that needs escaping, so nothing legitimate is lost.
func requestPath(ctx *fasthttp.RequestCtx) string {
	return decodeUnreserved(ctx.URI().PathOriginal())
}

// decodeUnreserved decodes the percent-escapes of ALPHA, DIGIT, "-", "_" and
// "~" in p and leaves every other byte as it is.
func decodeUnreserved(p []byte) string {
	if bytes.IndexByte(p, '%') < 0 {
		return string(p)
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			if c, ok := unhex(p[i+1], p[i+2]); ok && unreservedNotDot(c) {
				out = append(out, c)
				i += 2
				continue
			}
		}
		out = append(out, p[i])
	}
	return string(out)
}

func unhex(a, b byte) (byte, bool) {
	h := func(c byte) (byte, bool) {
		switch {
		case '0' <= c && c <= '9':
			return c - '0', true
		case 'a' <= c && c <= 'f':
			return c - 'a' + 10, true
		case 'A' <= c && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	x, ok1 := h(a)
	y, ok2 := h(b)
	return x<<4 | y, ok1 && ok2
}

func unreservedNotDot(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '~'
}

// Handler routes requests, tags each with a request id and logs one line
// per request.
func (s *Server) Handler(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	rid := string(ctx.Request.Header.Peek("X-Request-Id"))
	if !validRequestID(rid) {
		var buf [32]byte
		rid = string(strconv.AppendUint(append(append(buf[:0], s.bootID...), '-'), s.reqSeq.Add(1), 36))
	}
	rt := routeOf(ctx.URI().PathOriginal())
	if n := len(ctx.Request.Body()); s.opt.MaxRequestBytes > 0 && n > s.opt.MaxRequestBytes && templateRoute(rt) == "" && rt != routeFonts {
		rt = "too large" // answered as the server's own limit would
	}
	switch rt {
	case "too large":
		ParseErrorHandler(ctx, fasthttp.ErrBodyTooLarge)
		rt = "other"
	case "/api/og":
		s.serve(ctx, s.v1, "GET", "HEAD")
	case "/api/templates":
		s.serve(ctx, s.templates, "GET", "HEAD")
	case "/healthz":
		s.serve(ctx, s.healthz, "GET", "HEAD")
	case "/readyz":
		s.serve(ctx, s.readyz, "GET", "HEAD")
	case "/metrics":
		s.serve(ctx, func(ctx *fasthttp.RequestCtx) error { s.opt.Metrics.Serve(ctx); return nil }, "GET")
	case "/api/v2/render":
		s.serve(ctx, s.v2Render, "POST")
	case "/i/{slug}":
		s.serve(ctx, s.image, "GET", "HEAD")
	case routeDeliveries:
		s.serve(ctx, s.deliveries, "GET")
	case routeRedeliver:
		s.serve(ctx, s.redeliver, "POST")
	case routeTemplates:
		s.serve(ctx, s.templatesCollection, "GET", "POST")
	case routeTemplatePreview:
		s.serve(ctx, s.templatePreview, "POST")
	case routeTemplate:
		s.serve(ctx, s.templateItem, "GET", "PUT", "DELETE")
	case routeTemplateJSON:
		s.serve(ctx, s.builtinTemplate, "GET", "HEAD")
	case routeFonts:
		s.serve(ctx, s.fontsCollection, "GET", "POST")
	case routeFont:
		s.serve(ctx, s.fontItem, "GET", "DELETE")
	default:
		if s.opt.Pages == nil || !s.opt.Pages(ctx) {
			writeError(ctx, &Error{Status: fasthttp.StatusNotFound, Message: "not found"})
		}
	}
	ctx.Response.Header.Set("X-Request-Id", rid)
	code := ctx.Response.StatusCode()
	s.opt.Metrics.HTTPResponse(rt, code).Inc()
	s.opt.Logger.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("request_id", rid), slog.String("method", methodName(ctx.Method())), slog.String("route", rt),
		slog.Int("status", code), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int("bytes", len(ctx.Response.Body())), slog.String("ip", ctx.RemoteIP().String()))
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

func (s *Server) serve(ctx *fasthttp.RequestCtx, h func(*fasthttp.RequestCtx) error, methods ...string) {
	m := string(ctx.Method())
	for _, ok := range methods {
		if m == ok {
			if err := h(ctx); err != nil {
				var e *Error
				switch {
				case !errors.As(err, &e) || e.Status == fasthttp.StatusInternalServerError:
					s.logFailure(ctx, err)
				case e.Status == fasthttp.StatusServiceUnavailable:
					s.opt.Logger.Warn("request shed", "path", requestPath(ctx), "err", err)
				}
				writeError(ctx, err)
			}
			return
		}
	}
	writeError(ctx, &Error{Status: fasthttp.StatusMethodNotAllowed, Message: "method not allowed", Allow: strings.Join(methods, ", ")})
}

// checkKey returns (true, nil) for a valid x-api-key, (false, nil) for none,
// and a 401 for a wrong one.
func (s *Server) checkKey(ctx *fasthttp.RequestCtx) (bool, error) {
	if len(ctx.Request.Header.Peek("x-api-key")) == 0 {
		return false, nil
	}
	if _, err := s.requireKey(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// v1 serves GET/HEAD /api/og.
func (s *Server) v1(ctx *fasthttp.RequestCtx) error {
	keyed, err := s.checkKey(ctx)
	if err != nil {
		return err
	}
	if len(ctx.URI().QueryString()) > s.maxQuery {
		return badRequest("query", "query string longer than "+strconv.Itoa(s.maxQuery)+" bytes")
	}
	args := ctx.QueryArgs()
	q := make(url.Values, args.Len())
	args.VisitAll(func(k, v []byte) {
		q[string(k)] = append(q[string(k)], string(v))
	})
	sig := q.Get(signing.Param)
	if len(s.opt.SigningKeys) > 0 {
		delete(q, signing.Param) // not a parameter of the card
	}
	p, ct, err := s.parseParams(q, nil)
	if err != nil {
		return err
	}
	// Before the ETag and the cache: a 304 or a cached card needs a valid
	// signature too.
	if len(s.opt.SigningKeys) > 0 && !keyed {
		if err := s.checkSignature(p, sig); err != nil {
			return err
		}
	}
	canonical := p.Canonical()
	key, etag := v1Key(canonical, imgformat.Version(p.Format))

	ctx.Response.Header.SetBytesV("ETag", etag[:])
	ctx.Response.Header.Set("Cache-Control", V1CacheControl)
	if inm := ctx.Request.Header.Peek("If-None-Match"); len(inm) > 0 && etagMatch(string(inm), string(etag[:])) {
		s.opt.Metrics.CacheHit("v1_not_modified").Inc()
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	png, ok := s.opt.Cache.Get(key)
	if ok {
		s.opt.Metrics.CacheHit("v1_cache").Inc()
	} else {
		if !keyed {
			if allowed, wait := s.opt.RateLimit.Allow(ctx.RemoteIP().String()); !allowed {
				return &Error{Status: fasthttp.StatusTooManyRequests, Message: "rate limit exceeded",
					RetryAfter: int(wait/time.Second) + 1}
			}
		}
		v, err, _ := s.flight.Do("v1\x00"+string(key[:]), func() (any, error) {
			opctx, cancel := storeContext() // not the recycled RequestCtx
			defer cancel()
			images, err := s.fetchImages(opctx, p)
			if err != nil {
				return nil, err
			}
			png, err := s.renderImage(s.withCustom(opctx, ct), p.Template, canonical, p.Format, p.Quality, images)
			if err == nil {
				s.opt.Cache.Add(key, png)
			}
			return png, err
		})
		if err != nil {
			return err
		}
		png = v.([]byte)
	}
	ctx.SetContentType(imgformat.ContentType(p.Format))
	// Not copied: a card is never modified once encoded (the cache holds
	// the same bytes), and fasthttp only reads the body while writing it.
	ctx.Response.SetBodyRaw(png)
	return nil
}

// checkSignature is the 403 of a V1 request without a valid signature.
func (s *Server) checkSignature(p *params.Params, sig string) error {
	msg := "invalid signature"
	switch {
	case sig == "":
		msg = "required: this server only renders signed URLs"
	case signing.Verify(s.opt.SigningKeys, p.SigningCanonical(s.opt.Templates.DefaultFamily), sig):
		return nil
	}
	return &Error{Status: fasthttp.StatusForbidden, Message: "signature required",
		Details: []params.FieldError{{Field: signing.Param, Message: msg}}}
}

// v1Key returns a V1 card's cache key, the SHA-256 of its canonical
// parameters and the encoder's version (imgformat.Version: encoderVersion
// for PNG), and its ETag: the first 16 bytes of the same digest in hex,
// quoted. One hash serves both.
func v1Key(canonical, version string) (key cardcache.Key, etag [2 + 2*16]byte) {
	var buf [512]byte // the hash input stays on the stack unless it is longer
	key = sha256.Sum256(append(append(append(buf[:0], canonical...), 0), version...))
	etag[0], etag[len(etag)-1] = '"', '"'
	hex.Encode(etag[1:len(etag)-1], key[:16])
	return key, etag
}

// imageFields names the render parameter of each image slot.
var imageFields = [abi.NumSlots]string{abi.SlotAvatar: "avatar", abi.SlotLogo: "logo"}

// fetchImages fetches p's avatar and logo (those set) concurrently for the
// module's image slots, counting each fetch by outcome. A failed fetch is a
// 400 naming the parameter, in the contract's error shape.
func (s *Server) fetchImages(ctx context.Context, p *params.Params) ([abi.NumSlots][]byte, error) {
	var out [abi.NumSlots][]byte
	urls := [abi.NumSlots]string{abi.SlotAvatar: p.Avatar, abi.SlotLogo: p.Logo}
	if s.opt.Fetcher == nil || urls == [abi.NumSlots]string{} {
		return out, nil
	}
	imgs, errs := s.opt.Fetcher.FetchAll(ctx, urls[:])
	var fields []params.FieldError
	for slot, u := range urls {
		if u == "" {
			continue
		}
		err := errs[slot]
		s.opt.Metrics.ImageFetches.WithLabelValues(imageFields[slot], imagefetch.Outcome(imgs[slot], err)).Inc()
		var fe *imagefetch.Error
		switch {
		case err == nil:
			out[slot] = imgs[slot].Data
		case errors.As(err, &fe):
			// The caller gets the category; the log gets what happened.
			fields = append(fields, params.FieldError{Field: imageFields[slot], Message: "could not be fetched: " + fe.Error()})
			s.opt.Logger.LogAttrs(ctx, slog.LevelWarn, "image fetch failed", slog.String("field", imageFields[slot]),
				slog.String("kind", string(fe.Kind)), slog.String("url", printable.Clip(fe.URL, 300)), slog.String("detail", fe.Detail))
		default:
			return out, err // the request's own time ran out: 500
		}
	}
	if len(fields) > 0 {
		return out, &Error{Status: fasthttp.StatusBadRequest, Message: "invalid parameters", Details: fields}
	}
	return out, nil
}

// pngScratch holds *[]byte buffers the encoder appends to. A card is
// encoded into one and copied out at its exact size: the card cache keeps
// it, and an encoder growing its own slice left ~25% of spare capacity in
// each (82 MB of heap for a full 64 MiB cache), plus the slices it outgrew
// as garbage.
var pngScratch sync.Pool

// maxPNGScratch is the largest scratch buffer kept for reuse (a card with
// photos may encode to megabytes; a typical one to ~80 KB).
const maxPNGScratch = 1 << 20

// renderImage draws a card in the pool, with the images for the module's
// slots, and encodes it natively as format (imgformat: png, jpeg at quality,
// or webp), recording the outcome and duration.
func (s *Server) renderImage(ctx context.Context, template, canonical, format string, quality int, images [abi.NumSlots][]byte) ([]byte, error) {
	start := time.Now()
	var png []byte
	err := s.opt.Pool.RenderFrame(ctx, []byte(canonical), images, func(pix []byte, w, h int) error {
		bp, _ := pngScratch.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		b, err := imgformat.Encode((*bp)[:0], format, quality, pix, w, h)
		if err == nil {
			png = bytes.Clone(b)
		}
		if cap(b) <= maxPNGScratch {
			*bp = b[:0]
			pngScratch.Put(bp)
		}
		return err
	})
	outcome := "ok"
	if err != nil {
		outcome = renderOutcome(err)
		s.opt.Metrics.Render(template, outcome).Inc()
		if failureOutcomes[outcome] {
			s.opt.Metrics.RenderFailures.WithLabelValues(outcome).Inc()
		}
		return nil, fromRender(err)
	}
	s.opt.Metrics.Render(template, outcome).Inc()
	s.opt.Metrics.RenderSeconds(template).Observe(time.Since(start).Seconds())
	return png, nil
}

// failureOutcomes are the render outcomes that are the server's failures
// (ogmint_render_failures_total), not the request's or the load's.
var failureOutcomes = map[string]bool{"memory_cap": true, "deadline": true, "trap": true,
	"internal": true, "image_refused": true, "font_refused": true, "error": true}

func renderOutcome(err error) string {
	var me *renderpool.ModuleError
	switch {
	case errors.As(err, &me):
		return me.Status.String()
	case errors.Is(err, renderpool.ErrQueueFull):
		return "queue_full"
	case renderpool.CauseOf(err) != renderpool.CauseNone:
		return renderpool.CauseOf(err).Label() // memory_cap, deadline, trap
	case errors.Is(err, renderpool.ErrImageRefused):
		return "image_refused"
	case errors.Is(err, renderpool.ErrFontRefused):
		return "font_refused"
	}
	return "error"
}

// templates serves GET /api/templates.
func (s *Server) templates(ctx *fasthttp.RequestCtx) error {
	ctx.Response.Header.Set("Cache-Control", "public, max-age=300")
	writeJSON(ctx, module.Describe(s.opt.Templates))
	return nil
}

// routeTemplateJSON is a built-in template's JSON.
const routeTemplateJSON = "/api/templates/{name}"

// builtinTemplate serves GET /api/templates/{name}: the JSON file of a
// built-in template, as embedded (the playground's editor starts from one).
func (s *Server) builtinTemplate(ctx *fasthttp.RequestCtx) error {
	name := strings.TrimPrefix(requestPath(ctx), "/api/templates/")
	b, ok := templates.BuiltinJSON(name)
	if !ok || s.opt.Templates.Templates[name] == nil {
		return &Error{Status: fasthttp.StatusNotFound, Message: "template not found",
			Details: []params.FieldError{{Field: "name", Message: "no built-in template " + strconv.Quote(printableID(name)) +
				"; one of " + strings.Join(s.opt.Templates.Names(), ", ")}}}
	}
	ctx.Response.Header.Set("Cache-Control", "public, max-age=300")
	ctx.SetContentType("application/json")
	ctx.Response.SetBodyRaw(b) // embedded, never modified
	return nil
}

// healthz serves GET /healthz: the process is alive.
func (s *Server) healthz(ctx *fasthttp.RequestCtx) error {
	st := s.opt.Pool.Stats()
	ctx.Response.Header.Set("Cache-Control", "no-store")
	writeJSON(ctx, map[string]any{"status": "ok", "uptime_s": int(time.Since(s.started).Seconds()),
		"instances": st.Instances, "busy": st.Busy, "waiting": st.Waiting,
		"renders": st.Renders, "replaced": st.Replaced, "cached_cards": s.opt.Cache.Len(),
		"max_instance_memory_mib": float64(st.MaxMemoryBytes) / (1 << 20)})
	return nil
}

// readyz serves GET /readyz: the pool has instances and the store answers.
func (s *Server) readyz(ctx *fasthttp.RequestCtx) error {
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if st := s.opt.Pool.Stats(); st.Instances == 0 {
		return &Error{Status: fasthttp.StatusServiceUnavailable, Message: "no render instance is up", RetryAfter: 1}
	}
	if s.opt.Ready != nil {
		if err := s.opt.Ready(ctx); err != nil {
			return &Error{Status: fasthttp.StatusServiceUnavailable, Message: "not ready: " + err.Error(), RetryAfter: 1}
		}
	}
	writeJSON(ctx, map[string]string{"status": "ready"})
	return nil
}
