// Command webhook-bench measures sustained webhook delivery through the
// durable queue: deliveries are enqueued into a real SQLite store at a
// steady rate, host/webhook/dispatch delivers them to a fasthttp receiver
// on 127.0.0.1 in the same process, and the receiver records when each
// webhook-id first arrives. Reported: delivered/s over the enqueue window
// and enqueue-to-delivered latency percentiles.
//
// Enqueue modes:
//   - batch (default): a producer inserts the rows due every -tick in one
//     transaction, through its own SQLite connection to the store's file
//     (the store has no batch insert: store.CreateRender is one durable
//     transaction, one fsync, per render). Latency is measured from each
//     delivery's scheduled arrival time, so it includes the wait for its
//     batch and the commit.
//   - create: store.CreateRender with a delivery builder per render (tiny
//     PNG), from -producers goroutines, as the API does; latency from the
//     moment CreateRender returned. Shows the per-render fsync ceiling.
//
// Traffic goes to 127.0.0.1 only, and the run stops by itself.
//
//	go run ./scripts/webhook-bench -rate 2500 -duration 10s
package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	_ "modernc.org/sqlite"

	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
	"github.com/ogmint/ogmint/host/webhook/dispatch"
)

const keyID = "bench-key"

func main() {
	rate := flag.Int("rate", 2500, "deliveries enqueued per second")
	duration := flag.Duration("duration", 10*time.Second, "enqueue for this long")
	drain := flag.Duration("drain", 15*time.Second, "wait at most this long after enqueueing for the rest to arrive")
	mode := flag.String("mode", "batch", "enqueue mode: batch or create")
	tick := flag.Duration("tick", 5*time.Millisecond, "batch mode: insert the due rows this often")
	producers := flag.Int("producers", 8, "create mode: concurrent CreateRender callers")
	workers := flag.Int("workers", dispatch.DefaultWorkers, "dispatcher workers")
	perEndpoint := flag.Int("per-endpoint", dispatch.DefaultPerEndpoint, "dispatcher per-endpoint limit")
	receiverDelay := flag.Duration("receiver-delay", 0, "receiver processing time per request")
	dir := flag.String("dir", "", "data directory (default: a temporary one, removed afterwards)")
	dbURL := flag.String("database-url", os.Getenv("OGMINT_DATABASE_URL"), "a PostgreSQL database to use instead of SQLite (create mode only; its tables are written to)")
	flag.Parse()
	if *dbURL != "" && *mode != "create" {
		fmt.Fprintln(os.Stderr, "webhook-bench: -database-url needs -mode create (batch inserts into SQLite's file)")
		os.Exit(2)
	}
	databaseURL = *dbURL
	if *mode != "batch" && *mode != "create" {
		fmt.Fprintln(os.Stderr, "webhook-bench: -mode is batch or create")
		os.Exit(2)
	}
	if err := run(*rate, *duration, *drain, *mode, *tick, *producers, *workers, *perEndpoint, *receiverDelay, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "webhook-bench:", err)
		os.Exit(1)
	}
}

// databaseURL selects the PostgreSQL store (-database-url).
var databaseURL string

// tracker pairs enqueue times with arrival times by webhook-id.
type tracker struct {
	mu        sync.Mutex
	enqueued  map[string]time.Time
	latencies []time.Duration
	arrivals  []time.Time
	dups      int
	unknown   int
}

func (tr *tracker) enqueue(id string, at time.Time) {
	tr.mu.Lock()
	tr.enqueued[id] = at
	tr.mu.Unlock()
}

func (tr *tracker) arrive(id string, at time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	t0, ok := tr.enqueued[id]
	switch {
	case !ok:
		tr.unknown++ // arrived before its enqueue was recorded: counted when it is
		tr.enqueued[id] = time.Time{}
	case t0.IsZero():
		tr.dups++
	default:
		tr.latencies = append(tr.latencies, at.Sub(t0))
		tr.arrivals = append(tr.arrivals, at)
		tr.enqueued[id] = time.Time{}
	}
}

func run(rate int, duration, drain time.Duration, mode string, tick time.Duration, producers, workers, perEndpoint int,
	receiverDelay time.Duration, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "webhook-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ctx := context.Background()
	var st store.Store
	if databaseURL != "" {
		pg, err := store.OpenPostgres(ctx, databaseURL, store.PostgresOptions{MaxConns: int32(producers + 4)})
		if err != nil {
			return err
		}
		st = pg
	} else {
		lite, err := store.OpenSQLite(ctx, dir, store.Options{})
		if err != nil {
			return err
		}
		st = lite
	}
	defer st.Close()

	tr := &tracker{enqueued: make(map[string]time.Time, rate*int(duration/time.Second+1))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var hits atomic.Int64
	recv := &fasthttp.Server{Handler: func(c *fasthttp.RequestCtx) {
		now := time.Now()
		hits.Add(1)
		if receiverDelay > 0 {
			time.Sleep(receiverDelay)
		}
		tr.arrive(string(c.Request.Header.Peek("webhook-id")), now)
		c.SetStatusCode(200)
	}}
	go recv.Serve(ln)
	defer recv.Shutdown()
	hookURL := "http://" + ln.Addr().String() + "/hook"

	m := metrics.New(nil, nil)
	guard := ssrf.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	cfg := dispatch.Config{Workers: workers, PerEndpoint: perEndpoint, UserAgent: webhook.UserAgent("bench")}
	d := dispatch.New(st, guard, m, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- d.Run(dctx) }()

	// One render for the batch producer's rows to point at.
	render := &store.Render{Slug: "bench000", KeyID: keyID, DedupHash: sha256.Sum256([]byte("bench")),
		Template: "blog", Canonical: "bench", PNG: []byte("png")}
	if _, _, err := st.CreateRender(ctx, render, nil); err != nil {
		return err
	}
	payload := func(seq int, slug string) []byte {
		return webhook.Payload{URL: "https://ogmint.test/i/" + slug, Slug: slug, Template: "blog",
			Metadata: []byte(`{"seq":` + strconv.Itoa(seq) + `}`), CreatedAt: time.Now()}.Body()
	}
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

	fmt.Printf("webhook-bench: mode=%s rate=%d/s duration=%s workers=%d per-endpoint=%d GOMAXPROCS=%d\n",
		mode, rate, duration, workers, perEndpoint, runtime.GOMAXPROCS(0))
	start := time.Now()
	var enqueued int
	var enqueueErr error
	switch mode {
	case "batch":
		enqueued, enqueueErr = produceBatches(ctx, st.(*store.SQLite).Path(), tr, d, rate, duration, tick, start, hookURL, secret, render.Slug, payload)
	case "create":
		enqueued, enqueueErr = produceRenders(ctx, st, tr, d, rate, duration, producers, start, hookURL, secret, payload)
	}
	window := time.Since(start)
	if enqueueErr != nil {
		stop()
		<-done
		return enqueueErr
	}
	inWindow := hits.Load()
	deadline := time.Now().Add(drain)
	for time.Now().Before(deadline) {
		tr.mu.Lock()
		n := len(tr.latencies)
		tr.mu.Unlock()
		if n >= enqueued {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	pending, _, _ := st.QueueStats(ctx, time.Now())
	s := d.Stats()

	tr.mu.Lock()
	lat := slices.Clone(tr.latencies)
	arr := slices.Clone(tr.arrivals)
	dups, unknown := tr.dups, tr.unknown
	tr.mu.Unlock()
	slices.Sort(lat)
	slices.SortFunc(arr, func(a, b time.Time) int { return a.Compare(b) })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	// Sustained rate: arrivals in the steady part of the window (after the
	// first second, up to the end of enqueueing) per second.
	steadyFrom, steadyTo := start.Add(time.Second), start.Add(window)
	steady := 0
	for _, a := range arr {
		if !a.Before(steadyFrom) && a.Before(steadyTo) {
			steady++
		}
	}
	last := time.Duration(0)
	if len(arr) > 0 {
		last = arr[len(arr)-1].Sub(start)
	}
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	}
	fmt.Printf("enqueued:   %d in %s (%.0f/s)\n", enqueued, window.Round(time.Millisecond), float64(enqueued)/window.Seconds())
	fmt.Printf("delivered:  %d (%d during enqueueing), last at +%s; duplicates %d, pending left %d\n",
		len(lat), inWindow, last.Round(time.Millisecond), dups+unknown, pending)
	fmt.Printf("sustained:  %.0f deliveries/s (arrivals between +1s and the end of enqueueing)\n",
		float64(steady)/steadyTo.Sub(steadyFrom).Seconds())
	fmt.Printf("latency:    p50 %s  p90 %s  p99 %s  p99.9 %s  max %s (enqueue to first arrival)\n",
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(0.999)), ms(pct(1)))
	fmt.Printf("dispatcher: %d leased, %d attempts, %d delivered, %d retried, %d deferred, %d commit errors\n",
		s.Leased, s.Attempts, s.Delivered, s.Retried, s.Deferred, s.CommitErrors)
	if len(lat) < enqueued {
		return fmt.Errorf("%d of %d deliveries did not arrive within the drain time", enqueued-len(lat), enqueued)
	}
	return nil
}

// produceBatches inserts, every tick, the deliveries whose scheduled time
// has come, in one transaction on its own connection, then wakes the
// dispatcher. A delivery's enqueue time is its scheduled time.
func produceBatches(ctx context.Context, dbPath string, tr *tracker, d *dispatch.Dispatcher, rate int, duration, tick time.Duration,
	start time.Time, hookURL, secret, slug string, payload func(int, string) []byte) (int, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Clean(dbPath)}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	total := int(float64(rate) * duration.Seconds())
	interval := time.Second / time.Duration(rate)
	seq := 0
	t := time.NewTicker(tick)
	defer t.Stop()
	for seq < total {
		<-t.C
		due := min(total, int(time.Since(start)/interval)+1)
		if due <= seq {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return seq, err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (id, slug, key_id, url, secret, payload, status, attempts,
			next_attempt_at, leased_until, created_at, updated_at, last_error) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?, ?, '')`)
		if err != nil {
			tx.Rollback()
			return seq, err
		}
		type row struct {
			id string
			at time.Time
		}
		rows := make([]row, 0, due-seq)
		for ; seq < due; seq++ {
			at := start.Add(time.Duration(seq) * interval)
			id := store.NewDeliveryID(at)
			now := time.Now().UnixMilli()
			if _, err := ins.ExecContext(ctx, id, slug, keyID, hookURL, secret, payload(seq, slug), now, now, now); err != nil {
				tx.Rollback()
				return seq, err
			}
			rows = append(rows, row{id, at})
		}
		ins.Close()
		// Recorded before the commit so an arrival never precedes it.
		for _, r := range rows {
			tr.enqueue(r.id, r.at)
		}
		if err := tx.Commit(); err != nil {
			return seq, err
		}
		d.Notify()
	}
	return seq, nil
}

// produceRenders calls store.CreateRender with a delivery builder, one
// durable transaction per render as the API does, paced to rate. A
// delivery's enqueue time is when CreateRender returned.
func produceRenders(ctx context.Context, st store.Store, tr *tracker, d *dispatch.Dispatcher, rate int, duration time.Duration, producers int,
	start time.Time, hookURL, secret string, payload func(int, string) []byte) (int, error) {
	total := int(float64(rate) * duration.Seconds())
	interval := time.Second / time.Duration(rate)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	var done atomic.Int64
	for range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				seq := int(next.Add(1) - 1)
				if seq >= total || firstErr.Load() != nil {
					return
				}
				if wait := time.Until(start.Add(time.Duration(seq) * interval)); wait > 0 {
					time.Sleep(wait)
				}
				slug := fmt.Sprintf("r%07d", seq)
				r := &store.Render{Slug: slug, KeyID: keyID, DedupHash: sha256.Sum256([]byte(slug)), Template: "blog",
					Canonical: slug, PNG: []byte("png")}
				var id string
				_, _, err := st.CreateRender(ctx, r, func(r *store.Render, cached bool) (*store.Delivery, error) {
					dl := &store.Delivery{ID: store.NewDeliveryID(time.Now()), URL: hookURL, Secret: secret, Payload: payload(seq, r.Slug)}
					id = dl.ID
					// Recorded before the commit so an arrival never precedes
					// it; corrected to the commit time below.
					tr.enqueue(id, time.Now())
					return dl, nil
				})
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				tr.mu.Lock()
				if t0, ok := tr.enqueued[id]; ok && !t0.IsZero() {
					tr.enqueued[id] = time.Now()
				}
				tr.mu.Unlock()
				done.Add(1)
				d.Notify()
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return int(done.Load()), err
	}
	return int(done.Load()), nil
}
