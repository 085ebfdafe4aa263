package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// The behaviour of the Store methods is tested by the suite every Store
// runs (suite_test.go); these tests are Postgres's own: migrations between
// hosts, foreign databases, NOTIFY between hosts and across reconnects, the
// statement timeout, damaged bytea, a full tablespace, Ping and Stats.

// openPG opens a Postgres store on url with the test clock and closes it
// at cleanup.
func openPG(t testing.TB, url string, opts PostgresOptions) *Postgres {
	t.Helper()
	if opts.Now == nil {
		opts.Now = (&fixedClock{t: t0}).Now
	}
	p, err := OpenPostgres(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// rawConn is a plain connection to url, closed at cleanup.
func rawConn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func pgExec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func pgVersions(t testing.TB, conn *pgx.Conn) []int {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func pgCount(t testing.TB, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestPostgresMigrations: a fresh database gets every migration; opening
// it again applies nothing and keeps the data; a newer binary applies only
// its new migration, and this binary then refuses the database; a failing
// migration leaves nothing behind.
func TestPostgresMigrations(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	conn := rawConn(t, url)

	p := openPG(t, url, PostgresOptions{})
	if got, want := pgVersions(t, conn), seq(pgSchemaVersion()); !slices.Equal(got, want) {
		t.Fatalf("after the first open: versions %v, want %v", got, want)
	}
	var applied time.Time
	if err := conn.QueryRow(ctx, `SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&applied); err != nil || !applied.Equal(t0) {
		t.Errorf("applied_at = %v, %v; want the store's clock, %v", applied, err, t0)
	}
	mustCreate(t, p, newRender("aaaaaaaa", "k1", "x"), true)
	p.Close()

	p = openPG(t, url, PostgresOptions{})
	if got, want := pgVersions(t, conn), seq(pgSchemaVersion()); !slices.Equal(got, want) {
		t.Fatalf("after reopen: versions %v, want %v", got, want)
	}
	if png, err := p.Image(ctx, "aaaaaaaa"); err != nil || len(png) == 0 {
		t.Fatalf("render lost across reopen: %v", err)
	}
	p.Close()

	bad := append(slices.Clip(pgMigrations), `CREATE TABLE half (x integer); THIS IS NOT SQL`)
	if p, err := openPostgres(ctx, url, PostgresOptions{}, bad); err == nil {
		p.Close()
		t.Fatal("a broken migration opened fine")
	}
	if got, want := pgVersions(t, conn), seq(pgSchemaVersion()); !slices.Equal(got, want) {
		t.Fatalf("after a failed migration: versions %v, want %v", got, want)
	}
	if n := pgCount(t, conn, `SELECT count(*) FROM pg_tables WHERE tablename = 'half'`); n != 0 {
		t.Fatal("the failed migration left its table behind")
	}

	newer := append(slices.Clip(pgMigrations), `CREATE TABLE template_tags (id text, tag text)`)
	p2, err := openPostgres(ctx, url, PostgresOptions{}, newer)
	if err != nil {
		t.Fatalf("open with a new migration: %v", err)
	}
	p2.Close()
	if got, want := pgVersions(t, conn), seq(len(newer)); !slices.Equal(got, want) {
		t.Fatalf("after the new migration: versions %v, want %v", got, want)
	}
	if p3, err := OpenPostgres(ctx, url, PostgresOptions{}); !errors.Is(err, ErrSchemaTooNew) {
		if p3 != nil {
			p3.Close()
		}
		t.Fatalf("open of a newer database: err = %v, want ErrSchemaTooNew", err)
	}
}

// TestPostgresMigrateConcurrentOpens: hosts starting at once on a new
// database all open it, and each migration runs once.
func TestPostgresMigrateConcurrentOpens(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	// A last migration with a visible side effect: a row per run.
	migs := append(slices.Clip(pgMigrations), `CREATE TABLE runs (x integer); INSERT INTO runs VALUES (1)`)
	const hosts = 6
	var (
		wg   sync.WaitGroup
		errs = make([]error, hosts)
	)
	for i := range hosts {
		wg.Go(func() {
			p, err := openPostgres(ctx, url, PostgresOptions{MaxConns: 2}, migs)
			if err == nil {
				p.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("host %d: %v", i, err)
		}
	}
	conn := rawConn(t, url)
	if got, want := pgVersions(t, conn), seq(len(migs)); !slices.Equal(got, want) {
		t.Errorf("versions %v, want %v", got, want)
	}
	if n := pgCount(t, conn, `SELECT count(*) FROM runs`); n != 1 {
		t.Errorf("the last migration ran %d times", n)
	}
}

// TestPostgresForeignDatabase: a database with another tool's
// schema_migrations, or ogmint's table names without ogmint's version, is
// refused with ErrForeignDB and left as it was.
func TestPostgresForeignDatabase(t *testing.T) {
	for _, tc := range []struct{ name, setup string }{
		{"golang-migrate's schema_migrations", `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
			INSERT INTO schema_migrations VALUES (20240101120000, false)`},
		{"a renders table", `CREATE TABLE renders (id serial PRIMARY KEY, what text)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := storetest.StartPostgres(t)
			conn := rawConn(t, url)
			pgExec(t, conn, tc.setup)
			if p, err := OpenPostgres(context.Background(), url, PostgresOptions{}); !errors.Is(err, ErrForeignDB) {
				if p != nil {
					p.Close()
				}
				t.Fatalf("err = %v, want ErrForeignDB", err)
			}
			if n := pgCount(t, conn, `SELECT count(*) FROM pg_tables WHERE tablename IN ('images', 'deliveries', 'templates')`); n != 0 {
				t.Errorf("%d of ogmint's tables were made in a foreign database", n)
			}
		})
	}
}

// waitWake waits for a value on ch.
func waitWake(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("%s: the subscription ended", what)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no wake-up within 10 s", what)
	}
}

// noWake checks that ch stays quiet for a while.
func noWake(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s woke the subscriber", what)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestPostgresNotifyAcrossHosts: a delivery queued or woken on one host
// wakes the other host's subscribers (NOTIFY in the writing transaction,
// LISTEN on the subscriber's connection); a render without a delivery and
// a failed write do not; when the listening connection dies the
// subscribers get a wake-up for what they may have missed and keep being
// woken once it is back.
func TestPostgresNotifyAcrossHosts(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	a, b := openPG(t, url, PostgresOptions{}), openPG(t, url, PostgresOptions{})
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := a.Notifications(sctx)
	if err != nil {
		t.Fatal(err)
	}
	noWake(t, ch, "subscribing")

	_, d := mustCreate(t, b, newRender("host0001", "k", "one"), true)
	waitWake(t, ch, "CreateRender with a delivery on the other host")
	mustCreate(t, b, newRender("host0002", "k", "two"), false)
	noWake(t, ch, "CreateRender without a delivery")
	if _, _, err := b.CreateRender(ctx, newRender("host0001", "k", "three"), (&webhook{}).build); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("slug clash: %v", err)
	}
	noWake(t, ch, "a CreateRender refused (slug taken)")
	if err := b.CompleteAttempt(ctx, d.ID, Attempt{At: t0}, StatusFailed, time.Time{}, "x"); err != nil {
		t.Fatal(err)
	}
	noWake(t, ch, "CompleteAttempt")
	if err := b.Redeliver(ctx, "k", d.ID, t0); err != nil {
		t.Fatal(err)
	}
	waitWake(t, ch, "Redeliver on the other host")

	// The listening connection dies (a failover, a network cut).
	conn := rawConn(t, url)
	if n := pgCount(t, conn, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'ogmint listener'`); n != 1 {
		t.Fatalf("terminated %d listener connections, want 1", n)
	}
	waitWake(t, ch, "the reconnect") // sent once LISTEN is in effect again
	mustCreate(t, b, newRender("host0003", "k", "four"), true)
	waitWake(t, ch, "CreateRender after the reconnect")

	// A second subscriber shares the connection.
	ch2, err := a.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, b, newRender("host0004", "k", "five"), true)
	waitWake(t, ch, "CreateRender, first subscriber")
	waitWake(t, ch2, "CreateRender, second subscriber")
	if n := pgCount(t, conn, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'ogmint listener'`); n != 1 {
		t.Errorf("%d listener connections, want 1", n)
	}
	a.Close()
	if _, ok := <-ch2; ok {
		if _, ok := <-ch2; ok {
			t.Error("a subscription survived Close")
		}
	}
}

// TestPostgresNotificationsUnreachable: with no server to listen on,
// Notifications returns the connection error rather than waiting forever.
func TestPostgresNotificationsUnreachable(t *testing.T) {
	url := storetest.StartPostgres(t)
	p := openPG(t, url, PostgresOptions{})
	p.ln.cfg.Port = 1 // nothing listens there
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if ch, err := p.Notifications(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("Notifications = %v, %v; want a connection error", ch, err)
	}
}

// TestPostgresStatementTimeout: every pooled connection runs with the
// statement timeout (5 s by default), so a store call stuck behind a lock
// fails after it instead of hanging; the timeout is the server's, so it
// holds even without a deadline on ctx.
func TestPostgresStatementTimeout(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	show := func(p *Postgres) string {
		var v string
		if err := p.pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := show(openPG(t, url, PostgresOptions{})); v != "5s" {
		t.Errorf("default statement_timeout = %s, want 5s", v)
	}
	if v := show(openPG(t, url, PostgresOptions{StatementTimeout: -1})); v != "0" {
		t.Errorf("statement_timeout with none = %s, want 0", v)
	}
	p := openPG(t, url, PostgresOptions{StatementTimeout: 200 * time.Millisecond})
	if v := show(p); v != "200ms" {
		t.Errorf("statement_timeout = %s, want 200ms", v)
	}
	mustCreate(t, p, newRender("lockedup", "k", "x"), false)

	// Another session holds an exclusive lock on renders.
	conn := rawConn(t, url)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE renders IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"RenderBySlug": func() error { _, err := p.RenderBySlug(ctx, "lockedup"); return err },
		"CreateRender": func() error { _, _, err := p.CreateRender(ctx, newRender("lockedu2", "k", "y"), nil); return err },
	} {
		start := time.Now()
		err := call()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" {
			t.Errorf("%s behind a lock: %v, want SQLSTATE 57014 (query_canceled)", name, err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s took %v behind a lock, want about 200ms", name, took)
		}
	}
	tx.Rollback(ctx)
	if _, err := p.RenderBySlug(ctx, "lockedup"); err != nil {
		t.Errorf("after the lock is gone: %v", err)
	}
}

// TestPostgresChecksums: bytes damaged or deleted in the database, by SQL
// here as by a bad restore or a broken disk there, are never returned:
// Image, Template (never an older version instead), Font and FontByFamily
// answer ErrCorrupt; the undamaged ones are served and the listings work.
func TestPostgresChecksums(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	p := openPG(t, url, PostgresOptions{})
	conn := rawConn(t, url)

	good, bad := newRender("goodpng1", "k", "good"), newRender("badpng01", "k", "bad")
	good.PNG, bad.PNG = pngBytes(1, 60<<10), pngBytes(2, 60<<10)
	mustCreate(t, p, good, false)
	mustCreate(t, p, bad, false)
	tp := &Template{ID: NewTemplateID(), KeyID: "k", JSON: templateJSON(1, 2000)}
	if err := p.CreateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	json2 := templateJSON(2, 2000)
	if _, err := p.UpdateTemplate(ctx, "k", tp.ID, 1, json2, ""); err != nil {
		t.Fatal(err)
	}
	var fonts []*Font
	for i, w := range []string{FontRegular, FontBold} {
		f := &Font{ID: NewFontID(), KeyID: "k", Family: "Inter", Weight: w, Format: "woff2", Data: pngBytes(10+i, 20000)}
		if err := p.CreateFont(ctx, f); err != nil {
			t.Fatal(err)
		}
		fonts = append(fonts, f)
	}

	// One byte flipped in the middle of a PNG, of version 2's JSON and of the
	// regular font; the bold font's data and version 1's JSON deleted.
	pgExec(t, conn, `UPDATE images SET png = set_byte(png, 30000, get_byte(png, 30000) # 1)
		WHERE render_id = (SELECT id FROM renders WHERE slug = 'badpng01')`)
	pgExec(t, conn, `UPDATE template_json SET json = set_byte(json, 1000, get_byte(json, 1000) # 1) WHERE id = $1 AND version = 2`, tp.ID)
	pgExec(t, conn, `DELETE FROM template_json WHERE id = $1 AND version = 1`, tp.ID)
	pgExec(t, conn, `UPDATE font_data SET data = set_byte(data, 10000, get_byte(data, 10000) # 1) WHERE font_id = $1`, fonts[0].ID)
	pgExec(t, conn, `DELETE FROM font_data WHERE font_id = $1`, fonts[1].ID)

	if png, err := p.Image(ctx, "badpng01"); !errors.Is(err, ErrCorrupt) || png != nil {
		t.Errorf("damaged image: %d bytes, %v; want ErrCorrupt", len(png), err)
	}
	if png, err := p.Image(ctx, "goodpng1"); err != nil || !bytes.Equal(png, good.PNG) {
		t.Errorf("sound image: %d bytes, %v", len(png), err)
	}
	for _, v := range []int{0, 1, 2} {
		got, err := p.Template(ctx, tp.ID, v)
		if !errors.Is(err, ErrCorrupt) || got != nil {
			t.Errorf("Template(%d) of damaged or missing JSON: version %d, %v; want ErrCorrupt", v, versionOf(got), err)
		}
	}
	for _, f := range fonts {
		byID, err1 := p.Font(ctx, "k", f.ID)
		byFamily, err2 := p.FontByFamily(ctx, "k", f.Family, f.Weight)
		if !errors.Is(err1, ErrCorrupt) || byID != nil || !errors.Is(err2, ErrCorrupt) || byFamily != nil {
			t.Errorf("damaged font %s (%s): Font %v, FontByFamily %v; want ErrCorrupt", f.ID, f.Weight, err1, err2)
		}
	}
	if !strings.Contains(fmt.Sprint(p.FontByFamily(ctx, "k", "Inter", FontBold)), "data missing") {
		t.Error("a missing font's error does not say its data is missing")
	}
	if fs, err := p.Fonts(ctx, "k"); err != nil || len(fs) != 2 {
		t.Errorf("Fonts: %d, %v", len(fs), err)
	}
	if ts, err := p.Templates(ctx, "k"); err != nil || len(ts) != 1 || ts[0].Version != 2 {
		t.Errorf("Templates: %v, %v", ts, err)
	}
}

// TestPostgresDiskFull: a write that finds the server's disk full (here a
// tablespace on a small tmpfs holding the images) fails with ErrNoSpace
// and writes nothing; once space is freed the same write succeeds.
func TestPostgresDiskFull(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	space, dir := storetest.PostgresTablespace(t, 4<<20)
	p := openPG(t, url, PostgresOptions{})
	conn := rawConn(t, url)
	pgExec(t, conn, `ALTER TABLE images SET TABLESPACE `+space)
	t.Cleanup(func() { conn.Exec(context.Background(), `ALTER TABLE images SET TABLESPACE pg_default`) })
	before := newRender("before00", "k", "before")
	before.PNG = pngBytes(1, 64<<10)
	mustCreate(t, p, before, true)

	filler := storetest.FillDisk(t, dir)
	full := newRender("full0000", "k", "full")
	full.PNG = pngBytes(2, 256<<10)
	_, _, err := p.CreateRender(ctx, full, (&webhook{}).build)
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("CreateRender on a full disk: %v, want ErrNoSpace", err)
	}
	if _, err := p.RenderBySlug(ctx, "full0000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the failed render was stored: %v", err)
	}
	if n, _, err := p.QueueStats(ctx, t0); err != nil || n != 1 {
		t.Errorf("pending deliveries %d, %v; want 1 (the failed render's not queued)", n, err)
	}
	if png, err := p.Image(ctx, "before00"); err != nil || !bytes.Equal(png, before.PNG) {
		t.Errorf("reading on a full disk: %d bytes, %v", len(png), err)
	}
	if err := p.Ping(ctx); err != nil {
		t.Errorf("Ping on a full disk: %v", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, created, err := p.CreateRender(ctx, full, (&webhook{}).build); err != nil || !created {
		t.Fatalf("CreateRender after freeing space: %v, %v", created, err)
	}
	if png, err := p.Image(ctx, "full0000"); err != nil || !bytes.Equal(png, full.PNG) {
		t.Errorf("the image stored after recovery: %d bytes, %v", len(png), err)
	}
}

// TestPostgresPingAndStats: Ping answers; Stats reports the pool's size
// and use; a closed store does not ping.
func TestPostgresPingAndStats(t *testing.T) {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	if st := openPG(t, url, PostgresOptions{}).Stats(); st.Max != 10 {
		t.Errorf("default pool size %d, want 10", st.Max)
	}
	p := openPG(t, url, PostgresOptions{MaxConns: 3})
	if err := p.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Max != 3 || st.Total < 1 || st.Idle < 1 || st.Acquired != 0 {
		t.Errorf("Stats after Ping = %+v", st)
	}
	// Three held connections: all acquired, the pool at its size.
	var conns []interface{ Release() }
	for range 3 {
		c, err := p.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if st := p.Stats(); st.Acquired != 3 || st.Total != 3 || st.Idle != 0 {
		t.Errorf("Stats with every connection held = %+v", st)
	}
	// A fourth acquire waits for one of them: counted as an empty acquire.
	before := p.Stats()
	released := make(chan struct{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		conns[0].Release()
		close(released)
	}()
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	<-released
	conns[0] = c
	if st := p.Stats(); st.EmptyAcquires <= before.EmptyAcquires || st.EmptyAcquireWait < before.EmptyAcquireWait+40*time.Millisecond {
		t.Errorf("Stats after a wait for a connection = %+v, before %+v", st, before)
	}
	for _, c := range conns {
		c.Release()
	}
	p.Close()
	if err := p.Ping(ctx); err == nil {
		t.Error("Ping of a closed store succeeded")
	}
	if _, err := OpenPostgres(ctx, "postgres://nobody@127.0.0.1:1/nothing?connect_timeout=2", PostgresOptions{}); err == nil {
		t.Error("OpenPostgres of an unreachable server succeeded")
	}
	if _, err := OpenPostgres(ctx, "mysql://what", PostgresOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("OpenPostgres of a malformed URL: %v, want ErrInvalid", err)
	}
}

// TestPGClassify: the SQLSTATEs that mean a full disk or damaged data.
func TestPGClassify(t *testing.T) {
	for code, want := range map[string]error{"53100": ErrNoSpace, "XX001": ErrCorrupt, "XX002": ErrCorrupt, "23505": nil, "57014": nil} {
		err := pgClassify(fmt.Errorf("store: x: %w", &pgconn.PgError{Code: code}))
		if want != nil && !errors.Is(err, want) || want == nil && (errors.Is(err, ErrNoSpace) || errors.Is(err, ErrCorrupt)) {
			t.Errorf("SQLSTATE %s: %v, want %v", code, err, want)
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Errorf("SQLSTATE %s: the server's error is lost: %v", code, err)
		}
	}
}
