// Package queuebench measures ogmint's webhook queue against River
// (github.com/riverqueue/river) on the same throwaway PostgreSQL, for the
// decision in docs/benchmarks.md ("Queue: ours vs River"). It is a module
// of its own so that River stays out of ogmint's dependencies.
//
// Each round, on a new database: enqueue N items one transaction each
// from 8 goroutines (ours: store.CreateRender with a tiny image and a
// delivery, as the API does; River: Client.Insert of a no-op job), then
// drain them with two "hosts" (two store handles or two River clients,
// each with its own pool) and no HTTP (ours: the dispatcher's path, a
// lease loop taking LeaseDue batches of 64 and a committer recording
// CompleteAttempts batches of up to 64; River: no-op workers). Both are
// timed until every item is recorded done in the database, and checked:
// every item done exactly once (one attempt), none lost.
//
//	cd scripts/queue-bench && go test -run . -v -timeout 30m
//
// QUEUE_BENCH_N (10000) and QUEUE_BENCH_ROUNDS (3) change the size;
// OGMINT_TEST_POSTGRES_URL names a server to use instead of a throwaway one.
// The SQLite rows (ours on store.SQLite, River on riversqlite) run once.
package queuebench

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.StopPostgres()
	os.Exit(code)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

const (
	producers = 8  // enqueueing goroutines
	hosts     = 2  // draining hosts
	batch     = 64 // the dispatcher's lease and commit batch
)

type result struct {
	enqueue, drain time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("enqueue %s, drain %s", r.enqueue.Round(time.Millisecond), r.drain.Round(time.Millisecond))
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// TestQueueOursVsRiver runs the rounds and prints a table.
func TestQueueOursVsRiver(t *testing.T) {
	n, rounds := envInt("QUEUE_BENCH_N", 10000), envInt("QUEUE_BENCH_ROUNDS", 3)
	type row struct {
		name string
		res  []result
	}
	var rows []row
	add := func(name string, f func(t *testing.T) result, times int) {
		r := row{name: name}
		for i := range times {
			t.Run(fmt.Sprintf("%s/%d", name, i+1), func(t *testing.T) {
				res := f(t)
				t.Logf("%s round %d: %s (%.0f/s enqueue, %.0f/s drain)", name, i+1, res, rate(n, res.enqueue), rate(n, res.drain))
				r.res = append(r.res, res)
			})
		}
		rows = append(rows, r)
	}
	add("ours, Postgres", func(t *testing.T) result { return oursPG(t, n) }, rounds)
	add("River defaults, Postgres", func(t *testing.T) result { return riverPG(t, n, river.QueueConfig{MaxWorkers: 100}, 0) }, rounds)
	add("River tuned, Postgres", func(t *testing.T) result {
		return riverPG(t, n, river.QueueConfig{MaxWorkers: 1000}, 5*time.Millisecond)
	}, rounds)
	add("ours, SQLite", func(t *testing.T) result { return oursSQLite(t, n) }, 1)
	add("River, riversqlite", func(t *testing.T) result { return riverSQLite(t, n) }, 1)

	fmt.Printf("\nN = %d; enqueue: %d goroutines, one transaction per item; drain: %d hosts (SQLite: 1), no HTTP\n\n", n, producers, hosts)
	fmt.Println("| queue | enqueue/s (each round) | drained/s (each round) |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		var enq, dr string
		for i, res := range r.res {
			if i > 0 {
				enq, dr = enq+", ", dr+", "
			}
			enq += fmt.Sprintf("%.0f", rate(n, res.enqueue))
			dr += fmt.Sprintf("%.0f", rate(n, res.drain))
		}
		fmt.Printf("| %s | %s | %s |\n", r.name, enq, dr)
	}
}

// parallel runs f(i) for i in [0, n) from producers goroutines.
func parallel(t *testing.T, n int, f func(i int) error) time.Duration {
	t.Helper()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return took
}

// enqueueOurs queues n deliveries the way the API does.
func enqueueOurs(t *testing.T, st store.Store, n int) time.Duration {
	ctx := context.Background()
	return parallel(t, n, func(i int) error {
		slug := fmt.Sprintf("q%07d", i)
		_, _, err := st.CreateRender(ctx, &store.Render{Slug: slug, KeyID: "k", DedupHash: sha256.Sum256([]byte(slug)),
			Template: "blog", Canonical: slug, PNG: []byte("png")}, func(*store.Render, bool) (*store.Delivery, error) {
			return &store.Delivery{URL: "http://127.0.0.1:9/hook", Secret: "whsec_dGVzdA==", Payload: []byte(`{"type":"render.completed"}`)}, nil
		})
		return err
	})
}

// drainOurs works every due delivery off the store handles as the
// dispatcher does, without HTTP: per handle a lease loop (LeaseDue
// batches) and a committer (CompleteAttempts batches), until n are
// recorded. It fails on a delivery completed twice.
func drainOurs(t *testing.T, handles []store.Store, n int) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu    sync.Mutex
		seen  = map[string]bool{}
		dupes int
		done  atomic.Int64
	)
	finished := make(chan struct{})
	var once sync.Once
	errc := make(chan error, 2*len(handles))
	start := time.Now()
	for _, st := range handles {
		leased := make(chan *store.Delivery, 4*batch)
		go func() { // lease loop
			defer close(leased)
			for ctx.Err() == nil {
				ds, err := st.LeaseDue(ctx, time.Now(), batch, 30*time.Second)
				if err != nil {
					if ctx.Err() == nil {
						errc <- err
					}
					return
				}
				for _, d := range ds {
					leased <- d
				}
				if len(ds) == 0 {
					select { // drained: the real loop waits for a notification
					case <-ctx.Done():
					case <-time.After(5 * time.Millisecond):
					}
				}
			}
		}()
		go func() { // committer
			cs := make([]store.Completion, 0, batch)
			for d := range leased {
				cs = append(cs[:0], complete(d))
			fill:
				for len(cs) < batch {
					select {
					case d, ok := <-leased:
						if !ok {
							break fill
						}
						cs = append(cs, complete(d))
					default:
						break fill
					}
				}
				if err := st.CompleteAttempts(context.Background(), cs); err != nil {
					errc <- err
					return
				}
				mu.Lock()
				for _, c := range cs {
					if seen[c.ID] {
						dupes++
					}
					seen[c.ID] = true
				}
				mu.Unlock()
				if done.Add(int64(len(cs))) >= int64(n) {
					once.Do(func() { close(finished) })
				}
			}
		}()
	}
	select {
	case <-finished:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(10 * time.Minute):
		t.Fatalf("drained %d of %d in 10 minutes", done.Load(), n)
	}
	took := time.Since(start)
	cancel()
	if dupes > 0 || len(seen) != n {
		t.Fatalf("%d distinct deliveries completed, %d twice; want %d once each", len(seen), dupes, n)
	}
	return took
}

func complete(d *store.Delivery) store.Completion {
	now := time.Now()
	return store.Completion{ID: d.ID, Status: store.StatusDelivered,
		Attempt: store.Attempt{At: now, StatusCode: 200, Duration: time.Millisecond}}
}

func oursPG(t *testing.T, n int) result {
	url := storetest.StartPostgres(t)
	var handles []store.Store
	for range hosts {
		p, err := store.OpenPostgres(context.Background(), url, store.PostgresOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		handles = append(handles, p)
	}
	res := result{enqueue: enqueueOurs(t, handles[0], n)}
	res.drain = drainOurs(t, handles, n)
	pool := pgPool(t, url)
	var delivered, attempts int
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM deliveries WHERE status = 'delivered' AND attempts = 1),
		(SELECT count(*) FROM attempts)`).Scan(&delivered, &attempts); err != nil {
		t.Fatal(err)
	}
	if delivered != n || attempts != n {
		t.Fatalf("in the database: %d delivered after one attempt, %d attempts; want %d", delivered, attempts, n)
	}
	return res
}

func oursSQLite(t *testing.T, n int) result {
	st, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	res := result{enqueue: enqueueOurs(t, st, n)}
	res.drain = drainOurs(t, []store.Store{st}, n)
	pending, _, err := st.QueueStats(context.Background(), time.Now())
	if err != nil || pending != 0 {
		t.Fatalf("pending after the drain: %d, %v", pending, err)
	}
	return res
}

func pgPool(t *testing.T, url string) *pgxpool.Pool {
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NoopArgs is the River job: nothing to do.
type NoopArgs struct {
	I int `json:"i"`
}

func (NoopArgs) Kind() string { return "noop" }

// noopWorker counts the jobs it works and the ones it sees twice.
type noopWorker struct {
	river.WorkerDefaults[NoopArgs]
	seen          sync.Map
	done, repeats atomic.Int64
}

func (w *noopWorker) Work(ctx context.Context, job *river.Job[NoopArgs]) error {
	if _, dup := w.seen.LoadOrStore(job.ID, true); dup || job.Attempt != 1 {
		w.repeats.Add(1)
	}
	w.done.Add(1)
	return nil
}

func riverPG(t *testing.T, n int, queue river.QueueConfig, cooldown time.Duration) result {
	ctx := context.Background()
	url := storetest.StartPostgres(t)
	check := pgPool(t, url)
	var drivers []riverdriver.Driver[pgx.Tx]
	for range hosts {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		cfg.MaxConns = 10 // as store.PostgresOptions' default
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		drivers = append(drivers, riverpgxv5.New(p))
	}
	return runRiver(t, n, drivers, queue, cooldown, func() (int, error) {
		var done int
		err := check.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'completed' AND attempt = 1`).Scan(&done)
		return done, err
	})
}

func riverSQLite(t *testing.T, n int) result {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "river.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // riversqlite's advice: River's parallel operations otherwise meet SQLITE_BUSY
	t.Cleanup(func() { db.Close() })
	return runRiver(t, n, []riverdriver.Driver[*sql.Tx]{riversqlite.New(db)}, river.QueueConfig{MaxWorkers: 100}, 0, func() (int, error) {
		var done int
		err := db.QueryRow(`SELECT count(*) FROM river_job WHERE state = 'completed' AND attempt = 1`).Scan(&done)
		return done, err
	})
}

// runRiver migrates River's schema, inserts n no-op jobs through the first
// driver's client, then starts a client per driver and times until count
// (jobs recorded completed after one attempt) reaches n.
func runRiver[TTx any](t *testing.T, n int, drivers []riverdriver.Driver[TTx], queue river.QueueConfig, cooldown time.Duration,
	count func() (int, error)) result {
	ctx := context.Background()
	migrator, err := rivermigrate.New(drivers[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	w := &noopWorker{}
	var clients []*river.Client[TTx]
	for _, d := range drivers {
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		c, err := river.NewClient(d, &river.Config{
			Queues:        map[string]river.QueueConfig{river.QueueDefault: queue},
			Workers:       workers,
			FetchCooldown: cooldown,
			Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	res := result{enqueue: parallel(t, n, func(i int) error {
		_, err := clients[0].Insert(ctx, NoopArgs{I: i}, nil)
		return err
	})}
	start := time.Now()
	for _, c := range clients {
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deadline := start.Add(10 * time.Minute)
	for {
		done, err := count()
		if err != nil {
			t.Fatal(err)
		}
		if done == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs completed in 10 minutes (%d worked)", done, n, w.done.Load())
		}
		time.Sleep(2 * time.Millisecond)
	}
	res.drain = time.Since(start)
	for _, c := range clients {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := c.Stop(sctx); err != nil {
			t.Error(err)
		}
		cancel()
	}
	if got, rep := w.done.Load(), w.repeats.Load(); got != int64(n) || rep != 0 {
		t.Fatalf("worked %d jobs, %d of them again; want %d once each", got, rep, n)
	}
	return res
}
