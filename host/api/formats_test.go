package api_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
	"testing"

	"golang.org/x/image/webp"

	"github.com/ogmint/ogmint/host/renderpool"
)

// decodeAny decodes a card in format and checks it is 1200x630.
func decodeAny(t *testing.T, format string, b []byte) image.Image {
	t.Helper()
	var img image.Image
	var err error
	switch format {
	case "png":
		img, err = png.Decode(bytes.NewReader(b))
	case "jpeg":
		img, err = jpeg.Decode(bytes.NewReader(b))
	case "webp":
		img, err = webp.Decode(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatalf("%s: decode: %v", format, err)
	}
	if img.Bounds() != image.Rect(0, 0, 1200, 630) {
		t.Fatalf("%s: bounds %v", format, img.Bounds())
	}
	return img
}

// TestV1Formats: format and quality pick the encoding, the Content-Type,
// the cache entry and the ETag; bad values are 400s naming the field.
func TestV1Formats(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}})
	etags := map[string]string{}
	for _, c := range []struct{ name, format, quality, ctype string }{
		{"png", "", "", "image/png"},
		{"jpeg", "jpeg", "", "image/jpeg"},
		{"jpeg80", "jpeg", "80", "image/jpeg"},
		{"webp", "webp", "", "image/webp"},
	} {
		q := card("Formats")
		if c.format != "" {
			q.Set("format", c.format)
		}
		if c.quality != "" {
			q.Set("quality", c.quality)
		}
		r := e.do(t, "GET", og(q))
		if r.status != 200 || r.header["Content-Type"] != c.ctype {
			t.Fatalf("%s: status %d type %q body %.200s", c.name, r.status, r.header["Content-Type"], r.body)
		}
		f := c.format
		if f == "" {
			f = "png"
		}
		decodeAny(t, f, r.body)
		for other, etag := range etags {
			if etag == r.header["ETag"] {
				t.Errorf("%s: same ETag as %s", c.name, other)
			}
		}
		etags[c.name] = r.header["ETag"]
		// The cached copy answers with the same type and ETag.
		if r2 := e.do(t, "GET", og(q)); r2.header["Content-Type"] != c.ctype || r2.header["ETag"] != r.header["ETag"] || !bytes.Equal(r2.body, r.body) {
			t.Errorf("%s: second request %q %q", c.name, r2.header["Content-Type"], r2.header["ETag"])
		}
	}
	// An explicit format=png is the default: same ETag.
	q := card("Formats")
	q.Set("format", "png")
	if r := e.do(t, "GET", og(q)); r.header["ETag"] != etags["png"] {
		t.Errorf("format=png: ETag %q, default %q", r.header["ETag"], etags["png"])
	}
	for _, c := range []struct{ format, quality, field string }{
		{"gif", "", "format"},
		{"", "80", "quality"},
		{"webp", "50", "quality"},
		{"jpeg", "0", "quality"},
		{"jpeg", "101", "quality"},
		{"jpeg", "x", "quality"},
	} {
		q := card("Bad")
		if c.format != "" {
			q.Set("format", c.format)
		}
		if c.quality != "" {
			q.Set("quality", c.quality)
		}
		r := e.do(t, "GET", og(q))
		if r.status != 400 || !slices.Equal(errorFields(t, r), []string{c.field}) {
			t.Errorf("format %q quality %q: status %d body %s", c.format, c.quality, r.status, r.body)
		}
	}
}

// TestV2Formats: the dedup key separates formats and qualities, and
// /i/{slug} serves each with its own Content-Type.
func TestV2Formats(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}})
	slugs := map[string]string{}
	for _, c := range []struct {
		name    string
		format  any
		quality any
		ctype   string
	}{
		{"png", nil, nil, "image/png"},
		{"jpeg", "jpeg", nil, "image/jpeg"},
		{"jpeg70", "jpeg", 70, "image/jpeg"},
		{"jpeg70s", "jpeg", "70", "image/jpeg"}, // digits as a string: the same render
		{"webp", "webp", nil, "image/webp"},
	} {
		body := map[string]any{"template": "blog", "title": "Stored formats", "format": c.format, "quality": c.quality}
		r, a := e.v2(t, keyA, body)
		if r.status != 201 && r.status != 200 {
			t.Fatalf("%s: %d %s", c.name, r.status, r.body)
		}
		if c.name == "jpeg70s" {
			if !a.Cached || a.Slug != slugs["jpeg70"] {
				t.Errorf("quality as a string: %s, want the jpeg70 render %s", r.body, slugs["jpeg70"])
			}
			continue
		}
		if r.status != 201 || a.Cached {
			t.Errorf("%s: %d %s: not a new render", c.name, r.status, r.body)
		}
		for other, slug := range slugs {
			if slug == a.Slug {
				t.Errorf("%s: same slug as %s", c.name, other)
			}
		}
		slugs[c.name] = a.Slug
		img := e.do(t, "GET", "/i/"+a.Slug)
		if img.status != 200 || img.header["Content-Type"] != c.ctype {
			t.Fatalf("%s: image %d %q", c.name, img.status, img.header["Content-Type"])
		}
		f, _ := c.format.(string)
		if f == "" {
			f = "png"
		}
		decodeAny(t, f, img.body)
		// Again, from the image cache.
		if img2 := e.do(t, "GET", "/i/"+a.Slug); img2.header["Content-Type"] != c.ctype {
			t.Errorf("%s: cached image type %q", c.name, img2.header["Content-Type"])
		}
	}
	// Same format again: a dedup hit.
	if r, a := e.v2(t, keyA, map[string]any{"template": "blog", "title": "Stored formats", "format": "webp"}); r.status != 200 || !a.Cached || a.Slug != slugs["webp"] {
		t.Errorf("webp again: %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"format": "bmp"}, "format"},
		{map[string]any{"format": 3}, "format"},
		{map[string]any{"quality": 90}, "quality"},
		{map[string]any{"format": "jpeg", "quality": 0}, "quality"},
		{map[string]any{"format": "jpeg", "quality": 100.5}, "quality"},
		{map[string]any{"format": "jpeg", "quality": true}, "quality"},
	} {
		c.body["template"], c.body["title"] = "blog", "Bad"
		r, _ := e.v2(t, keyA, c.body)
		if r.status != 400 || !slices.Equal(errorFields(t, r), []string{c.field}) {
			t.Errorf("%v: %d %s", c.body, r.status, r.body)
		}
	}
}
