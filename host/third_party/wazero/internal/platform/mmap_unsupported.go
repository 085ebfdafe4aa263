//go:build !(unix || windows)

package platform

import (
	"fmt"
	"runtime"
)

var errUnsupported = fmt.Errorf("mmap unsupported on GOOS=%s. Use interpreter instead.", runtime.GOOS)

func munmapCodeSegment(code []byte) error {
	panic(errUnsupported)
}

func mmapCodeSegment(size int) ([]byte, error) {
	panic(errUnsupported)
}

func MprotectCodeSegment(b []byte) (err error) {
	panic(errUnsupported)
}

// MmapCodeFile is unsupported here (ogmint patch).
func MmapCodeFile(fd uintptr, off int64, size int) ([]byte, error) {
	return nil, errUnsupported
}

// UncacheForRandomReads does nothing here (ogmint patch).
func UncacheForRandomReads(fd uintptr, off, size int64) {}
