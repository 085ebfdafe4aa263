package platform

import "golang.org/x/sys/unix"

func uncacheForRandomReads(fd int, off, size int64) {
	_ = unix.Fadvise(fd, off, size, unix.FADV_DONTNEED)
	_ = unix.Fadvise(fd, 0, 0, unix.FADV_RANDOM)
}
