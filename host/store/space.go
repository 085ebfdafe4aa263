package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNoSpace: a write failed because the disk (or the user's quota) is
// full. Nothing was written; the same write succeeds once space is freed.
var ErrNoSpace = errors.New("store: no space left on the data disk")

// Space probe tuning: a probe writes spaceProbeBytes (a few rendered cards'
// worth) next to the database and removes it, at most once per
// spaceProbeEvery.
const (
	spaceProbeBytes = 256 << 10
	spaceProbeEvery = 2 * time.Second
)

// spaceProbeFile is the probe's name next to the database file.
const spaceProbeFile = DBFile + "-space-probe"

// isFull reports whether err says there is no space: SQLite's SQLITE_FULL
// (what it answers for ENOSPC), or ENOSPC / EDQUOT from the OS.
func isFull(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_FULL {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// isWriteIOErr reports whether err is a SQLite I/O error of a write path.
// SQLite answers EDQUOT (and ENOSPC from fsync or fallocate) with these, and
// the driver does not expose the OS error: the space probe tells.
func isWriteIOErr(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC, sqlite3.SQLITE_IOERR_DIR_FSYNC,
		sqlite3.SQLITE_IOERR_TRUNCATE, sqlite3.SQLITE_IOERR_SHMSIZE:
		return true
	}
	return false
}

// noSpace wraps err so that it matches both ErrNoSpace and err.
func noSpace(err error) error { return fmt.Errorf("%w: %w", ErrNoSpace, err) }

// spaceGuard remembers whether the data disk has room for writes: a write
// that fails for lack of space marks it full at once; a probe, at most once
// per spaceProbeEvery, updates the verdict (so it clears without a
// restart once space is freed). The zero value is ready to use.
type spaceGuard struct {
	mu    sync.Mutex
	err   error     // the verdict: nil, or an error matching ErrNoSpace
	at    time.Time // when err was set; zero: never
	every time.Duration
}

// check returns the current verdict, probing dir when it is stale.
func (g *spaceGuard) check(dir string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	every := g.every
	if every == 0 {
		every = spaceProbeEvery
	}
	if !g.at.IsZero() && time.Since(g.at) < every {
		return g.err
	}
	g.err, g.at = probeSpace(dir), time.Now()
	return g.err
}

// mark records a failure for lack of space.
func (g *spaceGuard) mark(err error) {
	g.mu.Lock()
	g.err, g.at = err, time.Now()
	g.mu.Unlock()
}

// wrote classifies the outcome of a write to the store in dir: a failure for
// lack of space is returned wrapped in ErrNoSpace and marks the guard.
func (g *spaceGuard) wrote(dir string, err error) error {
	switch {
	case err == nil || errors.Is(err, ErrNoSpace):
		return err
	case isFull(err):
		err = noSpace(err)
		g.mark(err)
	case isWriteIOErr(err) && errors.Is(g.check(dir), ErrNoSpace):
		err = noSpace(err)
	}
	return err
}

// probeSpace writes and removes spaceProbeBytes in dir. Any failure is an
// error (a store that cannot write is not ready); ENOSPC and EDQUOT match
// ErrNoSpace. No fsync: file systems reserve the blocks at write time, and
// a probe that syncs would cost a disk flush per probe.
func probeSpace(dir string) error {
	path := filepath.Join(dir, spaceProbeFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.Write(make([]byte, spaceProbeBytes))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if rerr := os.Remove(path); err == nil {
			err = rerr
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("write probe: %s: %w", pe.Op, pe.Err) // the errno, without the path
	}
	if isFull(err) {
		return noSpace(err)
	}
	if err != nil {
		return fmt.Errorf("store: cannot write to the data directory: %w", err)
	}
	return nil
}

// Writable reports whether the store can take writes: nil, or an error
// (matching ErrNoSpace when the disk is full). It is cheap enough for every
// readiness check: at most one probe write per spaceProbeEvery, and after
// a write failed for lack of space the answer is "full" until the next probe.
func (s *SQLite) Writable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly {
		return ErrReadOnly
	}
	return s.space.check(filepath.Dir(s.path))
}

// wrote classifies the outcome of a write; see spaceGuard.wrote.
func (s *SQLite) wrote(err error) error {
	if s.readOnly {
		return s.readOnlyErr(err) // no space probe: nothing may be written beside the file
	}
	return s.space.wrote(filepath.Dir(s.path), err)
}
