//go:build unix

package platform

import "golang.org/x/sys/unix"

func munmapCodeSegment(code []byte) error {
	return unix.Munmap(code)
}

// MprotectCodeSegment is like unix.Mprotect with RX permission.
func MprotectCodeSegment(b []byte) (err error) {
	return unix.Mprotect(b, unix.PROT_READ|unix.PROT_EXEC)
}

// MmapCodeFile maps size bytes of the open file fd at off (a multiple of the
// page size) read-only and executable, private (ogmint patch, see
// PATCHES.md): the code of a compilation cache file used in place, so only
// the pages that run become resident, and they stay the page cache's.
func MmapCodeFile(fd uintptr, off int64, size int) ([]byte, error) {
	return unix.Mmap(int(fd), off, size, unix.PROT_READ|unix.PROT_EXEC, unix.MAP_PRIVATE)
}

// UncacheForRandomReads drops the cached pages of size bytes of the open
// file fd at off (those no process maps) and makes reads through fd skip
// read-ahead, so that reading them back caches them as single pages rather
// than large folios (ogmint patch). Advice only: errors are ignored.
func UncacheForRandomReads(fd uintptr, off, size int64) {
	uncacheForRandomReads(int(fd), off, size)
}
