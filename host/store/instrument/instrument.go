// Package instrument wraps a store.Store so that every call is timed and
// its failures classified, for the query latency metrics, without
// touching the implementations: Wrap(st, m) is a store.Store that calls st.
package instrument

import (
	"context"
	"errors"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// Observer receives one store call: its method name, how long it took and,
// for a failure, its kind (see Kind; "" for a success or an expected
// answer such as ErrNotFound). It must be cheap and safe for concurrent use.
type Observer interface {
	ObserveStoreCall(method string, took time.Duration, kind string)
}

// Error kinds, as Kind returns them.
const (
	KindTimeout  = "timeout"  // the statement timeout (SQLSTATE 57014) or the caller's deadline
	KindCanceled = "canceled" // the caller's context was cancelled
	KindNoSpace  = "no_space" // store.ErrNoSpace
	KindCorrupt  = "corrupt"  // store.ErrCorrupt
	KindInvalid  = "invalid"  // store.ErrInvalid: a caller's bug
	KindError    = "error"    // anything else: connection lost, server error, ...
)

// Kind classifies err for the error counter: "" for nil and for the
// answers callers branch on as a matter of course (ErrNotFound,
// ErrSlugTaken, ErrIDTaken, ErrConflict).
func Kind(err error) string {
	var state interface{ SQLState() string } // *pgconn.PgError
	switch {
	case err == nil,
		errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrSlugTaken),
		errors.Is(err, store.ErrIDTaken), errors.Is(err, store.ErrConflict):
		return ""
	case errors.As(err, &state) && state.SQLState() == "57014": // query_canceled: statement_timeout
		return KindTimeout
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, store.ErrNoSpace):
		return KindNoSpace
	case errors.Is(err, store.ErrCorrupt):
		return KindCorrupt
	case errors.Is(err, store.ErrInvalid):
		return KindInvalid
	}
	return KindError
}

// Wrap returns st with every call but Close observed by o. When st is a
// store.Notifier the result is one too (Notifications is passed through,
// not timed: it is a subscription). Wrapping a nil o returns st.
func Wrap(st store.Store, o Observer) store.Store {
	if o == nil {
		return st
	}
	s := &Store{st: st, o: o}
	if n, ok := st.(store.Notifier); ok {
		return &notifying{Store: s, n: n}
	}
	return s
}

// Store is an observed store.Store; see Wrap.
type Store struct {
	st store.Store
	o  Observer
}

// notifying is a Store whose wrapped store is a store.Notifier.
type notifying struct {
	*Store
	n store.Notifier
}

func (s *notifying) Notifications(ctx context.Context) (<-chan struct{}, error) {
	return s.n.Notifications(ctx)
}

// Unwrap returns the wrapped store.
func (s *Store) Unwrap() store.Store { return s.st }

// done observes one call that started at start.
func (s *Store) done(method string, start time.Time, err error) {
	s.o.ObserveStoreCall(method, time.Since(start), Kind(err))
}

func (s *Store) CreateRender(ctx context.Context, r *store.Render, build store.DeliveryBuilder) (got *store.Render, created bool, err error) {
	defer func(start time.Time) { s.done("CreateRender", start, err) }(time.Now())
	return s.st.CreateRender(ctx, r, build)
}

func (s *Store) RenderByDedup(ctx context.Context, keyID string, hash [32]byte) (r *store.Render, err error) {
	defer func(start time.Time) { s.done("RenderByDedup", start, err) }(time.Now())
	return s.st.RenderByDedup(ctx, keyID, hash)
}

func (s *Store) RenderBySlug(ctx context.Context, slug string) (r *store.Render, err error) {
	defer func(start time.Time) { s.done("RenderBySlug", start, err) }(time.Now())
	return s.st.RenderBySlug(ctx, slug)
}

func (s *Store) Image(ctx context.Context, slug string) (png []byte, err error) {
	defer func(start time.Time) { s.done("Image", start, err) }(time.Now())
	return s.st.Image(ctx, slug)
}

func (s *Store) LeaseDue(ctx context.Context, now time.Time, limit int, lease time.Duration) (ds []*store.Delivery, err error) {
	defer func(start time.Time) { s.done("LeaseDue", start, err) }(time.Now())
	return s.st.LeaseDue(ctx, now, limit, lease)
}

func (s *Store) CompleteAttempt(ctx context.Context, id string, a store.Attempt, status string, next time.Time, lastErr string) (err error) {
	defer func(start time.Time) { s.done("CompleteAttempt", start, err) }(time.Now())
	return s.st.CompleteAttempt(ctx, id, a, status, next, lastErr)
}

func (s *Store) CompleteAttempts(ctx context.Context, cs []store.Completion) (err error) {
	defer func(start time.Time) { s.done("CompleteAttempts", start, err) }(time.Now())
	return s.st.CompleteAttempts(ctx, cs)
}

func (s *Store) Deliveries(ctx context.Context, keyID, slug string) (ds []*store.Delivery, as map[string][]store.Attempt, err error) {
	defer func(start time.Time) { s.done("Deliveries", start, err) }(time.Now())
	return s.st.Deliveries(ctx, keyID, slug)
}

func (s *Store) Delivery(ctx context.Context, keyID, id string) (d *store.Delivery, err error) {
	defer func(start time.Time) { s.done("Delivery", start, err) }(time.Now())
	return s.st.Delivery(ctx, keyID, id)
}

func (s *Store) Attempts(ctx context.Context, id string) (as []store.Attempt, err error) {
	defer func(start time.Time) { s.done("Attempts", start, err) }(time.Now())
	return s.st.Attempts(ctx, id)
}

func (s *Store) Redeliver(ctx context.Context, keyID, id string, now time.Time) (err error) {
	defer func(start time.Time) { s.done("Redeliver", start, err) }(time.Now())
	return s.st.Redeliver(ctx, keyID, id, now)
}

func (s *Store) QueueStats(ctx context.Context, now time.Time) (pending int, oldest time.Duration, err error) {
	defer func(start time.Time) { s.done("QueueStats", start, err) }(time.Now())
	return s.st.QueueStats(ctx, now)
}

func (s *Store) PutAPIKey(ctx context.Context, k store.APIKey) (err error) {
	defer func(start time.Time) { s.done("PutAPIKey", start, err) }(time.Now())
	return s.st.PutAPIKey(ctx, k)
}

func (s *Store) APIKeys(ctx context.Context) (ks []store.APIKey, err error) {
	defer func(start time.Time) { s.done("APIKeys", start, err) }(time.Now())
	return s.st.APIKeys(ctx)
}

func (s *Store) CreateTemplate(ctx context.Context, t *store.Template) (err error) {
	defer func(start time.Time) { s.done("CreateTemplate", start, err) }(time.Now())
	return s.st.CreateTemplate(ctx, t)
}

func (s *Store) UpdateTemplate(ctx context.Context, keyID, id string, ifVersion int, json []byte, name string) (version int, err error) {
	defer func(start time.Time) { s.done("UpdateTemplate", start, err) }(time.Now())
	return s.st.UpdateTemplate(ctx, keyID, id, ifVersion, json, name)
}

func (s *Store) Template(ctx context.Context, id string, version int) (t *store.Template, err error) {
	defer func(start time.Time) { s.done("Template", start, err) }(time.Now())
	return s.st.Template(ctx, id, version)
}

func (s *Store) Templates(ctx context.Context, keyID string) (ts []*store.Template, err error) {
	defer func(start time.Time) { s.done("Templates", start, err) }(time.Now())
	return s.st.Templates(ctx, keyID)
}

func (s *Store) DeleteTemplate(ctx context.Context, keyID, id string, now time.Time) (err error) {
	defer func(start time.Time) { s.done("DeleteTemplate", start, err) }(time.Now())
	return s.st.DeleteTemplate(ctx, keyID, id, now)
}

func (s *Store) CreateFont(ctx context.Context, f *store.Font) (err error) {
	defer func(start time.Time) { s.done("CreateFont", start, err) }(time.Now())
	return s.st.CreateFont(ctx, f)
}

func (s *Store) Fonts(ctx context.Context, keyID string) (fs []*store.Font, err error) {
	defer func(start time.Time) { s.done("Fonts", start, err) }(time.Now())
	return s.st.Fonts(ctx, keyID)
}

func (s *Store) Font(ctx context.Context, keyID, id string) (f *store.Font, err error) {
	defer func(start time.Time) { s.done("Font", start, err) }(time.Now())
	return s.st.Font(ctx, keyID, id)
}

func (s *Store) FontByFamily(ctx context.Context, keyID, family, weight string) (f *store.Font, err error) {
	defer func(start time.Time) { s.done("FontByFamily", start, err) }(time.Now())
	return s.st.FontByFamily(ctx, keyID, family, weight)
}

func (s *Store) DeleteFont(ctx context.Context, keyID, id string) (err error) {
	defer func(start time.Time) { s.done("DeleteFont", start, err) }(time.Now())
	return s.st.DeleteFont(ctx, keyID, id)
}

// Close closes the wrapped store (not observed).
func (s *Store) Close() error { return s.st.Close() }

var (
	_ store.Store    = (*Store)(nil)
	_ store.Store    = (*notifying)(nil)
	_ store.Notifier = (*notifying)(nil)
)
