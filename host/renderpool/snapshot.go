package renderpool

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero/api"

	"github.com/ogmint/ogmint/wasm/abi"
)

// globalExportPrefix names the exports exportGlobals adds.
const globalExportPrefix = "__ogmint_global_"

// exportGlobals returns a copy of the wasm binary whose export section also
// exports every global it defines (as __ogmint_global_<index>), so the host
// can read and restore the Go runtime's globals (stack pointer and friends)
// when it clones an instance from a snapshot. The module's behaviour is
// unchanged: exports only add names.
func exportGlobals(wasm []byte) ([]byte, int, error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, 0, errors.New("not a wasm binary")
	}
	var globalSec, exportSec [2]int // [start of contents, end], 0 when absent
	var exportHdr int               // offset of the export section's id byte
	importedGlobals := 0
	for off := 8; off < len(wasm); {
		id := wasm[off]
		size, n := uleb(wasm[off+1:])
		if n == 0 {
			return nil, 0, errors.New("bad section size")
		}
		start := off + 1 + n
		end := start + int(size)
		if end > len(wasm) {
			return nil, 0, errors.New("section past the end")
		}
		switch id {
		case 2: // imports: count imported globals, which come first in the index space
			k, err := countImportedGlobals(wasm[start:end])
			if err != nil {
				return nil, 0, err
			}
			importedGlobals = k
		case 6:
			globalSec = [2]int{start, end}
		case 7:
			exportSec, exportHdr = [2]int{start, end}, off
		}
		off = end
	}
	if globalSec[0] == 0 || exportSec[0] == 0 {
		return nil, 0, errors.New("module has no global or export section")
	}
	nGlobals, _ := uleb(wasm[globalSec[0]:])
	nExports, n := uleb(wasm[exportSec[0]:])
	body := append([]byte(nil), wasm[exportSec[0]+n:exportSec[1]]...)
	total := importedGlobals + int(nGlobals)
	for i := importedGlobals; i < total; i++ {
		name := fmt.Sprintf("%s%d", globalExportPrefix, i)
		body = binary.AppendUvarint(body, uint64(len(name)))
		body = append(body, name...)
		body = append(body, 3) // global
		body = binary.AppendUvarint(body, uint64(i))
	}
	contents := binary.AppendUvarint(nil, uint64(int(nExports)+int(nGlobals)))
	contents = append(contents, body...)
	out := make([]byte, 0, len(wasm)+len(contents))
	out = append(out, wasm[:exportHdr]...)
	out = append(out, 7)
	out = binary.AppendUvarint(out, uint64(len(contents)))
	out = append(out, contents...)
	out = append(out, wasm[exportSec[1]:]...)
	return out, total, nil
}

func uleb(b []byte) (uint64, int) { return binary.Uvarint(b) }

// countImportedGlobals walks an import section and counts global imports.
func countImportedGlobals(sec []byte) (int, error) {
	count, n := uleb(sec)
	pos, globals := n, 0
	skipName := func() error {
		l, n := uleb(sec[pos:])
		if n == 0 || pos+n+int(l) > len(sec) {
			return errors.New("bad import name")
		}
		pos += n + int(l)
		return nil
	}
	for i := uint64(0); i < count; i++ {
		if err := skipName(); err != nil {
			return 0, err
		}
		if err := skipName(); err != nil {
			return 0, err
		}
		kind := sec[pos]
		pos++
		switch kind {
		case 0: // func: type index
			_, n := uleb(sec[pos:])
			pos += n
		case 1: // table: reftype + limits
			pos++
			pos += skipLimits(sec[pos:])
		case 2: // memory: limits
			pos += skipLimits(sec[pos:])
		case 3: // global: valtype + mut
			pos += 2
			globals++
		default:
			return 0, fmt.Errorf("unknown import kind %d", kind)
		}
	}
	return globals, nil
}

func skipLimits(b []byte) int {
	flag := b[0]
	pos := 1
	_, n := uleb(b[pos:])
	pos += n
	if flag&1 != 0 {
		_, n = uleb(b[pos:])
		pos += n
	}
	return pos
}

// snapshot is the state of a warmed instance between calls: its linear
// memory and its globals. Go's wasm runtime keeps everything else in linear
// memory, so an instance restored from it (without running _initialize)
// continues exactly where the original was, glyph caches included: one
// memory copy instead of runtime start-up, package init and a cold render.
//
// Its memory lives in the Go heap only until it is in a file: a clone then
// maps the file copy-on-write (memory_linux.go), so the process keeps no
// copy of its own and the pages a clone only reads stay the file's.
type snapshot struct {
	globals []uint64 // by global index
	size    int      // bytes of memory
	// fonts is the instance's instance.fonts: the fallback families its
	// memory holds (none in the warm-up snapshot, nor in one from a file).
	fonts []bool
	// users: the instance was handed user font families (abi step 1e).
	users bool

	// file, once set, holds the memory (for a snapshot loaded from a file,
	// or once saved to one).
	file atomic.Pointer[snapFile]

	mu sync.Mutex
	// memory is the snapshot's memory in the heap: nil when the file has it
	// and clones map the file (read back by mem if one cannot).
	memory []byte
	// used lists the runs of memory holding anything but zeros, as
	// [start, end) offsets: a new instance's memory is zero, so restoring
	// by copying writes only these. Computed with memory.
	used [][2]int
}

// snapFile locates a snapshot's memory in its file.
type snapFile struct {
	path string
	off  int64
	// cached: the file's pages were cached page by page for mapping
	// (uncacheForRandomReads), once per process.
	cached sync.Once
}

// mem returns the snapshot's memory and its used runs, reading the memory
// from the file when the heap has no copy.
func (s *snapshot) mem() ([]byte, [][2]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memory == nil {
		f := s.file.Load()
		if f == nil {
			return nil, nil, errors.New("snapshot has no memory")
		}
		b, err := readAt(f.path, f.off, s.size)
		if err != nil {
			return nil, nil, err
		}
		s.memory, s.used = b, nil
	}
	if s.used == nil {
		s.used = usedRuns(s.memory)
	}
	return s.memory, s.used, nil
}

// heapMemory is the heap copy of the memory (nil when there is none).
func (s *snapshot) heapMemory() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.memory
}

// inFile records that the file at f holds the memory; where clones can map
// it, the heap copy is dropped.
func (s *snapshot) inFile(f *snapFile) {
	s.file.Store(f)
	if canMapFiles {
		s.mu.Lock()
		s.memory, s.used = nil, nil
		s.mu.Unlock()
	}
}

func readAt(path string, off int64, n int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b := make([]byte, n)
	_, err = fh.ReadAt(b, off)
	return b, err
}

// usedBlock is the granularity of snapshot.used.
const usedBlock = 4096

// usedRuns returns the runs of usedBlock-sized blocks of mem that are not all zero.
func usedRuns(mem []byte) [][2]int {
	var runs [][2]int
	for off := 0; off < len(mem); off += usedBlock {
		block := mem[off:min(off+usedBlock, len(mem))]
		if allZero(block) {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1][1] == off {
			runs[n-1][1] = off + len(block)
		} else {
			runs = append(runs, [2]int{off, off + len(block)})
		}
	}
	return runs
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// takeSnapshot copies in's state; in must be idle. It first runs a full
// collection in the module (when it exports one), so that clones do not all
// inherit the same nearly-due collection and pay it on their first render.
func takeSnapshot(in *instance, nGlobals int) (*snapshot, error) {
	if gc := in.mod.ExportedFunction(abi.ExportCollect); gc != nil {
		if _, err := gc.Call(context.Background()); err != nil {
			return nil, fmt.Errorf("collecting before the snapshot: %w", err)
		}
	}
	mem, ok := in.mem.Read(0, in.mem.Size())
	if !ok {
		return nil, errors.New("reading memory")
	}
	s := &snapshot{memory: append([]byte(nil), mem...), globals: make([]uint64, nGlobals), size: len(mem),
		fonts: slices.Clone(in.fonts), users: in.users}
	for i := range s.globals {
		g := in.mod.ExportedGlobal(fmt.Sprintf("%s%d", globalExportPrefix, i))
		if g == nil {
			return nil, fmt.Errorf("global %d is not exported", i)
		}
		s.globals[i] = g.Get()
	}
	return s, nil
}

// restore puts s into a freshly instantiated module that has not run
// _initialize and whose memory is zero (instantiated without its data
// segments, see instantiateClone): it maps the snapshot file over the
// memory when it can, else it writes the non-zero runs.
func (s *snapshot) restore(in *instance) error {
	size := in.mem.Size()
	if need := uint32(s.size); need > size {
		if _, ok := in.mem.Grow((need - size + 65535) / 65536); !ok {
			return errors.New("growing memory to the snapshot's size")
		}
	}
	f := s.file.Load()
	if f != nil && in.lm != nil {
		f.cached.Do(func() { uncacheForRandomReads(f.path, f.off, s.size) })
	}
	if f == nil || in.lm == nil || !in.lm.mapFile(f.path, f.off, s.size) {
		memory, used, err := s.mem()
		if err != nil {
			return err
		}
		for _, r := range used {
			if !in.mem.Write(uint32(r[0]), memory[r[0]:r[1]]) {
				return errors.New("writing memory")
			}
		}
	}
	for i, v := range s.globals {
		g, ok := in.mod.ExportedGlobal(fmt.Sprintf("%s%d", globalExportPrefix, i)).(api.MutableGlobal)
		if !ok {
			if in.mod.ExportedGlobal(fmt.Sprintf("%s%d", globalExportPrefix, i)).Get() != v {
				return fmt.Errorf("global %d is immutable and differs", i)
			}
			continue
		}
		g.Set(v)
	}
	in.fonts = slices.Clone(s.fonts)
	in.users = s.users
	return nil
}

// Snapshot files let a restarted process clone its first instance instead of
// starting the Go runtime and rendering cold: <dir>/<sha256 of the module>.snap,
// holding the machine's boot id, the globals and the memory. A file from
// another module never matches its name; one from another boot is ignored,
// since the monotonic clock the Go runtime inside has seen restarts at boot
// and must never go backwards. Without a boot id (non-Linux) nothing is
// persisted.

const snapMagic = "OGMSNAP3"

// snapAlign aligns the memory in a snapshot file (to 64 KiB pages).
const snapAlign = 65536

// bootID identifies the running boot of the machine ("" when unknown).
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func snapshotPath(dir string, wasm []byte) string {
	sum := sha256.Sum256(wasm)
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".snap")
}

// save writes s atomically (temporary file, then rename), mode 0600.
func (s *snapshot) save(path, boot string) error {
	var hdr []byte
	hdr = append(hdr, snapMagic...)
	var id [36]byte
	copy(id[:], boot)
	hdr = append(hdr, id[:]...)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(s.globals)))
	for _, g := range s.globals {
		hdr = binary.LittleEndian.AppendUint64(hdr, g)
	}
	memory := s.heapMemory()
	if memory == nil {
		return errors.New("snapshot has no memory to save")
	}
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(memory)))
	off := (len(hdr) + snapAlign - 1) / snapAlign * snapAlign
	hdr = append(hdr, make([]byte, off-len(hdr))...)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(hdr)
	if err == nil {
		_, err = f.Write(memory)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	s.inFile(&snapFile{path: path, off: int64(off)})
	return nil
}

// loadSnapshot opens a snapshot file written by save during this boot. It
// reads the header; the memory is mapped by clones (or read when it must be
// copied).
func loadSnapshot(path string, nGlobals int, boot string) (*snapshot, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, min(st.Size(), snapAlign))
	if _, err := io.ReadFull(fh, b); err != nil {
		return nil, err
	}
	bad := errors.New("malformed snapshot file")
	if len(b) < len(snapMagic)+40 || string(b[:len(snapMagic)]) != snapMagic {
		return nil, bad
	}
	pos := len(snapMagic)
	var id [36]byte
	copy(id[:], boot)
	if boot == "" || string(b[pos:pos+36]) != string(id[:]) {
		return nil, errors.New("snapshot taken during another boot")
	}
	n := int(binary.LittleEndian.Uint32(b[pos+36:]))
	pos += 40
	if n != nGlobals || len(b) < pos+8*n+4 {
		return nil, bad
	}
	s := &snapshot{globals: make([]uint64, n)}
	for i := range s.globals {
		s.globals[i] = binary.LittleEndian.Uint64(b[pos:])
		pos += 8
	}
	s.size = int(binary.LittleEndian.Uint32(b[pos:]))
	pos += 4
	off := int64((pos + snapAlign - 1) / snapAlign * snapAlign)
	if s.size%65536 != 0 || st.Size() != off+int64(s.size) {
		return nil, bad
	}
	s.file.Store(&snapFile{path: path, off: off})
	return s, nil
}
