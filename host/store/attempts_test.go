package store

import (
	"context"
	"testing"
	"time"
)

func TestAttemptsOfOneDelivery(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	ids := seedDeliveries(t, s, "k", 2, t0)
	for i, code := range []int{500, 0, 200} {
		a := Attempt{At: t0.Add(time.Duration(i) * time.Second), StatusCode: code, Duration: time.Millisecond, Error: "e"}
		if err := s.CompleteAttempt(ctx, ids[0], a, StatusPending, t0, "e"); err != nil {
			t.Fatal(err)
		}
	}
	as, err := s.Attempts(ctx, ids[0])
	if err != nil || len(as) != 3 {
		t.Fatalf("Attempts = %+v, %v", as, err)
	}
	for i, a := range as {
		if a.N != i+1 || a.DeliveryID != ids[0] || a.StatusCode != []int{500, 0, 200}[i] ||
			!a.At.Equal(t0.Add(time.Duration(i)*time.Second)) || a.Duration != time.Millisecond {
			t.Errorf("attempt %d: %+v", i, a)
		}
	}
	for _, id := range []string{ids[1], "msg_unknown"} {
		if as, err := s.Attempts(ctx, id); err != nil || len(as) != 0 {
			t.Errorf("Attempts(%s) = %+v, %v", id, as, err)
		}
	}
}
