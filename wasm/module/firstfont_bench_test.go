package module_test

import (
	"net/url"
	"testing"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
)

// BenchmarkFirstRenderNeedingCJK: a fresh module's first Japanese card,
// the CJK family handed over included (natively; the wazero figure is
// BenchmarkFirstRenderNeedingFont in host/renderpool).
func BenchmarkFirstRenderNeedingCJK(b *testing.B) {
	cat, err := fontpack.NewCatalog()
	if err != nil {
		b.Fatal(err)
	}
	q := url.Values{"template": {"blog"}, "title": {"東京で開催されるGo言語カンファレンスの見どころ"}}.Encode()
	for b.Loop() {
		b.StopTimer()
		m := newModule(b)
		b.StartTimer()
		n := copy(m.Request(len(q)), q)
		if st := m.RenderWithFonts(n, cat); st != abi.StatusOK {
			b.Fatal(st)
		}
	}
}
