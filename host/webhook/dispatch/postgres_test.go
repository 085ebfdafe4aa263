package dispatch

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/storetest"
)

// TestMain stops the throwaway PostgreSQL the Postgres tests start.
func TestMain(m *testing.M) {
	code := m.Run()
	storetest.StopPostgres()
	os.Exit(code)
}

// openPG opens a store handle on url: each handle is one host's view of the
// shared database (its own pool and LISTEN connection).
func openPG(t testing.TB, url string) *store.Postgres {
	t.Helper()
	p, err := store.OpenPostgres(context.Background(), url, store.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// pgConfig is fastConfig with the production poll: automatic, so the
// dispatchers poll every DefaultSafetyPoll while subscribed.
func pgConfig() Config {
	cfg := fastConfig()
	cfg.PollInterval = 0
	return cfg
}

// idReceiver counts the requests per webhook-id and notes when each first
// arrived.
type idReceiver struct {
	*receiver
	mu    sync.Mutex
	count map[string]int
	first map[string]time.Time
}

func newIDReceiver(t testing.TB) *idReceiver {
	r := &idReceiver{count: map[string]int{}, first: map[string]time.Time{}}
	r.receiver = newReceiver(t, func(_ int, w http.ResponseWriter, req *http.Request) {
		id := req.Header.Get("webhook-id")
		r.mu.Lock()
		if r.count[id] == 0 {
			r.first[id] = time.Now()
		}
		r.count[id]++
		r.mu.Unlock()
		w.WriteHeader(200)
	})
	return r
}

func (r *idReceiver) arrived(id string) (time.Time, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first[id], r.count[id]
}

func (r *idReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.count)
}

// TestPostgresNotificationWakesDispatcher: a render queued on another host
// (another store handle) is delivered on the NOTIFY, long before the
// dispatcher's 5 s safety poll; nothing calls Notify.
func TestPostgresNotificationWakesDispatcher(t *testing.T) {
	url := storetest.StartPostgres(t)
	hostA, hostB := openPG(t, url), openPG(t, url)
	rc := newIDReceiver(t)
	x := run(t, hostA, loopback(), pgConfig())
	waitFor(t, 10*time.Second, "the subscription", func() bool { return x.d.Stats().Subscribed })
	if x.d.slowPoll != DefaultSafetyPoll {
		t.Fatalf("poll interval while subscribed: %s, want %s", x.d.slowPoll, DefaultSafetyPoll)
	}
	var worst time.Duration
	for i := range 5 {
		// The lease loop is asleep in its slow poll by now.
		time.Sleep(300 * time.Millisecond)
		enqueuer := store.Store(hostB)
		if i%2 == 1 {
			enqueuer = hostA // the dispatcher's own host: the same path
		}
		_, d := enqueue(t, enqueuer, rc.URL+"/hook", "whsec_dGVzdA==")
		queued := time.Now()
		waitFor(t, 10*time.Second, "the webhook", func() bool { _, n := rc.arrived(d.ID); return n > 0 })
		at, _ := rc.arrived(d.ID)
		took := at.Sub(queued)
		t.Logf("delivery %d (queued on host %c): at the receiver %s after CreateRender returned", i, "BA"[i%2], took.Round(100*time.Microsecond))
		worst = max(worst, took)
	}
	if worst > DefaultSafetyPoll/5 {
		t.Errorf("slowest wake-up %s: not woken by the notification (poll %s)", worst, DefaultSafetyPoll)
	}
	if s := x.d.Stats(); s.Notified < 5 {
		t.Errorf("%d notifications received, want at least 5", s.Notified)
	}
}

// TestPostgresFirstDelay: with a first delay in the schedule the
// notification comes when the delivery is queued; the dispatcher wakes when
// it is due, not at its next safety poll.
func TestPostgresFirstDelay(t *testing.T) {
	url := storetest.StartPostgres(t)
	hostA, hostB := openPG(t, url), openPG(t, url)
	rc := newIDReceiver(t)
	cfg := pgConfig()
	const delay = 700 * time.Millisecond
	cfg.Schedule[0] = delay
	x := run(t, hostA, loopback(), cfg)
	waitFor(t, 10*time.Second, "the subscription", func() bool { return x.d.Stats().Subscribed })
	var d *store.Delivery
	slug := "fd000001"
	_, _, err := hostB.CreateRender(context.Background(), &store.Render{Slug: slug, KeyID: testKey, Template: "blog", Canonical: slug, PNG: []byte("png")},
		func(r *store.Render, cached bool) (*store.Delivery, error) {
			d = &store.Delivery{URL: rc.URL + "/hook", Secret: "whsec_dGVzdA==", Payload: []byte(`{}`), NextAttemptAt: time.Now().Add(delay)}
			return d, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	queued := time.Now()
	waitFor(t, 10*time.Second, "the webhook", func() bool { _, n := rc.arrived(d.ID); return n > 0 })
	at, _ := rc.arrived(d.ID)
	took := at.Sub(queued)
	t.Logf("first delay %s: at the receiver %s after CreateRender returned", delay, took.Round(time.Millisecond))
	if took < delay-50*time.Millisecond || took > delay+time.Second {
		t.Errorf("delivered %s after queueing, want about %s (not the %s poll)", took, delay, DefaultSafetyPoll)
	}
}

// TestPostgresTwoHostsDeliverOnce: two dispatchers on two store handles of
// one database (two hosts) share the queue; each of N deliveries reaches
// the receiver exactly once and is recorded delivered after one attempt.
func TestPostgresTwoHostsDeliverOnce(t *testing.T) {
	url := storetest.StartPostgres(t)
	hostA, hostB := openPG(t, url), openPG(t, url)
	rc := newIDReceiver(t)
	a, b := run(t, hostA, loopback(), pgConfig()), run(t, hostB, loopback(), pgConfig())
	waitFor(t, 10*time.Second, "the subscriptions", func() bool { return a.d.Stats().Subscribed && b.d.Stats().Subscribed })
	const n = 300
	type queued struct{ slug, id string }
	var all []queued
	start := time.Now()
	for i := range n {
		st := store.Store(hostA)
		if i%2 == 1 {
			st = hostB
		}
		r, d := enqueue(t, st, rc.URL+"/hook", "whsec_dGVzdA==")
		all = append(all, queued{r.Slug, d.ID})
	}
	waitFor(t, 60*time.Second, "every delivery at the receiver", func() bool { return rc.distinct() == n })
	t.Logf("%d deliveries queued and delivered in %s", n, time.Since(start).Round(time.Millisecond))
	for _, q := range all {
		waitStatus(t, hostA, q.slug, q.id, store.StatusDelivered, 1, 10*time.Second)
	}
	time.Sleep(200 * time.Millisecond) // a double would have arrived by now
	for _, q := range all {
		if _, count := rc.arrived(q.id); count != 1 {
			t.Errorf("delivery %s arrived %d times", q.id, count)
		}
		if _, as := delivery(t, hostB, q.slug, q.id); len(as) != 1 {
			t.Errorf("delivery %s: %d attempts recorded", q.id, len(as))
		}
	}
	sa, sb := a.d.Stats(), b.d.Stats()
	t.Logf("host A delivered %d, host B %d", sa.Delivered, sb.Delivered)
	if sa.Delivered+sb.Delivered != n {
		t.Errorf("delivered %d + %d, want %d in all", sa.Delivered, sb.Delivered, n)
	}
	if sa.Delivered == 0 || sb.Delivered == 0 {
		t.Errorf("one host did all the work: %d and %d", sa.Delivered, sb.Delivered)
	}
}

// TestPostgresDeadHostLeaseTakenOver: a host leases a delivery and dies
// before attempting it (LeaseDue never completed); once the lease expires,
// another host's dispatcher takes it over at its safety poll and delivers
// it, once.
func TestPostgresDeadHostLeaseTakenOver(t *testing.T) {
	url := storetest.StartPostgres(t)
	dead, alive := openPG(t, url), openPG(t, url)
	rc := newIDReceiver(t)
	r, d := enqueue(t, dead, rc.URL+"/hook", "whsec_dGVzdA==")
	const lease = 2 * time.Second
	leased, err := dead.LeaseDue(context.Background(), time.Now(), 10, lease)
	if err != nil || len(leased) != 1 || leased[0].ID != d.ID {
		t.Fatalf("the dead host's lease: %v, %v", leased, err)
	}
	expires := leased[0].LeasedUntil
	dead.Close() // the host is gone; its lease stays in the database

	x := run(t, alive, loopback(), pgConfig())
	waitFor(t, 10*time.Second, "the subscription", func() bool { return x.d.Stats().Subscribed })
	waitFor(t, lease+DefaultSafetyPoll+5*time.Second, "the taken-over delivery", func() bool { _, n := rc.arrived(d.ID); return n > 0 })
	at, _ := rc.arrived(d.ID)
	t.Logf("delivered %s after the dead host's lease expired", at.Sub(expires).Round(time.Millisecond))
	if at.Before(expires) {
		t.Errorf("delivered at %s, before the dead host's lease expired at %s", at, expires)
	}
	got, as := waitStatus(t, alive, r.Slug, d.ID, store.StatusDelivered, 1, 10*time.Second)
	if got.Attempts != 1 || len(as) != 1 {
		t.Errorf("after the takeover: %d attempts, %d recorded; want 1", got.Attempts, len(as))
	}
	if _, n := rc.arrived(d.ID); n != 1 {
		t.Errorf("arrived %d times", n)
	}
}
