package renderpool

import (
	"github.com/tetratelabs/wazero/experimental"
)

// An instance's linear memory. wazero's default keeps it in a Go slice:
// then it counts in the Go heap (the collector's goal doubles it), every
// growth allocates a larger slice and copies the old one (garbage of the
// same size), and every byte is resident once zeroed or copied. On 64-bit
// Linux the pool reserves the memory cap of each instance with mmap instead
// (mmapMemory, memory_linux.go): outside the Go heap, never moved or copied
// when it grows, resident only where the module has touched it; a clone of
// a snapshot file maps the file copy-on-write (snapshot.restore), so pages
// the module only reads stay the file's. Elsewhere, or when the reservation
// fails, sliceMemory is wazero's behaviour.

// linearMemory is what the pool's allocator hands wazero.
type linearMemory interface {
	experimental.LinearMemory
	// mapFile maps size bytes of path at off over the start of the memory,
	// copy-on-write (the memory must still be untouched, i.e. zero); false
	// when this memory cannot (the caller then copies).
	mapFile(path string, off int64, size int) bool
	// release frees what Free left (the reservation itself); call it once
	// no call into the module can be running.
	release()
}

// newLinearMemory reserves maxBytes (the instance's cap) when it can, else
// returns a slice-backed memory with room for capBytes.
func newLinearMemory(capBytes, maxBytes uint64) linearMemory {
	if m := newMmapMemory(maxBytes); m != nil {
		return m
	}
	return &sliceMemory{buf: make([]byte, 0, capBytes)}
}

// sliceMemory is a linear memory in a Go slice, like wazero's own, but
// allocated with the capacity its creator chose.
type sliceMemory struct{ buf []byte }

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		return m.buf
	}
	b := make([]byte, size, size+size/4)
	copy(b, m.buf)
	m.buf = b
	return b
}

func (m *sliceMemory) Free()                           { m.buf = nil }
func (m *sliceMemory) mapFile(string, int64, int) bool { return false }
func (m *sliceMemory) release()                        {}
