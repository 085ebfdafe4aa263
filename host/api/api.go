// Package api serves ogmint's HTTP API on fasthttp: the V1 image API
// (GET/HEAD /api/og), the template list and health checks.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sync/singleflight"

	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/pngfast"
	"github.com/ogmint/ogmint/host/ratelimit"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
	"github.com/ogmint/ogmint/wasm/params"
)

// V1CacheControl is the contract's caching policy for rendered cards.
const V1CacheControl = "public, max-age=86400, s-maxage=86400"

// encoderVersion changes when the PNG bytes for the same pixels change; it
// is part of the ETag.
const encoderVersion = "pngfast-1"

// Options wires a Server.
type Options struct {
	Pool      *renderpool.Pool
	Templates *templates.Set
	Cache     *cardcache.Cache   // nil: no cache
	RateLimit *ratelimit.Limiter // nil: anonymous renders unlimited
	APIKeys   []string
	Logger    *slog.Logger
}

// Server holds the handlers' dependencies.
type Server struct {
	opt      Options
	keys     [][32]byte // SHA-256 of each API key
	flight   singleflight.Group
	info     []byte
	started  time.Time
	maxQuery int
}

// New builds a Server.
func New(opt Options) *Server {
	if opt.Cache == nil {
		opt.Cache = cardcache.New(0)
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	s := &Server{opt: opt, started: time.Now(), maxQuery: abi.MaxRequest}
	for _, k := range opt.APIKeys {
		s.keys = append(s.keys, sha256.Sum256([]byte(k)))
	}
	return s
}

// Handler routes requests.
func (s *Server) Handler(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	switch path {
	case "/api/og":
		s.serve(ctx, s.v1, "GET", "HEAD")
	case "/api/templates":
		s.serve(ctx, s.templates, "GET", "HEAD")
	case "/healthz":
		s.serve(ctx, s.healthz, "GET", "HEAD")
	default:
		writeError(ctx, &Error{Status: fasthttp.StatusNotFound, Message: "not found"})
	}
}

func (s *Server) serve(ctx *fasthttp.RequestCtx, h func(*fasthttp.RequestCtx) error, methods ...string) {
	m := string(ctx.Method())
	for _, ok := range methods {
		if m == ok {
			if err := h(ctx); err != nil {
				var e *Error
				switch {
				case !asError(err, &e) || e.Status == fasthttp.StatusInternalServerError:
					s.opt.Logger.Error("request failed", "path", string(ctx.Path()), "err", err)
				case e.Status == fasthttp.StatusServiceUnavailable:
					s.opt.Logger.Warn("request shed", "path", string(ctx.Path()), "err", err)
				}
				writeError(ctx, err)
			}
			return
		}
	}
	writeError(ctx, &Error{Status: fasthttp.StatusMethodNotAllowed, Message: "method not allowed", Allow: join(methods)})
}

// checkKey returns (true, nil) for a valid x-api-key, (false, nil) for none,
// and a 401 for a wrong one. Keys are compared as SHA-256 digests in
// constant time.
func (s *Server) checkKey(ctx *fasthttp.RequestCtx) (bool, error) {
	k := ctx.Request.Header.Peek("x-api-key")
	if len(k) == 0 {
		return false, nil
	}
	sum := sha256.Sum256(k)
	found := 0
	for _, want := range s.keys {
		found |= subtle.ConstantTimeCompare(sum[:], want[:])
	}
	if found == 1 {
		return true, nil
	}
	return false, &Error{Status: fasthttp.StatusUnauthorized, Message: "invalid API key",
		Details: []params.FieldError{{Field: "x-api-key", Message: "unknown key"}}}
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
	q := url.Values{}
	ctx.QueryArgs().VisitAll(func(k, v []byte) {
		q[string(k)] = append(q[string(k)], string(v))
	})
	p, perr := params.Parse(q, s.opt.Templates)
	if perr != nil {
		return fromParams(perr)
	}
	canonical := p.Canonical()
	key := cardcache.Key(sha256.Sum256([]byte(canonical + "\x00" + encoderVersion)))
	etag := `"` + hex.EncodeToString(key[:16]) + `"`

	ctx.Response.Header.Set("ETag", etag)
	ctx.Response.Header.Set("Cache-Control", V1CacheControl)
	if inm := ctx.Request.Header.Peek("If-None-Match"); len(inm) > 0 && etagMatch(string(inm), etag) {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	png, ok := s.opt.Cache.Get(key)
	if !ok {
		if !keyed {
			if allowed, wait := s.opt.RateLimit.Allow(ctx.RemoteIP().String()); !allowed {
				return &Error{Status: fasthttp.StatusTooManyRequests, Message: "rate limit exceeded",
					RetryAfter: int(wait/time.Second) + 1}
			}
		}
		png, err = s.render(ctx, canonical, key)
		if err != nil {
			return err
		}
	}
	ctx.SetContentType("image/png")
	ctx.SetBody(png)
	return nil
}

// render draws and encodes a card once however many requests ask for it at
// the same time, and caches it.
func (s *Server) render(ctx context.Context, canonical string, key cardcache.Key) ([]byte, error) {
	v, err, _ := s.flight.Do(string(key[:]), func() (any, error) {
		var png []byte
		err := s.opt.Pool.Render(ctx, []byte(canonical), func(pix []byte) error {
			var err error
			png, err = pngfast.Encode(nil, pix, abi.Width, abi.Height)
			return err
		})
		if err != nil {
			return nil, fromRender(err)
		}
		s.opt.Cache.Add(key, png)
		return png, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// templates serves GET /api/templates.
func (s *Server) templates(ctx *fasthttp.RequestCtx) error {
	ctx.Response.Header.Set("Cache-Control", "public, max-age=300")
	writeJSON(ctx, module.Describe(s.opt.Templates))
	return nil
}

// healthz serves GET /healthz.
func (s *Server) healthz(ctx *fasthttp.RequestCtx) error {
	st := s.opt.Pool.Stats()
	ctx.Response.Header.Set("Cache-Control", "no-store")
	writeJSON(ctx, map[string]any{"status": "ok", "uptime_s": int(time.Since(s.started).Seconds()),
		"instances": st.Instances, "busy": st.Busy, "waiting": st.Waiting,
		"renders": st.Renders, "replaced": st.Replaced, "cached_cards": s.opt.Cache.Len()})
	return nil
}
