package instrument

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ogmint/ogmint/host/store"
)

type call struct {
	method, kind string
	took         time.Duration
}

type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) ObserveStoreCall(method string, took time.Duration, kind string) {
	r.mu.Lock()
	r.calls = append(r.calls, call{method, kind, took})
	r.mu.Unlock()
}

func (r *recorder) take() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// TestWrap: every call reaches the wrapped store and is observed once with
// its method and kind; the result is still a Notifier, whose wake-ups
// come through.
func TestWrap(t *testing.T) {
	ctx := context.Background()
	sq, err := store.OpenSQLite(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	st := Wrap(sq, rec)
	defer st.Close()
	n, ok := st.(store.Notifier)
	if !ok {
		t.Fatal("the wrapped SQLite store is not a Notifier")
	}
	wake, err := n.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := &store.Render{Slug: "abcd1234", KeyID: "k", DedupHash: sha256.Sum256([]byte("x")), Template: "blog", Canonical: "x", PNG: []byte("png")}
	if _, created, err := st.CreateRender(ctx, r, func(*store.Render, bool) (*store.Delivery, error) {
		return &store.Delivery{URL: "http://127.0.0.1:1/", Payload: []byte("{}")}, nil
	}); err != nil || !created {
		t.Fatalf("CreateRender: %v, %v", created, err)
	}
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up through the wrapper")
	}
	if png, err := st.Image(ctx, "abcd1234"); err != nil || string(png) != "png" {
		t.Fatalf("Image: %q, %v", png, err)
	}
	if _, err := st.RenderBySlug(ctx, "nothere0"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RenderBySlug: %v", err)
	}
	if _, err := st.LeaseDue(ctx, time.Now(), 0, time.Second); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("LeaseDue(limit 0): %v", err)
	}
	got := rec.take()
	want := []call{{method: "CreateRender"}, {method: "Image"}, {method: "RenderBySlug"}, {method: "LeaseDue", kind: KindInvalid}}
	if len(got) != len(want) {
		t.Fatalf("observed %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].method != want[i].method || got[i].kind != want[i].kind || got[i].took <= 0 {
			t.Errorf("call %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if Wrap(sq, nil) != store.Store(sq) {
		t.Error("Wrap with no observer should return the store itself")
	}
}

func TestKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("x: %w", store.ErrNotFound), ""},
		{store.ErrSlugTaken, ""},
		{store.ErrConflict, ""},
		{fmt.Errorf("store: lease: %w", &pgconn.PgError{Code: "57014"}), KindTimeout},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), KindTimeout},
		{context.Canceled, KindCanceled},
		{fmt.Errorf("%w: disk full", store.ErrNoSpace), KindNoSpace},
		{store.ErrCorrupt, KindCorrupt},
		{errors.New("connection reset"), KindError},
		{&pgconn.PgError{Code: "40P01"}, KindError},
	} {
		if got := Kind(tc.err); got != tc.want {
			t.Errorf("Kind(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
