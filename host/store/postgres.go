package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresOptions tunes OpenPostgres. The zero value is the production
// setting.
type PostgresOptions struct {
	// MaxConns is the size of the connection pool (default 10). The
	// LISTEN connection of Notifications is not part of it.
	MaxConns int32
	// StatementTimeout bounds every statement on the server (default 5 s;
	// negative: none), lock waits included: a request can never hang on a
	// stuck lock or a runaway query, and a cancelled request's statement
	// does not run on after it (pgx cancels by closing its connection,
	// which the server notices only when it next writes). Set per
	// connection as the statement_timeout runtime parameter, so it costs no
	// round trip. Migrations at open are bounded by ctx only.
	StatementTimeout time.Duration
	// Now is the clock used for defaults, as in Options.Now. Default time.Now.
	Now func() time.Time
}

// PoolStats is a snapshot of the connection pool, for metrics.
type PoolStats struct {
	Acquired int32 // connections in use
	Idle     int32 // connections open and free
	Total    int32 // connections open (acquired, idle and being opened)
	Max      int32 // PostgresOptions.MaxConns
	// EmptyAcquires counts acquires that found no idle connection and
	// waited for one to be opened or released (a saturated pool grows it
	// fast), EmptyAcquireWait their total wait; both since OpenPostgres.
	EmptyAcquires    int64
	EmptyAcquireWait time.Duration
}

// Postgres is the Store for several stateless hosts sharing one PostgreSQL
// database (12 or newer): renders, images, keys, the webhook queue,
// templates and fonts in the tables of pgMigrations, blobs as bytea.
// Every method is one statement or one transaction on a connection from a
// pgxpool pool, at the server's default READ COMMITTED isolation; the
// constraints, not in-process locks, keep hosts from contradicting each
// other (see the mapping on Store). Writes are durable once committed as
// far as the server's synchronous_commit makes them (on by default).
//
// It also implements Notifier with LISTEN/NOTIFY, so a delivery queued on
// one host wakes the dispatchers of all, and has Ping and Stats for
// readiness and metrics.
type Postgres struct {
	pool *pgxpool.Pool
	now  func() time.Time
	ln   pgListener
}

var (
	_ Store    = (*Postgres)(nil)
	_ Notifier = (*Postgres)(nil)
)

// OpenPostgres connects to the database at url (postgres://user:pass@host:
// port/db?sslmode=..., or a keyword/value string; libpq's PG* environment
// variables fill in what it leaves out) and applies the schema migrations
// this binary knows (pgMigrations), once even when several hosts start at
// once. The tables are made in the first schema of the search_path, which
// the URL can set (?search_path=ogmint). A database migrated by a newer
// binary is refused with ErrSchemaTooNew, one holding another
// application's tables of the same names with ErrForeignDB.
//
// Statements are prepared and cached per connection (pgx's default). Behind
// PgBouncer in transaction mode, add default_query_exec_mode=exec to the
// URL; Notifications, though, needs session pooling or the server itself
// (a LISTEN does not outlive its transaction under transaction pooling).
func OpenPostgres(ctx context.Context, url string, opts PostgresOptions) (*Postgres, error) {
	return openPostgres(ctx, url, opts, pgMigrations)
}

func openPostgres(ctx context.Context, url string, opts PostgresOptions, migs []string) (*Postgres, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = 10
	}
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%w: postgres URL: %w", ErrInvalid, err)
	}
	cfg.MaxConns = opts.MaxConns
	rp := cfg.ConnConfig.RuntimeParams
	if opts.StatementTimeout > 0 {
		rp["statement_timeout"] = strconv.FormatInt(max(1, opts.StatementTimeout.Milliseconds()), 10)
	}
	if rp["application_name"] == "" {
		rp["application_name"] = "ogmint"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	p := &Postgres{pool: pool, now: opts.Now}
	p.ln.init(cfg.ConnConfig)
	if err := migratePG(ctx, pool, migs, p.now); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

// Close stops the LISTEN connection (closing every Notifications channel)
// and closes the pool, waiting for connections in use to be released.
func (p *Postgres) Close() error {
	p.ln.close()
	p.pool.Close()
	return nil
}

// Ping checks that the database takes queries and is writable (not a
// standby that a failover left us on): for /readyz.
func (p *Postgres) Ping(ctx context.Context) error {
	var standby bool
	if err := p.pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return fmt.Errorf("store: ping: %w", pgClassify(err))
	}
	if standby {
		return errors.New("store: ping: the database is a read-only standby")
	}
	return nil
}

// Stats reports the pool's connections.
func (p *Postgres) Stats() PoolStats {
	s := p.pool.Stat()
	return PoolStats{Acquired: s.AcquiredConns(), Idle: s.IdleConns(), Total: s.TotalConns(), Max: s.MaxConns(),
		EmptyAcquires: s.EmptyAcquireCount(), EmptyAcquireWait: s.EmptyAcquireWaitTime()}
}

// pgEpoch stands for the zero time in the database ('epoch').
var pgEpoch = time.Unix(0, 0).UTC()

// pgTime is t as stored: UTC, millisecond precision; the zero time is 'epoch'.
func pgTime(t time.Time) time.Time {
	if t.IsZero() {
		return pgEpoch
	}
	return msUTC(t)
}

// fromPG is the inverse of pgTime: UTC, millisecond precision, 'epoch' ->
// zero time (what msUTC makes of it too).
func fromPG(t time.Time) time.Time { return msUTC(t) }

// pgCode is err's SQLSTATE, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isPGUnique reports whether err is a unique violation of constraint.
func isPGUnique(err error, constraint string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505" && e.ConstraintName == constraint
}

// pgClassify maps the server's disk_full to ErrNoSpace and its
// data_corrupted and index_corrupted to ErrCorrupt, keeping err.
func pgClassify(err error) error {
	if err == nil || errors.Is(err, ErrNoSpace) || errors.Is(err, ErrCorrupt) {
		return err
	}
	switch pgCode(err) {
	case "53100": // disk_full
		return noSpace(err)
	case "XX001", "XX002": // data_corrupted, index_corrupted
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// pgNotFound maps pgx.ErrNoRows to ErrNotFound.
func pgNotFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// rollback ends tx when it was not committed; it runs even when ctx was
// cancelled (pgx then closes the connection, which rolls back too).
func rollback(ctx context.Context, tx pgx.Tx) { tx.Rollback(context.WithoutCancel(ctx)) }

// pgDeliveryCols are deliveryCols of the deliveries table aliased d.
var pgDeliveryCols = "d." + strings.ReplaceAll(deliveryCols, ", ", ", d.")

func scanRenderPG(row pgx.Row) (*Render, error) {
	var (
		r       Render
		hash    []byte
		created time.Time
	)
	if err := row.Scan(&r.Slug, &r.KeyID, &hash, &r.Template, &r.Canonical, &created); err != nil {
		return nil, err
	}
	if len(hash) != len(r.DedupHash) {
		return nil, fmt.Errorf("store: render %s: dedup hash is %d bytes", r.Slug, len(hash))
	}
	copy(r.DedupHash[:], hash)
	r.CreatedAt = fromPG(created)
	return &r, nil
}

func scanDeliveryPG(row pgx.Row) (*Delivery, error) {
	var (
		d                             Delivery
		next, leased, created, update time.Time
	)
	if err := row.Scan(&d.ID, &d.Slug, &d.KeyID, &d.URL, &d.Secret, &d.Payload, &d.Status, &d.Attempts,
		&next, &leased, &created, &update, &d.LastError); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.LeasedUntil, d.CreatedAt, d.UpdatedAt = fromPG(next), fromPG(leased), fromPG(created), fromPG(update)
	return &d, nil
}

// pgDeliveriesChannel is the NOTIFY channel of Notifications.
const pgDeliveriesChannel = "ogmint_deliveries"

// CreateRender implements Store in one transaction: INSERT ... ON CONFLICT
// (key_id, dedup_hash) DO NOTHING RETURNING id; no row is a dedup hit, and
// the next statement (READ COMMITTED: a new snapshot) reads the render that
// won, even one another host committed while this insert waited for it.
// The image and the delivery go in the same transaction, with a NOTIFY
// ogmint_deliveries that the server sends when it commits.
func (p *Postgres) CreateRender(ctx context.Context, r *Render, build DeliveryBuilder) (_ *Render, _ bool, err error) {
	defer func() { err = pgClassify(err) }()
	if r == nil || r.Slug == "" || r.KeyID == "" {
		return nil, false, fmt.Errorf("%w: render needs a slug and a key ID", ErrInvalid)
	}
	now := p.now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.CreatedAt = msUTC(r.CreatedAt)
	png := r.PNG
	if png == nil {
		png = []byte{} // NOT NULL; an empty image is the caller's business
	}
	sum := sha256.Sum256(png) // verified by Image on every read

	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("store: create render: %w", err)
	}
	defer rollback(ctx, tx)

	var (
		got     *Render
		created bool
	)
	// A conflicting render that vanished before it could be read (none are
	// ever deleted today) makes the insert worth another try.
	for try := 0; got == nil; try++ {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO renders (slug, key_id, dedup_hash, template, canonical, created_at, png_sha256)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_id, dedup_hash) DO NOTHING RETURNING id`,
			r.Slug, r.KeyID, r.DedupHash[:], r.Template, r.Canonical, pgTime(r.CreatedAt), sum[:]).Scan(&id)
		switch {
		case err == nil:
			if _, err := tx.Exec(ctx, `INSERT INTO images (render_id, png) VALUES ($1, $2)`, id, png); err != nil {
				return nil, false, fmt.Errorf("store: insert image: %w", err)
			}
			got, created = r, true
		case errors.Is(err, pgx.ErrNoRows):
			got, err = scanRenderPG(tx.QueryRow(ctx, `SELECT `+renderCols+` FROM renders WHERE key_id = $1 AND dedup_hash = $2`,
				r.KeyID, r.DedupHash[:]))
			if err != nil && (!errors.Is(err, pgx.ErrNoRows) || try >= 2) {
				return nil, false, fmt.Errorf("store: read deduplicated render: %w", err)
			}
		case isPGUnique(err, "renders_slug_key"):
			return nil, false, fmt.Errorf("%w: %s", ErrSlugTaken, r.Slug)
		default:
			return nil, false, fmt.Errorf("store: insert render: %w", err)
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
			if _, err := tx.Exec(ctx, `INSERT INTO deliveries (`+deliveryCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				d.ID, d.Slug, d.KeyID, d.URL, d.Secret, payload, d.Status, d.Attempts,
				pgTime(d.NextAttemptAt), pgEpoch, pgTime(d.CreatedAt), pgTime(d.UpdatedAt), d.LastError); err != nil {
				return nil, false, fmt.Errorf("store: insert delivery: %w", err)
			}
			if _, err := tx.Exec(ctx, `NOTIFY `+pgDeliveriesChannel); err != nil {
				return nil, false, fmt.Errorf("store: notify: %w", err)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, false, fmt.Errorf("store: commit render: %w", err)
	}
	return got, created, nil
}

// RenderByDedup implements Store.
func (p *Postgres) RenderByDedup(ctx context.Context, keyID string, hash [32]byte) (*Render, error) {
	r, err := scanRenderPG(p.pool.QueryRow(ctx, `SELECT `+renderCols+` FROM renders WHERE key_id = $1 AND dedup_hash = $2`, keyID, hash[:]))
	if err != nil {
		return nil, pgClassify(pgNotFound(err, "render by dedup hash"))
	}
	return r, nil
}

// RenderBySlug implements Store.
func (p *Postgres) RenderBySlug(ctx context.Context, slug string) (*Render, error) {
	r, err := scanRenderPG(p.pool.QueryRow(ctx, `SELECT `+renderCols+` FROM renders WHERE slug = $1`, slug))
	if err != nil {
		return nil, pgClassify(pgNotFound(err, "render "+slug))
	}
	return r, nil
}

// Image implements Store: the bytes are returned only when they match the
// checksum recorded with the render.
func (p *Postgres) Image(ctx context.Context, slug string) ([]byte, error) {
	var png, sum []byte
	if err := p.pool.QueryRow(ctx, `SELECT i.png, r.png_sha256 FROM renders r JOIN images i ON i.render_id = r.id
		WHERE r.slug = $1`, slug).Scan(&png, &sum); err != nil {
		return nil, pgClassify(pgNotFound(err, "image "+slug))
	}
	if err := verifySum(png, sum); err != nil {
		return nil, fmt.Errorf("%w: image %s: %v", ErrCorrupt, slug, err)
	}
	return png, nil
}

// LeaseDue implements Store with one statement: the due rows are picked
// FOR UPDATE SKIP LOCKED (a row another host is leasing right now is
// skipped, not waited for; one it leased and committed no longer matches
// once re-checked) and leased in the same statement, so concurrent
// dispatchers on any number of hosts get disjoint deliveries. An expired
// lease makes a row due again.
func (p *Postgres) LeaseDue(ctx context.Context, now time.Time, limit int, lease time.Duration) (_ []*Delivery, err error) {
	defer func() { err = pgClassify(err) }()
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("%w: LeaseDue needs limit > 0 and lease > 0", ErrInvalid)
	}
	// MATERIALIZED: the locked, limited set is computed once, whatever
	// plan the UPDATE gets.
	rows, err := p.pool.Query(ctx, `WITH due AS MATERIALIZED (
			SELECT id FROM deliveries
			WHERE status = 'pending' AND next_attempt_at <= $2 AND leased_until <= $2
			ORDER BY next_attempt_at LIMIT $3
			FOR UPDATE SKIP LOCKED)
		UPDATE deliveries d SET leased_until = $1 FROM due WHERE d.id = due.id
		RETURNING `+pgDeliveryCols, pgTime(now.Add(lease)), pgTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: lease: %w", err)
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Delivery, error) { return scanDeliveryPG(row) })
	if err != nil {
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

// pgComplete records one attempt: the UPDATE locks the delivery's row and
// numbers the attempt (concurrent completions of one delivery queue on
// that lock and each gets its own number); no row means no such delivery.
const pgComplete = `WITH d AS (
		UPDATE deliveries SET attempts = attempts + 1, status = $2, next_attempt_at = $3,
			leased_until = 'epoch', last_error = $4, updated_at = $5
		WHERE id = $1 RETURNING id, attempts)
	INSERT INTO attempts (delivery_id, n, at, status_code, duration_ns, error)
	SELECT id, attempts, $5, $6, $7, $8 FROM d`

// CompleteAttempt implements Store.
func (p *Postgres) CompleteAttempt(ctx context.Context, id string, a Attempt, status string, next time.Time, lastErr string) error {
	return p.CompleteAttempts(ctx, []Completion{{ID: id, Attempt: a, Status: status, Next: next, LastErr: lastErr}})
}

// CompleteAttempts implements Store: one transaction, its statements sent
// in one batch (one round trip), in delivery ID order so that two batches
// lock shared rows in the same order and cannot deadlock.
func (p *Postgres) CompleteAttempts(ctx context.Context, cs []Completion) (err error) {
	defer func() { err = pgClassify(err) }()
	if len(cs) == 0 {
		return nil
	}
	for _, c := range cs {
		if c.ID == "" || !ValidStatus(c.Status) {
			return fmt.Errorf("%w: completion of %q with status %q", ErrInvalid, c.ID, c.Status)
		}
	}
	// Stable: two completions of one delivery keep their order.
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b Completion) int { return strings.Compare(a.ID, b.ID) })
	now := p.now()
	var b pgx.Batch
	for _, c := range sorted {
		at := c.Attempt.At
		if at.IsZero() {
			at = now
		}
		next := c.Next
		if next.IsZero() {
			next = at
		}
		b.Queue(pgComplete, c.ID, c.Status, pgTime(next), c.LastErr, pgTime(at),
			c.Attempt.StatusCode, int64(c.Attempt.Duration), c.Attempt.Error)
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: complete attempts: %w", err)
	}
	defer rollback(ctx, tx)
	br := tx.SendBatch(ctx, &b)
	for _, c := range sorted {
		tag, err := br.Exec()
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("%w: delivery %s", ErrNotFound, c.ID)
		}
		if err != nil {
			br.Close()
			if errors.Is(err, ErrNotFound) {
				return err
			}
			return fmt.Errorf("store: record attempt of %s: %w", c.ID, err)
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("store: complete attempts: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit attempts: %w", err)
	}
	return nil
}

// Deliveries implements Store. Both queries run in one REPEATABLE READ
// transaction (one snapshot) so the attempts match the deliveries.
func (p *Postgres) Deliveries(ctx context.Context, keyID, slug string) (_ []*Delivery, _ map[string][]Attempt, err error) {
	defer func() { err = pgClassify(err) }()
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, fmt.Errorf("store: deliveries: %w", err)
	}
	defer rollback(ctx, tx)
	rows, err := tx.Query(ctx, `SELECT `+pgDeliveryCols+` FROM deliveries d
		WHERE d.key_id = $1 AND d.slug = $2 ORDER BY d.created_at, d.id`, keyID, slug)
	if err != nil {
		return nil, nil, fmt.Errorf("store: deliveries: %w", err)
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Delivery, error) { return scanDeliveryPG(row) })
	if err != nil {
		return nil, nil, fmt.Errorf("store: deliveries: %w", err)
	}
	attempts := make(map[string][]Attempt, len(ds))
	if len(ds) == 0 {
		return ds, attempts, nil
	}
	rows, err = tx.Query(ctx, `SELECT a.delivery_id, a.n, a.at, a.status_code, a.duration_ns, a.error
		FROM deliveries d JOIN attempts a ON a.delivery_id = d.id
		WHERE d.key_id = $1 AND d.slug = $2 ORDER BY a.delivery_id, a.n`, keyID, slug)
	if err != nil {
		return nil, nil, fmt.Errorf("store: attempts: %w", err)
	}
	as, err := pgx.CollectRows(rows, scanAttemptPG)
	if err != nil {
		return nil, nil, fmt.Errorf("store: attempts: %w", err)
	}
	for _, a := range as {
		attempts[a.DeliveryID] = append(attempts[a.DeliveryID], a)
	}
	return ds, attempts, nil
}

func scanAttemptPG(row pgx.CollectableRow) (Attempt, error) {
	var (
		a  Attempt
		at time.Time
		ns int64
	)
	if err := row.Scan(&a.DeliveryID, &a.N, &at, &a.StatusCode, &ns, &a.Error); err != nil {
		return a, err
	}
	a.At, a.Duration = fromPG(at), time.Duration(ns)
	return a, nil
}

// Delivery implements Store.
func (p *Postgres) Delivery(ctx context.Context, keyID, id string) (*Delivery, error) {
	d, err := scanDeliveryPG(p.pool.QueryRow(ctx, `SELECT `+pgDeliveryCols+` FROM deliveries d WHERE d.id = $1 AND d.key_id = $2`, id, keyID))
	if err != nil {
		return nil, pgClassify(pgNotFound(err, "delivery "+id))
	}
	return d, nil
}

// Attempts implements Store.
func (p *Postgres) Attempts(ctx context.Context, id string) ([]Attempt, error) {
	rows, err := p.pool.Query(ctx, `SELECT delivery_id, n, at, status_code, duration_ns, error
		FROM attempts WHERE delivery_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of %s: %w", id, pgClassify(err))
	}
	as, err := pgx.CollectRows(rows, scanAttemptPG)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of %s: %w", id, pgClassify(err))
	}
	return as, nil
}

// Redeliver implements Store, with a NOTIFY ogmint_deliveries in the same
// transaction. A delivery leased right now keeps its lease, as in SQLite.
func (p *Postgres) Redeliver(ctx context.Context, keyID, id string, now time.Time) (err error) {
	defer func() { err = pgClassify(err) }()
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: redeliver %s: %w", id, err)
	}
	defer rollback(ctx, tx)
	tag, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1
		WHERE id = $2 AND key_id = $3`, pgTime(now), id, keyID)
	if err != nil {
		return fmt.Errorf("store: redeliver %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: delivery %s", ErrNotFound, id)
	}
	if _, err := tx.Exec(ctx, `NOTIFY `+pgDeliveriesChannel); err != nil {
		return fmt.Errorf("store: notify: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: redeliver %s: %w", id, err)
	}
	return nil
}

// QueueStats implements Store.
func (p *Postgres) QueueStats(ctx context.Context, now time.Time) (int, time.Duration, error) {
	var (
		pending int
		oldest  *time.Time
	)
	if err := p.pool.QueryRow(ctx, `SELECT count(*), min(next_attempt_at) FROM deliveries WHERE status = 'pending'`).
		Scan(&pending, &oldest); err != nil {
		return 0, 0, fmt.Errorf("store: queue stats: %w", pgClassify(err))
	}
	var lag time.Duration
	if oldest != nil {
		lag = max(0, time.Duration(ms(now)-ms(*oldest))*time.Millisecond)
	}
	return pending, lag, nil
}

// PutAPIKey implements Store. CreatedAt (now when zero) is kept from the
// first insert; a key stored unchanged is not rewritten.
func (p *Postgres) PutAPIKey(ctx context.Context, k APIKey) error {
	if k.ID == "" {
		return fmt.Errorf("%w: API key needs an ID", ErrInvalid)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = p.now()
	}
	_, err := p.pool.Exec(ctx, `INSERT INTO api_keys (id, hash, name, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, name = excluded.name
		WHERE api_keys.hash IS DISTINCT FROM excluded.hash OR api_keys.name IS DISTINCT FROM excluded.name`,
		k.ID, k.Hash[:], k.Name, pgTime(k.CreatedAt))
	if isPGUnique(err, "api_keys_hash_key") {
		return fmt.Errorf("%w: another API key has the same hash", ErrInvalid)
	}
	if err != nil {
		return pgClassify(fmt.Errorf("store: put API key %s: %w", k.ID, err))
	}
	return nil
}

// APIKeys implements Store.
func (p *Postgres) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, hash, name, created_at FROM api_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: API keys: %w", pgClassify(err))
	}
	ks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (APIKey, error) {
		var (
			k       APIKey
			hash    []byte
			created time.Time
		)
		if err := row.Scan(&k.ID, &hash, &k.Name, &created); err != nil {
			return k, err
		}
		if len(hash) != len(k.Hash) {
			return k, fmt.Errorf("API key %s: hash is %d bytes", k.ID, len(hash))
		}
		copy(k.Hash[:], hash)
		k.CreatedAt = fromPG(created)
		return k, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: API keys: %w", pgClassify(err))
	}
	return ks, nil
}
