// Package storetest helps the store's tests: it damages copies of an
// ogmint SQLite database the way a failing disk, a bad copy or a mistaken
// operator would, fills disks (disk.go), and starts a throwaway PostgreSQL
// with a new database per test (postgres.go).
package storetest

import (
	"bytes"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // the driver the store uses
)

// Copy copies the closed database file src (no -wal beside it) to
// dir/ogmint.db and returns that path.
func Copy(t testing.TB, src, dir string) string {
	t.Helper()
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("%s has a -wal: close the store before copying", src)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "ogmint.db")
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// FlipWithin inverts 4 bytes in the middle of needle's only occurrence in
// the file at path, e.g. a stretch of one stored image.
func FlipWithin(t testing.TB, path string, needle []byte) {
	t.Helper()
	b := read(t, path)
	i := bytes.Index(b, needle)
	if i < 0 || bytes.Index(b[i+1:], needle) >= 0 {
		t.Fatalf("%s: the needle occurs %d times, want once", path, bytes.Count(b, needle))
	}
	flip(b[i+len(needle)/2 : i+len(needle)/2+4])
	write(t, path, b)
}

// FlipPageHeader inverts the 8-byte b-tree page header of table's root page.
func FlipPageHeader(t testing.TB, path, table string) {
	t.Helper()
	root, size := rootPage(t, path, table)
	b := read(t, path)
	off := (root - 1) * size
	if root == 1 {
		off = 100 // after the database header
	}
	flip(b[off : off+8])
	write(t, path, b)
}

// rootPage reads table's root page number and the page size.
func rootPage(t testing.TB, path, table string) (root, size int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&root); err != nil {
		t.Fatalf("root page of %s: %v", table, err)
	}
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	return root, size
}

func flip(b []byte) {
	for i := range b {
		b[i] ^= 0xff
	}
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
