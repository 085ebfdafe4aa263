//go:build !(linux && (amd64 || arm64))

package renderpool

// newMmapMemory: only 64-bit Linux reserves linear memories with mmap.
func newMmapMemory(uint64) linearMemory { return nil }

// canMapFiles reports whether snapshot files can be mapped into instances.
const canMapFiles = false

// uncacheForRandomReads: nothing to do where files are not mapped.
func uncacheForRandomReads(string, int64, int) {}
