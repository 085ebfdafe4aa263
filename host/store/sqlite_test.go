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
	"regexp"
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

func TestCreateRender(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())

	first := newRender("slugAAA1", "key1", "blog|Hello")
	first.PNG = pngBytes(1, 55<<10)
	first.CreatedAt = time.Date(2025, 3, 8, 1, 2, 3, 456789000, time.FixedZone("x", 3600))
	var w webhook
	got, created, err := s.CreateRender(ctx, first, w.build)
	if err != nil || !created || got != first {
		t.Fatalf("new render: got %v created %v err %v", got, created, err)
	}
	if want := time.Date(2025, 3, 8, 0, 2, 3, 456000000, time.UTC); !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v (UTC, ms)", got.CreatedAt, want)
	}
	if w.calls != 1 || w.cached || w.got.Slug != "slugAAA1" {
		t.Errorf("builder on a new render: calls %d cached %v slug %s", w.calls, w.cached, w.got.Slug)
	}
	if !strings.HasPrefix(w.d.ID, "msg_") || w.d.Status != StatusPending || w.d.Slug != "slugAAA1" ||
		w.d.KeyID != "key1" || !w.d.NextAttemptAt.Equal(t0) || !w.d.CreatedAt.Equal(t0) {
		t.Errorf("delivery not completed in place: %+v", w.d)
	}
	if png, err := s.Image(ctx, "slugAAA1"); err != nil || !bytes.Equal(png, first.PNG) {
		t.Fatalf("Image: %d bytes, err %v", len(png), err)
	}

	cases := []struct {
		name        string
		r           *Render
		hook        bool
		wantErr     error
		wantCreated bool
		wantSlug    string
		wantCached  bool
	}{
		{name: "duplicate same key returns the stored slug", r: newRender("slugBBB2", "key1", "blog|Hello"),
			hook: true, wantSlug: "slugAAA1", wantCached: true},
		{name: "duplicate without webhook", r: newRender("slugBBB3", "key1", "blog|Hello"),
			wantSlug: "slugAAA1"},
		{name: "same parameters other key is a new render", r: newRender("slugCCC1", "key2", "blog|Hello"),
			hook: true, wantCreated: true, wantSlug: "slugCCC1"},
		{name: "other parameters same key", r: newRender("slugDDD1", "key1", "blog|Other"),
			wantCreated: true, wantSlug: "slugDDD1"},
		{name: "same slug and parameters is a dedup hit, not a slug clash", r: newRender("slugAAA1", "key1", "blog|Hello"),
			hook: true, wantSlug: "slugAAA1", wantCached: true},
		{name: "slug taken", r: newRender("slugAAA1", "key3", "blog|Fresh"), hook: true, wantErr: ErrSlugTaken},
		{name: "slug taken by another key's render", r: newRender("slugCCC1", "key1", "blog|Fresh2"), wantErr: ErrSlugTaken},
		{name: "no slug", r: newRender("", "key1", "blog|x"), wantErr: ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countDeliveries(t, s)
			var w webhook
			var b DeliveryBuilder
			if tc.hook {
				b = w.build
			}
			got, created, err := s.CreateRender(ctx, tc.r, b)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if n := countDeliveries(t, s); n != before {
					t.Errorf("failed CreateRender wrote %d deliveries", n-before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if created != tc.wantCreated || got.Slug != tc.wantSlug {
				t.Fatalf("created %v slug %s, want %v %s", created, got.Slug, tc.wantCreated, tc.wantSlug)
			}
			if !created && (got.PNG != nil || got.KeyID != tc.r.KeyID || got.DedupHash != tc.r.DedupHash) {
				t.Errorf("dedup hit returned %+v", got)
			}
			wantDeliveries := before
			if tc.hook {
				wantDeliveries++
				if w.calls != 1 || w.cached != tc.wantCached || w.got.Slug != tc.wantSlug {
					t.Errorf("builder: calls %d cached %v slug %s", w.calls, w.cached, w.got.Slug)
				}
				d, err := s.Delivery(ctx, tc.r.KeyID, w.d.ID)
				if err != nil {
					t.Fatalf("delivery not stored: %v", err)
				}
				if d.Slug != tc.wantSlug || !bytes.Equal(d.Payload, w.d.Payload) || d.Status != StatusPending {
					t.Errorf("stored delivery %+v", d)
				}
			}
			if n := countDeliveries(t, s); n != wantDeliveries {
				t.Errorf("deliveries %d, want %d", n, wantDeliveries)
			}
		})
	}

	// The dedup hit's render is the first one, unchanged.
	r, err := s.RenderByDedup(ctx, "key1", hashOf("blog|Hello"))
	if err != nil || r.Slug != "slugAAA1" || r.Template != "blog" || r.Canonical != "blog|Hello" || !r.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("RenderByDedup = %+v, %v", r, err)
	}
	if _, err := s.RenderByDedup(ctx, "key9", hashOf("blog|Hello")); !errors.Is(err, ErrNotFound) {
		t.Errorf("RenderByDedup for another key: %v, want ErrNotFound", err)
	}
	if _, err := s.RenderBySlug(ctx, "nope0000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RenderBySlug unknown: %v", err)
	}
	if _, err := s.Image(ctx, "nope0000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Image unknown: %v", err)
	}
}

func TestCreateRenderBuilderErrorWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	boom := errors.New("boom")
	_, _, err := s.CreateRender(ctx, newRender("slugEEE1", "k", "c"), func(*Render, bool) (*Delivery, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.RenderBySlug(ctx, "slugEEE1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("render written despite builder error: %v", err)
	}
	// A builder that returns no delivery is fine.
	if _, created, err := s.CreateRender(ctx, newRender("slugEEE1", "k", "c"),
		func(*Render, bool) (*Delivery, error) { return nil, nil }); err != nil || !created {
		t.Fatalf("created %v err %v", created, err)
	}
	if n := countDeliveries(t, s); n != 0 {
		t.Errorf("%d deliveries", n)
	}
}

func TestCreateRenderConcurrentMissesStoreOne(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	const n = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		slugs   = map[string]int{}
		created int
	)
	for i := range n {
		wg.Go(func() {
			got, c, err := s.CreateRender(ctx, newRender(fmt.Sprintf("race%04d", i), "k", "same"), (&webhook{}).build)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			slugs[got.Slug]++
			if c {
				created++
			}
		})
	}
	wg.Wait()
	if created != 1 || len(slugs) != 1 {
		t.Fatalf("created %d renders, slugs %v; want 1 and one slug", created, slugs)
	}
	if got := countDeliveries(t, s); got != n {
		t.Errorf("deliveries %d, want %d (one per request, hit or not)", got, n)
	}
}

func countDeliveries(t *testing.T, s *SQLite) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
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

func TestReopenKeepsEveryRender(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	want := map[string][]byte{}
	for i := range 50 {
		r := newRender(fmt.Sprintf("keep%04d", i), fmt.Sprintf("k%d", i%3), fmt.Sprint("c", i))
		r.PNG = pngBytes(i, 1000+i*997)
		mustCreate(t, s, r, i%2 == 0)
		want[r.Slug] = r.PNG
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	for slug, png := range want {
		got, err := s.Image(ctx, slug)
		if err != nil || !bytes.Equal(got, png) {
			t.Fatalf("%s after reopen: %d bytes, err %v", slug, len(got), err)
		}
	}
	if n := countDeliveries(t, s); n != 25 {
		t.Errorf("deliveries after reopen: %d, want 25", n)
	}
}

// seedDeliveries creates n renders of keyID with one delivery each, due at
// due, and returns the delivery IDs. Slugs are keyID's first 4 chars
// (padded with z) + a 4-digit index.
func seedDeliveries(t *testing.T, s *SQLite, keyID string, n int, due time.Time) []string {
	t.Helper()
	var ids []string
	for i := range n {
		r := newRender(fmt.Sprintf("%.4s%04d", keyID+"zzzz", i), keyID, fmt.Sprint("seed", i))
		var d *Delivery
		_, _, err := s.CreateRender(context.Background(), r, func(r *Render, cached bool) (*Delivery, error) {
			d = &Delivery{URL: "https://example.com/" + r.Slug, Payload: []byte(`{}`), NextAttemptAt: due}
			return d, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func TestLeaseDueConcurrentNoDoubleLease(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	// A second handle on the same file: leasers on two writer connections
	// compete through SQLite's own locking, as two processes would.
	s2 := openTest(t, dir)

	const n = 300
	ids := seedDeliveries(t, s, "lease", n, t0)
	notYet := seedDeliveries(t, s, "late", 5, t0.Add(time.Hour))
	now := t0.Add(time.Second)
	lease := time.Minute

	var (
		mu     sync.Mutex
		leased = map[string]int{}
		total  int // leases handed out; > n means a double lease (and stops the loop)
		wg     sync.WaitGroup
	)
	for i := range 4 {
		st := []*SQLite{s, s2}[i%2]
		wg.Go(func() {
			for {
				ds, err := st.LeaseDue(ctx, now, 7, lease)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					leased[d.ID]++
					if !d.LeasedUntil.Equal(now.Add(lease)) {
						t.Errorf("%s LeasedUntil = %v", d.ID, d.LeasedUntil)
					}
				}
				total += len(ds)
				stop := total > n
				mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(leased) != n {
		t.Fatalf("leased %d distinct deliveries, want %d", len(leased), n)
	}
	for _, id := range ids {
		if leased[id] != 1 {
			t.Errorf("%s leased %d times", id, leased[id])
		}
	}
	for _, id := range notYet {
		if leased[id] != 0 {
			t.Errorf("%s leased before it was due", id)
		}
	}

	// Still leased half way through the lease.
	if ds, err := s.LeaseDue(ctx, now.Add(lease/2), 1000, lease); err != nil || len(ds) != 0 {
		t.Fatalf("re-leased %d during the lease (err %v)", len(ds), err)
	}
	// The worker "crashed": once the lease has expired they come back, oldest first.
	ds, err := s.LeaseDue(ctx, now.Add(lease), 1000, lease)
	if err != nil || len(ds) != n {
		t.Fatalf("after expiry leased %d, want %d (err %v)", len(ds), n, err)
	}
	if !slices.IsSortedFunc(ds, func(a, b *Delivery) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) }) {
		t.Error("LeaseDue result not ordered by NextAttemptAt")
	}
	if _, err := s.LeaseDue(ctx, now, 0, lease); !errors.Is(err, ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}
}

func TestLeaseDueOldestFirstAndLimit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	seedDeliveries(t, s, "b", 3, t0.Add(2*time.Second))
	older := seedDeliveries(t, s, "a", 2, t0.Add(time.Second))
	ds, err := s.LeaseDue(ctx, t0.Add(time.Minute), 2, time.Minute)
	if err != nil || len(ds) != 2 {
		t.Fatalf("leased %d, err %v", len(ds), err)
	}
	got := []string{ds[0].ID, ds[1].ID}
	slices.Sort(got)
	slices.Sort(older)
	if !slices.Equal(got, older) {
		t.Errorf("leased %v, want the oldest %v", got, older)
	}
}

func TestCompleteAttempt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	ids := seedDeliveries(t, s, "k", 1, t0)
	id := ids[0]

	steps := []struct {
		a       Attempt
		status  string
		next    time.Time
		lastErr string
	}{
		{Attempt{At: t0.Add(1 * time.Second), StatusCode: 503, Duration: 120 * time.Millisecond, Error: "503"}, StatusPending, t0.Add(6 * time.Second), "HTTP 503"},
		{Attempt{At: t0.Add(7 * time.Second), StatusCode: 0, Duration: 5 * time.Second, Error: "timeout"}, StatusPending, t0.Add(40 * time.Second), "timeout"},
		{Attempt{N: 99, At: t0.Add(41 * time.Second), StatusCode: 204, Duration: 30 * time.Millisecond}, StatusDelivered, time.Time{}, ""},
	}
	for i, st := range steps {
		if ds, err := s.LeaseDue(ctx, st.a.At, 10, time.Minute); err != nil || len(ds) != 1 || ds[0].ID != id {
			t.Fatalf("step %d: lease %v %v", i, ds, err)
		}
		if err := s.CompleteAttempt(ctx, id, st.a, st.status, st.next, st.lastErr); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		d, err := s.Delivery(ctx, "k", id)
		if err != nil {
			t.Fatal(err)
		}
		wantNext := st.next
		if wantNext.IsZero() {
			wantNext = st.a.At
		}
		if d.Attempts != i+1 || d.Status != st.status || !d.NextAttemptAt.Equal(wantNext) ||
			!d.LeasedUntil.IsZero() || d.LastError != st.lastErr || !d.UpdatedAt.Equal(st.a.At) {
			t.Errorf("step %d: delivery %+v", i, d)
		}
	}
	ds, attempts, err := s.Deliveries(ctx, "k", "kzzz0000")
	if err != nil || len(ds) != 1 {
		t.Fatalf("Deliveries: %v %v", ds, err)
	}
	as := attempts[id]
	if len(as) != len(steps) {
		t.Fatalf("%d attempts, want %d", len(as), len(steps))
	}
	for i, a := range as {
		want := steps[i].a
		want.DeliveryID, want.N = id, i+1
		if a != want {
			t.Errorf("attempt %d = %+v, want %+v", i, a, want)
		}
	}
	// Delivered: never leased again.
	if ds, _ := s.LeaseDue(ctx, t0.Add(time.Hour), 10, time.Minute); len(ds) != 0 {
		t.Errorf("delivered delivery leased again")
	}

	if err := s.CompleteAttempt(ctx, "msg_nope", Attempt{}, StatusFailed, time.Time{}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if err := s.CompleteAttempt(ctx, id, Attempt{}, "bogus", time.Time{}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
}

func TestCompleteAttemptsBatch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	ids := seedDeliveries(t, s, "k", 4, t0)
	at := t0.Add(time.Second)
	cs := []Completion{
		{ID: ids[0], Attempt: Attempt{At: at, StatusCode: 200}, Status: StatusDelivered},
		{ID: ids[1], Attempt: Attempt{At: at, StatusCode: 410}, Status: StatusStopped, LastErr: "HTTP 410"},
		{ID: ids[2], Attempt: Attempt{At: at, StatusCode: 500}, Status: StatusFailed, LastErr: "HTTP 500"},
		{ID: ids[3], Attempt: Attempt{At: at, StatusCode: 429}, Status: StatusPending, Next: at.Add(time.Minute), LastErr: "HTTP 429"},
	}
	// All or nothing: an unknown ID rolls the whole batch back.
	if err := s.CompleteAttempts(ctx, append(slices.Clip(cs), Completion{ID: "msg_gone", Status: StatusFailed})); !errors.Is(err, ErrNotFound) {
		t.Fatalf("batch with unknown id: %v", err)
	}
	for _, id := range ids {
		if d, _ := s.Delivery(ctx, "k", id); d.Attempts != 0 {
			t.Fatalf("rolled-back batch left %s with %d attempts", id, d.Attempts)
		}
	}
	if err := s.CompleteAttempts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		d, err := s.Delivery(ctx, "k", c.ID)
		if err != nil || d.Status != c.Status || d.Attempts != 1 || d.LastError != c.LastErr {
			t.Errorf("%s: %+v %v", c.ID, d, err)
		}
	}
	pending, _, err := s.QueueStats(ctx, at)
	if err != nil || pending != 1 {
		t.Errorf("pending %d err %v, want 1", pending, err)
	}
}

func TestDeliveriesScopedByKey(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	// Two keys render the same parameters into their own renders; key A
	// also hits its own dedup entry once.
	ra, da := mustCreate(t, s, newRender("slugKA01", "keyA", "same"), true)
	_, da2 := mustCreate(t, s, newRender("slugKA02", "keyA", "same"), true) // dedup hit -> slugKA01
	_, db := mustCreate(t, s, newRender("slugKB01", "keyB", "same"), true)
	if err := s.CompleteAttempt(ctx, da.ID, Attempt{At: t0, StatusCode: 500}, StatusPending, t0.Add(time.Minute), "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteAttempt(ctx, db.ID, Attempt{At: t0, StatusCode: 200}, StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		key, slug string
		want      []string
	}{
		{"keyA", ra.Slug, []string{da.ID, da2.ID}},
		{"keyB", "slugKB01", []string{db.ID}},
		{"keyB", ra.Slug, nil}, // another key's slug
		{"keyA", "slugKB01", nil},
		{"keyC", ra.Slug, nil},
	}
	for _, tc := range cases {
		ds, attempts, err := s.Deliveries(ctx, tc.key, tc.slug)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.ID)
			if d.KeyID != tc.key {
				t.Errorf("%s/%s returned key %s's delivery", tc.key, tc.slug, d.KeyID)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("Deliveries(%s, %s) = %v, want %v", tc.key, tc.slug, got, want)
		}
		for id := range attempts {
			if !slices.Contains(want, id) {
				t.Errorf("Deliveries(%s, %s) leaked attempts of %s", tc.key, tc.slug, id)
			}
		}
	}
	_, attempts, _ := s.Deliveries(ctx, "keyA", ra.Slug)
	if len(attempts[da.ID]) != 1 || len(attempts[da2.ID]) != 0 {
		t.Errorf("attempts %v", attempts)
	}
	if _, err := s.Delivery(ctx, "keyB", da.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delivery with another key: %v", err)
	}
}

func TestRedeliver(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	id := seedDeliveries(t, s, "k", 1, t0)[0]
	if err := s.CompleteAttempt(ctx, id, Attempt{At: t0, StatusCode: 500}, StatusFailed, time.Time{}, "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if ds, _ := s.LeaseDue(ctx, later, 10, time.Minute); len(ds) != 0 {
		t.Fatal("failed delivery was leased")
	}
	if err := s.Redeliver(ctx, "other", id, later); !errors.Is(err, ErrNotFound) {
		t.Errorf("Redeliver with another key: %v", err)
	}
	if err := s.Redeliver(ctx, "k", "msg_nope", later); !errors.Is(err, ErrNotFound) {
		t.Errorf("Redeliver unknown: %v", err)
	}
	if err := s.Redeliver(ctx, "k", id, later); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Delivery(ctx, "k", id)
	if d.Status != StatusPending || !d.NextAttemptAt.Equal(later) || d.Attempts != 1 {
		t.Errorf("after Redeliver: %+v", d)
	}
	ds, err := s.LeaseDue(ctx, later, 10, time.Minute)
	if err != nil || len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("redelivered not leased: %v %v", ds, err)
	}
	if err := s.CompleteAttempt(ctx, id, Attempt{At: later, StatusCode: 200}, StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	_, attempts, _ := s.Deliveries(ctx, "k", d.Slug)
	if as := attempts[id]; len(as) != 2 || as[1].N != 2 {
		t.Errorf("attempt numbering after Redeliver: %+v", as)
	}
}

func TestQueueStats(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	if p, lag, err := s.QueueStats(ctx, t0); err != nil || p != 0 || lag != 0 {
		t.Fatalf("empty: %d %v %v", p, lag, err)
	}
	seedDeliveries(t, s, "a", 3, t0)
	ids := seedDeliveries(t, s, "b", 2, t0.Add(10*time.Second))
	if err := s.CompleteAttempt(ctx, ids[0], Attempt{At: t0}, StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		now         time.Time
		wantPending int
		wantLag     time.Duration
	}{
		{t0.Add(-time.Second), 4, 0}, // nothing due yet
		{t0, 4, 0},
		{t0.Add(30 * time.Second), 4, 30 * time.Second},
	}
	for _, tc := range cases {
		p, lag, err := s.QueueStats(ctx, tc.now)
		if err != nil || p != tc.wantPending || lag != tc.wantLag {
			t.Errorf("QueueStats(%v) = %d, %v, %v; want %d, %v", tc.now, p, lag, err, tc.wantPending, tc.wantLag)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	if err := s.PutAPIKey(ctx, APIKey{ID: "key_b", Hash: hashOf("sk_b"), Name: "B"}); err != nil {
		t.Fatal(err)
	}
	created := t0.Add(-time.Hour)
	if err := s.PutAPIKey(ctx, APIKey{ID: "key_a", Hash: hashOf("sk_a"), Name: "A", CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
	// Rename/rotate key_a: CreatedAt stays.
	if err := s.PutAPIKey(ctx, APIKey{ID: "key_a", Hash: hashOf("sk_a2"), Name: "A2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAPIKey(ctx, APIKey{ID: "key_c", Hash: hashOf("sk_b")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate hash: %v", err)
	}
	ks, err := s.APIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []APIKey{
		{ID: "key_a", Hash: hashOf("sk_a2"), Name: "A2", CreatedAt: created},
		{ID: "key_b", Hash: hashOf("sk_b"), Name: "B", CreatedAt: t0},
	}
	if !slices.Equal(ks, want) {
		t.Errorf("APIKeys = %+v, want %+v", ks, want)
	}
}

func TestNewDeliveryID(t *testing.T) {
	re := regexp.MustCompile(`^msg_[0-9A-HJKMNP-TV-Z]{26}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := NewDeliveryID(t0.Add(time.Duration(i) * time.Millisecond))
		if !re.MatchString(id) {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if id[:14] < prev[:min(len(prev), 14)] {
			t.Fatalf("ids not time ordered: %s after %s", id, prev)
		}
		prev = id
	}
	// The timestamp part is the standard ULID encoding of t0 (1741392000000 ms).
	if got := NewDeliveryID(t0)[4:14]; got != "01JNSGTD00" {
		t.Errorf("timestamp part %s, want 01JNSGTD00", got)
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
