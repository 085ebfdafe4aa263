//go:build unix && !linux

package platform

func uncacheForRandomReads(int, int64, int64) {}
