package dispatch

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

func TestRoundStart(t *testing.T) {
	const size = 3
	for _, tc := range []struct {
		name  string
		codes []int // status codes of the log; 0: no answer
		want  int
	}{
		{"empty", nil, 0},
		{"first round, retrying", []int{500, 0}, 0},
		{"delivered", []int{500, 200}, 2},
		{"stopped", []int{410}, 1},
		{"failed", []int{500, 0, 503}, 3},
		{"redelivery of a failed one, retrying", []int{500, 0, 503, 500}, 3},
		{"redelivery of a delivered one, retrying", []int{204, 500, 500}, 1},
		{"two redeliveries", []int{500, 500, 500, 200, 0, 0, 0, 404}, 7},
		{"a redelivery while pending continues the round", []int{500, 500}, 0},
	} {
		var log []store.Attempt
		for _, c := range tc.codes {
			log = append(log, store.Attempt{StatusCode: c})
		}
		if got := roundStart(log, size); got != tc.want {
			t.Errorf("%s: roundStart = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestRedeliveryGetsItsOwnRound: a redelivery of a failed delivery, and of a
// delivered one, gets the whole schedule again (3 attempts here); the
// attempt numbers keep counting.
func TestRedeliveryGetsItsOwnRound(t *testing.T) {
	var ok atomic.Bool
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if ok.Load() {
			w.WriteHeader(200)
			return
		}
		w.WriteHeader(500)
	})
	st := openStore(t)
	cfg := fastConfig()
	cfg.Schedule = []time.Duration{0, 20 * time.Millisecond, 20 * time.Millisecond}
	x := run(t, st, loopback(), cfg)
	r, d := enqueue(t, st, rc.URL, secret)
	x.d.Notify()
	waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 3, 5*time.Second)

	redeliver := func() {
		t.Helper()
		if err := st.Redeliver(context.Background(), testKey, d.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		x.d.Notify()
	}
	// Failed, redelivered: three more attempts, then failed again.
	redeliver()
	got, as := waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 6, 5*time.Second)
	if got.Attempts != 6 || len(as) != 6 || as[5].N != 6 {
		t.Fatalf("after the failed round's redelivery: %d attempts %+v", got.Attempts, as)
	}
	// Delivered on the next redelivery's first attempt.
	ok.Store(true)
	redeliver()
	waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 7, 5*time.Second)
	// Delivered, redelivered to a failing receiver: three attempts.
	ok.Store(false)
	redeliver()
	got, _ = waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 10, 5*time.Second)
	if got.Attempts != 10 || len(rc.got()) != 10 {
		t.Fatalf("after the delivered one's redelivery: %d attempts, %d requests", got.Attempts, len(rc.got()))
	}
}
