//go:build ogmint_debug

package module

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// debugHook, only in modules built with -tags ogmint_debug (tests), burns CPU
// for debug_spin_ms milliseconds so deadline handling can be tested, and
// grows memory by debug_alloc_mb MiB so memory caps can be tested. Hosts pass
// only canonical parameters to the module, so HTTP tests put the same
// directives in the title: "debug-spin-ms:5000", "debug-alloc-mb:200".
func debugHook(q url.Values) {
	if ms := directive(q, "debug_spin_ms"); ms > 0 {
		end := time.Now().Add(time.Duration(ms) * time.Millisecond)
		for time.Now().Before(end) {
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
