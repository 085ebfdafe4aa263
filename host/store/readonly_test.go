package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// openRO opens dir's database read-only, closed at cleanup.
func openRO(t *testing.T, dir string) *SQLite {
	t.Helper()
	s, err := OpenSQLiteReadOnly(context.Background(), dir)
	if err != nil {
		t.Fatalf("OpenSQLiteReadOnly: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestOpenSQLiteReadOnly: the store opened read-only reads, refuses every
// write with ErrReadOnly, probes nothing, and leaves the file's bytes as
// they were; a missing file is not created and an older schema is refused.
func TestOpenSQLiteReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rw, err := OpenSQLite(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, rw, newRender("ro000001", "k", "one"), true)
	rw.Close()
	path := filepath.Join(dir, DBFile)
	before := fileSum(t, path)

	s := openRO(t, path) // the file's path works as well as its directory
	if r, err := s.RenderBySlug(ctx, "ro000001"); err != nil || r.KeyID != "k" {
		t.Fatalf("RenderBySlug: %+v %v", r, err)
	}
	if _, err := s.Image(ctx, "ro000001"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateRender(ctx, newRender("ro000002", "k", "two"), nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("CreateRender: %v, want ErrReadOnly", err)
	}
	if err := s.PutAPIKey(ctx, APIKey{ID: "x"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("PutAPIKey: %v, want ErrReadOnly", err)
	}
	if _, err := s.LeaseDue(ctx, t0, 1, time.Second); !errors.Is(err, ErrReadOnly) {
		t.Errorf("LeaseDue: %v, want ErrReadOnly", err)
	}
	if err := s.Writable(ctx); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Writable: %v, want ErrReadOnly", err)
	}
	if _, err := os.Stat(filepath.Join(dir, spaceProbeFile)); err == nil {
		t.Error("a space probe was written")
	}
	s.Close()
	if fileSum(t, path) != before {
		t.Error("the file changed")
	}

	empty := t.TempDir()
	if _, err := OpenSQLiteReadOnly(ctx, empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty dir: %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Join(empty, DBFile)); err == nil {
		t.Error("a database was created")
	}
	// A database an older ogmint made (its schema version, that is).
	old := t.TempDir()
	storetest.Copy(t, path, old)
	db, err := sql.Open("sqlite", fileURI(filepath.Join(old, DBFile), ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenSQLiteReadOnly(ctx, old); err == nil || !strings.Contains(err.Error(), "schema version 2") {
		t.Errorf("schema 2: %v", err)
	}
}
