package main

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// Scale-out benchmarks (issue 13): V2 new renders/s and dedup hits/s,
// one host on SQLite against two hosts on one PostgreSQL, side by side in
// one run. The hosts are child processes; clients spread requests over
// them round robin. Run with:
//
//	go test -run XXX -bench ScaleOut -benchtime 600x ./host/cmd/ogmint/
var benchSeq atomic.Int64

// startHosts starts the hosts of a configuration for the whole benchmark.
func startHosts(b *testing.B, config string) []*proc {
	switch config {
	case "sqlite-1host":
		return []*proc{serveOn(b, b.TempDir(), freePort(b), "/readyz")}
	case "postgres-2hosts":
		url := storetest.StartPostgres(b)
		return []*proc{serveOnPostgres(b, url), serveOnPostgres(b, url)}
	}
	b.Fatalf("unknown configuration %s", config)
	return nil
}

func benchmarkV2(b *testing.B, dedup bool) {
	for _, config := range []string{"sqlite-1host", "postgres-2hosts"} {
		hs := startHosts(b, config) // the parent's: runs once, cleaned up after the sub-benchmarks
		b.Run(config, func(b *testing.B) {
			body := func(i int64) string {
				if dedup {
					return `{"template":"blog","title":"The same card every time"}`
				}
				return fmt.Sprintf(`{"template":"blog","title":"Scale-out benchmark card %d"}`, i)
			}
			if st, _, err := renderOn(hs[0].base, body(0)); err != nil || st >= 300 {
				b.Fatalf("warm-up: %d %v", st, err)
			}
			b.SetParallelism(4)
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := benchSeq.Add(1)
					st, _, err := renderOn(hs[int(i)%len(hs)].base, body(i))
					if err != nil || st >= 300 {
						b.Errorf("render: %d %v", st, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "renders/s")
		})
	}
}

func BenchmarkScaleOutV2NewRenders(b *testing.B) { benchmarkV2(b, false) }
func BenchmarkScaleOutV2DedupHits(b *testing.B)  { benchmarkV2(b, true) }
