// Package pages serves ogmint's own web pages: the home page (/) with an
// example card of every built-in template, and the playground
// (/playground), where a card is rendered in the browser by the same render
// module the server runs. Everything is embedded (go:embed): plain HTML, CSS
// and ES modules, no build step, nothing from a CDN.
//
// The playground's files:
//
//	/playground/ogmint.wasm           the server's own render module (Options.Module)
//	/playground/edge/{module,wasi,fonts}.js
//	                                  the edge adapter's ES modules (package edge)
//	/playground/fonts/manifest.json   the fallback font families of the server's
//	/playground/fonts/<index>.ogf     catalogue (Options.Fonts), as edge/dist/fonts has them
//	/playground/{playground,jsonpos}.js, style.css
//
// Every file is answered with a strong ETag and "Cache-Control: no-cache"
// (revalidated, 304 when unchanged); the module and the fonts are gzipped
// once, on their first request, when the client accepts it.
package pages

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/edge"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/fonts"
)

//go:embed static
var static embed.FS

// Options are what the pages show and serve.
type Options struct {
	// Module is the render module's bytes, the ones the server runs.
	Module []byte
	// Templates are the built-in templates (the home page's examples).
	Templates *templates.Set
	// Fonts is the server's catalogue of fallback families; nil: the
	// browser renders without them (missing glyphs draw as boxes).
	Fonts *fonts.Catalog
}

// Pages answers the pages' routes.
type Pages struct {
	files map[string]*file
}

// file is one answer: its bytes, type and ETag, gzipped on demand.
type file struct {
	body     []byte
	ctype    string
	etag     string
	html     bool // a page: security headers
	compress bool

	gzOnce sync.Once
	gz     []byte // nil: not worth it
}

// New builds the pages.
func New(opt Options) (*Pages, error) {
	if len(opt.Module) == 0 || opt.Templates == nil {
		return nil, fmt.Errorf("pages: the render module and the templates are required")
	}
	p := &Pages{files: map[string]*file{}}
	add := func(path, ctype string, body []byte, compress bool) {
		sum := sha256.Sum256(body)
		p.files[path] = &file{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
			html: strings.HasPrefix(ctype, "text/html"), compress: compress}
	}
	home, err := homePage(opt.Templates)
	if err != nil {
		return nil, err
	}
	add("/", "text/html; charset=utf-8", home, true)
	for path, name := range map[string]string{
		"/playground":               "static/playground.html",
		"/playground/playground.js": "static/playground.js",
		"/playground/jsonpos.js":    "static/jsonpos.js",
		"/playground/style.css":     "static/style.css",
	} {
		b, err := static.ReadFile(name)
		if err != nil {
			return nil, err
		}
		add(path, contentType(name), b, true)
	}
	mods, err := fs.Glob(edge.Browser, "src/*.js")
	if err != nil {
		return nil, err
	}
	for _, name := range mods {
		b, err := edge.Browser.ReadFile(name)
		if err != nil {
			return nil, err
		}
		add("/playground/edge/"+strings.TrimPrefix(name, "src/"), contentType(name), b, true)
	}
	add("/playground/ogmint.wasm", "application/wasm", opt.Module, true)
	manifest, packed, err := fontFiles(opt.Fonts)
	if err != nil {
		return nil, err
	}
	add("/playground/fonts/manifest.json", "application/json", manifest, true)
	for name, b := range packed {
		add("/playground/fonts/"+name, "application/octet-stream", b, true)
	}
	return p, nil
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	}
	return "application/octet-stream"
}

// fontFiles is what internal/cmd/edgefonts writes for the edge adapter,
// from the server's catalogue (its OGMINT_FONTS_DIR families included):
// manifest.json and one packed family per <index>.ogf.
func fontFiles(cat *fonts.Catalog) ([]byte, map[string][]byte, error) {
	type family struct {
		Name   string     `json:"name"`
		File   string     `json:"file"`
		Bytes  int        `json:"bytes"`
		Ranges [][2]int32 `json:"ranges"`
	}
	m := struct {
		Families []family `json:"families"`
	}{Families: []family{}}
	packed := map[string][]byte{}
	if cat != nil {
		for i, f := range cat.Families {
			b := cat.Packed(i)
			fam := family{Name: f.Name, File: fmt.Sprintf("%d.ogf", i), Bytes: len(b), Ranges: [][2]int32{}}
			for _, r := range f.Owns {
				fam.Ranges = append(fam.Ranges, [2]int32{r.Lo, r.Hi})
			}
			packed[fam.File] = b
			m.Families = append(m.Families, fam)
		}
	}
	j, err := json.Marshal(m)
	return j, packed, err
}

// Serve answers ctx when its path is one of the pages' and reports whether
// it did (the API answers 404 otherwise).
func (p *Pages) Serve(ctx *fasthttp.RequestCtx) bool {
	path := string(ctx.URI().PathOriginal())
	if path == "/playground/" {
		path = "/playground"
	}
	f := p.files[path]
	if f == nil {
		return false
	}
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		ctx.Response.Header.Set("Cache-Control", "no-store")
		ctx.SetContentType("application/json")
		ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
		ctx.SetBodyString(`{"error":"method not allowed"}`)
		return true
	}
	h := &ctx.Response.Header
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if f.compress {
		h.Set("Vary", "Accept-Encoding")
	}
	if f.html {
		// The module needs wasm-unsafe-eval; previews from the server
		// are blobs; nothing else leaves the origin.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "+
			"style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "+
			"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "same-origin")
	}
	if inm := ctx.Request.Header.Peek("If-None-Match"); len(inm) > 0 && etagMatch(string(inm), f.etag) {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return true
	}
	h.SetContentType(f.ctype)
	if f.compress && ctx.Request.Header.HasAcceptEncoding("gzip") {
		if gz := f.gzipped(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			ctx.Response.SetBodyRaw(gz)
			return true
		}
	}
	ctx.Response.SetBodyRaw(f.body) // never modified
	return true
}

// gzipped is the file gzipped (once), or nil when that saves under a tenth.
func (f *file) gzipped() []byte {
	f.gzOnce.Do(func() {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		if _, err := w.Write(f.body); err != nil || w.Close() != nil {
			return
		}
		if buf.Len() < len(f.body)*9/10 {
			f.gz = buf.Bytes()
		}
	})
	return f.gz
}

// etagMatch is If-None-Match's weak comparison against a strong ETag.
func etagMatch(header, etag string) bool {
	for _, p := range strings.Split(header, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), "W/")
		if p == "*" || p == etag {
			return true
		}
	}
	return false
}

// An example card of each built-in template, each in another palette.
var examplePalettes = []string{"midnight", "paper", "forest", "sunset", "ocean"}

type example struct {
	Name, Description, Src, Alt string
}

// homePage renders static/index.html with an example card of every
// built-in template.
func homePage(set *templates.Set) ([]byte, error) {
	tpl, err := template.ParseFS(static, "static/index.html")
	if err != nil {
		return nil, err
	}
	var data struct {
		Examples []example
		Palettes []string
		Fonts    []string
	}
	for i, name := range set.Names() {
		q := url.Values{
			"template":    {name},
			"title":       {"Rendering Open Graph cards at the edge"},
			"description": {"Data-driven templates, one WebAssembly module, the same pixels everywhere."},
			"tag":         {"Engineering"},
			"author":      {"Ada Lovelace"},
			"palette":     {examplePalettes[i%len(examplePalettes)]},
		}
		data.Examples = append(data.Examples, example{Name: name, Description: set.Templates[name].Description,
			Src: "/api/og?" + q.Encode(), Alt: "Example card of the " + name + " template"})
	}
	data.Palettes, data.Fonts = set.PaletteNames(), set.FamilyNames()
	var out bytes.Buffer
	if err := tpl.Execute(&out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
