package api

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/wasm/params"
)

// Dispatcher is the webhook dispatcher as the API sees it: told when a
// delivery was enqueued so the first attempt does not wait for its poll.
type Dispatcher interface{ Notify() }

// Webhook delivery routes (see route).
const (
	routeDeliveries = "/api/v2/renders/{slug}/deliveries"
	routeRedeliver  = "/api/v2/deliveries/{id}/redeliver"
)

// deliveryRoute names the delivery endpoints for route, or "".
func deliveryRoute(path string) string {
	switch {
	case oneSegment(path, "/api/v2/renders/", "/deliveries"):
		return routeDeliveries
	case oneSegment(path, "/api/v2/deliveries/", "/redeliver"):
		return routeRedeliver
	}
	return ""
}

// oneSegment reports whether path is prefix + one plain path segment (no
// slash, no percent-escape, not a dot segment) + suffix.
func oneSegment(path, prefix, suffix string) bool {
	if !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, suffix) || len(path) < len(prefix)+len(suffix)+1 {
		return false
	}
	seg := path[len(prefix) : len(path)-len(suffix)]
	return !strings.ContainsAny(seg, "/%") && seg != "." && seg != ".."
}

// storeTimeout bounds the store calls of the delivery endpoints.
const storeTimeout = 10 * time.Second

// storeContext is the context for a handler's store calls. Not the
// RequestCtx itself: fasthttp recycles it when the handler returns, and
// database/sql may still look at a context it was given from a goroutine
// of its own for a moment after the query ends.
func storeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), storeTimeout)
}

// notifyDispatcher tells the dispatcher, if any, that a delivery is due.
func (s *Server) notifyDispatcher() {
	if s.opt.Dispatcher != nil {
		s.opt.Dispatcher.Notify()
	}
}

// deliveryJSON is one delivery in GET .../deliveries. The secret and the
// payload are never shown.
type deliveryJSON struct {
	ID            string        `json:"id"`
	URL           string        `json:"url"`
	Status        string        `json:"status"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt *string       `json:"next_attempt_at"` // null unless pending
	CreatedAt     string        `json:"created_at"`
	LastError     string        `json:"last_error"`
	AttemptLog    []attemptJSON `json:"attempt_log"`
}

type attemptJSON struct {
	N          int     `json:"n"`
	At         string  `json:"at"`
	StatusCode *int    `json:"status_code"` // null when there was no HTTP answer
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error"`
}

// apiTime formats t like the webhook payload's createdAt: UTC, milliseconds.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// deliveries serves GET /api/v2/renders/{slug}/deliveries: the caller's
// deliveries of that render with every attempt. Another key's render is
// not found, exactly like an unknown slug.
func (s *Server) deliveries(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	slug := strings.TrimSuffix(strings.TrimPrefix(requestPath(ctx), "/api/v2/renders/"), "/deliveries")
	notFound := &Error{Status: fasthttp.StatusNotFound, Message: "render not found",
		Details: []params.FieldError{{Field: "slug", Message: "no render with this slug for this API key"}}}
	if !ValidSlug(slug) {
		return notFound
	}
	sctx, cancel := storeContext()
	defer cancel()
	r, err := s.opt.Store.RenderBySlug(sctx, slug)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.KeyID != key.ID) {
		return notFound
	}
	if err != nil {
		return err
	}
	ds, attempts, err := s.opt.Store.Deliveries(sctx, key.ID, slug)
	if err != nil {
		return err
	}
	out := struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}{Deliveries: make([]deliveryJSON, 0, len(ds))}
	for _, d := range ds {
		j := deliveryJSON{ID: d.ID, URL: d.URL, Status: d.Status, Attempts: d.Attempts,
			CreatedAt: apiTime(d.CreatedAt), LastError: d.LastError, AttemptLog: []attemptJSON{}}
		if d.Status == store.StatusPending {
			next := apiTime(d.NextAttemptAt)
			j.NextAttemptAt = &next
		}
		for _, a := range attempts[d.ID] {
			aj := attemptJSON{N: a.N, At: apiTime(a.At), Error: a.Error,
				DurationMS: math.Round(float64(a.Duration)/1e3) / 1e3}
			if a.StatusCode != 0 {
				code := a.StatusCode
				aj.StatusCode = &code
			}
			j.AttemptLog = append(j.AttemptLog, aj)
		}
		out.Deliveries = append(out.Deliveries, j)
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	writeJSON(ctx, out)
	return nil
}

// validDeliveryID: "msg_" and up to 60 characters of [0-9A-Za-z_].
func validDeliveryID(id string) bool {
	if !strings.HasPrefix(id, "msg_") || len(id) <= 4 || len(id) > 64 {
		return false
	}
	for i := 4; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// redeliver serves POST /api/v2/deliveries/{id}/redeliver: the caller's
// delivery is made pending and due now (attempt numbering continues), and
// the dispatcher is woken. 202: it is queued, not yet sent.
func (s *Server) redeliver(ctx *fasthttp.RequestCtx) error {
	key, err := s.requireKey(ctx)
	if err != nil {
		return err
	}
	id := strings.TrimSuffix(strings.TrimPrefix(requestPath(ctx), "/api/v2/deliveries/"), "/redeliver")
	notFound := &Error{Status: fasthttp.StatusNotFound, Message: "delivery not found",
		Details: []params.FieldError{{Field: "id", Message: "no delivery with this id for this API key"}}}
	if !validDeliveryID(id) {
		return notFound
	}
	sctx, cancel := storeContext()
	defer cancel()
	err = s.opt.Store.Redeliver(sctx, key.ID, id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	s.notifyDispatcher()
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetStatusCode(fasthttp.StatusAccepted)
	writeJSON(ctx, map[string]string{"id": id, "status": store.StatusPending})
	return nil
}
