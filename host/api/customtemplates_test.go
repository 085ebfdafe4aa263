package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/filetemplates"
	"github.com/ogmint/ogmint/host/ratelimit"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/templates"
)

// fullRect is a custom template painting its whole canvas in fill, with
// the title and, when field is set, a custom field shown under it.
func fullRect(fill string, field string) string {
	fields, extra := "", ""
	if field != "" {
		fields = `,"fields":{"` + field + `":{"maxLength":20,"required":true}}`
		extra = `,{"type":"text","text":"{` + field + `}","box":[100,400,1000,100],"size":[30,40],"color":"text"}`
	}
	return `{"name":"Full ` + fill + `","background":"bg"` + fields + `,"elements":[
		{"type":"rect","box":[0,0,1200,630],"fill":"` + fill + `"},
		{"type":"text","text":"{title}","box":[100,100,1000,200],"size":[40,60],"color":"text"}` + extra + `]}`
}

type templateAnswer struct {
	ID        string          `json:"id"`
	Version   int             `json:"version"`
	Name      string          `json:"name"`
	Params    []string        `json:"params"`
	Template  json.RawMessage `json:"template"`
	Templates []templateAnswer
}

func decodeTemplate(t *testing.T, r response) templateAnswer {
	t.Helper()
	var a templateAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("answer %q: %v", r.body, err)
	}
	return a
}

// firstPixel decodes a PNG answer and returns its size and top-left colour.
func firstPixel(t *testing.T, r response) string {
	t.Helper()
	if r.status != 200 || r.header["Content-Type"] != "image/png" {
		t.Fatalf("want a PNG, got %d %s %q", r.status, r.header["Content-Type"], r.body)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	c := img.At(0, 0)
	r8, g8, b8, _ := c.RGBA()
	return fmt.Sprintf("%dx%d #%02x%02x%02x", img.Bounds().Dx(), img.Bounds().Dy(), r8>>8, g8>>8, b8>>8)
}

// TestCustomTemplateLifecycle: create, read, list, use (V1 for anyone with
// the id, V2 for the owner only), update to a new version (older slugs
// still served, dedup separates versions, V1 follows the latest), delete.
func TestCustomTemplateLifecycle(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA, keyB}})
	ka, kb := []string{"x-api-key", keyA}, []string{"x-api-key", keyB}

	r := e.doBody(t, "POST", "/api/v2/templates", []byte(fullRect("#ff0000", "price")), ka...)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := decodeTemplate(t, r)
	if !strings.HasPrefix(created.ID, "custom_") || len(created.ID) != 17 || created.Version != 1 ||
		strings.Join(created.Params, ",") != "price,title" || r.header["ETag"] != `"1"` {
		t.Fatalf("create answer: %s (ETag %s)", r.body, r.header["ETag"])
	}
	id := created.ID

	r = e.do(t, "GET", "/api/v2/templates/"+id, ka...)
	if got := decodeTemplate(t, r); r.status != 200 || got.Version != 1 || !json.Valid(got.Template) || got.Name != "Full #ff0000" {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v2/templates/"+id, kb...); r.status != 404 {
		t.Fatalf("another key's template: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v2/templates", ka...); r.status != 200 || !strings.Contains(string(r.body), id) {
		t.Fatalf("list: %d %s", r.status, r.body)
	} else if !strings.Contains(string(r.body), `"params":["price","title"]`) {
		t.Fatalf("the list does not give the template's parameters: %s", r.body)
	}
	if r := e.do(t, "GET", "/api/v2/templates", kb...); r.status != 200 || strings.Contains(string(r.body), id) {
		t.Fatalf("another key's list shows it: %d %s", r.status, r.body)
	}

	// V1: anyone with the id; the custom field is a query parameter.
	q := url.Values{"template": {id}, "title": {"Custom"}, "price": {"$9"}}
	if px := firstPixel(t, e.do(t, "GET", og(q))); px != "1200x630 #ff0000" {
		t.Fatalf("V1 render: %s", px)
	}
	q.Del("price")
	if r := e.do(t, "GET", og(q)); r.status != 400 || !strings.Contains(string(r.body), `"price"`) {
		t.Fatalf("V1 without the required field: %d %s", r.status, r.body)
	}
	// V2: the owner's key only; fields in "fields".
	body := map[string]any{"template": id, "title": "Custom", "fields": map[string]string{"price": "$9"}}
	r1, a1 := e.v2(t, keyA, body)
	if r1.status != 201 {
		t.Fatalf("V2 render: %d %s", r1.status, r1.body)
	}
	if r, _ := e.v2(t, keyB, body); r.status != 404 {
		t.Fatalf("V2 with another key: %d %s", r.status, r.body)
	}

	// A stale If-Match is a conflict; then a new version.
	if r := e.doBody(t, "PUT", "/api/v2/templates/"+id, []byte(fullRect("#00ff00", "price")), append(ka, "If-Match", `"7"`)...); r.status != 409 {
		t.Fatalf("stale If-Match: %d %s", r.status, r.body)
	}
	r = e.doBody(t, "PUT", "/api/v2/templates/"+id, []byte(fullRect("#00ff00", "price")), append(ka, "If-Match", `"1"`)...)
	if got := decodeTemplate(t, r); r.status != 200 || got.Version != 2 || r.header["ETag"] != `"2"` {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if r := e.doBody(t, "PUT", "/api/v2/templates/"+id, []byte(fullRect("#0000ff", "")), kb...); r.status != 404 {
		t.Fatalf("update by another key: %d %s", r.status, r.body)
	}
	q.Set("price", "$9")
	if px := firstPixel(t, e.do(t, "GET", og(q))); px != "1200x630 #00ff00" {
		t.Fatalf("V1 after the update: %s", px)
	}
	r2, a2 := e.v2(t, keyA, body)
	if r2.status != 201 || a2.Slug == a1.Slug {
		t.Fatalf("V2 after the update: %d %s (first slug %s): dedup must separate versions", r2.status, r2.body, a1.Slug)
	}
	if px := firstPixel(t, e.do(t, "GET", "/i/"+a1.Slug)); px != "1200x630 #ff0000" {
		t.Fatalf("version 1's slug after the update: %s", px)
	}

	// Delete: no new renders; stored images stay.
	if r := e.do(t, "DELETE", "/api/v2/templates/"+id, kb...); r.status != 404 {
		t.Fatalf("delete by another key: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v2/templates/"+id, ka...); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", og(q)); r.status != 404 {
		t.Fatalf("V1 after delete: %d %s", r.status, r.body)
	}
	if px := firstPixel(t, e.do(t, "GET", "/i/"+a2.Slug)); px != "1200x630 #00ff00" {
		t.Fatalf("stored image after delete: %s", px)
	}
	if r := e.do(t, "GET", "/api/v2/templates/"+id, ka...); r.status != 404 {
		t.Fatalf("get after delete: %d", r.status)
	}
}

// TestCustomTemplateErrors: every refusal has its status and a JSON body
// naming the problem (a JSON Pointer for template problems).
func TestCustomTemplateErrors(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}, maxBody: 8 << 20})
	ka := []string{"x-api-key", keyA}
	bad := `{"background":"bg","elements":[{"type":"text","text":"{title}","box":[0,0,10,10],"size":[40,60],"color":"nope"},
		{"type":"ellipse","box":[10,10,100,100]}]}`
	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		want                     []string
	}{
		{"no key", "POST", "/api/v2/templates", fullRect("#ff0000", ""), nil, 401, nil},
		{"wrong key", "GET", "/api/v2/templates", "", []string{"x-api-key", "nope-nope-nope-nope"}, 401, nil},
		{"not JSON", "POST", "/api/v2/templates", "{", ka, 400, []string{`"pointer":""`}},
		{"every problem at its pointer", "POST", "/api/v2/templates", bad, ka, 400,
			[]string{`"pointer":"/elements/0/box"`, `"pointer":"/elements/0/color"`, `"pointer":"/elements/1"`}},
		{"unknown font", "POST", "/api/v2/templates", strings.Replace(fullRect("#ff0000", ""), `"size"`, `"family":"Comic Sans","size"`, 1), ka, 400, []string{"Comic Sans"}},
		{"too large", "POST", "/api/v2/templates", `{"name":"` + strings.Repeat("x", 3<<20) + `"}`, ka, 413, []string{"template"}},
		{"unknown id", "GET", "/api/v2/templates/custom_0000000000", "", ka, 404, []string{"custom_0000000000"}},
		{"not an id", "GET", "/api/v2/templates/..%2fmetrics", "", ka, 404, nil},
		{"bad If-Match", "PUT", "/api/v2/templates/custom_0000000000", fullRect("#ff0000", ""), append(ka, "If-Match", "yesterday"), 400, []string{"If-Match"}},
		{"method", "PATCH", "/api/v2/templates/custom_0000000000", "", ka, 405, nil},
		{"V1 unknown custom", "GET", "/api/og?template=custom_0000000000&title=x", "", nil, 404, []string{"template"}},
		{"render body over the render limit", "POST", "/api/v2/render", `{"template":"blog","title":"` + strings.Repeat("x", 100<<10) + `"}`, ka, 413, []string{"body"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r := e.doBody(t, tc.method, tc.path, body, tc.headers...)
			if r.status != tc.status || r.header["Content-Type"] != "application/json" {
				t.Fatalf("%d %s %q, want %d JSON", r.status, r.header["Content-Type"], r.body, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(r.body), w) {
					t.Errorf("body %s lacks %s", r.body, w)
				}
			}
		})
	}
}

// TestTemplatePreview: a template and parameters in, its PNG out, nothing
// stored; a non-default canvas size comes out at that size.
func TestTemplatePreview(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}})
	ka := []string{"x-api-key", keyA}
	square := strings.Replace(fullRect("#123456", ""), `"background"`, `"width":1080,"height":1080,"background"`, 1)
	square = strings.NewReplacer("[0,0,1200,630]", "[0,0,1080,1080]", "[100,100,1000,200]", "[100,100,880,200]").Replace(square)
	var wg sync.WaitGroup
	for i, tc := range []struct {
		template, want string
	}{
		{fullRect("#ff0000", ""), "1200x630 #ff0000"},
		{fullRect("#00ff00", ""), "1200x630 #00ff00"},
		{square, "1080x1080 #123456"},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"template":` + tc.template + `,"params":{"title":"Preview ` + fmt.Sprint(i) + `"}}`
			r := e.doBody(t, "POST", "/api/v2/templates/preview", []byte(body), ka...)
			if px := firstPixel(t, r); px != tc.want || r.header["Cache-Control"] != "no-store" {
				t.Errorf("preview %d: %s (Cache-Control %q), want %s", i, px, r.header["Cache-Control"], tc.want)
			}
		}()
	}
	wg.Wait()
	r := e.doBody(t, "POST", "/api/v2/templates/preview", []byte(`{"template":{"background":"bg","elements":[]},"params":{}}`), ka...)
	if r.status != 400 || !strings.Contains(string(r.body), `"pointer":"/template/elements"`) {
		t.Fatalf("invalid preview: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v2/templates", ka...); !strings.Contains(string(r.body), `"templates":[]`) {
		t.Fatalf("a preview was stored: %s", r.body)
	}
}

// TestFileTemplates: templates from OGMINT_TEMPLATES_DIR render for V1 and
// for any key in V2, and a new file version changes the ETag.
func TestFileTemplates(t *testing.T) {
	dir := t.TempDir()
	write := func(fill string) map[string]*filetemplates.Template {
		if err := os.WriteFile(filepath.Join(dir, "launch.json"), []byte(fullRect(fill, "")), 0o600); err != nil {
			t.Fatal(err)
		}
		files, err := filetemplates.Load(dir, filetemplates.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA, keyB}, files: write("#ff0000")})
	q := url.Values{"template": {"custom_launch"}, "title": {"From a file"}}
	r := e.do(t, "GET", og(q))
	if px := firstPixel(t, r); px != "1200x630 #ff0000" {
		t.Fatalf("V1: %s", px)
	}
	for _, key := range []string{keyA, keyB} {
		if r, _ := e.v2(t, key, map[string]any{"template": "custom_launch", "title": "From a file"}); r.status != 201 {
			t.Fatalf("V2 with %s: %d %s", key, r.status, r.body)
		}
	}
	etag := r.header["ETag"]
	e.stop()
	e = start(t, setup{pool: renderpool.Config{Instances: 1}, files: write("#00ff00")})
	r = e.do(t, "GET", og(q))
	if px := firstPixel(t, r); px != "1200x630 #00ff00" || r.header["ETag"] == etag {
		t.Fatalf("after the file changed: %s, ETag %s (was %s)", px, r.header["ETag"], etag)
	}
}

// TestTemplatePreviewRateLimited: a preview is a render and counts against
// the key's render limit.
func TestTemplatePreviewRateLimited(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}, keyRate: ratelimit.New(1, time.Hour, 100)})
	body := []byte(`{"template":` + fullRect("#ff0000", "") + `,"params":{"title":"Preview"}}`)
	if r := e.doBody(t, "POST", "/api/v2/templates/preview", body, "x-api-key", keyA); r.status != 200 {
		t.Fatalf("first preview: %d %s", r.status, r.body)
	}
	if r := e.doBody(t, "POST", "/api/v2/templates/preview", body, "x-api-key", keyA); r.status != 429 || r.header["Retry-After"] == "" {
		t.Fatalf("second preview: %d %s, Retry-After %q", r.status, r.body, r.header["Retry-After"])
	}
}

// TestTemplateLimitsConfigurable: a server configured for fewer elements
// refuses a template with more, at the elements' pointer.
func TestTemplateLimitsConfigurable(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}, tlimits: templates.Limits{MaxElements: 1}})
	r := e.doBody(t, "POST", "/api/v2/templates", []byte(fullRect("#ff0000", "")), "x-api-key", keyA)
	if r.status != 400 || !strings.Contains(string(r.body), `"pointer":"/elements"`) {
		t.Fatalf("2 elements with a limit of 1: %d %s", r.status, r.body)
	}
}
