package api_test

import (
	"testing"

	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	wmodule "github.com/ogmint/ogmint/wasm/module"
)

// TestV1WorldTextCard: a Japanese card with emoji over HTTP, the pool
// handing the fallback families over, decodes to the native renderer's
// pixels with the same catalogue.
func TestV1WorldTextCard(t *testing.T) {
	cat, err := fontpack.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, setup{pool: renderpool.Config{Instances: 1, Fonts: cat}})
	q := card("東京で開かれた会議の記録 🎉")
	r := e.do(t, "GET", og(q))
	if r.status != 200 || r.header["Content-Type"] != "image/png" {
		t.Fatalf("status %d type %q body %.200s", r.status, r.header["Content-Type"], r.body)
	}
	got, err := golden.DecodeRGBA(r.body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wmodule.New()
	if err != nil {
		t.Fatal(err)
	}
	qs := q.Encode()
	if st := m.RenderWithFonts(copy(m.Request(len(qs)), qs), cat); st != abi.StatusOK {
		t.Fatalf("native: %s: %s", st, m.Output())
	}
	if d := golden.Diff(got, m.Pixels(), abi.Width); d != "" {
		t.Fatal("HTTP card differs from the native render with fonts:", d)
	}
	if n := e.pool.Stats().FontHandovers; n != 2 {
		t.Errorf("%d families handed over, want 2 (CJK and emoji)", n)
	}
}
