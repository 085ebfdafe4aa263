//go:build !linux

package main

// releaseFilePages is Linux-only (it reads /proc/self/smaps).
func releaseFilePages([]byte) int64 { return 0 }
