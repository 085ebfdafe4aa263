package main

import (
	"os"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ogmint/ogmint/host/config"
	"github.com/ogmint/ogmint/host/renderpool"
)

// The memory budget (issue 11: RSS under sustained load < 150 MiB with the
// default settings). What the process holds, and where it is set:
//
//   - render instances: each one's linear memory (host/renderpool: reserved
//     with mmap outside the Go heap, resident where the module touched it;
//     a clone maps its snapshot file, so pages it only read stay the page
//     cache's), capped by OGMINT_INSTANCE_MEMORY_MIB, times OGMINT_INSTANCES;
//   - the Go heap: the caches (OGMINT_CACHE_MIB, OGMINT_IMAGE_CACHE_MIB,
//     OGMINT_IMAGE_FETCH_CACHE_MIB), the decoded module and per-request
//     garbage, kept near the soft limit memoryLimit computes from those
//     settings (the packed fallback fonts too when their file could not be
//     written);
//   - file pages: the executable, the module's compiled code (mapped from
//     the compilation cache), the fallback fonts file, of which only what
//     was read since start-up is resident.
//
// docs/benchmarks.md, "Memory (issue 11)", has the measured split.

// goHeapBase is the Go heap besides the caches: the decoded module and
// wazero's state, PNG encoders, HTTP buffers, metrics (~10 MiB live), and
// room for garbage between collections.
const goHeapBase = 24 << 20

// defaultGCPercent is GOGC when the environment does not set it: a
// collection when the heap has grown by half since the last one (not
// doubled). Most of the heap is cached PNG bytes, which the collector does
// not scan, so collecting more often costs little.
const defaultGCPercent = 50

// memoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT is
// unset: goHeapBase, plus the caches at their configured sizes (they count
// PNG bytes; slices and entries add about an eighth), plus the fallback
// fonts when they are in the heap (heapFonts bytes). Raising a cache raises
// the limit with it, so a full cache never makes the collector run
// continuously.
func memoryLimit(cfg config.Config, heapFonts int) int64 {
	caches := int64(cfg.CacheMiB+cfg.ImageCacheMiB+cfg.ImageFetchCacheMiB) << 20
	return goHeapBase + caches + caches/8 + int64(heapFonts)
}

// setGCPercent sets GOGC to defaultGCPercent unless the environment sets it.
func setGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

// setMemoryLimit sets the soft memory limit for serving (memoryLimit)
// unless GOMEMLIMIT is set. It is set once the pool is up: compiling the
// module on a first start needs far more heap than serving.
func setMemoryLimit(cfg config.Config, heapFonts int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(cfg, heapFonts))
	}
}

// registerMemoryMetrics adds the render instances' memory to /metrics (the
// process's RSS is process_resident_memory_bytes, the Go heap go_memstats_*).
func registerMemoryMetrics(r *prometheus.Registry, pool *renderpool.Pool) {
	r.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ogmint_instance_memory_bytes",
			Help: "Linear memory of the live render instances, summed (each is capped by instance-memory-mib)."},
			func() float64 { return float64(pool.Stats().MemoryBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ogmint_instance_memory_max_bytes",
			Help: "Largest linear memory of any render instance seen."},
			func() float64 { return float64(pool.Stats().MaxMemoryBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ogmint_instance_memory_limit_bytes",
			Help: "Linear memory cap of each render instance (instance-memory-mib)."},
			func() float64 { return float64(pool.Config().MemoryLimitMiB) * (1 << 20) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ogmint_go_memory_limit_bytes",
			Help: "The Go runtime's soft memory limit (GOMEMLIMIT, or computed from the cache sizes)."},
			func() float64 { return float64(debug.SetMemoryLimit(-1)) }),
	)
}
