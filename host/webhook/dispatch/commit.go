package dispatch

import (
	"context"
	"errors"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// committer records completions in batches: it waits for one, gathers more
// for up to commitDelay or until Batch, and commits them in one transaction.
// On quit it records what is still queued and exits.
func (d *Dispatcher) committer() {
	defer close(d.commitDone)
	batch := make([]completion, 0, d.cfg.Batch)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		batch = batch[:0]
		select {
		case c := <-d.comp:
			batch = append(batch, c)
		case <-d.quit:
			for {
				select {
				case c := <-d.comp:
					batch = append(batch, c)
					if len(batch) == d.cfg.Batch {
						d.flush(batch)
						batch = batch[:0]
					}
				default:
					d.flush(batch)
					return
				}
			}
		}
		timer.Reset(commitDelay)
	fill:
		for len(batch) < d.cfg.Batch {
			select {
			case c := <-d.comp:
				batch = append(batch, c)
			case <-timer.C:
				break fill
			case <-d.quit:
				break fill
			}
		}
		d.flush(batch)
	}
}

// flush commits a batch, retrying a failed transaction and then isolating
// a bad completion by committing one by one. Whatever still cannot be
// recorded stays leased in the store until the lease expires, and is then
// attempted again (at least once).
func (d *Dispatcher) flush(batch []completion) {
	if len(batch) == 0 {
		return
	}
	cs := make([]store.Completion, len(batch))
	for i, c := range batch {
		cs[i] = c.c
	}
	ok := make([]bool, len(batch))
	if err := d.commit(cs, 3); err == nil {
		for i := range ok {
			ok[i] = true
		}
	} else {
		d.logStoreError("record webhook attempts", err)
		for i := range cs {
			if d.commit(cs[i:i+1], 1) == nil {
				ok[i] = true
			} else {
				d.commitErrs.Add(1)
			}
		}
	}

	now := time.Now()
	retries := false
	d.mu.Lock()
	for i, c := range batch {
		d.release(c.it)
		if ok[i] && c.c.Status == store.StatusPending {
			retries = true
			if c.c.Next.After(now) {
				d.wakeAtLocked(c.c.Next)
			}
		}
	}
	d.nudgeLocked()
	d.mu.Unlock()
	if retries {
		d.Notify() // due now, or the lease loop recomputes its timer for the new wake-up times
	}
}

func (d *Dispatcher) commit(cs []store.Completion, tries int) error {
	var err error
	for try := range tries {
		if try > 0 {
			time.Sleep(time.Duration(try) * 50 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = d.st.CompleteAttempts(ctx, cs)
		cancel()
		if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			return err
		}
	}
	return err
}
