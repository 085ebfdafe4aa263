// Package suite is the behaviour every store.Store implementation must
// show, written against the interface only: renders and their images and
// deduplication, the webhook queue (leases, attempts, redelivery, queue
// statistics), API keys, custom templates and fonts, and Notifications of
// stores that are a store.Notifier. host/store/suite_test.go runs it on
// SQLite and on PostgreSQL.
//
// Each test gets a new, empty database whose clock (for the defaults the
// store fills in) stands at t0 unless the test moves it; the tests of two
// processes or hosts on one database open a second handle on it with
// Backend.Again. What only one implementation has (SQLite's file damage and
// disk full, Postgres's migrations between hosts, ...) is tested beside it.
package suite

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// Backend opens the stores of one implementation for the suite.
type Backend struct {
	// Open returns the store of a new, empty database, with now as its
	// clock (Options.Now, PostgresOptions.Now), and closes it at t's
	// cleanup.
	Open func(t *testing.T, now func() time.Time) store.Store
	// Again returns one more handle on the database of s, a store Open
	// returned (closed by now, perhaps), as a second process on the same
	// data directory or a second host on the same server would hold it,
	// and closes it at t's cleanup.
	Again func(t *testing.T, s store.Store, now func() time.Time) store.Store
}

// Run runs every test of the suite, each on its own new database.
func Run(t *testing.T, b Backend) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Backend)
	}{
		{"CreateRender", CreateRender},
		{"CreateRenderBuilderError", CreateRenderBuilderError},
		{"CreateRenderConcurrent", CreateRenderConcurrent},
		{"CreateRenderTwoHandles", CreateRenderTwoHandles},
		{"Reopen", Reopen},
		{"LeaseDueTwoHandles", LeaseDueTwoHandles},
		{"LeaseDueOldestFirstAndLimit", LeaseDueOldestFirstAndLimit},
		{"CompleteAttempt", CompleteAttempt},
		{"CompleteAttemptsBatch", CompleteAttemptsBatch},
		{"CompleteAttemptConcurrent", CompleteAttemptConcurrent},
		{"Attempts", Attempts},
		{"DeliveriesScopedByKey", DeliveriesScopedByKey},
		{"Redeliver", Redeliver},
		{"QueueStats", QueueStats},
		{"Notifications", Notifications},
		{"APIKeys", APIKeys},
		{"CreateTemplate", CreateTemplate},
		{"UpdateTemplate", UpdateTemplate},
		{"Template", Template},
		{"Templates", Templates},
		{"DeleteTemplate", DeleteTemplate},
		{"UpdateTemplateConcurrent", UpdateTemplateConcurrent},
		{"UpdateTemplateConcurrentIfVersion", UpdateTemplateConcurrentIfVersion},
		{"UpdateTemplateTwoHandles", UpdateTemplateTwoHandles},
		{"UpdateDeleteTemplateRace", UpdateDeleteTemplateRace},
		{"CreateFont", CreateFont},
		{"Fonts", Fonts},
		{"Font", Font},
		{"DeleteFont", DeleteFont},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, b) })
	}
}

// clock is a store's clock for tests: t0 unless set.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// open is a new database's store with its clock at t0.
func (b Backend) open(t *testing.T) store.Store { return b.Open(t, (&clock{t: t0}).Now) }

// again is a second handle on s's database, its clock at t0.
func (b Backend) again(t *testing.T, s store.Store) store.Store {
	return b.Again(t, s, (&clock{t: t0}).Now)
}

// Key IDs used throughout.
const (
	keyA = "key_a"
	keyB = "key_b"
)

var t0 = time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC)

func hashOf(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// doc is a template document, distinct for each n.
func doc(n int) []byte {
	return fmt.Appendf(nil, `{"version":2,"width":1200,"height":630,"layers":[{"type":"text","text":"doc %d"}]}`, n)
}

// tid and fid are fixed valid IDs, distinct for each n < 1e10.
func tid(n int) string { return fmt.Sprintf("%s%010d", store.TemplateIDPrefix, n) }
func fid(n int) string { return fmt.Sprintf("%s%010d", store.FontIDPrefix, n) }

// noise is n bytes of xorshift output, distinct for each seed.
func noise(seed, n int) []byte {
	b := make([]byte, n)
	x := uint32(seed*2654435761 + 1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// fontData is a font file's worth of bytes, distinct for each seed.
func fontData(seed, n int) []byte {
	b := noise(seed, n)
	copy(b, "\x00\x01\x00\x00") // a TrueType header's start
	return b
}

// pngBytes is an image's worth of bytes, distinct for each seed.
func pngBytes(seed, n int) []byte {
	b := noise(seed, n)
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}
