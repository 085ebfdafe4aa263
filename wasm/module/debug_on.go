//go:build ogmint_debug

package module

import (
	"net/url"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// debugHook, only in modules built with -tags ogmint_debug (tests), burns CPU
// for debug_spin_ms milliseconds so deadline handling can be tested, grows
// memory by debug_alloc_mb MiB so memory caps can be tested, and with
// debug_gc_limiter_s=N turns the Go collector's CPU limiter on (within N
// seconds, else it panics) so that what follows can be tested. Hosts pass
// only canonical parameters to the module, so HTTP tests put the same
// directives in the title: "debug-spin-ms:5000", "debug-alloc-mb:200".
func debugHook(q url.Values) {
	if ms := directive(q, "debug_spin_ms"); ms > 0 {
		end := time.Now().Add(time.Duration(ms) * time.Millisecond)
		for time.Now().Before(end) {
		}
	}
	if s := directive(q, "debug_gc_limiter_s"); s > 0 {
		if !driveGCLimiter(time.Duration(s) * time.Second) {
			panic("debug_gc_limiter_s: the collector's CPU limiter did not turn on")
		}
	}
	if mb := directive(q, "debug_alloc_mb"); mb > 0 {
		debugSink = make([]byte, mb<<20)
		for i := range debugSink {
			debugSink[i] = byte(i)
		}
	}
}

var titleDirective = regexp.MustCompile(`debug-(spin-ms|alloc-mb):(\d+)`)

func directive(q url.Values, name string) int {
	if n, err := strconv.Atoi(q.Get(name)); err == nil {
		return n
	}
	for _, m := range titleDirective.FindAllStringSubmatch(q.Get("title"), -1) {
		if "debug_"+strings.ReplaceAll(m[1], "-", "_") == name {
			n, _ := strconv.Atoi(m[2])
			return n
		}
	}
	return 0
}

var debugSink []byte

// driveGCLimiter makes the collector run without a pause until the Go
// runtime's GC CPU limiter turns on (it does once collections take over half
// of the CPU time for about a second), and returns as soon as it is on, true;
// false if it is not on within max. It holds a live set of small objects
// that hold pointers (marking them takes time) under a memory limit far
// below it (every allocation then starts or assists a collection), and puts
// both back before it returns.
func driveGCLimiter(max time.Duration) bool {
	var live *gcNode
	for range 200_000 {
		live = &gcNode{next: live}
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1))
	s := []metrics.Sample{{Name: "/gc/limiter/last-enabled:gc-cycle"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	defer runtime.KeepAlive(live)
	for end := time.Now().Add(max); time.Now().Before(end); {
		for range 100 {
			debugGarbage = make([]*gcNode, 8)
		}
		metrics.Read(s)
		if s[0].Value.Uint64() != before {
			return true
		}
	}
	return false
}

// gcNode is a small object that holds pointers (driveGCLimiter).
type gcNode struct {
	next *gcNode
	pad  [6]*gcNode
}

var debugGarbage []*gcNode
