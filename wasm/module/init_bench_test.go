package module_test

import (
	"testing"

	"github.com/ogmint/ogmint/internal/benchcard"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

// BenchmarkNew is the module's own start-up (what _initialize pays, natively).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := module.New(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstRenderNative is start-up plus the first render, with cold caches.
func BenchmarkFirstRenderNative(b *testing.B) {
	q := benchcard.Query(0)
	for b.Loop() {
		m, err := module.New()
		if err != nil {
			b.Fatal(err)
		}
		if st := call(m, m.Render, q); st != abi.StatusOK {
			b.Fatal(st)
		}
	}
}
