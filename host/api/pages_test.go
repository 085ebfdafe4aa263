package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/templates"
)

// TestBuiltinTemplateJSON: GET /api/templates/{name} is the built-in
// template's file as embedded; other names are 404.
func TestBuiltinTemplateJSON(t *testing.T) {
	e := start(t, setup{})
	want, _ := templates.BuiltinJSON("blog")
	r := e.do(t, "GET", "/api/templates/blog")
	if r.status != 200 || r.header["Content-Type"] != "application/json" || string(r.body) != string(want) {
		t.Fatalf("GET /api/templates/blog: %d %v %.80q", r.status, r.header, r.body)
	}
	if r := e.do(t, "HEAD", "/api/templates/blog"); r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
	for _, name := range []string{"nope", "custom_k3v9x0q2mz", "..%2fpalettes", "blog.json", ""} {
		r := e.do(t, "GET", "/api/templates/"+name)
		if r.status != 404 {
			t.Errorf("GET /api/templates/%s: %d %q", name, r.status, r.body)
		}
	}
	if r := e.do(t, "POST", "/api/templates/blog"); r.status != 405 || r.header["Allow"] != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", r.status, r.header["Allow"])
	}
	var info struct {
		Templates []struct{ Name string } `json:"templates"`
	}
	if err := json.Unmarshal(e.do(t, "GET", "/api/templates").body, &info); err != nil || len(info.Templates) == 0 {
		t.Fatalf("GET /api/templates: %v", err)
	}
}

// TestPagesHook: paths no endpoint has go to Options.Pages before the 404,
// and "/" and "/playground..." are routes of their own in the metrics.
func TestPagesHook(t *testing.T) {
	e := start(t, setup{pages: func(ctx *fasthttp.RequestCtx) bool {
		switch string(ctx.URI().PathOriginal()) {
		case "/", "/playground", "/playground/app.js":
			ctx.SetContentType("text/html")
			ctx.SetBodyString("page")
			return true
		}
		return false
	}})
	for path, want := range map[string]int{"/": 200, "/playground": 200, "/playground/app.js": 200,
		"/playground/nope": 404, "/nope": 404, "/api/og": 400} {
		if r := e.do(t, "GET", path); r.status != want {
			t.Errorf("GET %s: %d, want %d (%q)", path, r.status, want, r.body)
		}
	}
	metrics := string(e.do(t, "GET", "/metrics").body)
	for _, line := range []string{`ogmint_http_responses_total{code="200",route="/"} 1`,
		`ogmint_http_responses_total{code="200",route="/playground"} 2`,
		`ogmint_http_responses_total{code="404",route="/playground"} 1`,
		`ogmint_http_responses_total{code="404",route="other"} 1`} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}
