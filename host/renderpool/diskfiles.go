package renderpool

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// The compilation cache and the snapshot file only make starts faster: when
// they cannot be created, read or written (a full disk, a directory that is
// not writable), the pool starts without them and logs a warning.

// logger is cfg.Logger, or slog.Default() when nil.
func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// runtimeConfig is the wazero runtime configuration, without a compilation cache.
func (c Config) runtimeConfig() wazero.RuntimeConfig {
	return wazero.NewRuntimeConfig().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(c.memoryLimitPages())
}

// diskReserve is the free space the start-up files (compilation cache,
// snapshot) leave on their file system: it usually holds the store too, and
// a file that only speeds up the next start must never take the space a
// render or a webhook needs to be stored.
const diskReserve = 64 << 20

// compileCacheBytes is about what the compilation cache of the module takes
// on disk (~40 MB), rounded up.
const compileCacheBytes = 64 << 20

// roomFor returns nil when writing size bytes in dir leaves diskReserve
// free (or when free space cannot be measured), else an error saying so.
func roomFor(dir string, size uint64) error {
	free, ok := freeBytes(nearestDir(dir))
	if !ok || free >= size+diskReserve {
		return nil
	}
	return fmt.Errorf("%d MiB free, %d MiB needed to keep %d MiB for the store", free>>20, (size+diskReserve)>>20, diskReserve>>20)
}

// RoomFor is roomFor for the host's other start-up files (the fallback
// fonts file): nil when writing size bytes in dir leaves the store its
// reserve (or when free space cannot be measured).
func RoomFor(dir string, size uint64) error { return roomFor(dir, size) }

// nearestDir is dir or its nearest existing parent.
func nearestDir(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

// openCache opens the compilation cache in dir; nil when dir is "", the
// disk has no room for it, or the cache cannot be opened (logged).
func openCache(dir string, log *slog.Logger) wazero.CompilationCache {
	if dir == "" {
		return nil
	}
	if err := roomFor(dir, compileCacheBytes); err != nil {
		log.Warn("renderpool: compilation cache unusable, starting without it (each start compiles the module, ~2.5 s)",
			"dir", dir, "err", err)
		return nil
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		log.Warn("renderpool: compilation cache unusable, starting without it (each start compiles the module, ~2.5 s)",
			"dir", dir, "err", err)
		return nil
	}
	return cache
}

// isFileError reports whether err comes from the file system (what a
// compilation cache that cannot be read or written fails with), not from
// compiling the module.
func isFileError(err error) bool {
	var pe *fs.PathError
	var le *os.LinkError
	return errors.As(err, &pe) || errors.As(err, &le)
}

// compile compiles wasm in p.rt. wazero fails the compile when the cache
// cannot be written (on a full disk: the cache of this module is ~40 MB);
// then the runtime is rebuilt without the cache, WASI included, and the
// module compiled again.
//
// Code loaded from the cache is mapped from its file (patched wazero, see
// host/third_party/wazero/PATCHES.md): only the pages that run are resident.
// Code compiled now is in anonymous memory (~40 MB, all resident), so when
// the compile wrote a new cache file, the module is loaded again from it.
func (p *Pool) compile(ctx context.Context, wasm []byte) (wazero.CompiledModule, error) {
	before := cacheFiles(p.cfg.CacheDir)
	compiled, err := p.rt.CompileModule(ctx, wasm)
	if err == nil && p.cache != nil && cacheFiles(p.cfg.CacheDir) > before {
		_ = compiled.Close(ctx) // its code is unmapped once collected
		return p.rt.CompileModule(ctx, wasm)
	}
	if err == nil || p.cache == nil || !isFileError(err) {
		return compiled, err
	}
	p.cfg.logger().Warn("renderpool: compilation cache unusable, starting without it (each start compiles the module, ~2.5 s)",
		"dir", p.cfg.CacheDir, "err", err)
	_ = p.rt.Close(ctx)
	_ = p.cache.Close(ctx)
	p.cache = nil
	p.rt = wazero.NewRuntimeWithConfig(ctx, p.cfg.runtimeConfig())
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, p.rt); err != nil {
		return nil, fmt.Errorf("renderpool: instantiating WASI: %w", err)
	}
	return p.rt.CompileModule(ctx, wasm)
}

// cacheFiles counts the files of a wazero compilation cache directory
// (<dir>/<wazero version>/<key>).
func cacheFiles(dir string) int {
	if dir == "" {
		return 0
	}
	n := 0
	subs, _ := os.ReadDir(dir)
	for _, sub := range subs {
		if sub.IsDir() {
			files, _ := os.ReadDir(filepath.Join(dir, sub.Name()))
			n += len(files)
		}
	}
	return n
}

// saveSnapshot writes snap to the snapshot file. The file only saves the
// next start a cold warm-up, so a failure is logged and the pool runs on
// with the snapshot in memory.
func (p *Pool) saveSnapshot(snap *snapshot, path, boot string) {
	err := roomFor(filepath.Dir(path), uint64(len(snap.memory)))
	if err == nil {
		err = snap.save(path, boot)
	}
	if err != nil {
		p.cfg.logger().Warn("renderpool: snapshot file not written; the next start warms up cold",
			"path", path, "err", err)
	}
}
