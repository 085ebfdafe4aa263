package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// migrations are the SQLite schema, in order: migrations[i] brings the
// database to version i+1. Append only; never edit one that has shipped.
// Each runs in its own transaction together with its schema_migrations row.
//
// Times are INTEGER Unix milliseconds (UTC), durations INTEGER nanoseconds,
// hashes 32-byte BLOBs. Tables are STRICT so a wrong type is an error, not a
// silent conversion.
var migrations = []string{
	// 1: renders, images, API keys, deliveries, attempts.
	`
CREATE TABLE renders (
	id         INTEGER PRIMARY KEY,
	slug       TEXT    NOT NULL UNIQUE,
	key_id     TEXT    NOT NULL,
	dedup_hash BLOB    NOT NULL CHECK (length(dedup_hash) = 32),
	template   TEXT    NOT NULL,
	canonical  TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (key_id, dedup_hash)
) STRICT;

-- The PNG lives beside its render row, written in the same transaction.
-- A table of its own keeps the renders rows small (a 55 KB blob inline would
-- leave each row's leaf page mostly overflow pointers), so the dedup and slug
-- lookups touch a few dense pages, and it maps 1:1 onto object storage later.
CREATE TABLE images (
	render_id INTEGER PRIMARY KEY REFERENCES renders (id) ON DELETE CASCADE,
	png       BLOB    NOT NULL
) STRICT;

CREATE TABLE api_keys (
	id         TEXT    PRIMARY KEY,
	hash       BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	name       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE deliveries (
	id              TEXT    PRIMARY KEY,
	slug            TEXT    NOT NULL REFERENCES renders (slug),
	key_id          TEXT    NOT NULL,
	url             TEXT    NOT NULL,
	secret          TEXT    NOT NULL,
	payload         BLOB    NOT NULL,
	status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'stopped')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	leased_until    INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	last_error      TEXT    NOT NULL DEFAULT ''
) STRICT;
-- LeaseDue and QueueStats: due pending deliveries, oldest first.
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
-- Deliveries(keyID, slug), scoped by key.
CREATE INDEX deliveries_key_slug ON deliveries (key_id, slug);

CREATE TABLE attempts (
	delivery_id TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
	n           INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	status_code INTEGER NOT NULL,
	duration_ns INTEGER NOT NULL,
	error       TEXT    NOT NULL,
	PRIMARY KEY (delivery_id, n)
) STRICT, WITHOUT ROWID;
`,
	// 2: each render records the SHA-256 of its PNG, checked whenever the
	// image is read, and the file gets ogmint's application_id (files
	// created since carry it from the start). The checksum sits in the
	// small renders row, not beside the blob: damage to an image's pages
	// cannot reach its checksum, and adding it rewrites only those rows.
	// ogmint_sha256 is this package's SQL function (check.go).
	`
ALTER TABLE renders ADD COLUMN png_sha256 BLOB CHECK (png_sha256 IS NULL OR length(png_sha256) = 32);
UPDATE renders SET png_sha256 = (SELECT ogmint_sha256(png) FROM images WHERE render_id = renders.id);
PRAGMA application_id = ` + strconv.Itoa(appID) + `;
`,
	// 3: custom templates, every version kept, and uploaded fonts. As with
	// renders and images, the blobs (template JSON up to 4 MiB, font files
	// up to 10 MiB) live in tables of their own beside the small rows that
	// hold their SHA-256, so listing a key's templates or fonts touches a
	// few dense pages and damage to a blob's pages cannot reach its checksum.
	`
-- One row per version; a new version is a new row, never an update (only
-- deleted_at changes: DeleteTemplate sets it on every version of an id, 0
-- is live). The primary key makes two versions with one number impossible.
CREATE TABLE templates (
	id          TEXT    NOT NULL,
	version     INTEGER NOT NULL CHECK (version >= 1),
	key_id      TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	json_sha256 BLOB    NOT NULL CHECK (length(json_sha256) = 32),
	created_at  INTEGER NOT NULL,
	deleted_at  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (id, version)
) STRICT, WITHOUT ROWID;
-- Templates(keyID): a key's live templates.
CREATE INDEX templates_key ON templates (key_id, deleted_at);

CREATE TABLE template_json (
	id      TEXT    NOT NULL,
	version INTEGER NOT NULL,
	json    BLOB    NOT NULL,
	PRIMARY KEY (id, version),
	FOREIGN KEY (id, version) REFERENCES templates (id, version) ON DELETE CASCADE
) STRICT;

CREATE TABLE fonts (
	id         TEXT    PRIMARY KEY,
	key_id     TEXT    NOT NULL,
	family     TEXT    NOT NULL CHECK (family <> ''),
	weight     TEXT    NOT NULL CHECK (weight IN ('regular', 'bold')),
	format     TEXT    NOT NULL CHECK (format IN ('ttf', 'otf', 'woff', 'woff2')),
	size       INTEGER NOT NULL,
	sha256     BLOB    NOT NULL CHECK (length(sha256) = 32),
	created_at INTEGER NOT NULL,
	-- FontByFamily, and at most one font per family and weight for a key;
	-- Fonts(keyID) uses it too.
	UNIQUE (key_id, family, weight)
) STRICT;

CREATE TABLE font_data (
	font_id TEXT PRIMARY KEY REFERENCES fonts (id) ON DELETE CASCADE,
	data    BLOB NOT NULL
) STRICT;
`,
}

// schemaVersion is the version this binary brings a database to.
func schemaVersion() int { return len(migrations) }

// migrate brings db (the writer) to len(migs). Each migration runs in its
// own IMMEDIATE transaction that re-reads the version first, so two
// processes opening the same new file apply each migration once.
func migrate(ctx context.Context, db *sql.DB, migs []string, now func() time.Time) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db, migs, now)
		if err != nil || done {
			return err
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB, migs []string, now func() time.Time) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // the writer's _txlock=immediate: takes the write lock now
	if err != nil {
		return false, fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return false, fmt.Errorf("store: read schema version: %w", err)
	}
	switch {
	case v > len(migs):
		return false, fmt.Errorf("%w: database has version %d, this binary knows %d", ErrSchemaTooNew, v, len(migs))
	case v == len(migs):
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migs[v]); err != nil {
		return false, fmt.Errorf("store: migration %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		v+1, now().UnixMilli()); err != nil {
		return false, fmt.Errorf("store: record migration %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: commit migration %d: %w", v+1, err)
	}
	return false, nil
}
