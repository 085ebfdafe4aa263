package pages_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/fontcat"
	"github.com/ogmint/ogmint/host/pages"
	"github.com/ogmint/ogmint/templates"
)

// fakeModule stands in for the render module: the pages only serve its bytes.
var fakeModule = bytes.Repeat([]byte("\x00asm\x01\x00\x00\x00 not a real module "), 4096)

func newPages(t *testing.T) (*pages.Pages, *templates.Set) {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := fontcat.Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, err := pages.New(pages.Options{Module: fakeModule, Templates: set, Fonts: cat})
	if err != nil {
		t.Fatal(err)
	}
	return p, set
}

type answer struct {
	served bool
	status int
	header map[string]string
	body   []byte
}

func get(p *pages.Pages, method, path string, header ...string) answer {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(path)
	for i := 0; i+1 < len(header); i += 2 {
		ctx.Request.Header.Set(header[i], header[i+1])
	}
	a := answer{served: p.Serve(&ctx), status: ctx.Response.StatusCode(), header: map[string]string{}}
	for _, k := range []string{"Content-Type", "Content-Encoding", "ETag", "Cache-Control", "Content-Security-Policy", "Allow", "Vary"} {
		a.header[k] = string(ctx.Response.Header.Peek(k))
	}
	a.body = append([]byte(nil), ctx.Response.Body()...)
	return a
}

// TestPagesAndTheirFiles: every page answers, and every file a page or a
// module refers to under /playground/ is served (there is no build step to
// catch a broken reference).
func TestPagesAndTheirFiles(t *testing.T) {
	p, set := newPages(t)
	refs := regexp.MustCompile(`(?:src|href)="(/playground/[^"#?]+)"|from "(/playground/[^"]+)"|import "(/playground/[^"]+)"|\./(wasi\.js)"`)
	seen := map[string]bool{}
	queue := []string{"/", "/playground"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		a := get(p, "GET", path)
		if !a.served || a.status != 200 || len(a.body) == 0 {
			t.Errorf("GET %s: served %v, status %d, %d bytes", path, a.served, a.status, len(a.body))
			continue
		}
		if !strings.HasSuffix(path, ".js") && !strings.HasSuffix(path, ".css") && path != "/" && path != "/playground" {
			continue
		}
		for _, m := range refs.FindAllStringSubmatch(string(a.body), -1) {
			ref := m[1] + m[2] + m[3]
			if m[4] != "" {
				ref = path[:strings.LastIndex(path, "/")+1] + m[4]
			}
			queue = append(queue, ref)
		}
	}
	for _, want := range []string{"/playground/playground.js", "/playground/jsonpos.js", "/playground/style.css",
		"/playground/edge/module.js", "/playground/edge/wasi.js", "/playground/edge/fonts.js"} {
		if !seen[want] {
			t.Errorf("%s is not referred to from the pages", want)
		}
	}

	home := string(get(p, "GET", "/").body)
	for _, name := range set.Names() {
		if !strings.Contains(home, `<img src="/api/og?`) || !strings.Contains(home, "template="+name+"&amp;") {
			t.Errorf("the home page has no example card of %s", name)
		}
	}
	for _, link := range []string{`href="/playground"`, `href="/api/templates"`, `#api"`} {
		if !strings.Contains(home, link) {
			t.Errorf("the home page has no link %s", link)
		}
	}
	for _, path := range []string{"/", "/playground", "/playground/"} {
		a := get(p, "GET", path)
		if a.header["Content-Type"] != "text/html; charset=utf-8" || !strings.Contains(a.header["Content-Security-Policy"], "'wasm-unsafe-eval'") {
			t.Errorf("GET %s: headers %v", path, a.header)
		}
	}
}

func TestModuleAndFonts(t *testing.T) {
	p, _ := newPages(t)
	a := get(p, "GET", "/playground/ogmint.wasm")
	if a.header["Content-Type"] != "application/wasm" || a.header["Content-Encoding"] != "" || !bytes.Equal(a.body, fakeModule) {
		t.Fatalf("module without gzip: %v, %d bytes", a.header, len(a.body))
	}
	a = get(p, "GET", "/playground/ogmint.wasm", "Accept-Encoding", "gzip, br")
	if a.header["Content-Encoding"] != "gzip" || a.header["Vary"] != "Accept-Encoding" {
		t.Fatalf("module with gzip: %v", a.header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.body))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, fakeModule) {
		t.Fatalf("gzipped module: %v, %d bytes", err, len(b))
	}
	etag := a.header["ETag"]
	if a := get(p, "GET", "/playground/ogmint.wasm", "If-None-Match", `W/"x", `+etag); a.status != 304 || len(a.body) != 0 {
		t.Errorf("If-None-Match: status %d, %d bytes", a.status, len(a.body))
	}

	var m struct {
		Families []struct {
			Name   string     `json:"name"`
			File   string     `json:"file"`
			Bytes  int        `json:"bytes"`
			Ranges [][2]int32 `json:"ranges"`
		} `json:"families"`
	}
	if err := json.Unmarshal(get(p, "GET", "/playground/fonts/manifest.json").body, &m); err != nil {
		t.Fatal(err)
	}
	cat, err := fontcat.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Families) != len(cat.Families) {
		t.Fatalf("manifest: %d families, the catalogue %d", len(m.Families), len(cat.Families))
	}
	for i, f := range m.Families {
		b := get(p, "GET", "/playground/fonts/"+f.File).body
		if f.Name != cat.Families[i].Name || f.Bytes != len(b) || !bytes.Equal(b, cat.Packed(i)) || len(f.Ranges) != len(cat.Families[i].Owns) {
			t.Errorf("family %d %s (%s): %d bytes served, manifest says %d", i, f.Name, f.File, len(b), f.Bytes)
		}
	}
}

func TestNotOursAndMethods(t *testing.T) {
	p, _ := newPages(t)
	for _, path := range []string{"/playground/nope.js", "/playground/fonts/99.ogf", "/playground/../playground", "/index.html", "/api/og"} {
		if a := get(p, "GET", path); a.served {
			t.Errorf("GET %s: served (status %d), want it left to the API's 404", path, a.status)
		}
	}
	a := get(p, "POST", "/playground")
	if !a.served || a.status != 405 || a.header["Allow"] != "GET, HEAD" {
		t.Errorf("POST /playground: served %v, status %d, headers %v", a.served, a.status, a.header)
	}
	if a := get(p, "HEAD", "/"); !a.served || a.status != 200 {
		t.Errorf("HEAD /: served %v, status %d", a.served, a.status)
	}
}
