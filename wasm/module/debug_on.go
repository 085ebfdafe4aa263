//go:build ogmint_debug

package module

import (
	"net/url"
	"strconv"
	"time"
)

// debugHook, only in modules built with -tags ogmint_debug (tests), burns CPU
// for debug_spin_ms milliseconds so deadline handling can be tested, and
// grows memory by debug_alloc_mb MiB so memory caps can be tested.
func debugHook(q url.Values) {
	if ms, _ := strconv.Atoi(q.Get("debug_spin_ms")); ms > 0 {
		end := time.Now().Add(time.Duration(ms) * time.Millisecond)
		for time.Now().Before(end) {
		}
	}
	if mb, _ := strconv.Atoi(q.Get("debug_alloc_mb")); mb > 0 {
		debugSink = make([]byte, mb<<20)
		for i := range debugSink {
			debugSink[i] = byte(i)
		}
	}
}

var debugSink []byte
