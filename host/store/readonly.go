package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrReadOnly: a write to a store opened with OpenSQLiteReadOnly.
var ErrReadOnly = errors.New("store: opened read-only")

// OpenSQLiteReadOnly opens an existing ogmint SQLite database for reading
// only, for `ogmint migrate` and other tools that must not change it. path
// is the database file or the data directory holding ogmint.db. Nothing is
// created and no migration is applied: a missing file is an error matching
// fs.ErrNotExist, one that is not an ogmint database ErrForeignDB, one at
// an older schema version than this binary's an error saying to let this
// version of ogmint open it first (`ogmint serve` migrates it), a newer one
// ErrSchemaTooNew.
//
// Every connection is opened with SQLite's mode=ro and query_only, so the
// database file's bytes are never written (not even by the checkpoint a
// closing read-write connection would run). SQLite may still create the
// -wal and -shm files beside it, as any reader of a WAL database does. The
// reads of the Store interface work as on OpenSQLite's store; its writes
// fail with an error matching ErrReadOnly and Writable reports ErrReadOnly.
// A server may keep serving the same file meanwhile.
func OpenSQLiteReadOnly(ctx context.Context, path string) (_ *SQLite, err error) {
	path, err = filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, DBFile)
	}
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("store: no database at %s: %w", path, fs.ErrNotExist)
	}
	if err := identify(ctx, path); err != nil {
		return nil, err
	}
	s := &SQLite{path: path, now: time.Now, readOnly: true}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.r, err = sql.Open("sqlite", fileURI(path, "mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(5000)")); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(4)
	s.r.SetMaxIdleConns(4)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	s.w = s.r // the writer's statements are prepared, and fail when run
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: read schema version of %s: %w", path, sqliteErr(err))
	}
	switch {
	case v > schemaVersion():
		return nil, fmt.Errorf("%w: %s has version %d, this binary knows %d", ErrSchemaTooNew, path, v, schemaVersion())
	case v < schemaVersion():
		return nil, fmt.Errorf("store: %s has schema version %d, this binary reads %d: open it once with this "+
			"version of ogmint (ogmint serve migrates it at start), then try again", path, v, schemaVersion())
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// readOnlyErr makes SQLite's SQLITE_READONLY, what a write to a store
// opened by OpenSQLiteReadOnly fails with, match ErrReadOnly.
func (s *SQLite) readOnlyErr(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_READONLY && !errors.Is(err, ErrReadOnly) {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}
