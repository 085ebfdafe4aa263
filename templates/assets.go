package templates

import (
	"bytes"
	"encoding/base64"
	"image"
	_ "image/jpeg" // assets may be JPEG
	_ "image/png"  // or PNG
	"strings"
)

// assetFormats maps the data URL prefixes an asset may have to the format
// image.DecodeConfig must find.
var assetFormats = map[string]string{"data:image/png;base64,": "png", "data:image/jpeg;base64,": "jpeg"}

// assets checks the images a template carries, each used by an element.
func (c *checker) assets() {
	total := 0
	for _, name := range sortedKeys(c.t.Assets) {
		at := pointer("/assets").key(name)
		if !isAssetName(name) {
			c.ps.check(at, "name %q: want 1-32 of [a-z0-9_-], starting with a letter or digit", name)
		}
		total += c.asset(at, c.t.Assets[name])
		if !c.assetsUsed[name] {
			c.derived(at, "no image element shows it (src \"asset:%s\")", name)
		}
	}
	if max := c.o.Limits.MaxAssetsBytes; total > max {
		c.ps.check("/assets", "%d bytes of images together; at most %d", total, max)
	}
}

// asset checks one data URL and returns its decoded size.
func (c *checker) asset(at pointer, url string) int {
	lim := c.o.Limits
	comma := strings.IndexByte(url, ',') + 1
	format := assetFormats[url[:comma]]
	if format == "" {
		c.ps.check(at, "want data:image/png;base64,… or data:image/jpeg;base64,…")
		return 0
	}
	// Decoding costs little: the document is at most MaxBytes.
	b, err := base64.StdEncoding.DecodeString(url[comma:])
	if err != nil {
		c.ps.check(at, "base64: %v", err)
		return 0
	}
	if len(b) > lim.MaxAssetBytes {
		c.ps.check(at, "%d bytes; at most %d", len(b), lim.MaxAssetBytes)
		return len(b)
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(b))
	switch {
	case err != nil:
		c.ps.check(at, "not a %s image: %v", format, err)
	case got != format:
		c.ps.check(at, "a %s image in a data URL of image/%s", got, format)
	case cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > lim.MaxAssetPixels:
		c.ps.check(at, "a %dx%d image; at most %d pixels", cfg.Width, cfg.Height, lim.MaxAssetPixels)
	}
	return len(b)
}
