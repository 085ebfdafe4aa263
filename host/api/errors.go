package api

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/renderpool"
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
}

func (e *Error) Error() string { return e.Message }

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

// fromRender maps a render pool error to a status.
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
		return &Error{Status: st, raw: me.Body}
	case errors.Is(err, renderpool.ErrQueueFull):
		return &Error{Status: fasthttp.StatusServiceUnavailable, Message: "all render instances are busy; retry shortly", RetryAfter: 1}
	case errors.Is(err, renderpool.ErrDeadline):
		return &Error{Status: fasthttp.StatusInternalServerError, Message: "render exceeded its deadline"}
	}
	return &Error{Status: fasthttp.StatusInternalServerError, Message: "internal error"}
}

// writeError writes err as JSON. Unknown errors become a bare 500 (no
// internals leak to clients).
func writeError(ctx *fasthttp.RequestCtx, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: fasthttp.StatusInternalServerError, Message: "internal error"}
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
