package api

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/params"
)

// Error is an HTTP error with the contract's JSON body {"error", "details"}.
// Handlers return errors; writeError is the one place that maps them to a
// status and body.
type Error struct {
	Status     int
	Message    string
	Details    any
	RetryAfter int    // seconds; sets Retry-After when > 0
	Allow      string // sets Allow (405)
	raw        []byte
	cause      error // what failed, for the server log only
}

// Error is the message, followed by the cause when there is one (for the
// server log; clients get Message).
func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.cause }

type errorBody struct {
	Error   string `json:"error"`
	Details any    `json:"details,omitempty"`
}

func badRequest(field, msg string) *Error {
	return &Error{Status: fasthttp.StatusBadRequest, Message: "invalid parameters",
		Details: []params.FieldError{{Field: field, Message: msg}}}
}

// fromParams maps a parameter error to 400, or 404 for an unknown custom template.
func fromParams(pe *params.Error) *Error {
	st := fasthttp.StatusBadRequest
	if pe.NotFound {
		st = fasthttp.StatusNotFound
	}
	return &Error{Status: st, Message: pe.Message, Details: pe.Fields}
}

// fromRender maps a render pool error to a status. Server-side failures
// keep err as their cause for the log (an instance's memory cap, deadline or
// trap: see logFailure).
func fromRender(err error) *Error {
	var me *renderpool.ModuleError
	switch {
	case errors.As(err, &me):
		st := fasthttp.StatusInternalServerError
		switch me.Status {
		case abi.StatusInvalid:
			st = fasthttp.StatusBadRequest
		case abi.StatusNotFound:
			st = fasthttp.StatusNotFound
		case abi.StatusTooLarge:
			st = fasthttp.StatusRequestEntityTooLarge
		}
		e := &Error{Status: st, raw: me.Body}
		if st == fasthttp.StatusInternalServerError {
			e.Message, e.cause = "internal error", err
		}
		return e
	case errors.Is(err, renderpool.ErrQueueFull):
		return &Error{Status: fasthttp.StatusServiceUnavailable, Message: "all render instances are busy; retry shortly", RetryAfter: 1}
	case errors.Is(err, renderpool.ErrDeadline):
		return &Error{Status: fasthttp.StatusInternalServerError, Message: "render exceeded its deadline", cause: err}
	case errors.Is(err, renderpool.ErrMemoryCap):
		return &Error{Status: fasthttp.StatusInternalServerError, Message: "render ran out of memory", cause: err}
	}
	return &Error{Status: fasthttp.StatusInternalServerError, Message: "internal error", cause: err}
}

// logFailure logs a request that failed on the server's side: the error
// with its cause, and for a render instance that failed, why ("memory cap",
// "deadline", "trap": the instance was replaced).
func (s *Server) logFailure(ctx *fasthttp.RequestCtx, err error) {
	attrs := []any{"path", requestPath(ctx), "err", err}
	if c := renderpool.CauseOf(err); c != renderpool.CauseNone {
		attrs = append(attrs, "cause", c.String())
	}
	s.opt.Logger.Error("request failed", attrs...)
}

// errNoSpace answers a store write refused for lack of disk space: 507, so
// that the cause is plain to the caller and to monitoring. Nothing was
// stored; the same request succeeds once space is freed (/readyz is 200
// again then).
var errNoSpace = &Error{Status: fasthttp.StatusInsufficientStorage,
	Message: "insufficient storage: the server's disk is full, nothing was stored; retry later"}

// unmapped maps an error no handler turned into an *Error: 507 for a store
// out of space, else a bare 500 (no internals leak to clients).
func unmapped(err error) *Error {
	if errors.Is(err, store.ErrNoSpace) {
		return errNoSpace
	}
	return &Error{Status: fasthttp.StatusInternalServerError, Message: "internal error"}
}

// writeError writes err as JSON. Unknown errors become a bare 500 (no
// internals leak to clients).
func writeError(ctx *fasthttp.RequestCtx, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = unmapped(err)
	}
	ctx.Response.Reset()
	ctx.SetStatusCode(e.Status)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if e.RetryAfter > 0 {
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if e.Allow != "" {
		ctx.Response.Header.Set("Allow", e.Allow)
	}
	if e.raw != nil {
		ctx.SetBody(e.raw)
		return
	}
	b, _ := json.Marshal(errorBody{Error: e.Message, Details: e.Details})
	ctx.SetBody(b)
}

// writeJSON writes v with status 200.
func writeJSON(ctx *fasthttp.RequestCtx, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(ctx, err)
		return
	}
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

// ParseErrorHandler answers requests fasthttp could not parse (for
// fasthttp.Server.ErrorHandler) with the contract's JSON errors: 413 for a
// body over the limit, 431 for oversized headers, 408 for a slow client,
// 400 otherwise.
func ParseErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	var e *Error
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		e = &Error{Status: fasthttp.StatusRequestEntityTooLarge, Message: "request body too large",
			Details: []params.FieldError{{Field: "body", Message: "larger than the server's limit"}}}
	case errors.As(err, &small):
		e = &Error{Status: fasthttp.StatusRequestHeaderFieldsTooLarge, Message: "request headers too large"}
	case isTimeout(err):
		e = &Error{Status: fasthttp.StatusRequestTimeout, Message: "request timed out"}
	default:
		e = &Error{Status: fasthttp.StatusBadRequest, Message: "malformed HTTP request"}
	}
	writeError(ctx, e)
	ctx.SetConnectionClose()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
