package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/api"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/internal/vectors"
)

// TestV1Vectors runs the shared V1 vectors (internal/vectors/v1.json) against
// the real host, configured with an API key as in TestV1Errors and with none
// as at the edge. The edge tests (edge/test/) run the same file against
// workerd and Deno.
func TestV1Vectors(t *testing.T) {
	vs, err := vectors.V1()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors in", vectors.File())
	}
	for _, cfg := range []struct {
		name string
		keys []string
	}{{"with a key", []string{"k-good-0123456789abcdef"}}, {"without keys", nil}} {
		t.Run(cfg.name, func(t *testing.T) {
			e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: cfg.keys})
			for _, v := range vs {
				t.Run(v.Name, func(t *testing.T) { checkVector(t, e, v) })
			}
		})
	}
}

func checkVector(t *testing.T, e *env, v vectors.Vector) {
	t.Helper()
	var headers []string
	for k, val := range v.Headers {
		headers = append(headers, k, val)
	}
	r := e.doRaw(t, v.Method, v.Path, headers...)
	if r.status != v.Status {
		t.Fatalf("status %d, want %d: %.300s", r.status, v.Status, r.body)
	}
	if v.Status >= 400 {
		if got := errorFields(t, r); fmt.Sprint(got) != fmt.Sprint(v.Fields) {
			t.Errorf("fields %v, want %v (%s)", got, v.Fields, r.body)
		}
		if r.header["Cache-Control"] != "no-store" {
			t.Errorf("error Cache-Control %q", r.header["Cache-Control"])
		}
	} else if v.Status == 200 {
		if r.header["Content-Type"] != "image/png" || r.header["Cache-Control"] != api.V1CacheControl || r.header["ETag"] == "" {
			t.Errorf("200 headers %v", r.header)
		}
	}
	if r.header["Allow"] != v.Allow {
		t.Errorf("Allow %q, want %q", r.header["Allow"], v.Allow)
	}
}

// doRaw is do with the path sent exactly as written (fasthttp's client
// normalizes it otherwise), so the vectors test the server's reading of it.
func (e *env) doRaw(t *testing.T, method, path string, headers ...string) response {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(e.base + path)
	req.URI().DisablePathNormalizing = true
	req.Header.SetMethod(method)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := &fasthttp.Client{ReadTimeout: 10 * time.Second, DisablePathNormalizing: true}
	if method == "HEAD" {
		resp.SkipBody = true
	}
	if err := c.DoTimeout(req, resp, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode(), header: map[string]string{}, body: append([]byte(nil), resp.Body()...)}
	for _, k := range []string{"Content-Type", "Cache-Control", "ETag", "Retry-After", "Content-Length", "Allow"} {
		r.header[k] = string(resp.Header.Peek(k))
	}
	return r
}
