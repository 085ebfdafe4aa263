//go:build linux && (amd64 || arm64)

package renderpool

import (
	"sync"
	"syscall"
)

// mmapMemory is a linear memory in an anonymous mapping that reserves the
// instance's cap at once (address space only: MAP_NORESERVE, and pages
// become resident when the module touches them). Growing only lengthens the
// slice: the memory never moves.
type mmapMemory struct {
	mu     sync.Mutex
	region []byte // the whole reservation; nil once released
	freed  bool
}

// newMmapMemory reserves maxBytes, or returns nil when it cannot.
func newMmapMemory(maxBytes uint64) linearMemory {
	if maxBytes == 0 || maxBytes > 1<<32 {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, int(maxBytes), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	// Small pages: a transparent huge page would make 2 MiB resident for
	// every byte the module touches.
	_ = syscall.Madvise(b, syscall.MADV_NOHUGEPAGE)
	return &mmapMemory{region: b}
}

// Reallocate returns the first size bytes of the reservation; nil past it
// (wazero then fails the memory.grow), or once freed.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.freed || size > uint64(len(m.region)) {
		return nil
	}
	return m.region[:size:size]
}

// Free is called by wazero when the module closes, which may happen while
// a call still runs in it (a runtime closed with calls in flight): so it
// only gives the pages back (the module then reads zeros until it stops),
// and release unmaps the reservation later.
func (m *mmapMemory) Free() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.freed || m.region == nil {
		return
	}
	m.freed = true
	_ = syscall.Madvise(m.region, syscall.MADV_DONTNEED)
}

// release unmaps the reservation. The instance calls it after closing its
// module, when no call can be running.
func (m *mmapMemory) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.region == nil {
		return
	}
	_ = syscall.Munmap(m.region)
	m.region, m.freed = nil, true
}
