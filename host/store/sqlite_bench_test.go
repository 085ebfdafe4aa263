package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// Targets at HTTP level on the 2-core machine: >= 5,000 dedup lookups/s and
// >= 2,000 webhook deliveries/s (lease + complete each). Each benchmark
// reports ops/s so the store's share of that budget can be read directly.

const benchPNG = 55 << 10 // a typical card

func openBench(b *testing.B) *SQLite {
	b.Helper()
	s, err := OpenSQLite(context.Background(), b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// bulkRenders inserts n renders (keys k0..k9) with pngSize-byte images and,
// when due is not zero, one pending delivery each, in one transaction.
func bulkRenders(b *testing.B, s *SQLite, prefix string, n, pngSize int, due time.Time) (slugs []string, hashes [][32]byte) {
	b.Helper()
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	png := pngBytes(n, pngSize)
	sum := sha256.Sum256(png)
	now := ms(time.Now())
	for i := range n {
		slug := fmt.Sprintf("%s%07d", prefix, i)
		h := hashOf(slug)
		key := fmt.Sprint("k", i%10)
		res, err := tx.Stmt(s.insRender).Exec(slug, key, h[:], "blog", slug, now, sum[:])
		if err != nil {
			b.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := tx.Stmt(s.insImage).Exec(id, png); err != nil {
			b.Fatal(err)
		}
		if !due.IsZero() {
			if _, err := tx.Stmt(s.insDelivery).Exec(NewDeliveryID(due), slug, key, "https://example.com/hook", "secret",
				[]byte(`{"event":"render.completed","data":{"slug":"`+slug+`"}}`), StatusPending, 0, ms(due), 0, now, now, ""); err != nil {
				b.Fatal(err)
			}
		}
		slugs, hashes = append(slugs, slug), append(hashes, h)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return slugs, hashes
}

func reportOps(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

func BenchmarkRenderByDedup(b *testing.B) {
	s := openBench(b)
	const n = 20000
	slugs, hashes := bulkRenders(b, s, "d", n, 64, time.Time{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			i := rng.IntN(n)
			r, err := s.RenderByDedup(ctx, fmt.Sprint("k", i%10), hashes[i])
			if err != nil || r.Slug != slugs[i] {
				b.Fatalf("lookup %d: %v", i, err)
			}
		}
	})
	reportOps(b, "ops/s")
}

func BenchmarkImage(b *testing.B) {
	s := openBench(b)
	const n = 2000 // ~110 MB of PNGs: more than SQLite's page cache
	slugs, _ := bulkRenders(b, s, "i", n, benchPNG, time.Time{})
	ctx := context.Background()
	b.SetBytes(benchPNG)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			png, err := s.Image(ctx, slugs[rng.IntN(n)])
			if err != nil || len(png) != benchPNG {
				b.Fatalf("Image: %d bytes, %v", len(png), err)
			}
		}
	})
	reportOps(b, "ops/s")
}

// BenchmarkImageChecksum is what Image adds to every read from the
// store: verifying a PNG against its recorded SHA-256 (real PNGs of noise,
// the size range of stored cards).
func BenchmarkImageChecksum(b *testing.B) {
	for _, kb := range []int{30, 55, 90} {
		b.Run(fmt.Sprint(kb, "KB"), func(b *testing.B) {
			png := realPNG(b, kb, int(math.Sqrt(float64(kb<<10)/3)))
			sum := sha256.Sum256(png)
			b.SetBytes(int64(len(png)))
			b.ReportAllocs()
			for b.Loop() {
				if err := verifySum(png, sum[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCreateRender(b *testing.B) {
	for _, par := range []bool{false, true} {
		name := "serial"
		if par {
			name = "parallel"
		}
		b.Run(name, func(b *testing.B) {
			s := openBench(b)
			ctx := context.Background()
			png := pngBytes(7, benchPNG)
			build := func(r *Render, cached bool) (*Delivery, error) {
				return &Delivery{URL: "https://example.com/hook", Secret: "secret",
					Payload: []byte(`{"event":"render.completed","data":{"slug":"` + r.Slug + `"}}`)}, nil
			}
			create := func(i int) {
				slug := fmt.Sprintf("c%07d", i)
				r := &Render{Slug: slug, KeyID: "k", DedupHash: hashOf(slug), Template: "blog", Canonical: slug, PNG: png}
				if _, created, err := s.CreateRender(ctx, r, build); err != nil || !created {
					b.Fatalf("CreateRender: %v", err)
				}
			}
			b.SetBytes(benchPNG)
			b.ResetTimer()
			if par {
				var next atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						create(int(next.Add(1)))
					}
				})
			} else {
				for i := range b.N {
					create(i)
				}
			}
			reportOps(b, "ops/s")
		})
	}
}

// BenchmarkLeaseComplete: one op is one delivery, leased in batches of 64
// and completed either one transaction per delivery (single) or one
// transaction per leased batch (batched).
func BenchmarkLeaseComplete(b *testing.B) {
	for _, batched := range []bool{false, true} {
		name := "single"
		if batched {
			name = "batched"
		}
		b.Run(name, func(b *testing.B) {
			s := openBench(b)
			ctx := context.Background()
			due := time.Now().Add(-time.Second)
			bulkRenders(b, s, "q", b.N, 64, due)
			b.ResetTimer()
			done := 0
			cs := make([]Completion, 0, 64)
			for done < b.N {
				now := time.Now()
				ds, err := s.LeaseDue(ctx, now, 64, time.Minute)
				if err != nil || len(ds) == 0 {
					b.Fatalf("lease after %d: %d %v", done, len(ds), err)
				}
				cs = cs[:0]
				for _, d := range ds {
					a := Attempt{At: now, StatusCode: 200, Duration: 3 * time.Millisecond}
					if batched {
						cs = append(cs, Completion{ID: d.ID, Attempt: a, Status: StatusDelivered})
					} else if err := s.CompleteAttempt(ctx, d.ID, a, StatusDelivered, time.Time{}, ""); err != nil {
						b.Fatal(err)
					}
				}
				if batched {
					if err := s.CompleteAttempts(ctx, cs); err != nil {
						b.Fatal(err)
					}
				}
				done += len(ds)
			}
			reportOps(b, "deliveries/s")
		})
	}
}
