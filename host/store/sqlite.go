package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DBFile is the database file's name inside the data directory.
const DBFile = "ogmint.db"

// Options tunes OpenSQLite. The zero value is the production setting.
type Options struct {
	// ReadConns is the size of the read pool (default 4). Reads run there
	// and never queue behind the single writer connection (WAL mode).
	ReadConns int
	// Now is the clock used for defaults: CreatedAt of a render or delivery,
	// a delivery's first NextAttemptAt, an attempt's At. Default time.Now.
	Now func() time.Time
}

// SQLite is the single-host Store: <dataDir>/ogmint.db in WAL mode, one
// writer connection (SQLite has one writer at a time anyway: a pool of
// writers would only turn waiting into SQLITE_BUSY) and a pool of readers
// that see the last committed state without waiting for the writer.
//
// Every connection runs journal_mode=WAL, synchronous=FULL (each commit is
// fsynced before it returns, so a returned write survives a crash of the
// process or the machine), foreign_keys=ON and busy_timeout=5000 (another
// process holding the write lock, such as a CLI on the same data dir, is
// waited for up to 5 s). Write transactions begin IMMEDIATE.
//
// A write that fails for lack of space returns an error matching
// ErrNoSpace, and Writable then reports the disk full until a probe finds
// room again (space.go).
type SQLite struct {
	path string
	w    *sql.DB // one connection: every write
	r    *sql.DB // read pool, query_only
	now  func() time.Time
	// space remembers whether the disk has room for writes (Writable).
	space spaceGuard
	// hub wakes Notifications' subscribers (notify.go).
	hub notifyHub
	// readOnly: opened by OpenSQLiteReadOnly; w is r then.
	readOnly bool

	// writer statements
	insRender, insImage, selDedupW, insDelivery, lease, insAttempt, updDelivery, redeliver *sql.Stmt
	// reader statements
	selDedup, selSlug, selImage, selDelivery, qstats *sql.Stmt
	// reader statements of the render path for custom templates and fonts
	selTemplate, selFont, selFontFamily *sql.Stmt
}

var (
	_ Store    = (*SQLite)(nil)
	_ Notifier = (*SQLite)(nil)
)

// OpenSQLite opens (creating when needed) <dataDir>/ogmint.db and applies
// the schema migrations this binary knows. A database migrated by a newer
// binary is refused with ErrSchemaTooNew; an existing file that is empty,
// not SQLite or another application's database with ErrForeignDB.
func OpenSQLite(ctx context.Context, dataDir string, opts Options) (*SQLite, error) {
	return openSQLite(ctx, dataDir, opts, migrations)
}

func openSQLite(ctx context.Context, dataDir string, opts Options, migs []string) (_ *SQLite, err error) {
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	s := &SQLite{path: filepath.Join(dir, DBFile), now: opts.Now}
	// A new file is created owner-only, as it holds webhook secrets (its
	// -wal and -shm files copy its mode); an existing file keeps its mode
	// and must be an ogmint database.
	if err := prepareFile(ctx, s.path); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	// The writer first: it turns a new file into WAL and migrates it before
	// any reader looks at it.
	if s.w, err = sql.Open("sqlite", dsn(s.path, false)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		// e.g. a file system without shared memory support: refuse rather
		// than run with readers blocking the writer.
		return nil, fmt.Errorf("store: %s: journal_mode is %q, want wal", s.path, mode)
	}
	if err := migrate(ctx, s.w, migs, s.now); err != nil {
		return nil, err
	}

	if s.r, err = sql.Open("sqlite", dsn(s.path, true)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.r.SetMaxOpenConns(opts.ReadConns)
	s.r.SetMaxIdleConns(opts.ReadConns)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	if err := s.r.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// dsn builds the driver's connection string. The pragmas are part of it so
// that every connection the pools open, including replacements for ones
// they discard, gets them.
func dsn(path string, reader bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if reader {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

const (
	renderCols   = `slug, key_id, dedup_hash, template, canonical, created_at`
	deliveryCols = `id, slug, key_id, url, secret, payload, status, attempts, next_attempt_at, leased_until, created_at, updated_at, last_error`
)

func (s *SQLite) prepare(ctx context.Context) error {
	for _, p := range []struct {
		db  *sql.DB
		st  **sql.Stmt
		sql string
	}{
		{s.w, &s.insRender, `INSERT INTO renders (slug, key_id, dedup_hash, template, canonical, created_at, png_sha256)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id, dedup_hash) DO NOTHING`},
		{s.w, &s.insImage, `INSERT INTO images (render_id, png) VALUES (?, ?)`},
		{s.w, &s.selDedupW, `SELECT ` + renderCols + ` FROM renders WHERE key_id = ? AND dedup_hash = ?`},
		{s.w, &s.insDelivery, `INSERT INTO deliveries (` + deliveryCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{s.w, &s.lease, `UPDATE deliveries SET leased_until = ?1
			WHERE id IN (SELECT id FROM deliveries
				WHERE status = 'pending' AND next_attempt_at <= ?2 AND leased_until <= ?2
				ORDER BY next_attempt_at LIMIT ?3)
			RETURNING ` + deliveryCols},
		{s.w, &s.insAttempt, `INSERT INTO attempts (delivery_id, n, at, status_code, duration_ns, error)
			SELECT id, attempts + 1, ?, ?, ?, ? FROM deliveries WHERE id = ?`},
		{s.w, &s.updDelivery, `UPDATE deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?,
			leased_until = 0, last_error = ?, updated_at = ? WHERE id = ?`},
		{s.w, &s.redeliver, `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
			WHERE id = ? AND key_id = ?`},
		{s.r, &s.selDedup, `SELECT ` + renderCols + ` FROM renders WHERE key_id = ? AND dedup_hash = ?`},
		{s.r, &s.selSlug, `SELECT ` + renderCols + ` FROM renders WHERE slug = ?`},
		{s.r, &s.selImage, `SELECT i.png, r.png_sha256 FROM renders r JOIN images i ON i.render_id = r.id WHERE r.slug = ?`},
		{s.r, &s.selDelivery, `SELECT ` + deliveryCols + ` FROM deliveries WHERE id = ? AND key_id = ?`},
		{s.r, &s.qstats, `SELECT count(*), min(next_attempt_at) FROM deliveries WHERE status = 'pending'`},
		// ?2 = 0: the latest version. LEFT JOIN: a version whose JSON row is
		// missing is reported, not skipped for an older one.
		{s.r, &s.selTemplate, `SELECT ` + templateCols + `, t.json_sha256, j.json
			FROM templates t LEFT JOIN template_json j ON j.id = t.id AND j.version = t.version
			WHERE t.id = ?1 AND (?2 = 0 OR t.version = ?2) ORDER BY t.version DESC LIMIT 1`},
		{s.r, &s.selFont, `SELECT ` + fontCols + `, d.data FROM fonts f LEFT JOIN font_data d ON d.font_id = f.id
			WHERE f.key_id = ? AND f.id = ?`},
		{s.r, &s.selFontFamily, `SELECT ` + fontCols + `, d.data FROM fonts f LEFT JOIN font_data d ON d.font_id = f.id
			WHERE f.key_id = ? AND f.family = ? AND f.weight = ?`},
	} {
		st, err := p.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("store: prepare %q: %w", p.sql, err)
		}
		*p.st = st
	}
	return nil
}

// Close closes both pools and every Notifications channel. It is safe to
// call more than once.
func (s *SQLite) Close() error {
	s.hub.close()
	var errs []error
	for _, st := range []*sql.Stmt{s.insRender, s.insImage, s.selDedupW, s.insDelivery, s.lease, s.insAttempt,
		s.updDelivery, s.redeliver, s.selDedup, s.selSlug, s.selImage, s.selDelivery, s.qstats,
		s.selTemplate, s.selFont, s.selFontFamily} {
		if st != nil {
			st.Close()
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil && s.w != s.r {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// ms is t as stored: Unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms: UTC, millisecond precision, 0 -> zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// msUTC is t as it reads back after a round trip through the store.
func msUTC(t time.Time) time.Time { return fromMS(ms(t)) }

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation on the
// column named like "renders.slug" (SQLite names the columns in the message).
func isUnique(err error, column string) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return strings.Contains(e.Error(), column)
	}
	return false
}

type scanner interface{ Scan(dest ...any) error }

func scanRender(sc scanner) (*Render, error) {
	var (
		r       Render
		hash    []byte
		created int64
	)
	if err := sc.Scan(&r.Slug, &r.KeyID, &hash, &r.Template, &r.Canonical, &created); err != nil {
		return nil, err
	}
	if len(hash) != len(r.DedupHash) {
		return nil, fmt.Errorf("store: render %s: dedup hash is %d bytes", r.Slug, len(hash))
	}
	copy(r.DedupHash[:], hash)
	r.CreatedAt = fromMS(created)
	return &r, nil
}

func scanDelivery(sc scanner) (*Delivery, error) {
	var (
		d                             Delivery
		next, leased, created, update int64
	)
	if err := sc.Scan(&d.ID, &d.Slug, &d.KeyID, &d.URL, &d.Secret, &d.Payload, &d.Status, &d.Attempts,
		&next, &leased, &created, &update, &d.LastError); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.LeasedUntil, d.CreatedAt, d.UpdatedAt = fromMS(next), fromMS(leased), fromMS(created), fromMS(update)
	return &d, nil
}

// notFound maps sql.ErrNoRows to ErrNotFound, a malformed file to ErrCorrupt.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return fmt.Errorf("store: %s: %w", what, sqliteErr(err))
}

// CreateRender implements Store. The render, its image and the delivery
// are written in one IMMEDIATE transaction on the writer connection; the
// dedup check is the unique (key_id, dedup_hash) constraint itself (INSERT
// ... ON CONFLICT DO NOTHING), so concurrent misses for one key store one
// render and the later ones come back as hits.
func (s *SQLite) CreateRender(ctx context.Context, r *Render, build DeliveryBuilder) (_ *Render, _ bool, err error) {
	defer func() { err = s.wrote(err) }()
	if r == nil || r.Slug == "" || r.KeyID == "" {
		return nil, false, fmt.Errorf("%w: render needs a slug and a key ID", ErrInvalid)
	}
	now := s.now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.CreatedAt = msUTC(r.CreatedAt)
	png := r.PNG
	if png == nil {
		png = []byte{} // NOT NULL; an empty image is the caller's business
	}
	sum := sha256.Sum256(png) // verified by Image on every read

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("store: create render: %w", err)
	}
	defer tx.Rollback()

	res, err := tx.StmtContext(ctx, s.insRender).ExecContext(ctx,
		r.Slug, r.KeyID, r.DedupHash[:], r.Template, r.Canonical, ms(r.CreatedAt), sum[:])
	if err != nil {
		if isUnique(err, "renders.slug") {
			return nil, false, fmt.Errorf("%w: %s", ErrSlugTaken, r.Slug)
		}
		return nil, false, fmt.Errorf("store: insert render: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("store: insert render: %w", err)
	}
	got, created, queued := r, n == 1, false
	if created {
		id, err := res.LastInsertId()
		if err != nil {
			return nil, false, fmt.Errorf("store: insert render: %w", err)
		}
		if _, err := tx.StmtContext(ctx, s.insImage).ExecContext(ctx, id, png); err != nil {
			return nil, false, fmt.Errorf("store: insert image: %w", err)
		}
	} else {
		got, err = scanRender(tx.StmtContext(ctx, s.selDedupW).QueryRowContext(ctx, r.KeyID, r.DedupHash[:]))
		if err != nil {
			return nil, false, fmt.Errorf("store: read deduplicated render: %w", err)
		}
	}

	if build != nil {
		d, err := build(got, !created)
		if err != nil {
			return nil, false, err
		}
		if d != nil {
			if d.ID == "" {
				d.ID = NewDeliveryID(now)
			}
			d.Slug, d.KeyID = got.Slug, got.KeyID
			d.Status, d.Attempts, d.LeasedUntil, d.LastError = StatusPending, 0, time.Time{}, ""
			if d.NextAttemptAt.IsZero() {
				d.NextAttemptAt = now
			}
			d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = msUTC(d.NextAttemptAt), msUTC(now), msUTC(now)
			payload := d.Payload
			if payload == nil {
				payload = []byte{}
			}
			if _, err := tx.StmtContext(ctx, s.insDelivery).ExecContext(ctx,
				d.ID, d.Slug, d.KeyID, d.URL, d.Secret, payload, d.Status, d.Attempts,
				ms(d.NextAttemptAt), int64(0), ms(d.CreatedAt), ms(d.UpdatedAt), d.LastError); err != nil {
				return nil, false, fmt.Errorf("store: insert delivery: %w", err)
			}
			queued = true
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("store: commit render: %w", err)
	}
	if queued {
		s.hub.wake()
	}
	return got, created, nil
}

// RenderByDedup implements Store.
func (s *SQLite) RenderByDedup(ctx context.Context, keyID string, hash [32]byte) (*Render, error) {
	r, err := scanRender(s.selDedup.QueryRowContext(ctx, keyID, hash[:]))
	if err != nil {
		return nil, notFound(err, "render by dedup hash")
	}
	return r, nil
}

// RenderBySlug implements Store.
func (s *SQLite) RenderBySlug(ctx context.Context, slug string) (*Render, error) {
	r, err := scanRender(s.selSlug.QueryRowContext(ctx, slug))
	if err != nil {
		return nil, notFound(err, "render "+slug)
	}
	return r, nil
}

// Image implements Store: the bytes are returned only when they match the
// checksum recorded with the render.
func (s *SQLite) Image(ctx context.Context, slug string) ([]byte, error) {
	var png, sum []byte
	if err := s.selImage.QueryRowContext(ctx, slug).Scan(&png, &sum); err != nil {
		return nil, notFound(err, "image "+slug)
	}
	if err := verifySum(png, sum); err != nil {
		return nil, fmt.Errorf("%w: image %s: %v", ErrCorrupt, slug, err)
	}
	return png, nil
}

// LeaseDue implements Store with one UPDATE ... RETURNING statement on the
// writer connection: atomic, and a single commit for the whole batch. If
// ctx ends while the rows are read, the leases already taken stay until
// they expire (at-least-once, never lost).
func (s *SQLite) LeaseDue(ctx context.Context, now time.Time, limit int, lease time.Duration) (_ []*Delivery, err error) {
	defer func() { err = s.wrote(err) }()
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("%w: LeaseDue needs limit > 0 and lease > 0", ErrInvalid)
	}
	rows, err := s.lease.QueryContext(ctx, ms(now.Add(lease)), ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: lease: %w", err)
	}
	defer rows.Close()
	var ds []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: lease: %w", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: lease: %w", err)
	}
	if err := rows.Close(); err != nil { // the statement, and so its commit, ends here
		return nil, fmt.Errorf("store: lease: %w", err)
	}
	// RETURNING order is unspecified.
	slices.SortFunc(ds, func(a, b *Delivery) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return ds, nil
}

// CompleteAttempt implements Store.
func (s *SQLite) CompleteAttempt(ctx context.Context, id string, a Attempt, status string, next time.Time, lastErr string) error {
	return s.CompleteAttempts(ctx, []Completion{{ID: id, Attempt: a, Status: status, Next: next, LastErr: lastErr}})
}

// CompleteAttempts implements Store: one transaction, so one disk sync for
// the whole batch.
func (s *SQLite) CompleteAttempts(ctx context.Context, cs []Completion) (err error) {
	defer func() { err = s.wrote(err) }()
	if len(cs) == 0 {
		return nil
	}
	for _, c := range cs {
		if c.ID == "" || !ValidStatus(c.Status) {
			return fmt.Errorf("%w: completion of %q with status %q", ErrInvalid, c.ID, c.Status)
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: complete attempts: %w", err)
	}
	defer tx.Rollback()
	ins, upd := tx.StmtContext(ctx, s.insAttempt), tx.StmtContext(ctx, s.updDelivery)
	now := s.now()
	for _, c := range cs {
		at := c.Attempt.At
		if at.IsZero() {
			at = now
		}
		next := c.Next
		if next.IsZero() {
			next = at
		}
		res, err := ins.ExecContext(ctx, ms(at), c.Attempt.StatusCode, int64(c.Attempt.Duration), c.Attempt.Error, c.ID)
		if err != nil {
			return fmt.Errorf("store: record attempt of %s: %w", c.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: record attempt of %s: %w", c.ID, err)
		} else if n == 0 {
			return fmt.Errorf("%w: delivery %s", ErrNotFound, c.ID)
		}
		if _, err := upd.ExecContext(ctx, c.Status, ms(next), c.LastErr, ms(at), c.ID); err != nil {
			return fmt.Errorf("store: update delivery %s: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit attempts: %w", err)
	}
	return nil
}

// Deliveries implements Store. Both queries run in one read transaction so
// the attempts match the deliveries.
func (s *SQLite) Deliveries(ctx context.Context, keyID, slug string) ([]*Delivery, map[string][]Attempt, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("store: deliveries: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries
		WHERE key_id = ? AND slug = ? ORDER BY created_at, id`, keyID, slug)
	if err != nil {
		return nil, nil, fmt.Errorf("store: deliveries: %w", err)
	}
	var ds []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("store: deliveries: %w", err)
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: deliveries: %w", err)
	}
	attempts := make(map[string][]Attempt, len(ds))
	if len(ds) == 0 {
		return ds, attempts, nil
	}
	rows, err = tx.QueryContext(ctx, `SELECT a.delivery_id, a.n, a.at, a.status_code, a.duration_ns, a.error
		FROM deliveries d JOIN attempts a ON a.delivery_id = d.id
		WHERE d.key_id = ? AND d.slug = ? ORDER BY a.delivery_id, a.n`, keyID, slug)
	if err != nil {
		return nil, nil, fmt.Errorf("store: attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a      Attempt
			at, ns int64
		)
		if err := rows.Scan(&a.DeliveryID, &a.N, &at, &a.StatusCode, &ns, &a.Error); err != nil {
			return nil, nil, fmt.Errorf("store: attempts: %w", err)
		}
		a.At, a.Duration = fromMS(at), time.Duration(ns)
		attempts[a.DeliveryID] = append(attempts[a.DeliveryID], a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: attempts: %w", err)
	}
	return ds, attempts, nil
}

// Delivery implements Store.
func (s *SQLite) Delivery(ctx context.Context, keyID, id string) (*Delivery, error) {
	d, err := scanDelivery(s.selDelivery.QueryRowContext(ctx, id, keyID))
	if err != nil {
		return nil, notFound(err, "delivery "+id)
	}
	return d, nil
}

// Redeliver implements Store. A delivery that is leased right now keeps
// its lease, so it is not sent twice at once; the worker holding it
// completes it as usual.
func (s *SQLite) Redeliver(ctx context.Context, keyID, id string, now time.Time) (err error) {
	defer func() { err = s.wrote(err) }()
	res, err := s.redeliver.ExecContext(ctx, ms(now), ms(now), id, keyID)
	if err != nil {
		return fmt.Errorf("store: redeliver %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: redeliver %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: delivery %s", ErrNotFound, id)
	}
	s.hub.wake()
	return nil
}

// QueueStats implements Store.
func (s *SQLite) QueueStats(ctx context.Context, now time.Time) (int, time.Duration, error) {
	var (
		pending int
		oldest  sql.NullInt64
	)
	if err := s.qstats.QueryRowContext(ctx).Scan(&pending, &oldest); err != nil {
		return 0, 0, fmt.Errorf("store: queue stats: %w", err)
	}
	var lag time.Duration
	if oldest.Valid {
		lag = max(0, time.Duration(ms(now)-oldest.Int64)*time.Millisecond)
	}
	return pending, lag, nil
}

// PutAPIKey implements Store. CreatedAt (now when zero) is kept from the
// first insert. A key stored unchanged writes nothing, so a start with the
// same keys works on a full disk.
func (s *SQLite) PutAPIKey(ctx context.Context, k APIKey) error {
	if k.ID == "" {
		return fmt.Errorf("%w: API key needs an ID", ErrInvalid)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO api_keys (id, hash, name, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, name = excluded.name
		WHERE hash IS NOT excluded.hash OR name IS NOT excluded.name`,
		k.ID, k.Hash[:], k.Name, ms(k.CreatedAt))
	if isUnique(err, "api_keys.hash") {
		return fmt.Errorf("%w: another API key has the same hash", ErrInvalid)
	}
	if err != nil {
		return s.wrote(fmt.Errorf("store: put API key %s: %w", k.ID, err))
	}
	return nil
}

// APIKeys implements Store.
func (s *SQLite) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, hash, name, created_at FROM api_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: API keys: %w", err)
	}
	defer rows.Close()
	var ks []APIKey
	for rows.Next() {
		var (
			k       APIKey
			hash    []byte
			created int64
		)
		if err := rows.Scan(&k.ID, &hash, &k.Name, &created); err != nil {
			return nil, fmt.Errorf("store: API keys: %w", err)
		}
		if len(hash) != len(k.Hash) {
			return nil, fmt.Errorf("store: API key %s: hash is %d bytes", k.ID, len(hash))
		}
		copy(k.Hash[:], hash)
		k.CreatedAt = fromMS(created)
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: API keys: %w", err)
	}
	return ks, nil
}
