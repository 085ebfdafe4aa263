package render_test

import (
	"bytes"
	"image"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/wasm/imagedec"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/render"
)

// TestGoldenTemplates renders the template cases (format version 2, their
// templates in golden's testdata/templates, registered in the renderer's
// set under their names) and compares pixels with the stored PNGs,
// tolerance 0; OGMINT_UPDATE_GOLDEN=1 rewrites them. Each case is drawn a
// second time, from its cached static layer: the same pixels.
func TestGoldenTemplates(t *testing.T) {
	cases, err := golden.TemplateCases()
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, render.DefaultMaxLayers)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			tpl, err := golden.LoadTemplate(c.Template)
			if err != nil {
				t.Fatal(err)
			}
			r.Set.Templates[tpl.Name] = tpl
			q, err := url.ParseQuery(c.Query)
			if err != nil {
				t.Fatal(err)
			}
			p, perr := params.Parse(q, r.Set)
			if perr != nil {
				t.Fatal(perr)
			}
			images := map[string]image.Image{}
			for name, file := range c.Images {
				b, err := golden.ImageFile(file)
				if err != nil {
					t.Fatal(err)
				}
				img, err := imagedec.Decode(b, render.DefaultAssetLimits, func(size image.Point) []imagedec.Draw {
					return render.ImageDraws(tpl, name, size)
				})
				if err != nil {
					t.Fatal(err)
				}
				images[name] = img
			}
			fr, err := r.RenderImages(p, images)
			if err != nil {
				t.Fatal(err)
			}
			first := bytes.Clone(fr.Pix)
			if fr, err = r.RenderImages(p, images); err != nil || !bytes.Equal(fr.Pix, first) {
				t.Fatalf("drawn again (a cached layer): other pixels (%v)", err)
			}
			if golden.Updating() {
				if err := golden.Save(c.Name, fr.Pix, fr.W, fr.H); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, w, h, err := golden.LoadImage(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			if w != fr.W || h != fr.H {
				t.Fatalf("%dx%d, golden %dx%d", fr.W, fr.H, w, h)
			}
			if d := golden.Diff(fr.Pix, want, w); d != "" {
				t.Errorf("%s: %s", c.Name, d)
			}
		})
	}
}

// TestGoldenTemplateFiles: every template file is used by a case, under
// the name its queries give, and every case has its file and images.
func TestGoldenTemplateFiles(t *testing.T) {
	cases, err := golden.TemplateCases()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(golden.TemplateDir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Errorf("case %s listed twice", c.Name)
		}
		names[c.Name] = true
		used[c.Template] = true
		tpl, err := golden.LoadTemplate(c.Template)
		if err != nil {
			t.Errorf("case %s: %v", c.Name, err)
			continue
		}
		if q, _ := url.ParseQuery(c.Query); q.Get("template") != tpl.Name {
			t.Errorf("case %s: query names template %q, the file %q", c.Name, q.Get("template"), tpl.Name)
		}
		for _, f := range c.Images {
			if _, err := golden.ImageFile(f); err != nil {
				t.Errorf("case %s: %v", c.Name, err)
			}
		}
		if _, err := os.Stat(golden.Path(c.Name)); err != nil && !golden.Updating() {
			t.Errorf("case %s: %v", c.Name, err)
		}
	}
	for _, f := range files {
		if !used[filepath.Base(f)] {
			t.Errorf("%s: no case uses it", filepath.Base(f))
		}
	}
}
