// Command loadgen measures ogmint over HTTP: latency percentiles and
// throughput of uncached V1 renders (every request a distinct title), and
// the time from process start to the first rendered card.
//
//	loadgen -mode latency -url http://127.0.0.1:8080 -n 300 -c 1
//	loadgen -mode throughput -url http://127.0.0.1:8080 -d 10s -c 4 -pid 1234
//	loadgen -mode startup -cmd "bin/ogmint serve" -url http://127.0.0.1:8080
//
// It prints one JSON line. Traffic goes only to the given (local) URL.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/internal/benchcard"
)

func main() {
	mode := flag.String("mode", "latency", "latency, throughput or startup")
	base := flag.String("url", "http://127.0.0.1:8080", "ogmint base URL (local only)")
	n := flag.Int("n", 300, "requests (latency mode); starts (startup mode, default 5 there)")
	c := flag.Int("c", 1, "concurrent clients")
	d := flag.Duration("d", 10*time.Second, "duration (throughput mode)")
	pid := flag.Int("pid", 0, "server pid whose peak RSS to report (throughput mode)")
	cmdline := flag.String("cmd", "", "server command to start (startup mode)")
	template := flag.String("template", "blog", "template")
	flag.StringVar(&script, "script", "latin", "card text: one of benchcard.Scripts (latin, ja, ar, emoji)")
	flag.IntVar(&first, "first", 0, "number the cards first+1, first+2, ... (default: 100000*k + pid%100000); scripts/peers gives the peers the same numbers")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		fail("url must point at this machine (127.0.0.1 or localhost)")
	}
	var out map[string]any
	switch *mode {
	case "latency":
		out = latency(*base, *template, *n, *c)
	case "throughput":
		out = throughput(*base, *template, *d, *c, *pid)
	case "startup":
		starts := 5
		flag.Visit(func(f *flag.Flag) {
			if f.Name == "n" {
				starts = *n
			}
		})
		out = startups(*base, *template, *cmdline, starts)
	default:
		fail("unknown mode " + *mode)
	}
	out["mode"] = *mode
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadgen:", msg)
	os.Exit(1)
}

var seq atomic.Int64

// script selects the card's text (benchcard.ScriptValues).
var script string

// first, when set, numbers the cards first+1, first+2, ...
var first int

// cardURL is a blog card with the make-up of the satori comparison and a
// title no earlier request used, so nothing is cached.
func cardURL(base, template string) string {
	k := int(seq.Add(1))
	n := k*100000 + os.Getpid()%100000
	if first > 0 {
		n = first + k
	}
	q := benchcard.ScriptValues(script, n)
	q.Set("template", template)
	return base + "/api/og?" + q.Encode()
}

var client = &fasthttp.Client{MaxConnsPerHost: 512, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}

func get(u string) (int, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	if err := client.Do(req, resp); err != nil {
		return 0, err
	}
	if resp.StatusCode() == 200 && len(resp.Body()) < 1000 {
		return 0, fmt.Errorf("suspiciously small PNG: %d bytes", len(resp.Body()))
	}
	return resp.StatusCode(), nil
}

func latency(base, template string, n, c int) map[string]any {
	for i := 0; i < 20; i++ { // warm connections, pool and glyph caches
		if st, err := get(cardURL(base, template)); err != nil || st != 200 {
			fail(fmt.Sprintf("warm-up: status %d, %v", st, err))
		}
	}
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	per := n / c
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				t0 := time.Now()
				st, err := get(cardURL(base, template))
				d := time.Since(t0)
				if err != nil || st != 200 {
					fail(fmt.Sprintf("status %d, %v", st, err))
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	return summary(lat, el)
}

func summary(lat []time.Duration, el time.Duration) map[string]any {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	return map[string]any{"n": len(lat), "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
		"per_sec": float64(len(lat)) / el.Seconds()}
}

func throughput(base, template string, d time.Duration, c, pid int) map[string]any {
	var ok, bad atomic.Int64
	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if pid > 0 {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				if kb := rssKB(pid); kb > peak.Load() {
					peak.Store(kb)
				}
			}
		}()
	}
	lat := make([][]time.Duration, c)
	cpu0 := cpuTicks(pid)
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Since(start) < d {
				t0 := time.Now()
				st, err := get(cardURL(base, template))
				if err != nil || st != 200 {
					bad.Add(1)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
				ok.Add(1)
			}
		}(w)
	}
	wg.Wait()
	cpu := cpuTicks(pid) - cpu0
	close(stop)
	el := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	out := summary(all, el)
	out["errors"] = bad.Load()
	out["concurrency"] = c
	if pid > 0 {
		out["peak_rss_mib"] = float64(peak.Load()) / 1024
		// The server's user+sys CPU over the window per rendered card: what
		// a card costs the server, whatever the clients and other jobs do.
		out["server_cpu_s"] = float64(cpu) / clkTck
		if n := ok.Load(); n > 0 {
			out["server_cpu_ms_per_render"] = float64(cpu) / clkTck * 1000 / float64(n)
		}
	}
	return out
}

// clkTck is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every
// Linux architecture Go runs on.
const clkTck = 100

// cpuTicks returns the user+sys CPU time of process pid (all its threads) in
// clock ticks, from fields 14 and 15 of /proc/<pid>/stat.
func cpuTicks(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; count fields after its ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb
		}
	}
	return 0
}

// startups measures n starts one after another (the first may warm the OS
// page cache) and reports each and their median.
func startups(base, template, cmdline string, n int) map[string]any {
	var all []float64
	for range max(n, 1) {
		all = append(all, startup(base, template, cmdline))
	}
	sorted := append([]float64(nil), all...)
	sort.Float64s(sorted)
	return map[string]any{"start_to_first_render_ms": sorted[len(sorted)/2], "starts_ms": all}
}

// startup starts the server command, polls until the first card renders,
// and returns the time that took in ms.
func startup(base, template, cmdline string) float64 {
	if cmdline == "" {
		fail("startup mode needs -cmd")
	}
	args := strings.Fields(cmdline)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		fail(err.Error())
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	u := cardURL(base, template)
	for time.Since(t0) < 30*time.Second {
		if st, err := get(u); err == nil && st == 200 {
			return float64(time.Since(t0).Microseconds()) / 1000
		}
		time.Sleep(2 * time.Millisecond)
	}
	fail("server did not render within 30s")
	return 0
}
