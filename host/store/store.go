// Package store keeps ogmint's durable state: the V2 render index (slug ->
// PNG, deduplicated per API key), the API keys, and the webhook delivery
// queue with its attempt log.
//
// Callers depend on the [Store] interface only. [SQLite] (sqlite.go) is the
// single-host default: one file <dataDir>/ogmint.db, pure Go, no server. The
// interface is shaped so that a networked database can replace it for
// several stateless hosts (DESIGN.md "Scaling out") without touching the
// callers; see the mapping on [Store].
package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"time"
)

// Errors callers branch on. Implementations wrap them, so test with errors.Is.
var (
	// ErrNotFound: no such render, delivery or key (or it belongs to another
	// API key, which looks the same to the caller).
	ErrNotFound = errors.New("store: not found")
	// ErrSlugTaken: CreateRender hit an existing slug. Nothing was written;
	// the caller retries with a fresh slug.
	ErrSlugTaken = errors.New("store: slug taken")
	// ErrSchemaTooNew: the database was migrated by a newer ogmint than this
	// binary; opening it could corrupt data the newer code relies on.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this binary")
	// ErrInvalid: an argument breaks the contract (unknown status, empty id, ...).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrForeignDB: the database file exists but is empty, not SQLite, or
	// another application's database. Opening it as a fresh one would hide
	// every render and pending webhook it should hold, so it is refused.
	ErrForeignDB = errors.New("store: not an ogmint database")
	// ErrCorrupt: stored bytes fail their checksum, or SQLite reports the
	// file malformed. The bytes are never returned.
	ErrCorrupt = errors.New("store: corrupt data")
)

// Delivery statuses.
const (
	StatusPending   = "pending"   // waiting for its (next) attempt; LeaseDue picks these
	StatusDelivered = "delivered" // a 2xx answer; terminal
	StatusFailed    = "failed"    // retries exhausted; terminal until Redeliver
	StatusStopped   = "stopped"   // the receiver answered 410 Gone; terminal until Redeliver
)

// ValidStatus reports whether s is one of the four delivery statuses.
func ValidStatus(s string) bool {
	switch s {
	case StatusPending, StatusDelivered, StatusFailed, StatusStopped:
		return true
	}
	return false
}

// Render is one stored V2 render. Times are UTC with millisecond precision
// (what every implementation can store exactly).
type Render struct {
	Slug      string   // 8 chars [0-9A-Za-z], unique
	KeyID     string   // the API key's ID (APIKey.ID), never the key itself
	DedupHash [32]byte // SHA-256 of Canonical; unique together with KeyID
	Template  string
	Canonical string // canonical render-affecting parameters the hash was taken over
	// PNG is the image. It is set on the render given to CreateRender; the
	// lookups (RenderBySlug, RenderByDedup, a dedup hit from CreateRender)
	// leave it nil to keep them cheap: read the bytes with Image.
	PNG       []byte
	CreatedAt time.Time
}

// Delivery is one webhook message: one render notified to one URL. Its ID is
// the Standard Webhooks webhook-id and stays the same across retries.
type Delivery struct {
	ID            string // "msg_" + 26 ULID chars; NewDeliveryID, or filled in by CreateRender when empty
	Slug          string
	KeyID         string
	URL           string
	Secret        string
	Payload       []byte // the exact body bytes to send (and sign)
	Status        string // Status* constants
	Attempts      int    // attempts made so far
	NextAttemptAt time.Time
	LeasedUntil   time.Time // zero when not leased
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LastError     string
}

// Attempt is one recorded try of a delivery.
type Attempt struct {
	DeliveryID string
	N          int // 1-based; assigned by the store (Delivery.Attempts+1), any value given is ignored
	At         time.Time
	StatusCode int // 0 when no HTTP answer (refused, timeout, SSRF block, ...)
	Duration   time.Duration
	Error      string
}

// Completion is the outcome of one attempt, for CompleteAttempts.
type Completion struct {
	ID      string    // delivery ID
	Attempt Attempt   // DeliveryID and N are filled in by the store
	Status  string    // the delivery's new status
	Next    time.Time // next_attempt_at; meaningful when Status is pending
	LastErr string
}

// APIKey is a V2 API key as stored: only its SHA-256, never the key.
type APIKey struct {
	ID        string
	Hash      [32]byte
	Name      string
	CreatedAt time.Time
}

// DeliveryBuilder makes the webhook delivery for a render inside
// CreateRender's transaction, once the outcome is known: r is the render
// that is stored (the new one, or on a dedup hit the existing one with its
// own slug and CreatedAt), cached tells a dedup hit (the payload then carries
// "cached": true). Return nil for no delivery. The builder runs while the
// write transaction is open: it must be quick, must not do I/O and must not
// call the store. An error aborts CreateRender with nothing written.
type DeliveryBuilder func(r *Render, cached bool) (*Delivery, error)

// Store is ogmint's storage contract. All methods are safe for concurrent use.
//
// How a Postgres implementation maps each method (one schema, the same
// tables and indexes as the SQLite migrations, BYTEA/TIMESTAMPTZ types, PNGs
// in a table or an S3-compatible bucket keyed by slug, written before the
// row that points at them):
//
//   - CreateRender: one transaction. INSERT INTO renders ... ON CONFLICT
//     (key_id, dedup_hash) DO NOTHING RETURNING ...; no row returned means a
//     dedup hit, then SELECT the existing row. Dedup across hosts rests on
//     that unique constraint, not on any in-process lock. A unique violation
//     on slug (SQLSTATE 23505, constraint renders_slug_key) maps to
//     ErrSlugTaken. The delivery is inserted in the same transaction, so a
//     committed render always has its webhook queued.
//   - RenderByDedup, RenderBySlug, Image, Delivery, Deliveries, QueueStats,
//     APIKeys: plain SELECTs by the same unique keys and indexes, on a
//     replica if stale reads are acceptable (Image and RenderBySlug are
//     immutable once written).
//   - LeaseDue: UPDATE deliveries SET leased_until = $now + $lease WHERE id IN
//     (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at
//     <= $now AND leased_until <= $now ORDER BY next_attempt_at LIMIT $n FOR
//     UPDATE SKIP LOCKED) RETURNING ...: concurrent dispatchers on several
//     hosts each get disjoint rows without blocking one another, and an
//     expired lease (a crashed host) makes the row due again. River
//     (riverqueue) implements the same pattern if we adopt it.
//   - CompleteAttempt(s): one transaction: INSERT INTO attempts (delivery_id,
//     n, ...) SELECT id, attempts + 1, ... FROM deliveries WHERE id = $1, then
//     UPDATE deliveries SET attempts = attempts + 1, status, next_attempt_at,
//     leased_until = epoch, last_error; a batch is one transaction with many
//     such pairs (or one UPDATE ... FROM (VALUES ...)).
//   - Redeliver: UPDATE ... WHERE id = $1 AND key_id = $2; zero rows ->
//     ErrNotFound.
//   - PutAPIKey: INSERT ... ON CONFLICT (id) DO UPDATE.
type Store interface {
	// CreateRender stores r (slug, key, hash, template, canonical, PNG) and,
	// when build returns one, its webhook delivery, in one durable transaction.
	// If KeyID already has a render with r.DedupHash, nothing is written for
	// the render: got is the existing render (PNG nil) and created is false;
	// build is still called (cached=true) and its delivery still inserted.
	// Otherwise got is r (CreatedAt filled in when zero, normalised to UTC ms)
	// and created is true. A slug that is already used gives ErrSlugTaken
	// with nothing written. The delivery returned by build is completed in
	// place: ID (when empty), Slug, KeyID, Status pending, Attempts 0,
	// NextAttemptAt (now when zero), CreatedAt, UpdatedAt. When CreateRender
	// returns nil error, everything is on stable storage.
	CreateRender(ctx context.Context, r *Render, build DeliveryBuilder) (got *Render, created bool, err error)
	// RenderByDedup finds keyID's render with that dedup hash (PNG nil), or ErrNotFound.
	RenderByDedup(ctx context.Context, keyID string, hash [32]byte) (*Render, error)
	// RenderBySlug finds a render by slug (PNG nil), or ErrNotFound.
	RenderBySlug(ctx context.Context, slug string) (*Render, error)
	// Image returns the PNG bytes of a slug, or ErrNotFound, or ErrCorrupt
	// when they fail the checksum recorded with the render.
	Image(ctx context.Context, slug string) ([]byte, error)

	// LeaseDue atomically takes up to limit pending deliveries whose
	// next_attempt_at and leased_until are <= now (oldest due first) and
	// leases them until now+lease. A leased delivery is invisible to other
	// leasers until CompleteAttempt or the lease expiring, so a crashed worker
	// only delays its deliveries: at-least-once.
	LeaseDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Delivery, error)
	// CompleteAttempt records attempt a (numbered Attempts+1) and sets the
	// delivery's status, next_attempt_at and last error, attempts+1, lease
	// cleared, updated_at = a.At; one transaction. ErrNotFound for an unknown id.
	CompleteAttempt(ctx context.Context, id string, a Attempt, status string, next time.Time, lastErr string) error
	// CompleteAttempts is CompleteAttempt for many deliveries in one
	// transaction (one disk sync): all or nothing.
	CompleteAttempts(ctx context.Context, cs []Completion) error
	// Deliveries lists keyID's deliveries for slug (oldest first) with their
	// attempts by delivery ID (in order). Another key's deliveries are never returned.
	Deliveries(ctx context.Context, keyID, slug string) ([]*Delivery, map[string][]Attempt, error)
	// Delivery returns one of keyID's deliveries, or ErrNotFound.
	Delivery(ctx context.Context, keyID, id string) (*Delivery, error)
	// Attempts lists the recorded attempts of delivery id in order (none
	// for an unknown id). For the dispatcher, which holds no API key: not
	// scoped by key, never shown to callers. Postgres: a plain SELECT on
	// the primary (the dispatcher counts on every committed attempt).
	Attempts(ctx context.Context, id string) ([]Attempt, error)
	// Redeliver makes one of keyID's deliveries pending again, due at now
	// (attempt numbering continues). ErrNotFound for another key's or unknown id.
	Redeliver(ctx context.Context, keyID, id string, now time.Time) error
	// QueueStats counts pending deliveries and returns how overdue the most
	// overdue one is at now (0 when none is due).
	QueueStats(ctx context.Context, now time.Time) (pending int, oldestPending time.Duration, err error)

	// PutAPIKey inserts a key, or updates Hash and Name of the key with that ID.
	PutAPIKey(ctx context.Context, k APIKey) error
	// APIKeys lists all keys by ID.
	APIKeys(ctx context.Context) ([]APIKey, error)

	// Close releases the store; pending writes have been committed by then.
	Close() error
}

// crockford is the ULID alphabet (Crockford's base32: no I, L, O, U).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewDeliveryID returns "msg_" + a 26-character ULID: 48 bits of t in Unix
// milliseconds then 80 random bits, so IDs sort by creation time and cannot
// be guessed.
func NewDeliveryID(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	rand.Read(b[6:]) // never fails (crypto/rand panics rather than return short)
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	out := make([]byte, 4+26)
	copy(out, "msg_")
	// 26 chars * 5 bits = 130 bits: the first char holds the top 3 bits.
	for i := 25; i >= 0; i-- {
		out[4+i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out)
}
