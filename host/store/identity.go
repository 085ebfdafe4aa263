package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// appID is ogmint's PRAGMA application_id ("ogmt"): set in every database
// ogmint creates (and by migration 2 in older ones), so that a file is
// recognised as ogmint's own before anything is written to it.
const appID = 0x6f676d74

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// legacyTables are migration 1's tables: an ogmint database made before
// application_id was set is recognised by all of them being there.
var legacyTables = []string{"schema_migrations", "renders", "images", "api_keys", "deliveries", "attempts"}

// prepareFile makes sure path is an ogmint database before the writer opens
// it (the writer switches the file to WAL, which would change a foreign
// SQLite file): a missing file is created, an existing one is identified.
func prepareFile(ctx context.Context, path string) error {
	exists, err := checkFile(path)
	if err != nil {
		return err
	}
	if !exists {
		return createFile(ctx, path)
	}
	return identify(ctx, path)
}

// refuse is the ErrForeignDB error for path, saying why and what to do.
func refuse(path, why string) error {
	return fmt.Errorf("%w: %s %s. Refusing to open it: starting afresh would hide every render and pending webhook "+
		"it should hold. Restore it from a backup, or move it away to start with a new database", ErrForeignDB, path, why)
}

// checkFile reports whether path exists and, when it does, that it begins
// with a whole SQLite header (ErrForeignDB otherwise).
func checkFile(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return true, fmt.Errorf("store: open %s: %w", path, err)
	}
	head := make([]byte, 100)
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return true, refuse(path, "is empty (0 bytes)")
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return true, fmt.Errorf("store: read %s: %w", path, err)
	case n < len(head) || !bytes.HasPrefix(head, []byte(sqliteMagic)):
		return true, refuse(path, fmt.Sprintf("is not an SQLite database (%d bytes, beginning %q)", fi.Size(), head[:min(n, 16)]))
	}
	return true, nil
}

// createFile makes a new database at path with ogmint's application_id, in
// WAL mode.
// It is made under a temporary name (owner-only: it will hold webhook
// secrets) and linked into place, so path never exists half-made; when
// another process created path meanwhile, that file is kept.
func createFile(ctx context.Context, path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	db, err := sql.Open("sqlite", fileURI(tmp, ""))
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	// In WAL mode already: openers racing to switch a new file to WAL
	// could get SQLITE_BUSY, which no busy timeout waits out.
	_, err = db.ExecContext(ctx, `PRAGMA journal_mode = WAL; PRAGMA application_id = `+strconv.Itoa(appID))
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	if err := place(tmp, path); err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	return nil
}

// place puts the new file tmp at path unless path exists by now: a hard
// link, or on a file system without them an exclusive copy (one page).
func place(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // ours, and half-written
	}
	return err
}

// identify accepts an SQLite file that carries ogmint's application_id, or
// none but all of migration 1's tables (made before application_id was set).
// It opens path query-only, so it changes nothing.
func identify(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", fileURI(path, "_pragma=query_only(1)&_pragma=busy_timeout(5000)"))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return fmt.Errorf("store: read %s: %w", path, sqliteErr(err))
	}
	switch uint32(id) {
	case appID:
		return nil
	case 0:
	default:
		return refuse(path, fmt.Sprintf("is an SQLite database of another application, or its header is damaged "+
			"(application_id %#x, ogmint's is %#x)", uint32(id), appID))
	}
	var n int
	q := `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN (?, ?, ?, ?, ?, ?)`
	if err := db.QueryRowContext(ctx, q, anySlice(legacyTables)...).Scan(&n); err != nil {
		return fmt.Errorf("store: read %s: %w", path, sqliteErr(err))
	}
	if n != len(legacyTables) {
		return refuse(path, "is an SQLite database without ogmint's application_id or tables")
	}
	return nil
}

// fileURI is the driver's URI for path with an optional query.
func fileURI(path, query string) string {
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	if query != "" {
		u += "?" + query
	}
	return u
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
