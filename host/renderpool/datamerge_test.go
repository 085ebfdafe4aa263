package renderpool

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// TestMergeDataSegments: the render module with its data segments merged
// into one starts with the same linear memory as the module as built.
func TestMergeDataSegments(t *testing.T) {
	wasm := moduleBytes(t)
	merged, ok, err := mergeDataSegments(wasm)
	if err != nil || !ok {
		t.Fatalf("merge: ok %v, err %v", ok, err)
	}
	if n, m := dataSegments(t, wasm), dataSegments(t, merged); n < 1000 || m != 1 {
		t.Fatalf("%d data segments, %d merged; want many and 1", n, m)
	}
	ctx := context.Background()
	cache, err := wazero.NewCompilationCacheWithDir(testCacheDir)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close(ctx)
	// The memory as instantiated: data segments applied, _initialize not run.
	memory := func(b []byte) []byte {
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
		defer rt.Close(ctx)
		if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
			t.Fatal(err)
		}
		mod, err := rt.InstantiateWithConfig(ctx, b, wazero.NewModuleConfig().WithStartFunctions())
		if err != nil {
			t.Fatal(err)
		}
		mem, _ := mod.Memory().Read(0, mod.Memory().Size())
		return bytes.Clone(mem)
	}
	before, after := memory(wasm), memory(merged)
	if !bytes.Equal(before, after) {
		t.Fatalf("memory differs: %d bytes as built, %d merged", len(before), len(after))
	}
	if bytes.Count(before, []byte{0}) == len(before) {
		t.Fatal("no data in memory")
	}
	t.Logf("%d bytes of module, %d merged; %d bytes of memory alike", len(wasm), len(merged), len(before))
}

// dataSegments reads the data section's segment count.
func dataSegments(t *testing.T, wasm []byte) int {
	for off := 8; off < len(wasm); {
		size, n := uleb(wasm[off+1:])
		if wasm[off] == 11 {
			count, _ := uleb(wasm[off+1+n:])
			return int(count)
		}
		off += 1 + n + int(size)
	}
	t.Fatal("no data section")
	return 0
}
