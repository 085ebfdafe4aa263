package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

func newRender(slug, keyID, canonical string) *store.Render {
	return &store.Render{Slug: slug, KeyID: keyID, DedupHash: hashOf(canonical), Template: "blog",
		Canonical: canonical, PNG: pngBytes(len(slug)+len(canonical), 1000)}
}

// webhook is a DeliveryBuilder that records what it was told.
type webhook struct {
	calls  int
	cached bool
	got    *store.Render
	d      *store.Delivery
}

func (w *webhook) build(r *store.Render, cached bool) (*store.Delivery, error) {
	w.calls++
	w.got, w.cached = r, cached
	w.d = &store.Delivery{URL: "https://example.com/hook", Secret: "s3cret",
		Payload: fmt.Appendf(nil, `{"event":"render.completed","data":{"slug":%q,"cached":%t}}`, r.Slug, cached)}
	return w.d, nil
}

func mustCreate(t *testing.T, s store.Store, r *store.Render, withHook bool) (*store.Render, *store.Delivery) {
	t.Helper()
	var w webhook
	var b store.DeliveryBuilder
	if withHook {
		b = w.build
	}
	got, _, err := s.CreateRender(context.Background(), r, b)
	if err != nil {
		t.Fatalf("CreateRender(%s): %v", r.Slug, err)
	}
	return got, w.d
}

// pendingCount is the number of pending deliveries: all of them in tests
// that complete none.
func pendingCount(t *testing.T, s store.Store) int {
	t.Helper()
	n, _, err := s.QueueStats(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// CreateRender: a new render is stored with its image and delivery; a
// dedup hit (same key and hash) returns the stored render, still queues
// its delivery and writes nothing else; a taken slug writes nothing.
func CreateRender(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)

	first := newRender("slugAAA1", "key1", "blog|Hello")
	first.PNG = pngBytes(1, 55<<10)
	first.CreatedAt = time.Date(2025, 3, 8, 1, 2, 3, 456789000, time.FixedZone("x", 3600))
	var w webhook
	got, created, err := s.CreateRender(ctx, first, w.build)
	if err != nil || !created || got != first {
		t.Fatalf("new render: got %v created %v err %v", got, created, err)
	}
	if want := time.Date(2025, 3, 8, 0, 2, 3, 456000000, time.UTC); !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v (UTC, ms)", got.CreatedAt, want)
	}
	if w.calls != 1 || w.cached || w.got.Slug != "slugAAA1" {
		t.Errorf("builder on a new render: calls %d cached %v slug %s", w.calls, w.cached, w.got.Slug)
	}
	if !strings.HasPrefix(w.d.ID, "msg_") || w.d.Status != store.StatusPending || w.d.Slug != "slugAAA1" ||
		w.d.KeyID != "key1" || !w.d.NextAttemptAt.Equal(t0) || !w.d.CreatedAt.Equal(t0) {
		t.Errorf("delivery not completed in place: %+v", w.d)
	}
	if png, err := s.Image(ctx, "slugAAA1"); err != nil || !bytes.Equal(png, first.PNG) {
		t.Fatalf("Image: %d bytes, err %v", len(png), err)
	}
	if d, err := s.Delivery(ctx, "key1", w.d.ID); err != nil || d.Status != store.StatusPending ||
		!d.NextAttemptAt.Equal(t0) || !d.CreatedAt.Equal(t0) || !d.UpdatedAt.Equal(t0) || !d.LeasedUntil.IsZero() ||
		d.Attempts != 0 || d.URL != w.d.URL || d.Secret != w.d.Secret || !bytes.Equal(d.Payload, w.d.Payload) {
		t.Errorf("stored delivery %+v, %v", d, err)
	}

	cases := []struct {
		name        string
		r           *store.Render
		hook        bool
		wantErr     error
		wantCreated bool
		wantSlug    string
		wantCached  bool
	}{
		{name: "duplicate same key returns the stored slug", r: newRender("slugBBB2", "key1", "blog|Hello"),
			hook: true, wantSlug: "slugAAA1", wantCached: true},
		{name: "duplicate without webhook", r: newRender("slugBBB3", "key1", "blog|Hello"),
			wantSlug: "slugAAA1"},
		{name: "same parameters other key is a new render", r: newRender("slugCCC1", "key2", "blog|Hello"),
			hook: true, wantCreated: true, wantSlug: "slugCCC1"},
		{name: "other parameters same key", r: newRender("slugDDD1", "key1", "blog|Other"),
			wantCreated: true, wantSlug: "slugDDD1"},
		{name: "same slug and parameters is a dedup hit, not a slug clash", r: newRender("slugAAA1", "key1", "blog|Hello"),
			hook: true, wantSlug: "slugAAA1", wantCached: true},
		{name: "slug taken", r: newRender("slugAAA1", "key3", "blog|Fresh"), hook: true, wantErr: store.ErrSlugTaken},
		{name: "slug taken by another key's render", r: newRender("slugCCC1", "key1", "blog|Fresh2"), wantErr: store.ErrSlugTaken},
		{name: "no slug", r: newRender("", "key1", "blog|x"), wantErr: store.ErrInvalid},
		{name: "no key", r: newRender("slugEEE9", "", "blog|x"), wantErr: store.ErrInvalid},
		{name: "nil", wantErr: store.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := pendingCount(t, s)
			var w webhook
			var bld store.DeliveryBuilder
			if tc.hook {
				bld = w.build
			}
			got, created, err := s.CreateRender(ctx, tc.r, bld)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if n := pendingCount(t, s); n != before {
					t.Errorf("failed CreateRender wrote %d deliveries", n-before)
				}
				if tc.r != nil && tc.r.KeyID != "" {
					if _, err := s.RenderByDedup(ctx, tc.r.KeyID, tc.r.DedupHash); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("failed CreateRender stored its render: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if created != tc.wantCreated || got.Slug != tc.wantSlug {
				t.Fatalf("created %v slug %s, want %v %s", created, got.Slug, tc.wantCreated, tc.wantSlug)
			}
			if !created && (got.PNG != nil || got.KeyID != tc.r.KeyID || got.DedupHash != tc.r.DedupHash ||
				!got.CreatedAt.Equal(first.CreatedAt) || got.Canonical != "blog|Hello") {
				t.Errorf("dedup hit returned %+v", got)
			}
			wantDeliveries := before
			if tc.hook {
				wantDeliveries++
				if w.calls != 1 || w.cached != tc.wantCached || w.got.Slug != tc.wantSlug {
					t.Errorf("builder: calls %d cached %v slug %s", w.calls, w.cached, w.got.Slug)
				}
				d, err := s.Delivery(ctx, tc.r.KeyID, w.d.ID)
				if err != nil {
					t.Fatalf("delivery not stored: %v", err)
				}
				if d.Slug != tc.wantSlug || !bytes.Equal(d.Payload, w.d.Payload) || d.Status != store.StatusPending {
					t.Errorf("stored delivery %+v", d)
				}
			}
			if n := pendingCount(t, s); n != wantDeliveries {
				t.Errorf("deliveries %d, want %d", n, wantDeliveries)
			}
		})
	}

	// The dedup hit's render is the first one, unchanged, and so is its image.
	r, err := s.RenderByDedup(ctx, "key1", hashOf("blog|Hello"))
	if err != nil || r.Slug != "slugAAA1" || r.Template != "blog" || r.Canonical != "blog|Hello" ||
		!r.CreatedAt.Equal(first.CreatedAt) || r.PNG != nil || r.KeyID != "key1" {
		t.Fatalf("RenderByDedup = %+v, %v", r, err)
	}
	if r, err := s.RenderBySlug(ctx, "slugCCC1"); err != nil || r.KeyID != "key2" || r.DedupHash != hashOf("blog|Hello") ||
		!r.CreatedAt.Equal(t0) || r.PNG != nil {
		t.Errorf("RenderBySlug = %+v, %v", r, err)
	}
	if png, err := s.Image(ctx, "slugAAA1"); err != nil || !bytes.Equal(png, first.PNG) {
		t.Errorf("Image after the dedup hits: %d bytes, %v", len(png), err)
	}
	if _, err := s.RenderByDedup(ctx, "key9", hashOf("blog|Hello")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RenderByDedup for another key: %v, want ErrNotFound", err)
	}
	if _, err := s.RenderBySlug(ctx, "nope0000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RenderBySlug unknown: %v", err)
	}
	if _, err := s.Image(ctx, "nope0000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Image unknown: %v", err)
	}
	// An image of no bytes is the caller's business.
	mustCreate(t, s, &store.Render{Slug: "empty000", KeyID: "key1", DedupHash: hashOf("empty"), Template: "blog"}, false)
	if png, err := s.Image(ctx, "empty000"); err != nil || len(png) != 0 {
		t.Errorf("empty image: %d bytes, %v", len(png), err)
	}
}

// CreateRenderBuilderError: a builder's error aborts CreateRender with
// nothing written; a builder returning no delivery queues none.
func CreateRenderBuilderError(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	boom := errors.New("boom")
	_, _, err := s.CreateRender(ctx, newRender("slugEEE1", "k", "c"), func(*store.Render, bool) (*store.Delivery, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.RenderBySlug(ctx, "slugEEE1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("render written despite builder error: %v", err)
	}
	if _, created, err := s.CreateRender(ctx, newRender("slugEEE1", "k", "c"),
		func(*store.Render, bool) (*store.Delivery, error) { return nil, nil }); err != nil || !created {
		t.Fatalf("created %v err %v", created, err)
	}
	if n := pendingCount(t, s); n != 0 {
		t.Errorf("%d deliveries", n)
	}
	// A builder failing on a dedup hit writes no delivery either.
	if _, _, err := s.CreateRender(ctx, newRender("slugEEE2", "k", "c"),
		func(*store.Render, bool) (*store.Delivery, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("dedup hit with a failing builder: %v", err)
	}
	if n := pendingCount(t, s); n != 0 {
		t.Errorf("%d deliveries", n)
	}
}

// createRace runs n CreateRender calls of one key and one hash at once,
// spread over the handles, and checks that exactly one stored a render,
// all got its slug, and each queued its delivery.
func createRace(t *testing.T, handles []store.Store, n int) {
	ctx := context.Background()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		slugs   = map[string]int{}
		created int
	)
	for i := range n {
		s := handles[i%len(handles)]
		wg.Go(func() {
			got, c, err := s.CreateRender(ctx, newRender(fmt.Sprintf("race%04d", i), "k", "same"), (&webhook{}).build)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			slugs[got.Slug]++
			if c {
				created++
			}
		})
	}
	wg.Wait()
	if created != 1 || len(slugs) != 1 {
		t.Fatalf("created %d renders, slugs %v; want 1 and one slug", created, slugs)
	}
	for slug := range slugs {
		for _, s := range handles {
			if r, err := s.RenderByDedup(ctx, "k", hashOf("same")); err != nil || r.Slug != slug {
				t.Errorf("RenderByDedup = %+v, %v; want %s", r, err, slug)
			}
			ds, _, err := s.Deliveries(ctx, "k", slug)
			if err != nil || len(ds) != n {
				t.Errorf("deliveries of %s: %d, %v; want %d (one per request, hit or not)", slug, len(ds), err, n)
			}
		}
	}
}

// CreateRenderConcurrent: concurrent misses of one key and hash on one
// handle store one render.
func CreateRenderConcurrent(t *testing.T, b Backend) {
	createRace(t, []store.Store{b.open(t)}, 8)
}

// CreateRenderTwoHandles: the same on two handles (two processes, two
// hosts): one render, one slug, one created=true; and two renders racing
// for one slug: one wins, the other gets ErrSlugTaken.
func CreateRenderTwoHandles(t *testing.T, b Backend) {
	s := b.open(t)
	s2 := b.again(t, s)
	createRace(t, []store.Store{s, s2}, 16)

	ctx := context.Background()
	for round := range 5 {
		slug := fmt.Sprintf("clash%03d", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, h := range []store.Store{s, s2} {
			wg.Go(func() {
				_, _, errs[i] = h.CreateRender(ctx, newRender(slug, "k", fmt.Sprint("clash ", round, i)), nil)
			})
		}
		wg.Wait()
		won, taken := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrSlugTaken):
				taken++
			}
		}
		if won != 1 || taken != 1 {
			t.Fatalf("round %d: two renders for one slug: %v, %v; want one nil and one ErrSlugTaken", round, errs[0], errs[1])
		}
	}
}

// Reopen: a closed store's renders, images and deliveries are all there
// through a new handle.
func Reopen(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	want := map[string][]byte{}
	for i := range 50 {
		r := newRender(fmt.Sprintf("keep%04d", i), fmt.Sprintf("k%d", i%3), fmt.Sprint("c", i))
		r.PNG = pngBytes(i, 1000+i*997)
		mustCreate(t, s, r, i%2 == 0)
		want[r.Slug] = r.PNG
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = b.again(t, s)
	for slug, png := range want {
		got, err := s.Image(ctx, slug)
		if err != nil || !bytes.Equal(got, png) {
			t.Fatalf("%s after reopen: %d bytes, err %v", slug, len(got), err)
		}
	}
	if n := pendingCount(t, s); n != 25 {
		t.Errorf("deliveries after reopen: %d, want 25", n)
	}
}
