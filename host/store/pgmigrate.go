package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// pgMigrations are the PostgreSQL schema, in order: pgMigrations[i] brings
// the database to version i+1. Append only; never edit one that has
// shipped. They are numbered apart from SQLite's migrations: the two
// schemas hold the same data in the same tables, but each evolves on its
// own (SQLite's 1-3 became this 1 at once).
//
// Types: times are timestamptz (UTC, millisecond values; 'epoch' stands for
// the zero time, as 0 does in SQLite), durations bigint nanoseconds, hashes
// 32-byte bytea. Identifier and key columns are COLLATE "C": ordering and
// uniqueness by bytes, as in SQLite, whatever the database's default
// collation, and their indexes cannot be corrupted by a C library upgrade
// that changes a locale's sort order.
//
// The blobs (PNGs, template JSON, font files) live in tables of their own
// beside the small rows that hold their SHA-256, as in SQLite: the lookups
// and listings touch only the small rows, and each blob table maps 1:1 onto
// object storage later. PNGs are stored uncompressed out of line (STORAGE
// EXTERNAL): they are compressed already, so TOAST's pglz would only burn
// CPU on every write and read.
var pgMigrations = []string{
	// 1: renders and images, API keys, deliveries and attempts, templates
	// and fonts: SQLite's schema 3.
	`
CREATE TABLE renders (
	id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug       text        COLLATE "C" NOT NULL,
	key_id     text        COLLATE "C" NOT NULL,
	dedup_hash bytea       NOT NULL CHECK (length(dedup_hash) = 32),
	template   text        NOT NULL,
	canonical  text        NOT NULL,
	created_at timestamptz NOT NULL,
	png_sha256 bytea       NOT NULL CHECK (length(png_sha256) = 32),
	CONSTRAINT renders_slug_key UNIQUE (slug),
	CONSTRAINT renders_key_id_dedup_hash_key UNIQUE (key_id, dedup_hash)
);

CREATE TABLE images (
	render_id bigint PRIMARY KEY REFERENCES renders (id) ON DELETE CASCADE,
	png       bytea  NOT NULL
);
ALTER TABLE images ALTER COLUMN png SET STORAGE EXTERNAL;

CREATE TABLE api_keys (
	id         text        COLLATE "C" PRIMARY KEY,
	hash       bytea       NOT NULL CHECK (length(hash) = 32),
	name       text        NOT NULL,
	created_at timestamptz NOT NULL,
	CONSTRAINT api_keys_hash_key UNIQUE (hash)
);

CREATE TABLE deliveries (
	id              text        COLLATE "C" PRIMARY KEY,
	slug            text        COLLATE "C" NOT NULL REFERENCES renders (slug),
	key_id          text        COLLATE "C" NOT NULL,
	url             text        NOT NULL,
	secret          text        NOT NULL,
	payload         bytea       NOT NULL,
	status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'stopped')),
	attempts        integer     NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	leased_until    timestamptz NOT NULL DEFAULT 'epoch',
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	last_error      text        NOT NULL DEFAULT ''
);
-- LeaseDue and QueueStats: pending deliveries by due time. Partial: the
-- delivered ones, nearly all of the table in time, are not in it.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
-- Deliveries(keyID, slug), scoped by key.
CREATE INDEX deliveries_key_slug ON deliveries (key_id, slug);

CREATE TABLE attempts (
	delivery_id text        COLLATE "C" NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
	n           integer     NOT NULL CHECK (n >= 1),
	at          timestamptz NOT NULL,
	status_code integer     NOT NULL,
	duration_ns bigint      NOT NULL,
	error       text        NOT NULL,
	PRIMARY KEY (delivery_id, n)
);

-- One row per version; a new version is a new row, never an update (only
-- deleted_at changes: DeleteTemplate sets it on every version of an id,
-- 'epoch' is live). The primary key makes two versions with one number
-- impossible.
CREATE TABLE templates (
	id          text        COLLATE "C" NOT NULL,
	version     integer     NOT NULL CHECK (version >= 1),
	key_id      text        COLLATE "C" NOT NULL,
	name        text        NOT NULL,
	json_sha256 bytea       NOT NULL CHECK (length(json_sha256) = 32),
	created_at  timestamptz NOT NULL,
	deleted_at  timestamptz NOT NULL DEFAULT 'epoch',
	CONSTRAINT templates_pkey PRIMARY KEY (id, version)
);
-- Templates(keyID): a key's live templates.
CREATE INDEX templates_key ON templates (key_id, deleted_at);

CREATE TABLE template_json (
	id      text    COLLATE "C" NOT NULL,
	version integer NOT NULL,
	json    bytea   NOT NULL,
	PRIMARY KEY (id, version),
	FOREIGN KEY (id, version) REFERENCES templates (id, version) ON DELETE CASCADE
);

CREATE TABLE fonts (
	id         text        COLLATE "C" NOT NULL,
	key_id     text        COLLATE "C" NOT NULL,
	family     text        COLLATE "C" NOT NULL CHECK (family <> ''),
	weight     text        NOT NULL CHECK (weight IN ('regular', 'bold')),
	format     text        NOT NULL CHECK (format IN ('ttf', 'otf', 'woff', 'woff2')),
	size       integer     NOT NULL,
	sha256     bytea       NOT NULL CHECK (length(sha256) = 32),
	created_at timestamptz NOT NULL,
	CONSTRAINT fonts_pkey PRIMARY KEY (id),
	-- FontByFamily, and at most one font per family and weight for a key;
	-- Fonts(keyID) uses it too.
	CONSTRAINT fonts_key_id_family_weight_key UNIQUE (key_id, family, weight)
);

CREATE TABLE font_data (
	font_id text  COLLATE "C" PRIMARY KEY REFERENCES fonts (id) ON DELETE CASCADE,
	data    bytea NOT NULL
);
`,
}

// pgMigrateLock is the pg_advisory_xact_lock key that serialises
// migrations: ogmint's application_id ("ogmt"). Advisory locks are per
// database, so ogmint databases on one server do not wait for each other.
const pgMigrateLock = int64(appID)

// pgSchemaVersion is the version this binary brings a database to.
func pgSchemaVersion() int { return len(pgMigrations) }

// migratePG brings the database to len(migs) in one transaction holding
// pg_advisory_xact_lock: hosts starting at once queue on the lock, the
// first applies what is missing, the others then find nothing to do.
// PostgreSQL's DDL is transactional, so a failed migration leaves nothing
// behind. A database migrated further than migs is ErrSchemaTooNew; one
// whose schema_migrations is another tool's, or that has ogmint's tables
// without it, ErrForeignDB.
func migratePG(ctx context.Context, pool *pgxpool.Pool, migs []string, now func() time.Time) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// A migration may rewrite a large table, and another host's may be
	// holding the lock meanwhile: only ctx bounds them.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, pgMigrateLock); err != nil {
		return fmt.Errorf("store: migration lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer     PRIMARY KEY,
	applied_at timestamptz NOT NULL
)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations WHERE applied_at IS NOT NULL`).Scan(&v); err != nil {
		if pgCode(err) == "42703" { // undefined_column: another tool's schema_migrations
			return fmt.Errorf("%w: its schema_migrations table is not ogmint's (%v); give ogmint a database or schema of its own", ErrForeignDB, err)
		}
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > len(migs) {
		return fmt.Errorf("%w: database has version %d, this binary knows %d", ErrSchemaTooNew, v, len(migs))
	}
	for i := v; i < len(migs); i++ {
		if _, err := tx.Exec(ctx, migs[i]); err != nil {
			if i == 0 && pgCode(err) == "42P07" { // duplicate_table
				return fmt.Errorf("%w: it has tables of ogmint's names but no ogmint schema version (%v); give ogmint a database or schema of its own", ErrForeignDB, err)
			}
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			i+1, pgTime(now())); err != nil {
			return fmt.Errorf("store: record migration %d: %w", i+1, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit migrations: %w", err)
	}
	return nil
}
