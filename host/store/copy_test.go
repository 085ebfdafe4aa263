package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// copyFixture is a closed SQLite store holding what Copy's tests copy: 100
// renders with images (one in ten without a webhook), 3 API keys,
// deliveries in every state (delivered, pending with failed attempts due
// in an hour, failed, pending due now, some of those leased), a template
// with 2 versions, a deleted one, and a font.
type copyFixture struct {
	dir     string
	slugs   []string
	pngs    map[string][]byte
	keyOf   map[string]string // slug -> key ID
	hashOf  map[string][32]byte
	dueNow  []string // pending deliveries due at t0 (leased ones among them)
	dueLate []string // pending deliveries due at t0+1h, with 2 failed attempts
	leased  []string
	tmpl    *Template // 2 versions
	tmplV2  []byte
	deleted *Template
	font    *Font
}

var copyKeys = []string{"key_alpha", "key_bravo", "key_charlie"}

func newCopyFixture(t *testing.T) *copyFixture {
	t.Helper()
	ctx := context.Background()
	fx := &copyFixture{dir: t.TempDir(), pngs: map[string][]byte{}, keyOf: map[string]string{}, hashOf: map[string][32]byte{}}
	clk := &fixedClock{t: t0}
	s, err := OpenSQLite(ctx, fx.dir, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, k := range copyKeys {
		if err := s.PutAPIKey(ctx, APIKey{ID: k, Hash: sha256.Sum256([]byte("secret " + k)), Name: "config", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		slug, key := fmt.Sprintf("s%07d", i), copyKeys[i%3]
		r := &Render{Slug: slug, KeyID: key, DedupHash: sha256.Sum256(fmt.Appendf(nil, "card %d", i)), Template: "blog",
			Canonical: fmt.Sprintf("template=blog&title=card+%d", i), PNG: pngBytes(i, 3000+37*i),
			CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		var d *Delivery
		build := func(r *Render, cached bool) (*Delivery, error) {
			if i%10 == 9 {
				return nil, nil
			}
			d = &Delivery{URL: fmt.Sprintf("http://127.0.0.1:1/hook/%d", i), Secret: "whsec_c2VjcmV0",
				Payload: fmt.Appendf(nil, `{"slug":%q}`, r.Slug)}
			return d, nil
		}
		if _, created, err := s.CreateRender(ctx, r, build); err != nil || !created {
			t.Fatalf("CreateRender %s: %v %v", slug, created, err)
		}
		fx.slugs, fx.pngs[slug], fx.keyOf[slug], fx.hashOf[slug] = append(fx.slugs, slug), r.PNG, key, r.DedupHash
		if d == nil {
			continue
		}
		at := t0.Add(time.Second)
		switch i % 5 {
		case 0:
			mustComplete(t, s, d.ID, Attempt{At: at, StatusCode: 200, Duration: 15 * time.Millisecond}, StatusDelivered, time.Time{}, "")
		case 1:
			mustComplete(t, s, d.ID, Attempt{At: at, StatusCode: 503, Duration: 20 * time.Millisecond, Error: "HTTP 503"}, StatusPending, t0.Add(time.Minute), "HTTP 503")
			mustComplete(t, s, d.ID, Attempt{At: at.Add(time.Minute), Error: "connection refused"}, StatusPending, t0.Add(time.Hour), "connection refused")
			fx.dueLate = append(fx.dueLate, d.ID)
		case 2:
			mustComplete(t, s, d.ID, Attempt{At: at, StatusCode: 500, Duration: time.Second}, StatusFailed, time.Time{}, "HTTP 500")
		default:
			fx.dueNow = append(fx.dueNow, d.ID)
		}
	}
	// A host that died while attempting these: they are leased for 10 minutes.
	ds, err := s.LeaseDue(ctx, t0, 3, 10*time.Minute)
	if err != nil || len(ds) != 3 {
		t.Fatalf("LeaseDue: %d, %v", len(ds), err)
	}
	for _, d := range ds {
		fx.leased = append(fx.leased, d.ID)
	}

	fx.tmpl = &Template{ID: "custom_aaaaaaaaaa", KeyID: copyKeys[0], Name: "promo", JSON: []byte(`{"v":1}`)}
	if err := s.CreateTemplate(ctx, fx.tmpl); err != nil {
		t.Fatal(err)
	}
	fx.tmplV2 = []byte(`{"v":2,"title":"second"}`)
	if v, err := s.UpdateTemplate(ctx, copyKeys[0], fx.tmpl.ID, 1, fx.tmplV2, ""); err != nil || v != 2 {
		t.Fatalf("UpdateTemplate: %d %v", v, err)
	}
	fx.deleted = &Template{ID: "custom_bbbbbbbbbb", KeyID: copyKeys[1], Name: "old", JSON: []byte(`{"old":true}`)}
	if err := s.CreateTemplate(ctx, fx.deleted); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTemplate(ctx, copyKeys[1], fx.deleted.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fx.font = &Font{ID: "font_cccccccccc", KeyID: copyKeys[2], Family: "Brand Sans", Weight: FontBold, Format: "woff2",
		Data: pngBytes(7, 9000)}
	if err := s.CreateFont(ctx, fx.font); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return fx
}

func mustComplete(t *testing.T, s Store, id string, a Attempt, status string, next time.Time, lastErr string) {
	t.Helper()
	if err := s.CompleteAttempt(context.Background(), id, a, status, next, lastErr); err != nil {
		t.Fatalf("CompleteAttempt %s: %v", id, err)
	}
}

// copyOf is a new data directory holding a copy of the fixture's database.
func (fx *copyFixture) copyOf(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	storetest.Copy(t, filepath.Join(fx.dir, DBFile), dir)
	return dir
}

// wantCounts fails t unless rep's counts for each table are source rows
// copied and existing as given (and nothing else).
func wantCounts(t *testing.T, rep *CopyReport, copied, existing map[string]int64) {
	t.Helper()
	for _, c := range rep.Tables {
		if c.Copied != copied[c.Table] || c.Existing != existing[c.Table] || c.Conflicts+c.Damaged+c.Skipped != 0 ||
			c.Done() != c.Source {
			t.Errorf("%s: %+v; want copied %d, existing %d", c.Table, c, copied[c.Table], existing[c.Table])
		}
	}
	if !rep.OK() || len(rep.Conflicts)+len(rep.Damaged)+len(rep.Skipped) != 0 {
		t.Errorf("report not OK: %+v", rep)
	}
}

// sources is the fixture's row count per table.
func (fx *copyFixture) sources() map[string]int64 {
	return map[string]int64{CopyAPIKeys: 3, CopyTemplates: 3, CopyFonts: 1, CopyRenders: 100, CopyDeliveries: 90,
		CopyAttempts: 20 + 2*20 + 20} // delivered, pending with 2, failed
}

// checkCopied verifies that everything of the fixture reads back the same
// from pg as from src, but for the slugs in except; then it leases on pg.
func checkCopied(t *testing.T, fx *copyFixture, src *SQLite, pg *Postgres, except ...string) {
	t.Helper()
	ctx := context.Background()
	for _, slug := range fx.slugs {
		if slices.Contains(except, slug) {
			continue
		}
		png, err := pg.Image(ctx, slug)
		if err != nil || !bytes.Equal(png, fx.pngs[slug]) {
			t.Fatalf("Image(%s) on Postgres: %d bytes, %v; want the %d bytes stored", slug, len(png), err, len(fx.pngs[slug]))
		}
		want, err := src.RenderBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := pg.RenderBySlug(ctx, slug); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("RenderBySlug(%s): %+v, %v; want %+v", slug, got, err, want)
		}
		if got, err := pg.RenderByDedup(ctx, fx.keyOf[slug], fx.hashOf[slug]); err != nil || got.Slug != slug {
			t.Fatalf("RenderByDedup(%s, hash of %s): %+v, %v", fx.keyOf[slug], slug, got, err)
		}
		// Deliveries and attempts as they were, but for the lease.
		wantDs, wantAs, err := src.Deliveries(ctx, fx.keyOf[slug], slug)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range wantDs {
			d.LeasedUntil = time.Time{}
		}
		gotDs, gotAs, err := pg.Deliveries(ctx, fx.keyOf[slug], slug)
		if err != nil || len(gotDs)+len(wantDs) > 0 && (!reflect.DeepEqual(gotDs, wantDs) || !reflect.DeepEqual(gotAs, wantAs)) {
			t.Fatalf("Deliveries(%s) on Postgres: %+v %+v, %v; want %+v %+v", slug, gotDs, gotAs, err, wantDs, wantAs)
		}
	}
	wantKeys, _ := src.APIKeys(ctx)
	if got, err := pg.APIKeys(ctx); err != nil || !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("APIKeys on Postgres: %+v, %v; want %+v", got, err, wantKeys)
	}
	for _, tv := range []struct {
		id string
		v  int
	}{{fx.tmpl.ID, 1}, {fx.tmpl.ID, 2}, {fx.tmpl.ID, 0}, {fx.deleted.ID, 1}} {
		want, err := src.Template(ctx, tv.id, tv.v)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := pg.Template(ctx, tv.id, tv.v); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Template(%s, %d) on Postgres: %+v, %v; want %+v", tv.id, tv.v, got, err, want)
		}
	}
	if got, err := pg.Template(ctx, fx.deleted.ID, 0); err != nil || got.DeletedAt.IsZero() {
		t.Fatalf("deleted template on Postgres: %+v, %v", got, err)
	}
	if ts, err := pg.Templates(ctx, fx.deleted.KeyID); err != nil || len(ts) != 0 {
		t.Fatalf("Templates(%s) on Postgres lists the deleted one: %+v, %v", fx.deleted.KeyID, ts, err)
	}
	if ts, err := pg.Templates(ctx, fx.tmpl.KeyID); err != nil || len(ts) != 1 || ts[0].Version != 2 {
		t.Fatalf("Templates(%s) on Postgres: %+v, %v", fx.tmpl.KeyID, ts, err)
	}
	wantFont, err := src.Font(ctx, fx.font.KeyID, fx.font.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := pg.FontByFamily(ctx, fx.font.KeyID, fx.font.Family, fx.font.Weight); err != nil || !reflect.DeepEqual(got, wantFont) {
		t.Fatalf("font on Postgres: %+v, %v", got, err)
	}

	// The pending deliveries are due when they were, and not leased (the
	// leases the SQLite host held are gone): LeaseDue on Postgres takes
	// the ones due now, then an hour later the others.
	lease := func(at time.Time) []string {
		ds, err := pg.LeaseDue(ctx, at, 1000, 24*time.Hour) // held past the later calls
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range ds {
			if d.Status != StatusPending {
				t.Errorf("LeaseDue took %s, %s", d.ID, d.Status)
			}
			ids = append(ids, d.ID)
		}
		slices.Sort(ids)
		return ids
	}
	notExcepted := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			d, err := src.Delivery(ctx, deliveryKey(t, src, id), id)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(except, d.Slug) {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	if got, want := lease(t0.Add(time.Second)), notExcepted(fx.dueNow); !slices.Equal(got, want) {
		t.Errorf("LeaseDue at t0+1s on Postgres: %d %v; want %d %v (the %d leased on SQLite among them)", len(got), got, len(want), want, len(fx.leased))
	}
	if got := lease(t0.Add(30 * time.Minute)); len(got) != 0 {
		t.Errorf("LeaseDue at t0+30m on Postgres: %v; want none (the rest are due at t0+1h)", got)
	}
	if got, want := lease(t0.Add(2*time.Hour)), notExcepted(fx.dueLate); !slices.Equal(got, want) {
		t.Errorf("LeaseDue at t0+2h on Postgres: %v; want %v", got, want)
	}
}

// deliveryKey finds the key of delivery id in src (Delivery is scoped by key).
func deliveryKey(t *testing.T, src *SQLite, id string) string {
	t.Helper()
	var key string
	if err := src.r.QueryRow(`SELECT key_id FROM deliveries WHERE id = ?`, id).Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

// TestCopyToPostgres: everything of a populated SQLite store is in
// Postgres after Copy and reads back the same; the SQLite file is not
// changed; a second run copies nothing and finds everything there.
func TestCopyToPostgres(t *testing.T) {
	url := storetest.StartPostgres(t)
	fx := newCopyFixture(t)
	dir := fx.copyOf(t)
	before := fileSum(t, filepath.Join(dir, DBFile))
	src := openRO(t, dir)
	pg := openPG(t, url, PostgresOptions{})
	ctx := context.Background()

	var calls []CopyCounts
	rep, err := Copy(ctx, src, pg, func(c CopyCounts) { calls = append(calls, c) })
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	srcs := fx.sources()
	wantCounts(t, rep, srcs, nil)
	if rep.Table(CopyRenders).Bytes < 100*3000 {
		t.Errorf("renders: %d bytes copied", rep.Table(CopyRenders).Bytes)
	}
	if len(calls) == 0 || calls[len(calls)-1].Done() != calls[len(calls)-1].Source {
		t.Errorf("progress calls: %+v", calls)
	}
	checkCopied(t, fx, src, pg)

	// Run again (after the leases above): nothing copied, all already there.
	rep, err = Copy(ctx, src, pg, nil)
	if err != nil {
		t.Fatalf("second Copy: %v", err)
	}
	wantCounts(t, rep, nil, srcs)
	if after := fileSum(t, filepath.Join(dir, DBFile)); after != before {
		t.Errorf("the SQLite file changed")
	}
}

// TestCopyInterrupted: a copy cancelled half way through the renders
// leaves whole batches; running it again copies the rest, and what the
// first run copied is counted as already there.
func TestCopyInterrupted(t *testing.T) {
	url := storetest.StartPostgres(t)
	fx := newCopyFixture(t)
	src := openRO(t, fx.copyOf(t))
	pg := openPG(t, url, PostgresOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err := copyStore(ctx, src, pg, func(c CopyCounts) {
		if c.Table == CopyRenders && c.Done() >= 30 {
			cancel()
		}
	}, 10, 16<<10)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy with ctx cancelled: %v, want context.Canceled", err)
	}
	first := rep.Table(CopyRenders)
	conn := rawConn(t, url)
	n := pgCount(t, conn, `SELECT count(*) FROM renders`)
	if n < 30 || n >= 100 || int64(n) != first.Copied || pgCount(t, conn, `SELECT count(*) FROM images`) != n {
		t.Fatalf("after the interruption: %d renders on Postgres, report %+v", n, first)
	}
	if d := pgCount(t, conn, `SELECT count(*) FROM deliveries`); d != 0 {
		t.Fatalf("after the interruption: %d deliveries on Postgres", d)
	}

	rep, err = Copy(context.Background(), src, pg, nil)
	if err != nil {
		t.Fatalf("Copy again: %v", err)
	}
	srcs := fx.sources()
	copied := map[string]int64{CopyRenders: 100 - int64(n), CopyDeliveries: srcs[CopyDeliveries], CopyAttempts: srcs[CopyAttempts]}
	existing := map[string]int64{CopyAPIKeys: 3, CopyTemplates: 3, CopyFonts: 1, CopyRenders: int64(n)}
	wantCounts(t, rep, copied, existing)
	checkCopied(t, fx, src, pg)
}

// TestCopyDamaged: an image that fails its checksum and one that is
// missing are reported and not copied, nor are their deliveries and
// attempts; a damaged template version is reported too; the rest is
// copied. Running it again reports them again and copies nothing.
func TestCopyDamaged(t *testing.T) {
	url := storetest.StartPostgres(t)
	fx := newCopyFixture(t)
	dir := fx.copyOf(t)
	// s0000001: pending with 2 attempts; s0000003: pending, none.
	badSum, missing := fx.slugs[1], fx.slugs[3]
	db, err := sql.Open("sqlite", fileURI(filepath.Join(dir, DBFile), ""))
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(fx.pngs[badSum])
	flipped[len(flipped)/2] ^= 0xff
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE images SET png = ? WHERE render_id = (SELECT id FROM renders WHERE slug = ?)`, []any{flipped, badSum}},
		{`DELETE FROM images WHERE render_id = (SELECT id FROM renders WHERE slug = ?)`, []any{missing}},
		{`UPDATE template_json SET json = CAST('{"v":9}' AS BLOB) WHERE id = ? AND version = 1`, []any{fx.tmpl.ID}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	src := openRO(t, dir)
	pg := openPG(t, url, PostgresOptions{})
	ctx := context.Background()
	for run := range 2 {
		rep, err := Copy(ctx, src, pg, nil)
		if err != nil {
			t.Fatalf("Copy (run %d): %v", run+1, err)
		}
		if rep.OK() {
			t.Errorf("run %d: report OK with damage", run+1)
		}
		r, d, a, tm := rep.Table(CopyRenders), rep.Table(CopyDeliveries), rep.Table(CopyAttempts), rep.Table(CopyTemplates)
		if r.Damaged != 2 || r.Copied+r.Existing != 98 || d.Skipped != 2 || d.Copied+d.Existing != 88 ||
			a.Skipped != 2 || tm.Damaged != 1 || tm.Copied+tm.Existing != 2 {
			t.Errorf("run %d: renders %+v, deliveries %+v, attempts %+v, templates %+v", run+1, r, d, a, tm)
		}
		if run == 1 && r.Copied+d.Copied+a.Copied+tm.Copied != 0 {
			t.Errorf("second run copied: renders %+v, deliveries %+v, attempts %+v, templates %+v", r, d, a, tm)
		}
		all := strings.Join(rep.Damaged, "\n")
		if len(rep.Damaged) != 3 || !strings.Contains(all, "render "+badSum) || !strings.Contains(all, "checksum") ||
			!strings.Contains(all, "render "+missing) || !strings.Contains(all, "image missing") ||
			!strings.Contains(all, "template "+fx.tmpl.ID+" version 1") {
			t.Errorf("run %d: damaged lines:\n%s", run+1, all)
		}
		if len(rep.Skipped) != 4 || !strings.Contains(strings.Join(rep.Skipped, "\n"), badSum) {
			t.Errorf("run %d: skipped lines:\n%s", run+1, strings.Join(rep.Skipped, "\n"))
		}
	}
	for _, slug := range []string{badSum, missing} {
		if _, err := pg.Image(ctx, slug); !errors.Is(err, ErrNotFound) {
			t.Errorf("Image(%s) on Postgres: %v, want ErrNotFound", slug, err)
		}
	}
	if _, err := pg.Template(ctx, fx.tmpl.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("damaged template version on Postgres: %v", err)
	}
	if got, err := pg.Template(ctx, fx.tmpl.ID, 2); err != nil || !bytes.Equal(got.JSON, fx.tmplV2) {
		t.Errorf("template version 2 on Postgres: %+v, %v", got, err)
	}
	checkCopiedExceptTemplates(t, fx, src, pg, badSum, missing)
}

// checkCopiedExceptTemplates is checkCopied without the template checks
// (a damaged version was left out).
func checkCopiedExceptTemplates(t *testing.T, fx *copyFixture, src *SQLite, pg *Postgres, except ...string) {
	t.Helper()
	ctx := context.Background()
	for _, slug := range fx.slugs {
		if slices.Contains(except, slug) {
			continue
		}
		if png, err := pg.Image(ctx, slug); err != nil || !bytes.Equal(png, fx.pngs[slug]) {
			t.Fatalf("Image(%s) on Postgres: %d bytes, %v", slug, len(png), err)
		}
	}
	ds, err := pg.LeaseDue(ctx, t0.Add(2*time.Hour), 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if slices.Contains(except, d.Slug) {
			t.Errorf("a delivery of %s was copied", d.Slug)
		}
	}
	if want := len(fx.dueNow) + len(fx.dueLate) - 2; len(ds) != want {
		t.Errorf("LeaseDue on Postgres: %d deliveries, want %d", len(ds), want)
	}
}

// TestCopyConflicts: rows whose keys are taken on Postgres by other
// content are reported by id and not written (nor the deliveries of a
// conflicting render); a host that went on with a delivery on Postgres
// is not a conflict.
func TestCopyConflicts(t *testing.T) {
	url := storetest.StartPostgres(t)
	fx := newCopyFixture(t)
	src := openRO(t, fx.copyOf(t))
	pg := openPG(t, url, PostgresOptions{})
	ctx := context.Background()
	if _, err := Copy(ctx, src, pg, nil); err != nil {
		t.Fatal(err)
	}
	// A Postgres host delivers one of the pending ones.
	ds, err := pg.LeaseDue(ctx, t0.Add(time.Second), 1, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatalf("LeaseDue: %v %v", ds, err)
	}
	mustComplete(t, pg, ds[0].ID, Attempt{At: t0.Add(2 * time.Second), StatusCode: 204}, StatusDelivered, time.Time{}, "")

	// Another database's rows under the same keys.
	conn := rawConn(t, url)
	slug := fx.slugs[6] // pending with 2 attempts
	pgExec(t, conn, `UPDATE renders SET canonical = 'another' WHERE slug = $1`, slug)
	pgExec(t, conn, `UPDATE api_keys SET hash = $1 WHERE id = $2`, make([]byte, 32), copyKeys[1])
	pgExec(t, conn, `UPDATE fonts SET size = size + 1 WHERE id = $1`, fx.font.ID)
	pgExec(t, conn, `UPDATE attempts SET status_code = 418 WHERE delivery_id = $1 AND n = 1`, fx.dueLate[0])

	rep, err := Copy(ctx, src, pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Error("report OK with conflicts")
	}
	want := map[string][3]int64{ // conflicts, skipped, existing
		CopyAPIKeys: {1, 0, 2}, CopyTemplates: {0, 0, 3}, CopyFonts: {1, 0, 0}, CopyRenders: {1, 0, 99},
		CopyDeliveries: {0, 1, 89}, CopyAttempts: {1, 2, 77},
	}
	for table, w := range want {
		c := rep.Table(table)
		if c.Conflicts != w[0] || c.Skipped != w[1] || c.Existing != w[2] || c.Copied != 0 || c.Damaged != 0 {
			t.Errorf("%s: %+v; want conflicts %d, skipped %d, existing %d", table, c, w[0], w[1], w[2])
		}
	}
	all := strings.Join(rep.Conflicts, "\n")
	for _, s := range []string{"render " + slug + ": differs in canonical", "API key " + copyKeys[1], "font " + fx.font.ID,
		"attempt 1 of " + fx.dueLate[0] + ": differs in status_code"} {
		if !strings.Contains(all, s) {
			t.Errorf("conflict lines lack %q:\n%s", s, all)
		}
	}
}
