package main

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

// TestRenderFormats: `ogmint render --format F` writes card.png, card.jpg or
// card.webp (or -o) in that format; bad values fail naming the flag.
func TestRenderFormats(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		file string
		dec  func(r *bytes.Reader) (image.Image, error)
	}{
		{nil, "card.png", func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) }},
		{[]string{"--format", "jpeg", "--quality", "80"}, "card.jpg", func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) }},
		{[]string{"--format", "webp"}, "card.webp", func(r *bytes.Reader) (image.Image, error) { return webp.Decode(r) }},
		{[]string{"--format", "jpeg", "-o", "named.jpeg"}, "named.jpeg", func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) }},
	} {
		cmd := exec.Command(binPath, append([]string{"render", "-module", modulePath, "-template", "blog", "-title", "Formats"}, c.args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c.args, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		img, err := c.dec(bytes.NewReader(b))
		if err != nil || img.Bounds() != image.Rect(0, 0, 1200, 630) {
			t.Errorf("%v: %s: decode %v, bounds %v", c.args, c.file, err, img)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "gif"}, "format"},
		{[]string{"--quality", "80"}, "quality"},
		{[]string{"--format", "jpeg", "--quality", "101"}, "quality"},
		{[]string{"--format", "webp", "-o", "x.png"}, "extension"},
	} {
		cmd := exec.Command(binPath, append([]string{"render", "-module", modulePath, "-template", "blog", "-title", "x"}, c.args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: err %v, output %s", c.args, err, out)
		}
	}
}
