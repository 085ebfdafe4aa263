//go:build !(linux && (amd64 || arm64))

package renderpool

// newMmapMemory: only 64-bit Linux reserves linear memories with mmap.
func newMmapMemory(uint64) linearMemory { return nil }
