//go:build wasip1

// Command ogmint-render is the render module: a WASI reactor (build with
// GOOS=wasip1 GOARCH=wasm -buildmode=c-shared) exporting the functions of
// package wasm/abi. The host must call _initialize once before any export.
package main

import (
	"runtime"
	"runtime/debug"
	"unsafe"

	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

var mod *module.Module

// memoryLimit is the Go heap the module keeps itself under (the runtime
// collects more often as it nears it): every fallback family handed over
// (~20 MB of font files) plus the text caches' budgets fit, and the
// instance's linear memory stays under 64 MiB.
const memoryLimit = 44 << 20

func init() {
	debug.SetMemoryLimit(memoryLimit)
	m, err := module.New()
	if err != nil {
		panic("ogmint-render: " + err.Error())
	}
	mod = m
}

func main() {}

// yield runs the Go scheduler once before an export that allocates returns
// to the host.
//
// The collector's CPU limiter turns mark assists off once collections have
// taken over half of the CPU time for about a second (as they do when the
// heap sits at memoryLimit, with every fallback family handed over), and
// only the scheduler (or an assist, which it has just turned off) turns it
// off again. An instance has one thread, no sysmon and no preemption, and no
// export blocks, so the scheduler never ran: once on, the limiter stayed on,
// the collection in progress never finished (on one thread the assists do
// its marking), and the garbage of every later call stayed until the
// instance ran out of memory (~1.5 MiB a world-text render; host/renderpool
// TestCollectorLimiterDoesNotStall, TestWorldTextMemory). Here the scheduler
// updates the limiter and gives the background mark worker its share.
func yield() { runtime.Gosched() }

// yielding is yield for an export that returns a status.
func yielding[T ~uint8 | ~uint16 | ~uint32 | ~int](st T) uint32 {
	yield()
	return uint32(st)
}

func ptr(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&b[0])))
}

//go:wasmexport ogmint_abi_version
func abiVersion() uint32 { return abi.Version }

//go:wasmexport ogmint_request
func request(n uint32) uint32 {
	b := mod.Request(int(n))
	yield()
	if b == nil {
		return 0
	}
	return ptr(b[:cap(b)])
}

//go:wasmexport ogmint_image
func image(arg uint32) uint32 {
	b := mod.Image(int(arg>>24), int(arg&(1<<24-1)))
	yield()
	if b == nil {
		return 0
	}
	return ptr(b[:cap(b)])
}

//go:wasmexport ogmint_font
func fontBuf(n uint32) uint32 {
	b := mod.Font(int(n))
	yield()
	if b == nil {
		return 0
	}
	return ptr(b)
}

//go:wasmexport ogmint_font_add
func fontAdd(n uint32) uint32 { return yielding(mod.FontAdd(int(n))) }

//go:wasmexport ogmint_render
func render(n uint32) uint32 { return yielding(mod.Render(int(n))) }

//go:wasmexport ogmint_validate
func validate(n uint32) uint32 { return yielding(mod.Validate(int(n))) }

//go:wasmexport ogmint_pixels
func pixels() uint32 { return ptr(mod.Pixels()) }

//go:wasmexport ogmint_encode_png
func encodePNG() uint32 { return yielding(mod.EncodePNG()) }

//go:wasmexport ogmint_output
func output() uint32 { return ptr(mod.Output()[:cap(mod.Output())]) }

//go:wasmexport ogmint_output_len
func outputLen() uint32 { return uint32(len(mod.Output())) }

//go:wasmexport ogmint_collect
func collect() { runtime.GC() }

//go:wasmexport ogmint_info
func info() uint32 { return yielding(mod.Info()) }
