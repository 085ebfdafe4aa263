// Package store keeps ogmint's durable state: the V2 render index (slug ->
// PNG, deduplicated per API key), the API keys, the webhook delivery queue
// with its attempt log, and each API key's custom templates (every version
// kept) and uploaded fonts.
//
// Callers depend on the [Store] interface only. [SQLite] (sqlite.go) is the
// single-host default: one file <dataDir>/ogmint.db, pure Go, no server.
// [Postgres] (postgres.go) is the same contract on a PostgreSQL database
// that several stateless hosts share (README "PostgreSQL store"); the mapping
// on [Store] says how each method maps onto it. Both are [Notifier]s, so the
// webhook dispatcher is woken when a delivery is queued (on every host, with
// Postgres's LISTEN/NOTIFY). The tests every implementation passes are in
// storetest/suite.
package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Errors callers branch on. Implementations wrap them, so test with errors.Is.
var (
	// ErrNotFound: no such render, delivery, key, template or font (or it
	// belongs to another API key, which looks the same to the caller).
	ErrNotFound = errors.New("store: not found")
	// ErrSlugTaken: CreateRender hit an existing slug. Nothing was written;
	// the caller retries with a fresh slug.
	ErrSlugTaken = errors.New("store: slug taken")
	// ErrIDTaken: CreateTemplate or CreateFont hit an existing ID (a deleted
	// template's too: IDs are never reused). Nothing was written; the caller
	// retries with a fresh ID.
	ErrIDTaken = errors.New("store: id taken")
	// ErrConflict: the write contradicts what is stored: UpdateTemplate's
	// ifVersion is not the latest version, or CreateFont's key already has a
	// font of that family and weight. Nothing was written.
	ErrConflict = errors.New("store: conflict")
	// ErrSchemaTooNew: the database was migrated by a newer ogmint than this
	// binary; opening it could corrupt data the newer code relies on.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this binary")
	// ErrInvalid: an argument breaks the contract (unknown status, empty id, ...).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrForeignDB: the database file exists but is empty, not SQLite, or
	// another application's database. Opening it as a fresh one would hide
	// every render and pending webhook it should hold, so it is refused.
	// Postgres: the database (schema) has another tool's schema_migrations,
	// or tables of ogmint's names without ogmint's schema version.
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

// Template is one version of an API key's custom template. Versions of an
// ID are numbered 1, 2, ... without gaps; every version is kept, so a stored
// render can always be explained by the template version it was made from.
type Template struct {
	ID        string // "custom_" + 10 chars [0-9a-z]; NewTemplateID
	Version   int    // 1 for CreateTemplate, latest+1 for each UpdateTemplate
	KeyID     string // the owning API key's ID; the same for every version
	Name      string
	JSON      []byte // the template document, at most MaxTemplateJSON bytes; nil in Templates' listing
	CreatedAt time.Time
	DeletedAt time.Time // zero while live; DeleteTemplate sets it on every version
}

// Font is a font file an API key uploaded for its templates.
type Font struct {
	ID     string // "font_" + 10 chars [0-9a-z]; NewFontID
	KeyID  string
	Family string // as the templates name it; matched exactly (case-sensitive)
	Weight string // FontRegular or FontBold; unique together with KeyID and Family
	Format string // "ttf", "otf", "woff" or "woff2"
	// Data is the file, at most MaxFontSize bytes. CreateFont stores it;
	// Font and FontByFamily return it after checking it against SHA256;
	// Fonts leaves it nil.
	Data []byte
	// SHA256 is Data's SHA-256: filled in by CreateFont when zero (a given
	// one must match Data), checked on every read of Data.
	SHA256    [32]byte
	Size      int // len(Data), set by the store; also in Fonts' listing
	CreatedAt time.Time
}

// Font weights.
const (
	FontRegular = "regular"
	FontBold    = "bold"
)

// ValidFontWeight reports whether w is FontRegular or FontBold.
func ValidFontWeight(w string) bool { return w == FontRegular || w == FontBold }

// ValidFontFormat reports whether f is a format the store takes: ttf, otf,
// woff or woff2.
func ValidFontFormat(f string) bool {
	switch f {
	case "ttf", "otf", "woff", "woff2":
		return true
	}
	return false
}

// Size limits of the stored blobs: larger ones are refused with ErrInvalid
// (the API refuses them before they get here).
const (
	MaxTemplateJSON = 4 << 20  // a template version's JSON
	MaxFontSize     = 10 << 20 // a font file
)

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
// How the Postgres implementation maps each method (one schema, the same
// tables and indexes as the SQLite migrations, BYTEA/TIMESTAMPTZ types, PNGs
// in a table, later perhaps an S3-compatible bucket keyed by slug, written
// before the row that points at them):
//
//   - CreateRender: one transaction. INSERT INTO renders ... ON CONFLICT
//     (key_id, dedup_hash) DO NOTHING RETURNING ...; no row returned means a
//     dedup hit, then SELECT the existing row. Dedup across hosts rests on
//     that unique constraint, not on any in-process lock. A unique violation
//     on slug (SQLSTATE 23505, constraint renders_slug_key) maps to
//     ErrSlugTaken. The delivery is inserted in the same transaction, so a
//     committed render always has its webhook queued, with a NOTIFY
//     ogmint_deliveries that wakes every host's Notifications on commit.
//   - RenderByDedup, RenderBySlug, Image, Delivery, Deliveries, QueueStats,
//     APIKeys: plain SELECTs by the same unique keys and indexes, on a
//     replica if stale reads are acceptable (Image and RenderBySlug are
//     immutable once written).
//   - LeaseDue: WITH due AS MATERIALIZED (SELECT id FROM deliveries WHERE
//     status = 'pending' AND next_attempt_at <= $now AND leased_until <= $now
//     ORDER BY next_attempt_at LIMIT $n FOR UPDATE SKIP LOCKED) UPDATE
//     deliveries SET leased_until = $now + $lease FROM due ... RETURNING ...:
//     concurrent dispatchers on several hosts each get disjoint rows without
//     blocking one another, and an expired lease (a crashed host) makes the
//     row due again. The due index is partial (WHERE status = 'pending').
//     River (riverqueue) implements the same pattern if we adopt it.
//   - CompleteAttempt(s): one transaction: per completion one statement,
//     WITH d AS (UPDATE deliveries SET attempts = attempts + 1, status,
//     next_attempt_at, leased_until = epoch, last_error WHERE id = $1
//     RETURNING id, attempts) INSERT INTO attempts SELECT id, attempts, ...
//     FROM d (the row lock numbers racing completions one after the other;
//     no row -> ErrNotFound), all sent as one batch, in ID order.
//   - Redeliver: UPDATE ... WHERE id = $1 AND key_id = $2 and NOTIFY
//     ogmint_deliveries in one transaction; zero rows -> ErrNotFound.
//   - PutAPIKey: INSERT ... ON CONFLICT (id) DO UPDATE.
//   - CreateTemplate: one transaction inserting version 1 into templates
//     (PRIMARY KEY (id, version)) and its JSON into template_json (or the
//     bucket, keyed by id/version); a unique violation on templates_pkey
//     maps to ErrIDTaken.
//   - UpdateTemplate: one transaction: SELECT ... FROM templates WHERE id =
//     $1 AND version = 1 FOR UPDATE (concurrent updates and deletes of one
//     template queue on that row), then, in the next statement (READ
//     COMMITTED takes a fresh snapshot per statement, so it sees a version
//     the previous holder of the lock committed), read the latest version,
//     check key, deleted_at and ifVersion, INSERT version+1 and its JSON.
//     PRIMARY KEY (id, version) is the backstop: its unique violation means
//     a concurrent update won, ErrConflict when ifVersion > 0, otherwise
//     retry the transaction.
//   - DeleteTemplate: the same row lock, then UPDATE templates SET deleted_at
//     = $now WHERE id = $1 AND key_id = $2 AND deleted_at = epoch; zero rows
//     -> ErrNotFound. The lock keeps a concurrent update from adding a live
//     version after the delete.
//   - Template, Templates, Fonts, Font, FontByFamily: SELECTs by the same
//     keys and indexes (template versions and fonts are immutable once
//     written, apart from deleted_at).
//   - CreateFont: one transaction inserting into fonts and font_data (or the
//     bucket); unique violations on fonts_pkey map to ErrIDTaken, on
//     UNIQUE (key_id, family, weight) to ErrConflict.
//   - DeleteFont: DELETE FROM fonts WHERE id = $1 AND key_id = $2 (font_data
//     goes by ON DELETE CASCADE); zero rows -> ErrNotFound.
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

	// CreateTemplate stores version 1 of a new template: t.ID (chosen by the
	// caller, NewTemplateID), KeyID, Name and JSON. It sets t.Version to 1
	// and t.DeletedAt to zero and fills in t.CreatedAt (now when zero,
	// normalised to UTC ms). An ID already used, even by a deleted template
	// or another key, gives ErrIDTaken with nothing written; a malformed ID,
	// an empty key, or JSON that is empty or over MaxTemplateJSON ErrInvalid.
	CreateTemplate(ctx context.Context, t *Template) error
	// UpdateTemplate stores a new version (the latest + 1, created now) of
	// keyID's live template id, with json and name ("" keeps the latest
	// version's name), and returns its number. With ifVersion > 0 it writes
	// only if ifVersion is the latest version, ErrConflict otherwise; 0
	// updates whatever is latest. Another key's, an unknown or a deleted id
	// gives ErrNotFound. Concurrent updates of one id each get their own
	// version number: never two versions with one number, never a gap.
	UpdateTemplate(ctx context.Context, keyID, id string, ifVersion int, json []byte, name string) (version int, err error)
	// Template returns version of template id with its JSON (version 0: the
	// latest), or ErrNotFound, or ErrCorrupt when the JSON fails its checksum.
	// Deleted templates are returned too, with DeletedAt set, so that stored
	// renders made from them can still be explained. Not scoped by key: the
	// caller compares KeyID (as with RenderBySlug).
	Template(ctx context.Context, id string, version int) (*Template, error)
	// Templates lists keyID's live templates, the latest version of each
	// (JSON nil: read it with Template), ordered by the CreatedAt of their
	// version 1, then by ID.
	Templates(ctx context.Context, keyID string) ([]*Template, error)
	// DeleteTemplate marks every version of keyID's template id deleted at
	// now (the store's clock when zero): no new renders or versions, but
	// Template still finds them. Another key's, an unknown or an already
	// deleted id gives ErrNotFound.
	DeleteTemplate(ctx context.Context, keyID, id string, now time.Time) error

	// CreateFont stores f: ID (chosen by the caller, NewFontID), KeyID,
	// Family, Weight, Format and Data. It fills in SHA256 (when zero; a given
	// one must match Data, ErrInvalid otherwise), Size and CreatedAt (now
	// when zero, normalised to UTC ms). An ID already used gives ErrIDTaken,
	// a key that already has a font of that family and weight ErrConflict,
	// both with nothing written; a malformed ID or weight or format, an
	// empty key or family, or Data empty or over MaxFontSize ErrInvalid.
	CreateFont(ctx context.Context, f *Font) error
	// Fonts lists keyID's fonts without their Data, ordered by CreatedAt
	// then ID.
	Fonts(ctx context.Context, keyID string) ([]*Font, error)
	// Font returns one of keyID's fonts with its Data, or ErrNotFound, or
	// ErrCorrupt when the data fails its checksum.
	Font(ctx context.Context, keyID, id string) (*Font, error)
	// FontByFamily is Font by family and weight.
	FontByFamily(ctx context.Context, keyID, family, weight string) (*Font, error)
	// DeleteFont deletes one of keyID's fonts and its data, or returns
	// ErrNotFound. Stored renders are PNGs and do not need it.
	DeleteFont(ctx context.Context, keyID, id string) error

	// Close releases the store; pending writes have been committed by then.
	Close() error
}

// idAlphabet is the alphabet of template and font IDs' random part.
const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// idRandLen is the length of template and font IDs' random part.
const idRandLen = 10

// Template and font ID prefixes.
const (
	TemplateIDPrefix = "custom_"
	FontIDPrefix     = "font_"
)

// NewTemplateID returns "custom_" + 10 random chars [0-9a-z] (51 bits).
func NewTemplateID() string { return newID(TemplateIDPrefix) }

// NewFontID returns "font_" + 10 random chars [0-9a-z].
func NewFontID() string { return newID(FontIDPrefix) }

func newID(prefix string) string {
	out := make([]byte, 0, len(prefix)+idRandLen)
	out = append(out, prefix...)
	var b [32]byte
	for len(out) < cap(out) {
		rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
		for _, c := range b {
			// 252 = 7*36: rejecting the rest keeps every char equally likely.
			if c < 252 && len(out) < cap(out) {
				out = append(out, idAlphabet[c%36])
			}
		}
	}
	return string(out)
}

// ValidTemplateID reports whether id has the form NewTemplateID makes.
func ValidTemplateID(id string) bool { return validID(id, TemplateIDPrefix) }

// ValidFontID reports whether id has the form NewFontID makes.
func ValidFontID(id string) bool { return validID(id, FontIDPrefix) }

func validID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || len(rest) != idRandLen {
		return false
	}
	for i := range len(rest) {
		if !strings.ContainsRune(idAlphabet, rune(rest[i])) {
			return false
		}
	}
	return true
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
