package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/store"
)

// TestWriteErrorNoSpace: a store write that failed for lack of space, however
// wrapped, answers 507 with the API's JSON error saying so; other unmapped
// errors stay a bare 500 and mapped ones keep their status.
func TestWriteErrorNoSpace(t *testing.T) {
	full := fmt.Errorf("%w: store: commit render: database or disk is full (13)", store.ErrNoSpace)
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		message string
	}{
		{"no space", full, fasthttp.StatusInsufficientStorage, errNoSpace.Message},
		{"no space, wrapped again", fmt.Errorf("render: %w", full), fasthttp.StatusInsufficientStorage, errNoSpace.Message},
		{"other store error", errors.New("store: commit render: disk I/O error"), fasthttp.StatusInternalServerError, "internal error"},
		{"mapped", &Error{Status: fasthttp.StatusServiceUnavailable, Message: "busy"}, fasthttp.StatusServiceUnavailable, "busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ctx fasthttp.RequestCtx
			writeError(&ctx, tc.err)
			if got := ctx.Response.StatusCode(); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
			if ct := string(ctx.Response.Header.ContentType()); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var body errorBody
			if err := json.Unmarshal(ctx.Response.Body(), &body); err != nil || body.Error != tc.message {
				t.Errorf("body %s (%v), want error %q", ctx.Response.Body(), err, tc.message)
			}
		})
	}
}
