package dispatch

import (
	"context"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// Rounds. A delivery's attempts come in rounds: the first round starts when
// it is enqueued, and a redelivery of a delivery that was delivered, failed
// or stopped starts another one (a redelivery of a pending delivery only
// moves its next attempt to now). Each round gets the whole schedule:
// len(Schedule) attempts at most. Attempt numbers keep counting across
// rounds, so the store records no round; it follows from the attempt log.

// roundLookupTimeout bounds the store read of roundPosition.
const roundLookupTimeout = 5 * time.Second

// roundPosition returns the number, within its round, of the attempt dl
// just had with result r (1 for the first). Only a failed attempt of a
// delivery that had attempts before needs the log (nothing else depends on
// the position); if it cannot be read, the attempt counts as the next of
// the first round, as if there had been no redelivery.
func (d *Dispatcher) roundPosition(dl *store.Delivery, r result) int {
	if dl.Attempts == 0 || r.delivered() || r.gone() {
		return dl.Attempts + 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), roundLookupTimeout)
	defer cancel()
	log, err := d.st.Attempts(ctx, dl.ID)
	if err != nil {
		d.logStoreError("read the attempt log of "+dl.ID, err)
		return dl.Attempts + 1
	}
	return len(log) - roundStart(log, len(d.cfg.Schedule)) + 1
}

// roundStart returns the index in log of the first attempt of the current
// round, for rounds of at most size attempts: a round ends with a 2xx or a
// 410 answer, or after size attempts (the delivery failed); an attempt
// after that belongs to a redelivery's round.
func roundStart(log []store.Attempt, size int) int {
	start := 0
	for i, a := range log {
		ended := a.StatusCode == 410 || (a.StatusCode >= 200 && a.StatusCode < 300) || i+1-start >= size
		if ended {
			start = i + 1
		}
	}
	return start
}
