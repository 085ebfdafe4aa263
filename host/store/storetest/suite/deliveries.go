package suite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// seedDeliveries creates n renders of keyID with one delivery each, due at
// due, and returns the delivery IDs. Slugs are keyID's first 4 chars
// (padded with z) + a 4-digit index.
func seedDeliveries(t *testing.T, s store.Store, keyID string, n int, due time.Time) []string {
	t.Helper()
	var ids []string
	for i := range n {
		r := newRender(fmt.Sprintf("%.4s%04d", keyID+"zzzz", i), keyID, fmt.Sprint("seed", i))
		var d *store.Delivery
		_, _, err := s.CreateRender(context.Background(), r, func(r *store.Render, cached bool) (*store.Delivery, error) {
			d = &store.Delivery{URL: "https://example.com/" + r.Slug, Payload: []byte(`{}`), NextAttemptAt: due}
			return d, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

// LeaseDueTwoHandles: leasers on two handles (two processes, two hosts)
// never get one delivery twice while it is leased, never get one before
// it is due, and once the leases expire (the worker crashed) the other
// handle takes them over, oldest first.
func LeaseDueTwoHandles(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	s2 := b.again(t, s)

	const n = 300
	ids := seedDeliveries(t, s, "lease", n, t0)
	notYet := seedDeliveries(t, s, "late", 5, t0.Add(time.Hour))
	now := t0.Add(time.Second)
	lease := time.Minute

	var (
		mu     sync.Mutex
		leased = map[string]int{}
		total  int // leases handed out; > n means a double lease (and stops the loop)
		wg     sync.WaitGroup
	)
	for i := range 4 {
		st := []store.Store{s, s2}[i%2]
		wg.Go(func() {
			for {
				ds, err := st.LeaseDue(ctx, now, 7, lease)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					leased[d.ID]++
					if !d.LeasedUntil.Equal(now.Add(lease)) || d.Status != store.StatusPending {
						t.Errorf("%s LeasedUntil = %v, status %s", d.ID, d.LeasedUntil, d.Status)
					}
				}
				total += len(ds)
				stop := total > n
				mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(leased) != n {
		t.Fatalf("leased %d distinct deliveries, want %d", len(leased), n)
	}
	for _, id := range ids {
		if leased[id] != 1 {
			t.Errorf("%s leased %d times", id, leased[id])
		}
	}
	for _, id := range notYet {
		if leased[id] != 0 {
			t.Errorf("%s leased before it was due", id)
		}
	}

	// Still leased half way through the lease, on either handle.
	for _, st := range []store.Store{s, s2} {
		if ds, err := st.LeaseDue(ctx, now.Add(lease/2), 1000, lease); err != nil || len(ds) != 0 {
			t.Fatalf("re-leased %d during the lease (err %v)", len(ds), err)
		}
	}
	// The workers "crashed": once the leases have expired the other handle
	// takes them over, oldest first.
	ds, err := s2.LeaseDue(ctx, now.Add(lease), 1000, lease)
	if err != nil || len(ds) != n {
		t.Fatalf("after expiry leased %d, want %d (err %v)", len(ds), n, err)
	}
	if !slices.IsSortedFunc(ds, func(a, b *store.Delivery) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) }) {
		t.Error("LeaseDue result not ordered by NextAttemptAt")
	}
	if d, err := s.Delivery(ctx, "lease", ds[0].ID); err != nil || !d.LeasedUntil.Equal(now.Add(2*lease)) || d.Attempts != 0 {
		t.Errorf("taken-over delivery: %+v, %v", d, err)
	}
	for _, bad := range []struct {
		limit int
		lease time.Duration
	}{{0, lease}, {-1, lease}, {1, 0}, {1, -time.Second}} {
		if _, err := s.LeaseDue(ctx, now, bad.limit, bad.lease); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("LeaseDue(limit %d, lease %v): %v, want ErrInvalid", bad.limit, bad.lease, err)
		}
	}
}

// LeaseDueOldestFirstAndLimit: at most limit deliveries, the most overdue.
func LeaseDueOldestFirstAndLimit(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	seedDeliveries(t, s, "b", 3, t0.Add(2*time.Second))
	older := seedDeliveries(t, s, "a", 2, t0.Add(time.Second))
	ds, err := s.LeaseDue(ctx, t0.Add(time.Minute), 2, time.Minute)
	if err != nil || len(ds) != 2 {
		t.Fatalf("leased %d, err %v", len(ds), err)
	}
	got := []string{ds[0].ID, ds[1].ID}
	slices.Sort(got)
	slices.Sort(older)
	if !slices.Equal(got, older) {
		t.Errorf("leased %v, want the oldest %v", got, older)
	}
	if ds, err := s.LeaseDue(ctx, t0.Add(time.Minute), 10, time.Minute); err != nil || len(ds) != 3 {
		t.Errorf("the rest: %d, %v; want 3", len(ds), err)
	}
	if ds, err := s.LeaseDue(ctx, t0.Add(time.Minute), 10, time.Minute); err != nil || len(ds) != 0 {
		t.Errorf("nothing left: %d, %v", len(ds), err)
	}
}

// CompleteAttempt: each attempt is recorded with the next number, and the
// delivery gets its status, next attempt, last error, updated time and no
// lease; delivered is never leased again.
func CompleteAttempt(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	ids := seedDeliveries(t, s, "k", 1, t0)
	id := ids[0]

	steps := []struct {
		a       store.Attempt
		status  string
		next    time.Time
		lastErr string
	}{
		{store.Attempt{At: t0.Add(1 * time.Second), StatusCode: 503, Duration: 120 * time.Millisecond, Error: "503"}, store.StatusPending, t0.Add(6 * time.Second), "HTTP 503"},
		{store.Attempt{At: t0.Add(7 * time.Second), StatusCode: 0, Duration: 5 * time.Second, Error: "timeout"}, store.StatusPending, t0.Add(40 * time.Second), "timeout"},
		{store.Attempt{N: 99, At: t0.Add(41 * time.Second), StatusCode: 204, Duration: 30 * time.Millisecond}, store.StatusDelivered, time.Time{}, ""},
	}
	for i, st := range steps {
		if ds, err := s.LeaseDue(ctx, st.a.At, 10, time.Minute); err != nil || len(ds) != 1 || ds[0].ID != id {
			t.Fatalf("step %d: lease %v %v", i, ds, err)
		}
		if err := s.CompleteAttempt(ctx, id, st.a, st.status, st.next, st.lastErr); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		d, err := s.Delivery(ctx, "k", id)
		if err != nil {
			t.Fatal(err)
		}
		wantNext := st.next
		if wantNext.IsZero() {
			wantNext = st.a.At
		}
		if d.Attempts != i+1 || d.Status != st.status || !d.NextAttemptAt.Equal(wantNext) ||
			!d.LeasedUntil.IsZero() || d.LastError != st.lastErr || !d.UpdatedAt.Equal(st.a.At) || !d.CreatedAt.Equal(t0) {
			t.Errorf("step %d: delivery %+v", i, d)
		}
	}
	ds, attempts, err := s.Deliveries(ctx, "k", "kzzz0000")
	if err != nil || len(ds) != 1 {
		t.Fatalf("Deliveries: %v %v", ds, err)
	}
	as := attempts[id]
	if len(as) != len(steps) {
		t.Fatalf("%d attempts, want %d", len(as), len(steps))
	}
	for i, a := range as {
		want := steps[i].a
		want.DeliveryID, want.N = id, i+1
		if a != want {
			t.Errorf("attempt %d = %+v, want %+v", i, a, want)
		}
	}
	// Delivered: never leased again.
	if ds, _ := s.LeaseDue(ctx, t0.Add(time.Hour), 10, time.Minute); len(ds) != 0 {
		t.Errorf("delivered delivery leased again")
	}
	// An attempt without a time is at the store's clock.
	if err := s.CompleteAttempt(ctx, id, store.Attempt{StatusCode: 200}, store.StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if as, err := s.Attempts(ctx, id); err != nil || len(as) != 4 || !as[3].At.Equal(t0) {
		t.Errorf("attempt without a time: %+v, %v; want at %v", as, err, t0)
	}

	if err := s.CompleteAttempt(ctx, "msg_nope", store.Attempt{}, store.StatusFailed, time.Time{}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if err := s.CompleteAttempt(ctx, id, store.Attempt{}, "bogus", time.Time{}, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	if err := s.CompleteAttempt(ctx, "", store.Attempt{}, store.StatusFailed, time.Time{}, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no id: %v", err)
	}
	if err := s.CompleteAttempts(ctx, nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
}

// CompleteAttemptsBatch: a batch is all or nothing.
func CompleteAttemptsBatch(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	ids := seedDeliveries(t, s, "k", 4, t0)
	at := t0.Add(time.Second)
	cs := []store.Completion{
		{ID: ids[0], Attempt: store.Attempt{At: at, StatusCode: 200}, Status: store.StatusDelivered},
		{ID: ids[1], Attempt: store.Attempt{At: at, StatusCode: 410}, Status: store.StatusStopped, LastErr: "HTTP 410"},
		{ID: ids[2], Attempt: store.Attempt{At: at, StatusCode: 500}, Status: store.StatusFailed, LastErr: "HTTP 500"},
		{ID: ids[3], Attempt: store.Attempt{At: at, StatusCode: 429}, Status: store.StatusPending, Next: at.Add(time.Minute), LastErr: "HTTP 429"},
	}
	// All or nothing: an unknown ID, or a bad status, rolls the whole batch back.
	for _, bad := range []store.Completion{{ID: "msg_gone", Status: store.StatusFailed}, {ID: ids[0], Status: "bogus"}} {
		if err := s.CompleteAttempts(ctx, append(slices.Clip(cs), bad)); !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("batch with %+v: %v", bad, err)
		}
		for _, id := range ids {
			if d, _ := s.Delivery(ctx, "k", id); d.Attempts != 0 {
				t.Fatalf("rolled-back batch left %s with %d attempts", id, d.Attempts)
			}
			if as, err := s.Attempts(ctx, id); err != nil || len(as) != 0 {
				t.Fatalf("rolled-back batch left attempts of %s: %+v, %v", id, as, err)
			}
		}
	}
	if err := s.CompleteAttempts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		d, err := s.Delivery(ctx, "k", c.ID)
		if err != nil || d.Status != c.Status || d.Attempts != 1 || d.LastError != c.LastErr || !d.UpdatedAt.Equal(at) {
			t.Errorf("%s: %+v %v", c.ID, d, err)
		}
	}
	pending, _, err := s.QueueStats(ctx, at)
	if err != nil || pending != 1 {
		t.Errorf("pending %d err %v, want 1", pending, err)
	}
	// One delivery twice in a batch: two attempts, in order.
	if err := s.CompleteAttempts(ctx, []store.Completion{
		{ID: ids[3], Attempt: store.Attempt{At: at.Add(time.Minute), StatusCode: 500}, Status: store.StatusPending, Next: at.Add(time.Hour), LastErr: "HTTP 500"},
		{ID: ids[0], Attempt: store.Attempt{At: at.Add(time.Minute), StatusCode: 200}, Status: store.StatusDelivered},
		{ID: ids[3], Attempt: store.Attempt{At: at.Add(2 * time.Minute), StatusCode: 200}, Status: store.StatusDelivered},
	}); err != nil {
		t.Fatal(err)
	}
	as, err := s.Attempts(ctx, ids[3])
	if err != nil || len(as) != 3 || as[1].StatusCode != 500 || as[2].StatusCode != 200 || as[2].N != 3 {
		t.Errorf("attempts of the delivery completed twice in a batch: %+v, %v", as, err)
	}
	if d, err := s.Delivery(ctx, "k", ids[3]); err != nil || d.Status != store.StatusDelivered || d.Attempts != 3 {
		t.Errorf("the delivery completed twice in a batch: %+v, %v", d, err)
	}
}

// CompleteAttemptConcurrent: completions of one delivery racing on two
// handles each get their own attempt number, without gaps.
func CompleteAttemptConcurrent(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	s2 := b.again(t, s)
	id := seedDeliveries(t, s, "k", 1, t0)[0]
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		h := []store.Store{s, s2}[i%2]
		wg.Go(func() {
			a := store.Attempt{At: t0.Add(time.Duration(i) * time.Second), StatusCode: 500 + i}
			if err := h.CompleteAttempt(ctx, id, a, store.StatusPending, t0, "HTTP 500"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	as, err := s.Attempts(ctx, id)
	if err != nil || len(as) != n {
		t.Fatalf("%d attempts, %v; want %d", len(as), err, n)
	}
	codes := map[int]bool{}
	for i, a := range as {
		if a.N != i+1 {
			t.Errorf("attempt %d numbered %d", i+1, a.N)
		}
		codes[a.StatusCode] = true
	}
	if len(codes) != n {
		t.Errorf("%d distinct attempts recorded, want %d", len(codes), n)
	}
	if d, err := s.Delivery(ctx, "k", id); err != nil || d.Attempts != n {
		t.Errorf("delivery: %+v, %v; want %d attempts", d, err, n)
	}
}

// Attempts: one delivery's attempts in order, not scoped by key; none for
// a delivery without any or an unknown one.
func Attempts(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	ids := seedDeliveries(t, s, "k", 2, t0)
	for i, code := range []int{500, 0, 200} {
		a := store.Attempt{At: t0.Add(time.Duration(i) * time.Second), StatusCode: code, Duration: time.Millisecond, Error: "e"}
		if err := s.CompleteAttempt(ctx, ids[0], a, store.StatusPending, t0, "e"); err != nil {
			t.Fatal(err)
		}
	}
	as, err := s.Attempts(ctx, ids[0])
	if err != nil || len(as) != 3 {
		t.Fatalf("Attempts = %+v, %v", as, err)
	}
	for i, a := range as {
		if a.N != i+1 || a.DeliveryID != ids[0] || a.StatusCode != []int{500, 0, 200}[i] ||
			!a.At.Equal(t0.Add(time.Duration(i)*time.Second)) || a.Duration != time.Millisecond || a.Error != "e" {
			t.Errorf("attempt %d: %+v", i, a)
		}
	}
	for _, id := range []string{ids[1], "msg_unknown"} {
		if as, err := s.Attempts(ctx, id); err != nil || len(as) != 0 {
			t.Errorf("Attempts(%s) = %+v, %v", id, as, err)
		}
	}
}

// DeliveriesScopedByKey: Deliveries and Delivery never show another key's.
func DeliveriesScopedByKey(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	// Two keys render the same parameters into their own renders; key A
	// also hits its own dedup entry once.
	ra, da := mustCreate(t, s, newRender("slugKA01", "keyA", "same"), true)
	_, da2 := mustCreate(t, s, newRender("slugKA02", "keyA", "same"), true) // dedup hit -> slugKA01
	_, db := mustCreate(t, s, newRender("slugKB01", "keyB", "same"), true)
	if err := s.CompleteAttempt(ctx, da.ID, store.Attempt{At: t0, StatusCode: 500}, store.StatusPending, t0.Add(time.Minute), "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteAttempt(ctx, db.ID, store.Attempt{At: t0, StatusCode: 200}, store.StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		key, slug string
		want      []string
	}{
		{"keyA", ra.Slug, []string{da.ID, da2.ID}},
		{"keyB", "slugKB01", []string{db.ID}},
		{"keyB", ra.Slug, nil}, // another key's slug
		{"keyA", "slugKB01", nil},
		{"keyC", ra.Slug, nil},
		{"keyA", "slugKA02", nil}, // the dedup hit's own slug was never stored
	}
	for _, tc := range cases {
		ds, attempts, err := s.Deliveries(ctx, tc.key, tc.slug)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.ID)
			if d.KeyID != tc.key {
				t.Errorf("%s/%s returned key %s's delivery", tc.key, tc.slug, d.KeyID)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("Deliveries(%s, %s) = %v, want %v", tc.key, tc.slug, got, want)
		}
		for id := range attempts {
			if !slices.Contains(want, id) {
				t.Errorf("Deliveries(%s, %s) leaked attempts of %s", tc.key, tc.slug, id)
			}
		}
	}
	_, attempts, _ := s.Deliveries(ctx, "keyA", ra.Slug)
	if len(attempts[da.ID]) != 1 || len(attempts[da2.ID]) != 0 {
		t.Errorf("attempts %v", attempts)
	}
	if _, err := s.Delivery(ctx, "keyB", da.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery with another key: %v", err)
	}
	if _, err := s.Delivery(ctx, "keyA", "msg_nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery unknown: %v", err)
	}
}

// Redeliver: a failed delivery of the key is pending again, due at now,
// its attempts numbered on.
func Redeliver(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	id := seedDeliveries(t, s, "k", 1, t0)[0]
	if err := s.CompleteAttempt(ctx, id, store.Attempt{At: t0, StatusCode: 500}, store.StatusFailed, time.Time{}, "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if ds, _ := s.LeaseDue(ctx, later, 10, time.Minute); len(ds) != 0 {
		t.Fatal("failed delivery was leased")
	}
	if err := s.Redeliver(ctx, "other", id, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Redeliver with another key: %v", err)
	}
	if err := s.Redeliver(ctx, "k", "msg_nope", later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Redeliver unknown: %v", err)
	}
	if err := s.Redeliver(ctx, "k", id, later); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Delivery(ctx, "k", id)
	if d.Status != store.StatusPending || !d.NextAttemptAt.Equal(later) || d.Attempts != 1 || !d.UpdatedAt.Equal(later) {
		t.Errorf("after Redeliver: %+v", d)
	}
	ds, err := s.LeaseDue(ctx, later, 10, time.Minute)
	if err != nil || len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("redelivered not leased: %v %v", ds, err)
	}
	// Redelivered while leased: it keeps its lease (not sent twice at once).
	if err := s.Redeliver(ctx, "k", id, later); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.LeaseDue(ctx, later, 10, time.Minute); len(ds) != 0 {
		t.Errorf("a leased delivery was leased again after Redeliver")
	}
	if err := s.CompleteAttempt(ctx, id, store.Attempt{At: later, StatusCode: 200}, store.StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	_, attempts, _ := s.Deliveries(ctx, "k", d.Slug)
	if as := attempts[id]; len(as) != 2 || as[1].N != 2 {
		t.Errorf("attempt numbering after Redeliver: %+v", as)
	}
}

// QueueStats: pending deliveries, and how overdue the most overdue is.
func QueueStats(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	if p, lag, err := s.QueueStats(ctx, t0); err != nil || p != 0 || lag != 0 {
		t.Fatalf("empty: %d %v %v", p, lag, err)
	}
	seedDeliveries(t, s, "a", 3, t0)
	ids := seedDeliveries(t, s, "b", 2, t0.Add(10*time.Second))
	if err := s.CompleteAttempt(ctx, ids[0], store.Attempt{At: t0}, store.StatusDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		now         time.Time
		wantPending int
		wantLag     time.Duration
	}{
		{t0.Add(-time.Second), 4, 0}, // nothing due yet
		{t0, 4, 0},
		{t0.Add(30 * time.Second), 4, 30 * time.Second},
		{t0.Add(30*time.Second + 1500*time.Microsecond), 4, 30*time.Second + time.Millisecond}, // milliseconds
	}
	for _, tc := range cases {
		p, lag, err := s.QueueStats(ctx, tc.now)
		if err != nil || p != tc.wantPending || lag != tc.wantLag {
			t.Errorf("QueueStats(%v) = %d, %v, %v; want %d, %v", tc.now, p, lag, err, tc.wantPending, tc.wantLag)
		}
	}
}

// Notifications (a store.Notifier's): a delivery queued by CreateRender,
// on a new render or a dedup hit, or woken by Redeliver wakes every
// subscriber; a subscription ends, its channel closed, with its context
// or the store.
func Notifications(t *testing.T, b Backend) {
	s := b.open(t)
	n, ok := s.(store.Notifier)
	if !ok {
		t.Skipf("%T is not a store.Notifier", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := n.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := n.Notifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wake := func(what string, chs ...<-chan struct{}) {
		t.Helper()
		for i, ch := range chs {
			select {
			case _, ok := <-ch:
				if !ok {
					t.Fatalf("%s: subscription %d closed", what, i)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: subscription %d not woken within 10 s", what, i)
			}
		}
	}
	_, d := mustCreate(t, s, newRender("note0001", "k", "n"), true)
	wake("CreateRender with a delivery", ch, ch2)
	mustCreate(t, s, newRender("note0002", "k", "n"), true)
	wake("a dedup hit with a delivery", ch, ch2)
	if err := s.CompleteAttempt(context.Background(), d.ID, store.Attempt{At: t0}, store.StatusFailed, time.Time{}, "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Redeliver(context.Background(), "k", d.ID, t0); err != nil {
		t.Fatal(err)
	}
	wake("Redeliver", ch, ch2)

	cancel()
	select {
	case _, ok := <-ch:
		if ok { // a wake-up that raced the cancel; the close follows
			if _, ok := <-ch; ok {
				t.Fatal("a cancelled subscription's channel is not closed")
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled subscription's channel is not closed within 10 s")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch2: // drained, or closed: closed is what follows either way
		if _, ok := <-ch2; ok {
			t.Fatal("a subscription survived Close")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a subscription's channel is not closed within 10 s of Close")
	}
	if _, err := n.Notifications(context.Background()); err == nil {
		t.Error("Notifications after Close succeeded")
	}
}
