package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC)

// fixedClock is Options.Now for tests: t0 unless moved.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func openTest(t testing.TB, dir string) *SQLite {
	t.Helper()
	clk := &fixedClock{t: t0}
	s, err := OpenSQLite(context.Background(), dir, Options{Now: clk.Now})
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func hashOf(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func pngBytes(seed, n int) []byte {
	b := make([]byte, n)
	x := uint32(seed*2654435761 + 1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

func newRender(slug, keyID, canonical string) *Render {
	return &Render{Slug: slug, KeyID: keyID, DedupHash: hashOf(canonical), Template: "blog",
		Canonical: canonical, PNG: pngBytes(len(slug)+len(canonical), 1000)}
}

// webhook is a DeliveryBuilder that records what it was told.
type webhook struct {
	calls  int
	cached bool
	got    *Render
	d      *Delivery
}

func (w *webhook) build(r *Render, cached bool) (*Delivery, error) {
	w.calls++
	w.got, w.cached = r, cached
	w.d = &Delivery{URL: "https://example.com/hook", Secret: "s3cret",
		Payload: fmt.Appendf(nil, `{"event":"render.completed","data":{"slug":%q,"cached":%t}}`, r.Slug, cached)}
	return w.d, nil
}

func mustCreate(t *testing.T, s Store, r *Render, withHook bool) (*Render, *Delivery) {
	t.Helper()
	var w webhook
	var b DeliveryBuilder
	if withHook {
		b = w.build
	}
	got, _, err := s.CreateRender(context.Background(), r, b)
	if err != nil {
		t.Fatalf("CreateRender(%s): %v", r.Slug, err)
	}
	return got, w.d
}

func TestOpenPragmasAndPools(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if want := filepath.Join(dir, "ogmint.db"); s.Path() != want {
		t.Errorf("Path = %s, want %s", s.Path(), want)
	}
	for _, f := range []string{s.Path(), s.Path() + "-wal"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s mode %v: readable by others, and it holds webhook secrets", f, perm)
		}
	}
	if got := s.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
	if got := s.r.Stats().MaxOpenConnections; got < 2 {
		t.Errorf("reader MaxOpenConnections = %d, want several", got)
	}
	ctx := context.Background()
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000",
		} {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s PRAGMA %s: %v", name, pragma, err)
			}
			if !strings.EqualFold(got, want) {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
			}
		}
	}
	if _, err := s.r.ExecContext(ctx, `DELETE FROM renders`); err == nil {
		t.Error("reader pool accepted a write")
	}
}

func migrationVersions(t *testing.T, s *SQLite) []int {
	t.Helper()
	rows, err := s.r.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func seq(n int) []int {
	vs := make([]int, n)
	for i := range vs {
		vs[i] = i + 1
	}
	return vs
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s := openTest(t, dir)
	if got, want := migrationVersions(t, s), seq(schemaVersion()); !slices.Equal(got, want) {
		t.Fatalf("after first open: versions %v, want %v", got, want)
	}
	mustCreate(t, s, newRender("aaaaaaaa", "k1", "x"), true)
	s.Close()

	// Reopening applies nothing again and keeps the data.
	s = openTest(t, dir)
	if got, want := migrationVersions(t, s), seq(schemaVersion()); !slices.Equal(got, want) {
		t.Fatalf("after reopen: versions %v, want %v", got, want)
	}
	if _, err := s.RenderBySlug(ctx, "aaaaaaaa"); err != nil {
		t.Fatalf("render lost across reopen: %v", err)
	}
	s.Close()

	// A newer binary adds a migration: only that one runs.
	newer := append(slices.Clip(migrations), `CREATE TABLE extra (x INTEGER) STRICT`)
	s2, err := openSQLite(ctx, dir, Options{}, newer)
	if err != nil {
		t.Fatalf("open with a new migration: %v", err)
	}
	if got, want := migrationVersions(t, s2), seq(len(newer)); !slices.Equal(got, want) {
		t.Fatalf("after new migration: versions %v, want %v", got, want)
	}
	s2.Close()

	// This binary must now refuse the database.
	if s3, err := OpenSQLite(ctx, dir, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		if s3 != nil {
			s3.Close()
		}
		t.Fatalf("open of a newer database: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestMigrationFutureVersionRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.w.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := OpenSQLite(ctx, dir, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("err = %v, want ErrSchemaTooNew", err)
	}
}

func TestMigrationFailureIsRolledBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := append(slices.Clip(migrations), `CREATE TABLE half (x INTEGER) STRICT; THIS IS NOT SQL`)
	if s, err := openSQLite(ctx, dir, Options{}, bad); err == nil {
		s.Close()
		t.Fatal("a broken migration opened fine")
	}
	s := openTest(t, dir)
	if got, want := migrationVersions(t, s), seq(schemaVersion()); !slices.Equal(got, want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("half-applied migration left table 'half' (n=%d, err=%v)", n, err)
	}
}

func TestReadsDoNotWaitForTheWriter(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	mustCreate(t, s, newRender("slugFFF1", "k", "c"), false)

	// Hold the writer connection inside an open write transaction.
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE renders SET template = 'changing' WHERE slug = 'slugFFF1'`); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	r, err := s.RenderBySlug(rctx, "slugFFF1")
	if err != nil {
		t.Fatalf("read while a write is open: %v", err)
	}
	if r.Template != "blog" {
		t.Errorf("read saw uncommitted data: %q", r.Template)
	}
	if _, err := s.Image(rctx, "slugFFF1"); err != nil {
		t.Fatalf("Image while a write is open: %v", err)
	}
}

// TestCrashDurability runs TestHelperProcess in a child process that keeps
// creating renders with deliveries and prints each slug once CreateRender
// has returned; the parent kill -9s it right after a few lines and checks
// that every printed render, its PNG and its delivery survived.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OGMINT_STORE_CRASH_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	const want = 5
	var printed []string
	sc := bufio.NewScanner(out)
	for len(printed) < want && sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "slug "); ok {
			printed = append(printed, line)
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred Close, no checkpoint
		t.Fatal(err)
	}
	cmd.Wait()
	if len(printed) < want {
		t.Fatalf("child printed %d slugs before it ended: %v", len(printed), sc.Err())
	}

	ctx := context.Background()
	s := openTest(t, dir)
	var check string
	if err := s.r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %s %v", check, err)
	}
	for _, slug := range printed {
		i := crashIndex(t, slug)
		r, err := s.RenderBySlug(ctx, slug)
		if err != nil {
			t.Fatalf("render %s printed before the kill is gone: %v", slug, err)
		}
		png, err := s.Image(ctx, slug)
		if err != nil || !bytes.Equal(png, pngBytes(i, 55<<10)) {
			t.Fatalf("PNG of %s: %d bytes, err %v", slug, len(png), err)
		}
		ds, _, err := s.Deliveries(ctx, r.KeyID, slug)
		if err != nil || len(ds) != 1 || string(ds[0].Payload) != crashPayload(slug) || ds[0].Status != StatusPending {
			t.Fatalf("delivery of %s: %+v %v", slug, ds, err)
		}
	}
	// The queue still works on the recovered file.
	ds, err := s.LeaseDue(ctx, time.Now(), 1000, time.Minute)
	if err != nil || len(ds) < want {
		t.Fatalf("lease after crash: %d %v", len(ds), err)
	}
}

func crashIndex(t *testing.T, slug string) int {
	var i int
	if _, err := fmt.Sscanf(slug, "crsh%04d", &i); err != nil {
		t.Fatalf("slug %q: %v", slug, err)
	}
	return i
}

func crashPayload(slug string) string {
	return `{"event":"render.completed","data":{"slug":"` + slug + `"}}`
}

// TestHelperProcess is the child of TestCrashDurability; it does nothing
// unless OGMINT_STORE_CRASH_DIR is set.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("OGMINT_STORE_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process for TestCrashDurability")
	}
	ctx := context.Background()
	s, err := OpenSQLite(ctx, dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	// Bounded: the parent kills us long before this ends.
	deadline := time.Now().Add(time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		slug := fmt.Sprintf("crsh%04d", i)
		r := &Render{Slug: slug, KeyID: "crashkey", DedupHash: hashOf(slug), Template: "blog",
			Canonical: slug, PNG: pngBytes(i, 55<<10)}
		_, _, err := s.CreateRender(ctx, r, func(r *Render, cached bool) (*Delivery, error) {
			return &Delivery{URL: "https://example.com/hook", Payload: []byte(crashPayload(r.Slug))}, nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(2)
		}
		fmt.Printf("slug %s\n", slug)
	}
	os.Exit(3)
}
