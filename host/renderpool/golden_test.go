package renderpool

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/pngfast"
	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
)

// TestGoldenThroughWazero renders every golden case with the release module
// in wazero and compares decoded pixels with the golden PNGs (written by the
// native renderer; tolerance 0), through both PNG paths: the host's native
// encoder and the module's portable one.
func TestGoldenThroughWazero(t *testing.T) {
	// The release build (no debug hooks), as shipped.
	rel, err := New(context.Background(), moduleBytes(t), Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline, Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer rel.Close(context.Background())
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.Cases(set) {
		t.Run(c.Name, func(t *testing.T) {
			want, err := golden.Load(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			var native []byte
			err = rel.Render(context.Background(), []byte(c.Query), func(pix []byte) error {
				if d := golden.Diff(pix, want, abi.Width); d != "" {
					t.Errorf("frame: %s", d)
				}
				var err error
				native, err = pngfast.Encode(nil, pix, abi.Width, abi.Height)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := golden.DecodeRGBA(native)
			if err != nil {
				t.Fatal(err)
			}
			if d := golden.Diff(got, want, abi.Width); d != "" {
				t.Errorf("host PNG: %s", d)
			}
			portable, err := rel.RenderPNG(context.Background(), []byte(c.Query))
			if err != nil {
				t.Fatal(err)
			}
			got, err = golden.DecodeRGBA(portable)
			if err != nil {
				t.Fatal(err)
			}
			if d := golden.Diff(got, want, abi.Width); d != "" {
				t.Errorf("module PNG: %s", d)
			}
		})
	}
}

// TestGoldenImagesThroughWazero: the avatar and logo golden cases, with the
// image files in the module's slots, give the native renderer's pixels
// (JPEG decoding and Catmull-Rom scaling included).
func TestGoldenImagesThroughWazero(t *testing.T) {
	p := newPool(t, Config{Instances: 1, Fonts: testFonts(t)})
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.ImageCases(set) {
		want, err := golden.Load(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		var images [abi.NumSlots][]byte
		for slot, file := range c.Images {
			if images[slot], err = golden.ImageFile(file); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.RenderImages(context.Background(), []byte(c.Query), images, func(pix []byte) error {
			if d := golden.Diff(pix, want, abi.Width); d != "" {
				t.Errorf("%s: %s", c.Name, d)
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
	}
}

// TestClonesRenderGoldenPixels renders every golden case on an instance
// cloned from the pool's snapshot (what extra instances and replacements
// are) and on a second clone in the opposite order: both give the golden
// pixels, so the restored state is complete and caches carry no pixels over.
func TestClonesRenderGoldenPixels(t *testing.T) {
	p, err := New(context.Background(), moduleBytes(t), Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline, Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if p.snap.Load() == nil {
		t.Fatal("no snapshot: instances are not cloned")
	}
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := golden.Cases(set)
	for round := 0; round < 2; round++ {
		in, err := p.instantiateClone(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range cases {
			c := cases[i]
			if round == 1 {
				c = cases[len(cases)-1-i]
			}
			want, err := golden.Load(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.renderOnce(context.Background(), in, []byte(c.Query), nil, true); err != nil {
				t.Fatalf("clone %d, %s: %v", round, c.Name, err)
			}
			pix, _, _, err := in.pixels(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if d := golden.Diff(pix, want, abi.Width); d != "" {
				t.Errorf("clone %d, %s: %s", round, c.Name, d)
			}
		}
		in.close()
	}
}

func TestExportGlobalsKeepsModuleValid(t *testing.T) {
	if _, _, err := exportGlobals([]byte("not wasm")); err == nil {
		t.Fatal("patched garbage")
	}
	patched, n, err := exportGlobals(moduleBytes(t))
	if err != nil || n == 0 {
		t.Fatalf("exportGlobals: %d globals, %v", n, err)
	}
	if len(patched) <= len(moduleBytes(t)) {
		t.Fatal("nothing was added")
	}
}

// TestSnapshotFileStartsWarm: a second pool on the same SnapshotDir clones
// its first instance from the file the first pool saved, and renders the
// golden pixels; a corrupt file is ignored and replaced.
func TestSnapshotFileStartsWarm(t *testing.T) {
	if bootID() == "" {
		t.Skip("no /proc/sys/kernel/random/boot_id on this system: snapshots are not persisted")
	}
	dir := t.TempDir()
	cfg := Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline, SnapshotDir: dir, Fonts: testFonts(t)}
	p1, err := New(context.Background(), moduleBytes(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p1.Close(context.Background())
	var files []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if files, _ = filepath.Glob(filepath.Join(dir, "*.snap")); len(files) == 1 {
			break
		}
	}
	if len(files) != 1 {
		t.Fatalf("snapshot files: %v", files)
	}
	set, _ := templates.Load()
	check := func(p *Pool) {
		c := golden.Cases(set)[0]
		want, _ := golden.Load(c.Name)
		if err := p.Render(context.Background(), []byte(c.Query), func(pix []byte) error {
			if d := golden.Diff(pix, want, abi.Width); d != "" {
				t.Errorf("%s: %s", c.Name, d)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	p2, err := New(context.Background(), moduleBytes(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !p2.startedFromFile {
		t.Error("the second pool did not start from the snapshot file")
	}
	check(p2)
	p2.Close(context.Background())

	if err := os.WriteFile(files[0], []byte("OGMSNAP2 garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	p3, err := New(context.Background(), moduleBytes(t), cfg)
	if err != nil {
		t.Fatalf("a corrupt snapshot file broke New: %v", err)
	}
	if p3.startedFromFile {
		t.Error("started from a corrupt snapshot file")
	}
	check(p3)
	p3.Close(context.Background())
}

// TestSnapshotRetakenFromTraffic: after SnapshotEvery renders the snapshot
// is retaken from a serving instance; clones of it render golden pixels and
// find the glyphs of that traffic cached (their first such render is as fast
// as a warm one, measured by the benchmark, here only its correctness).
func TestSnapshotRetakenFromTraffic(t *testing.T) {
	p, err := New(context.Background(), moduleBytes(t), Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline, SnapshotEvery: 5, Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	first := p.snap.Load()
	set, _ := templates.Load()
	cases := golden.Cases(set)
	for _, c := range cases[:12] {
		if err := p.Render(context.Background(), []byte(c.Query), nil); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().Snapshots == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p.Stats().Snapshots == 0 || p.snap.Load() == first {
		t.Fatalf("snapshot not retaken after 12 renders (every 5): %+v", p.Stats())
	}
	in, err := p.instantiateClone(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	for _, c := range cases {
		want, _ := golden.Load(c.Name)
		if err := p.renderOnce(context.Background(), in, []byte(c.Query), nil, true); err != nil {
			t.Fatal(err)
		}
		pix, _, _, _ := in.pixels(context.Background())
		if d := golden.Diff(pix, want, abi.Width); d != "" {
			t.Errorf("clone of the retaken snapshot, %s: %s", c.Name, d)
		}
	}
	if st := p.Stats(); st.Instances != 1 {
		t.Errorf("instances after retakes: %+v", st)
	}
}

// TestGoldenTemplatesInWazero renders every golden card of a custom
// template (format version 2: gradients, shapes, paths, shadows, clips,
// assets, a 1080x1080 canvas) through the pool, each template handed to
// the module as custom_<file> the way the API hands stored ones over, and
// compares pixels with the native goldens (tolerance 0). Then again: the
// second pass draws from the templates' cached static layers.
func TestGoldenTemplatesInWazero(t *testing.T) {
	cases, err := golden.TemplateCases()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(context.Background(), moduleBytes(t), Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline, Fonts: testFonts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	slots := map[string]int{"avatar": abi.SlotAvatar, "logo": abi.SlotLogo}
	for pass := range 2 {
		for _, c := range cases {
			doc, err := os.ReadFile(filepath.Join(golden.TemplateDir(), c.Template))
			if err != nil {
				t.Fatal(err)
			}
			name := "custom_" + strings.TrimSuffix(c.Template, ".json")
			q, err := url.ParseQuery(c.Query)
			if err != nil {
				t.Fatal(err)
			}
			q.Set("template", name)
			q.Set("tv", "1")
			var images [abi.NumSlots][]byte
			for param, file := range c.Images {
				if images[slots[param]], err = golden.ImageFile(file); err != nil {
					t.Fatal(err)
				}
			}
			want, ww, wh, err := golden.LoadImage(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			ctx := WithTemplate(context.Background(), name, 1, doc)
			err = p.RenderFrame(ctx, []byte(q.Encode()), images, func(pix []byte, w, h int) error {
				if w != ww || h != wh {
					t.Errorf("pass %d, %s: %dx%d, want %dx%d", pass, c.Name, w, h, ww, wh)
				} else if d := golden.Diff(pix, want, w); d != "" {
					t.Errorf("pass %d, %s: %s", pass, c.Name, d)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("pass %d, %s: %v", pass, c.Name, err)
			}
		}
	}
}
