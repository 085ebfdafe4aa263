package renderpool

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// These tests hold the pool's wazero (host/third_party/wazero, see its
// PATCHES.md) to what the pool relies on: with WithCloseOnContextDone a
// deadline stops even a guest loop that never calls the host, on every core
// at once, while the Go scheduler and garbage collector keep running; and the
// counted back-edge check leaves loop results intact.

// loopModule is a hand-assembled module exporting
//
//	spin()          loop forever: (loop (br 0))
//	sum(n i32) i32  acc += n; n--; while n != 0; return acc
func loopModule() []byte {
	section := func(id byte, payload ...byte) []byte {
		return append([]byte{id, byte(len(payload))}, payload...)
	}
	spin := []byte{0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b}
	sum := []byte{
		0x01, 0x01, 0x7f, // one i32 local: acc
		0x03, 0x40, // loop
		0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01, // acc = acc + n
		0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, // n = n - 1 (tee)
		0x0d, 0x00, // br_if 0 (n != 0)
		0x0b,       // end loop
		0x20, 0x01, // acc
		0x0b,
	}
	var m []byte
	m = append(m, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00)
	m = append(m, section(1, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f)...)
	m = append(m, section(3, 0x02, 0x00, 0x01)...)
	m = append(m, section(7, 0x02,
		0x04, 's', 'p', 'i', 'n', 0x00, 0x00,
		0x03, 's', 'u', 'm', 0x00, 0x01)...)
	code := []byte{0x02, byte(len(spin))}
	code = append(code, spin...)
	code = append(code, byte(len(sum)))
	code = append(code, sum...)
	m = append(m, section(10, code...)...)
	return m
}

func loopRuntime(tb testing.TB, interrupt bool) (wazero.Runtime, wazero.CompiledModule) {
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(interrupt))
	tb.Cleanup(func() { _ = r.Close(ctx) })
	cm, err := r.CompileModule(ctx, loopModule())
	if err != nil {
		tb.Fatal(err)
	}
	return r, cm
}

func instantiateLoop(tb testing.TB, r wazero.Runtime, cm wazero.CompiledModule) api.Module {
	m, err := r.InstantiateModule(context.Background(), cm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// spinOnEveryCore starts one spinning guest per P and one more, each called
// with a context from ctxFor, and returns the channel their results arrive on.
func spinOnEveryCore(t *testing.T, ctxFor func() (context.Context, context.CancelFunc)) (int, <-chan error) {
	r, cm := loopRuntime(t, true)
	// If compiled loops never gave the goroutine back to Go, nothing else
	// (timers, the collector) could run with this many.
	n := runtime.GOMAXPROCS(0) + 1
	errs := make(chan error, n)
	for range n {
		m := instantiateLoop(t, r, cm)
		ctx, cancel := ctxFor()
		go func() {
			defer cancel()
			_, err := m.ExportedFunction("spin").Call(ctx)
			errs <- err
		}()
	}
	return n, errs
}

// awaitExits waits for n guest results, each an exit with code want.
func awaitExits(t *testing.T, n int, errs <-chan error, want uint32, within time.Duration) {
	t.Helper()
	timeout := time.After(within)
	for range n {
		select {
		case err := <-errs:
			var exit *sys.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != want {
				t.Errorf("spin returned %v, want exit code %#x", err, want)
			}
		case <-timeout:
			t.Fatalf("a spinning guest was still running %s after it was stopped", within)
		}
	}
}

func TestStopTheWorldWhileGuestsSpin(t *testing.T) {
	// The guests have no deadline: they spin until cancelled, so the
	// collector is not helped by their end. A stop-the-world needs every
	// spinning goroutine to reach a preemption point (the patch's
	// preemptPoint); a whole collection needs that twice plus CPU time for
	// marking, which the spinners share on a busy machine, hence the
	// generous bound there and the tight one on the stop-the-world alone.
	root, cancelAll := context.WithCancel(context.Background())
	defer cancelAll()
	n, errs := spinOnEveryCore(t, func() (context.Context, context.CancelFunc) {
		return context.WithCancel(root)
	})
	time.Sleep(50 * time.Millisecond)
	var worst time.Duration
	for range 5 {
		start := time.Now()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms) // stops the world
		worst = max(worst, time.Since(start))
	}
	t.Logf("worst stop-the-world with %d spinning guests: %s", n, worst)
	if worst > time.Second {
		t.Errorf("a stop-the-world took %s while guests spun", worst)
	}
	gcDone := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		runtime.GC()
		gcDone <- time.Since(start)
	}()
	select {
	case d := <-gcDone:
		t.Logf("runtime.GC with %d spinning guests: %s", n, d)
	case <-time.After(30 * time.Second):
		t.Fatal("runtime.GC did not complete in 30 s while guests were spinning")
	}
	cancelAll()
	awaitExits(t, n, errs, sys.ExitCodeContextCanceled, 5*time.Second)
}

func TestDeadlineStopsGuestLoopsOnEveryCore(t *testing.T) {
	const deadline = 300 * time.Millisecond
	started := time.Now()
	n, errs := spinOnEveryCore(t, func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), deadline)
	})
	awaitExits(t, n, errs, sys.ExitCodeDeadlineExceeded, 10*time.Second)
	t.Logf("%d guests stopped %s after start; deadline %s", n, time.Since(started), deadline)
}

func TestCountedLoopCheckKeepsResults(t *testing.T) {
	for _, interrupt := range []bool{true, false} {
		r, cm := loopRuntime(t, interrupt)
		m := instantiateLoop(t, r, cm)
		// Counts on both sides of the check interval (1024 back-edges).
		for _, n := range []uint32{1, 2, 1023, 1024, 1025, 4096, 100_003, 3_000_000} {
			res, err := m.ExportedFunction("sum").Call(context.Background(), uint64(n))
			if err != nil {
				t.Fatalf("interrupt %v sum(%d): %v", interrupt, n, err)
			}
			var want uint32
			for i := uint32(1); i <= n; i++ {
				want += i
			}
			if got := api.DecodeU32(res[0]); got != want {
				t.Errorf("interrupt %v sum(%d) = %d, want %d", interrupt, n, got, want)
			}
		}
	}
}

// BenchmarkGuestLoop: 1M loop iterations with and without
// WithCloseOnContextDone; the difference over 1M is the cost of one
// back-edge check (upstream wazero v1.12.0: ~30 ns here).
func BenchmarkGuestLoop(b *testing.B) {
	for _, tc := range []struct {
		name      string
		interrupt bool
	}{{"interruptible", true}, {"uninterruptible", false}} {
		b.Run(tc.name, func(b *testing.B) {
			r, cm := loopRuntime(b, tc.interrupt)
			sum := instantiateLoop(b, r, cm).ExportedFunction("sum")
			ctx := context.Background()
			for b.Loop() {
				if _, err := sum.Call(ctx, 1_000_000); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/iteration")
		})
	}
}

// TestCachedCompileStillValidates: with a compilation cache, function bodies
// are validated unless the module's compiled code is cached (wazero patch
// 3), so a module whose body is invalid is refused every time, and a valid
// one compiles again from the cache.
func TestCachedCompileStillValidates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// (func (export "bad") (result i32)) with an empty body: no value left.
	bad := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
		0x03, 0x02, 0x01, 0x00, // one function of type 0
		0x07, 0x07, 0x01, 0x03, 'b', 'a', 'd', 0x00, 0x00, // export "bad"
		0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // body: no locals, end
	}
	for round := range 2 {
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCompilationCache(cache).WithCloseOnContextDone(true))
		if _, err := r.CompileModule(ctx, bad); err == nil {
			t.Errorf("round %d: an invalid function body compiled", round)
		}
		cm, err := r.CompileModule(ctx, loopModule())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		m, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		if res, err := m.ExportedFunction("sum").Call(ctx, 3); err != nil || api.DecodeU32(res[0]) != 6 {
			t.Errorf("round %d: sum(3) = %v, %v", round, res, err)
		}
		_ = r.Close(ctx)
	}
}
