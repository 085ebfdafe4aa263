package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// releaseFilePages drops from the process's page tables the pages of its
// file mappings that can hold nothing but the file's bytes: mapped private
// and not writable, and without a single page of their own (smaps'
// Anonymous: 0; a mapping that was written before it was made read-only,
// e.g. relocated data, has some and is left alone). That is the
// executable's code and read-only data, and the module's compiled code
// mapped from the compilation cache. The pages stay in the page cache; the
// next access maps them again. Start-up reads much that serving never does
// (the embedded fonts and module, the warm-up of every template), and those
// pages otherwise count in the RSS for the life of the process.
//
// module, when it lies in a file mapping of the executable (the embedded
// render module, in the executable's writable data but never written), has
// its whole pages dropped too. It returns the bytes released.
func releaseFilePages(module []byte) int64 {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0
	}
	defer f.Close()
	exe, _ := os.Executable()
	page := uintptr(os.Getpagesize())
	var lo, hi uintptr
	if len(module) > 0 {
		lo = uintptr(unsafe.Pointer(unsafe.SliceData(module)))
		hi = lo + uintptr(len(module))
	}
	type mapping struct {
		start, end uintptr
		readOnly   bool // private, not writable, file-backed
		exe        bool // a file mapping of the executable
		rss, anon  int64
	}
	var maps []mapping
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if k := bytes.IndexByte(line, ':'); k > 0 && bytes.IndexByte(line[:k], ' ') < 0 && bytes.IndexByte(line[:k], '-') < 0 {
			if len(maps) == 0 {
				continue
			}
			m := &maps[len(maps)-1]
			switch string(line[:k]) {
			case "Rss":
				m.rss = kB(line[k+1:])
			case "Anonymous":
				m.anon = kB(line[k+1:])
			}
			continue
		}
		// start-end perms offset dev inode path
		fields := strings.Fields(string(line))
		if len(fields) < 5 {
			continue
		}
		addrs := strings.SplitN(fields[0], "-", 2)
		start, err1 := strconv.ParseUint(addrs[0], 16, 64)
		end, err2 := strconv.ParseUint(addrs[len(addrs)-1], 16, 64)
		if err1 != nil || err2 != nil || len(addrs) != 2 {
			continue
		}
		perms, inode := fields[1], fields[4]
		path := ""
		if len(fields) >= 6 {
			path = fields[5]
		}
		file := inode != "0" && strings.HasPrefix(path, "/")
		maps = append(maps, mapping{start: uintptr(start), end: uintptr(end),
			readOnly: file && len(perms) == 4 && perms[1] == '-' && perms[3] == 'p',
			exe:      file && path == exe})
	}
	var released int64
	for _, m := range maps {
		if m.readOnly && m.anon == 0 && m.rss > 0 {
			if madviseDontNeed(m.start, m.end-m.start) {
				released += m.rss
			}
		}
		if m.exe && lo >= m.start && hi <= m.end {
			start, end := (lo+page-1)&^(page-1), hi&^(page-1)
			if end > start && madviseDontNeed(start, end-start) {
				released += int64(end - start)
			}
		}
	}
	return released
}

// kB reads smaps' " 1234 kB" as bytes.
func kB(b []byte) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(b)), " kB"), 10, 64)
	return n << 10
}

func madviseDontNeed(start, length uintptr) bool {
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, length, syscall.MADV_DONTNEED)
	return errno == 0
}
