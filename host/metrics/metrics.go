// Package metrics defines ogmint's Prometheus metrics in one registry and
// serves them at /metrics.
package metrics

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/valyala/fasthttp"
)

// Metrics are the collectors the host updates.
type Metrics struct {
	Registry *prometheus.Registry

	Renders        *prometheus.CounterVec   // template, outcome
	RenderDuration *prometheus.HistogramVec // template
	CacheHits      *prometheus.CounterVec   // kind: v1_cache, v1_not_modified, v2_dedup, image_cache
	HTTPResponses  *prometheus.CounterVec   // route, code
	// RenderFailures counts renders that failed on the server's side, by
	// cause: memory_cap, deadline, trap (the instance was replaced),
	// internal (a module bug), image_refused, font_refused, error.
	RenderFailures *prometheus.CounterVec
	// ImageFetches counts avatar and logo fetches by field (avatar, logo)
	// and outcome: ok, cached, shared (another request's fetch), canceled,
	// or the failure's kind (imagefetch.Kind: not_https, invalid_url,
	// blocked, status, redirects, too_large, timeout, empty, not_image,
	// network).
	ImageFetches *prometheus.CounterVec

	Deliveries      *prometheus.CounterVec // outcome
	AttemptDuration prometheus.Histogram

	// StoreDuration times store calls by method (host/store/instrument),
	// StoreErrors counts the failed ones by method and kind (timeout,
	// canceled, no_space, corrupt, invalid, error).
	StoreDuration *prometheus.HistogramVec
	StoreErrors   *prometheus.CounterVec

	handler fasthttp.RequestHandler

	// Children of the vectors the request path updates, memoised by label
	// values (see HTTPResponse).
	httpResponses children[routeCode, prometheus.Counter]
	cacheHits     children[string, prometheus.Counter]
	renders       children[[2]string, prometheus.Counter]
	renderSeconds children[string, prometheus.Observer]
	storeSeconds  children[string, prometheus.Observer]
	storeErrors   children[[2]string, prometheus.Counter]
}

// PoolStats is what the pool gauges read at scrape time.
type PoolStats func() (instances, busy, waiting int, replaced uint64)

// QueueStats is what the webhook queue gauges read at scrape time.
type QueueStats func() (pending int, oldest time.Duration)

// New registers every collector. pool and queue may be nil.
func New(pool PoolStats, queue QueueStats) *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Renders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_renders_total", Help: "Renders by template and outcome (ok, invalid, not_found, too_large, internal, memory_cap, deadline, trap, queue_full, image_refused, font_refused, error).",
		}, []string{"template", "outcome"}),
		RenderFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_render_failures_total", Help: "Renders that failed on the server's side, by cause: memory_cap, deadline, trap (the render instance was replaced), internal, image_refused, font_refused, error.",
		}, []string{"cause"}),
		RenderDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ogmint_render_duration_seconds", Help: "Render plus PNG encode time of successful renders.",
			Buckets: []float64{.001, .002, .004, .006, .008, .012, .016, .025, .05, .1, .25, .5, 1, 2},
		}, []string{"template"}),
		CacheHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_cache_hits_total", Help: "Requests answered without rendering, by kind (v1_cache, v1_not_modified, v2_dedup, image_cache).",
		}, []string{"kind"}),
		HTTPResponses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_http_responses_total", Help: "HTTP responses by route and status code.",
		}, []string{"route", "code"}),
		ImageFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_image_fetches_total", Help: "Avatar and logo fetches by field and outcome (ok, cached, shared, canceled, or the error kind: not_https, invalid_url, blocked, status, redirects, too_large, timeout, empty, not_image, network).",
		}, []string{"field", "outcome"}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_webhook_deliveries_total", Help: "Webhook attempts by outcome (delivered, retry, failed, stopped).",
		}, []string{"outcome"}),
		AttemptDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ogmint_webhook_attempt_duration_seconds", Help: "Duration of webhook delivery attempts.",
			Buckets: prometheus.DefBuckets,
		}),
		StoreDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ogmint_store_call_duration_seconds", Help: "Duration of store calls (queries and transactions, waiting for a connection included) by method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method"}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogmint_store_errors_total", Help: "Failed store calls by method and kind: timeout (the statement timeout or the caller's deadline), canceled, no_space, corrupt, invalid, error. Not found and conflicts are answers, not errors.",
		}, []string{"method", "kind"}),
	}
	for _, cause := range []string{"memory_cap", "deadline", "trap"} {
		m.RenderFailures.WithLabelValues(cause) // exported at 0 before the first
	}
	r.MustRegister(m.Renders, m.RenderFailures, m.RenderDuration, m.CacheHits, m.HTTPResponses, m.ImageFetches, m.Deliveries, m.AttemptDuration,
		m.StoreDuration, m.StoreErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		gauge := func(name, help string, f func() float64) {
			r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
		}
		gauge("ogmint_pool_instances", "Warm render instances.", func() float64 { i, _, _, _ := pool(); return float64(i) })
		gauge("ogmint_pool_busy", "Render instances busy now.", func() float64 { _, b, _, _ := pool(); return float64(b) })
		gauge("ogmint_pool_queue_depth", "Renders waiting for an instance.", func() float64 { _, _, w, _ := pool(); return float64(w) })
		r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ogmint_pool_replaced_total",
			Help: "Instances discarded (trap, deadline, memory cap) and replaced."}, func() float64 { _, _, _, n := pool(); return float64(n) }))
	}
	if queue != nil {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ogmint_webhook_queue_depth", Help: "Pending webhook deliveries."},
			func() float64 { n, _ := queue(); return float64(n) }))
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ogmint_webhook_oldest_pending_seconds", Help: "Age of the oldest pending webhook delivery."},
			func() float64 { _, d := queue(); return d.Seconds() }))
	}
	m.handler = fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(r, promhttp.HandlerOpts{}))
	return m
}

// DBPoolStats is what the database pool gauges read at scrape time: the
// connections in use, idle, open (both, and those being opened) and the
// most allowed; acquires that waited for a connection and their total
// wait.
type DBPoolStats func() (acquired, idle, total, max int32, emptyAcquires int64, emptyWait time.Duration)

// AddDBPool registers the PostgreSQL connection pool's gauges,
// ogmint_db_pool_{acquired,idle,total,max}_connections, and the counters
// ogmint_db_pool_empty_acquires_total and
// ogmint_db_pool_empty_acquire_wait_seconds_total (acquires that had to
// wait for a connection: the pool's saturation). stats is read once per
// scrape.
func (m *Metrics) AddDBPool(stats DBPoolStats) {
	var (
		mu   sync.Mutex
		at   time.Time
		last [6]float64
	)
	read := func(i int) func() float64 {
		return func() float64 {
			mu.Lock()
			defer mu.Unlock()
			if now := time.Now(); now.Sub(at) > 100*time.Millisecond {
				a, idle, total, max, n, wait := stats()
				last = [6]float64{float64(a), float64(idle), float64(total), float64(max), float64(n), wait.Seconds()}
				at = now
			}
			return last[i]
		}
	}
	gauge := func(name, help string, i int) {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read(i)))
	}
	gauge("ogmint_db_pool_acquired_connections", "Database connections in use.", 0)
	gauge("ogmint_db_pool_idle_connections", "Database connections open and idle.", 1)
	gauge("ogmint_db_pool_total_connections", "Database connections open (in use, idle, being opened).", 2)
	gauge("ogmint_db_pool_max_connections", "Most database connections the pool opens (OGMINT_DATABASE_MAX_CONNS).", 3)
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ogmint_db_pool_empty_acquires_total",
		Help: "Store calls that found no idle database connection and waited for one."}, read(4)))
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ogmint_db_pool_empty_acquire_wait_seconds_total",
		Help: "Time store calls spent waiting for a database connection."}, read(5)))
}

// ObserveStoreCall records one store call (host/store/instrument.Observer):
// its duration by method and, when kind is not "", a failure of that kind.
func (m *Metrics) ObserveStoreCall(method string, took time.Duration, kind string) {
	m.storeSeconds.get(method, func() prometheus.Observer { return m.StoreDuration.WithLabelValues(method) }).Observe(took.Seconds())
	if kind != "" {
		m.storeErrors.get([2]string{method, kind}, func() prometheus.Counter {
			return m.StoreErrors.WithLabelValues(method, kind)
		}).Inc()
	}
}

// AddFontHandovers registers ogmint_font_handovers_total{family}: how many
// times each fallback font family (families, in the render pool's catalogue
// order) was handed over to a render instance, read from counts (same
// order) at scrape time. Family names must be unique.
func (m *Metrics) AddFontHandovers(families []string, counts func() []uint64) {
	m.Registry.MustRegister(&fontHandovers{
		desc: prometheus.NewDesc("ogmint_font_handovers_total",
			"Fallback font families handed over to render instances, by family (an instance keeps the families it was given).",
			[]string{"family"}, nil),
		families: families,
		counts:   counts,
	})
}

// fontHandovers is a counter per family whose values the pool keeps.
type fontHandovers struct {
	desc     *prometheus.Desc
	families []string
	counts   func() []uint64
}

func (c *fontHandovers) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *fontHandovers) Collect(ch chan<- prometheus.Metric) {
	counts := c.counts()
	for i, name := range c.families {
		var n uint64
		if i < len(counts) {
			n = counts[i]
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n), name)
	}
}

// Serve answers GET /metrics.
func (m *Metrics) Serve(ctx *fasthttp.RequestCtx) { m.handler(ctx) }

// HTTPResponse is HTTPResponses.WithLabelValues(route, strconv.Itoa(code)),
// memoised: the request path does not format the code, hash the labels or
// take the vector's lock once a (route, code) pair has been seen. A child
// is created on first use, as WithLabelValues does, so /metrics lists the
// same series.
func (m *Metrics) HTTPResponse(route string, code int) prometheus.Counter {
	return m.httpResponses.get(routeCode{route, code}, func() prometheus.Counter {
		return m.HTTPResponses.WithLabelValues(route, strconv.Itoa(code))
	})
}

// CacheHit is CacheHits.WithLabelValues(kind), memoised.
func (m *Metrics) CacheHit(kind string) prometheus.Counter {
	return m.cacheHits.get(kind, func() prometheus.Counter { return m.CacheHits.WithLabelValues(kind) })
}

// Render is Renders.WithLabelValues(template, outcome), memoised.
func (m *Metrics) Render(template, outcome string) prometheus.Counter {
	return m.renders.get([2]string{template, outcome}, func() prometheus.Counter {
		return m.Renders.WithLabelValues(template, outcome)
	})
}

// RenderSeconds is RenderDuration.WithLabelValues(template), memoised.
func (m *Metrics) RenderSeconds(template string) prometheus.Observer {
	return m.renderSeconds.get(template, func() prometheus.Observer { return m.RenderDuration.WithLabelValues(template) })
}

type routeCode struct {
	route string
	code  int
}

// children memoises a vector's children by label values: reads are a
// lock-free lookup in an immutable map, which is copied (under mu) when a
// new child is added. Label sets are small and bounded (routes, status
// codes, templates, outcomes), so the copies stop early.
type children[K comparable, V any] struct {
	mu sync.Mutex
	m  atomic.Pointer[map[K]V]
}

func (c *children[K, V]) get(k K, child func() V) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
	}
	n := make(map[K]V, 1)
	if old != nil {
		n = make(map[K]V, len(*old)+1)
		for k, v := range *old {
			n[k] = v
		}
	}
	v := child()
	n[k] = v
	c.m.Store(&n)
	return v
}
