package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	wmodule "github.com/ogmint/ogmint/wasm/module"
)

// TestRenderCommandHandsOverFonts: `ogmint render` of a Japanese card goes
// through the font hand-over and draws the native reference's pixels.
func TestRenderCommandHandsOverFonts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "card.png")
	title := "日本語のタイトルと絵文字 👨‍👩‍👧"
	cmd := exec.Command(binPath, "render", "-module", modulePath, "-template", "blog", "-title", title, "-author", "山田太郎", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogmint render: %v\n%s", err, b)
	}
	png, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := golden.DecodeRGBA(png)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := fontpack.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	m, err := wmodule.New()
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"template": {"blog"}, "title": {title}, "author": {"山田太郎"}}.Encode()
	if st := m.RenderWithFonts(copy(m.Request(len(q)), q), cat); st != abi.StatusOK {
		t.Fatalf("native: %s: %s", st, m.Output())
	}
	if d := golden.Diff(got, m.Pixels(), abi.Width); d != "" {
		t.Fatal("ogmint render differs from the native render with fonts:", d)
	}
}

// TestFontsDirAtStart: OGMINT_FONTS_DIR's font files become families
// after the fontpack's (logged at start, counted in /metrics); a broken WOFF2
// file stops the start with an error naming it, for serve and render.
func TestFontsDirAtStart(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "Fancy.woff2"), append([]byte("wOF2"), make([]byte, 60)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"serve"}, {"render", "-module", modulePath, "-template", "blog", "-title", "x", "-o", filepath.Join(bad, "x.png")}} {
		cmd := exec.Command(binPath, args...)
		cmd.Env = append(os.Environ(), "OGMINT_FONTS_DIR="+bad, "OGMINT_DATA_DIR="+t.TempDir(), "OGMINT_MODULE="+modulePath,
			"OGMINT_ADDR=127.0.0.1:0")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Fancy.woff2") || !strings.Contains(string(out), "WOFF2") {
			t.Errorf("%s with a WOFF2 file: err %v, output:\n%s", args[0], err, out)
		}
		t.Logf("%s stopped in %s: %s", args[0], time.Since(start).Round(time.Millisecond), bytes.TrimSpace(out))
	}

	good := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "templates", "fontpack", "NotoSansThai-Regular.ttf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(good, "ExtraThai.ttf"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, t.TempDir(), freePort(t), "OGMINT_FONTS_DIR="+good)
	if want := fmt.Sprintf(`"families":%d`, len(fontpack.Entries)+1); !strings.Contains(s.log.String(), want) {
		t.Errorf("start log lacks %s:\n%s", want, s.log)
	}
	if st, out := post(t, s.base, `{"template":"blog","title":"東京の夜景"}`); st != 201 {
		t.Fatalf("Japanese card: %d %v", st, out)
	}
	_, metrics := get(t, s.base+"/metrics")
	for _, want := range []string{`ogmint_font_handovers_total{family="Droid Sans Fallback"} 1`, `ogmint_font_handovers_total{family="ExtraThai"} 0`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
