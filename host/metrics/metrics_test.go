package metrics

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// TestFontHandovers: ogmint_font_handovers_total has one series per family,
// read from the pool's counters at scrape time.
func TestFontHandovers(t *testing.T) {
	m := New(nil, nil)
	var arabic, emoji atomic.Uint64
	m.AddFontHandovers([]string{"Noto Sans Arabic", "Noto Color Emoji"}, func() []uint64 {
		return []uint64{arabic.Load(), emoji.Load()}
	})
	scrape := func() map[string]float64 {
		t.Helper()
		mfs, err := m.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			if mf.GetName() != "ogmint_font_handovers_total" {
				continue
			}
			for _, s := range mf.GetMetric() {
				out[s.GetLabel()[0].GetValue()] = s.GetCounter().GetValue()
			}
		}
		return out
	}
	if got := scrape(); len(got) != 2 || got["Noto Sans Arabic"] != 0 || got["Noto Color Emoji"] != 0 {
		t.Fatalf("before any hand-over: %v", got)
	}
	arabic.Add(2)
	emoji.Add(1)
	if got := scrape(); got["Noto Sans Arabic"] != 2 || got["Noto Color Emoji"] != 1 {
		t.Fatalf("after hand-overs: %v", got)
	}
}

// TestRenderFailures: ogmint_render_failures_total has the instance
// failure causes at 0 from the start (for alerts on a rate), and counts by
// cause.
func TestRenderFailures(t *testing.T) {
	m := New(nil, nil)
	scrape := func() map[string]float64 {
		t.Helper()
		mfs, err := m.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			if mf.GetName() == "ogmint_render_failures_total" {
				for _, s := range mf.GetMetric() {
					out[s.GetLabel()[0].GetValue()] = s.GetCounter().GetValue()
				}
			}
		}
		return out
	}
	if got := scrape(); len(got) != 3 || got["memory_cap"] != 0 || got["deadline"] != 0 || got["trap"] != 0 {
		t.Fatalf("before any failure: %v", got)
	}
	m.RenderFailures.WithLabelValues("memory_cap").Inc()
	m.RenderFailures.WithLabelValues("internal").Inc()
	if got := scrape(); got["memory_cap"] != 1 || got["internal"] != 1 || got["trap"] != 0 {
		t.Fatalf("after failures: %v", got)
	}
}

// TestMemoisedChildren: the memoised accessors update the same series as
// WithLabelValues, and create a series only when first used.
func TestMemoisedChildren(t *testing.T) {
	m := New(nil, nil)
	series := func(name string) map[string]float64 {
		t.Helper()
		mfs, err := m.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
			for _, s := range mf.GetMetric() {
				k := ""
				for _, l := range s.GetLabel() {
					k += l.GetName() + "=" + l.GetValue() + ","
				}
				switch {
				case s.GetCounter() != nil:
					out[k] = s.GetCounter().GetValue()
				case s.GetHistogram() != nil:
					out[k] = float64(s.GetHistogram().GetSampleCount())
				}
			}
		}
		return out
	}
	if got := series("ogmint_http_responses_total"); len(got) != 0 {
		t.Fatalf("series before any response: %v", got)
	}
	for range 3 {
		m.HTTPResponse("/api/og", 200).Inc()
	}
	m.HTTPResponses.WithLabelValues("/api/og", "200").Inc()
	m.HTTPResponse("/api/og", 304).Inc()
	m.HTTPResponse("/healthz", 200).Inc()
	got := series("ogmint_http_responses_total")
	if len(got) != 3 || got["code=200,route=/api/og,"] != 4 || got["code=304,route=/api/og,"] != 1 || got["code=200,route=/healthz,"] != 1 {
		t.Fatalf("http responses: %v", got)
	}
	m.CacheHit("v1_cache").Inc()
	m.CacheHit("v1_cache").Inc()
	if got := series("ogmint_cache_hits_total"); len(got) != 1 || got["kind=v1_cache,"] != 2 {
		t.Fatalf("cache hits: %v", got)
	}
	m.Render("blog", "ok").Inc()
	m.Render("blog", "invalid").Inc()
	m.Render("blog", "ok").Inc()
	if got := series("ogmint_renders_total"); len(got) != 2 || got["outcome=ok,template=blog,"] != 2 || got["outcome=invalid,template=blog,"] != 1 {
		t.Fatalf("renders: %v", got)
	}
	m.RenderSeconds("blog").Observe(0.004)
	m.RenderDuration.WithLabelValues("blog").Observe(0.003)
	if got := series("ogmint_render_duration_seconds"); len(got) != 1 || got["template=blog,"] != 2 {
		t.Fatalf("render duration: %v", got)
	}
}

func BenchmarkHTTPResponse(b *testing.B) {
	m := New(nil, nil)
	b.Run("WithLabelValues", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			m.HTTPResponses.WithLabelValues("/api/og", strconv.Itoa(200)).Inc()
		}
	})
	b.Run("memoised", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			m.HTTPResponse("/api/og", 200).Inc()
		}
	})
}

// TestStoreMetrics: store calls are timed by method and failures counted by
// kind; the database pool's gauges and counters read its stats.
func TestStoreMetrics(t *testing.T) {
	m := New(nil, nil)
	m.ObserveStoreCall("LeaseDue", 3*time.Millisecond, "")
	m.ObserveStoreCall("LeaseDue", 7*time.Millisecond, "timeout")
	m.ObserveStoreCall("Image", time.Millisecond, "")
	m.AddDBPool(func() (int32, int32, int32, int32, int64, time.Duration) {
		return 3, 2, 5, 10, 7, 1500 * time.Millisecond
	})
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	values := map[string]float64{}
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range s.GetLabel() {
				name += "," + l.GetValue() // labels come sorted by name
			}
			switch {
			case s.Histogram != nil:
				counts[name] = s.GetHistogram().GetSampleCount()
			case s.Gauge != nil:
				values[name] = s.GetGauge().GetValue()
			case s.Counter != nil:
				values[name] = s.GetCounter().GetValue()
			}
		}
	}
	if counts["ogmint_store_call_duration_seconds,LeaseDue"] != 2 || counts["ogmint_store_call_duration_seconds,Image"] != 1 {
		t.Errorf("durations: %v", counts)
	}
	if values["ogmint_store_errors_total,timeout,LeaseDue"] != 1 || values["ogmint_store_errors_total,timeout,Image"] != 0 {
		t.Errorf("errors: %v", values)
	}
	for name, want := range map[string]float64{
		"ogmint_db_pool_acquired_connections": 3, "ogmint_db_pool_idle_connections": 2,
		"ogmint_db_pool_total_connections": 5, "ogmint_db_pool_max_connections": 10,
		"ogmint_db_pool_empty_acquires_total": 7, "ogmint_db_pool_empty_acquire_wait_seconds_total": 1.5,
	} {
		if values[name] != want {
			t.Errorf("%s = %v, want %v", name, values[name], want)
		}
	}
}
