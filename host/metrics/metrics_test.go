package metrics

import (
	"sync/atomic"
	"testing"
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
