//go:build linux && (amd64 || arm64)

package renderpool

import (
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// canMapFiles reports whether snapshot files can be mapped into instances.
const canMapFiles = true

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

// uncacheForRandomReads drops the page cache's copy of size bytes of the
// file at off (pages no process maps) and reads them back without
// read-ahead, so that they are cached page by page: a fault in a private
// mapping of the file maps a whole cached folio, and a file just written or
// read ahead is cached in folios of up to megabytes, which would make a
// clone's memory resident in megabytes for each page it reads. Advice
// only: errors are ignored.
func uncacheForRandomReads(path string, off int64, size int) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	const dontNeed, random = 4, 1 // POSIX_FADV_*
	fd := f.Fd()
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, fd, uintptr(off), uintptr(size), dontNeed, 0, 0); errno != 0 {
		return
	}
	_, _, _ = syscall.Syscall6(syscall.SYS_FADVISE64, fd, 0, 0, random, 0, 0)
	buf := make([]byte, 1<<20)
	for done := 0; done < size; {
		n, err := f.ReadAt(buf[:min(size-done, len(buf))], off+int64(done))
		done += n
		if err != nil {
			return
		}
	}
}

// mapFile maps size bytes of the file at off over the start of the
// reservation, private (copy-on-write): what the module only reads stays
// the file's pages (page cache, shared by every clone and evictable), what
// it writes becomes its own. The file must not be truncated while mapped;
// snapshot files are only ever replaced by rename.
func (m *mmapMemory) mapFile(path string, off int64, size int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.freed || size <= 0 || size > len(m.region) || off%int64(os.Getpagesize()) != 0 {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() < off+int64(size) {
		return false
	}
	addr := uintptr(unsafe.Pointer(&m.region[0]))
	r, _, errno := syscall.Syscall6(syscall.SYS_MMAP, addr, uintptr(size), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_FIXED, f.Fd(), uintptr(off))
	if errno != 0 || r != addr {
		// A failed MAP_FIXED may have unmapped the range: map it anonymous
		// (zero) again, so the caller can copy instead.
		_, _, _ = syscall.Syscall6(syscall.SYS_MMAP, addr, uintptr(size), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_FIXED|syscall.MAP_NORESERVE, ^uintptr(0), 0)
		return false
	}
	_ = syscall.Madvise(m.region[:size], syscall.MADV_NOHUGEPAGE)
	return true
}
