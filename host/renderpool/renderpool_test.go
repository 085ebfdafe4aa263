package renderpool

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/module"
	"github.com/ogmint/ogmint/wasm/abi"
)

const sampleQuery = "template=blog&title=Hello+World&description=Some+text&tag=Go&author=Ada+Lovelace"

// testCacheDir is a wazero compilation cache shared by test runs: compiling
// the module takes seconds (more under -race), loading it from the cache a
// fraction of a second. wazero keys entries by module hash and its own
// version, which a test binary cannot tell (it reports "dev"), so the
// directory name carries the wazero version required by go.mod.
var testCacheDir = filepath.Join(os.TempDir(), "ogmint-renderpool-cache-wazero-"+wazeroVersion())

func wazeroVersion() string {
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/tetratelabs/wazero" {
			return f[1]
		}
	}
	return "unknown"
}

var modules struct {
	sync.Mutex
	bytes map[string][]byte
}

// moduleBytes builds the render module once per test binary (the Go build
// cache makes later runs cheap). Tests use the ogmint_debug build, whose hooks
// are inert without debug_* parameters, so one compiled module serves them all.
func moduleBytes(tb testing.TB, tags ...string) []byte {
	tb.Helper()
	key := strings.Join(tags, ",")
	modules.Lock()
	defer modules.Unlock()
	if b, ok := modules.bytes[key]; ok {
		return b
	}
	b, err := module.Build(context.Background(), module.BuildOptions{Tags: tags})
	if err != nil {
		tb.Fatalf("building the module: %v", err)
	}
	if modules.bytes == nil {
		modules.bytes = map[string][]byte{}
	}
	modules.bytes[key] = b
	return b
}

// relaxedDeadline replaces the 2s default where a test does not test
// deadlines: the machine is shared and wall-clock deadlines flake under load.
const relaxedDeadline = 30 * time.Second

func newPool(tb testing.TB, cfg Config) *Pool {
	tb.Helper()
	cfg.CacheDir = testCacheDir
	if cfg.Deadline == 0 {
		cfg.Deadline = relaxedDeadline
	}
	p, err := New(context.Background(), moduleBytes(tb, "ogmint_debug"), cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return p
}

var (
	sharedOnce sync.Once
	sharedPool *Pool
	sharedErr  error
)

// shared is a 2-instance pool for tests that do not disturb it.
func shared(t *testing.T) *Pool {
	t.Helper()
	sharedOnce.Do(func() {
		b, err := module.Build(context.Background(), module.BuildOptions{Tags: []string{"ogmint_debug"}})
		if err != nil {
			sharedErr = err
			return
		}
		sharedPool, sharedErr = New(context.Background(), b, Config{Instances: 2, CacheDir: testCacheDir, Deadline: relaxedDeadline})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	// The second instance is added in the background: tests that count
	// instances start once it is there.
	waitFor(t, "the shared pool's two instances", func() bool { return sharedPool.Stats().Instances == 2 })
	return sharedPool
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedPool != nil {
		_ = sharedPool.Close(context.Background())
	}
	os.Exit(code)
}

func q(params ...string) []byte {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	return []byte(v.Encode())
}

func TestConfig(t *testing.T) {
	d := Config{}.WithDefaults()
	if d.Instances < 1 || d.QueueSize != DefaultQueueSize || d.Deadline != DefaultDeadline || d.MemoryLimitMiB != DefaultMemoryLimitMiB || d.CacheDir != "" {
		t.Fatalf("defaults: %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string // "" = valid
	}{
		{"explicit", Config{Instances: 3, QueueSize: 1, Deadline: time.Second, MemoryLimitMiB: 64}, ""},
		{"negative instances", Config{Instances: -1}, "Instances"},
		{"negative queue", Config{QueueSize: -1}, "QueueSize"},
		{"negative deadline", Config{Deadline: -time.Second}, "Deadline"},
		{"memory too small", Config{MemoryLimitMiB: 8}, "MemoryLimitMiB"},
		{"memory too large", Config{MemoryLimitMiB: 8192}, "MemoryLimitMiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.WithDefaults().Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field)):
				t.Fatalf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
	if _, err := New(context.Background(), nil, Config{Instances: -1}); err == nil {
		t.Fatal("New accepted an invalid config")
	}
}

func TestRender(t *testing.T) {
	p := shared(t)
	for _, tc := range []struct {
		bg   string
		want [4]byte
	}{
		{"ff0000", [4]byte{0xff, 0, 0, 0xff}},
		{"0a0a0f", [4]byte{0x0a, 0x0a, 0x0f, 0xff}},
		{"123456", [4]byte{0x12, 0x34, 0x56, 0xff}},
	} {
		t.Run(tc.bg, func(t *testing.T) {
			query := append([]byte(sampleQuery+"&bgColor="), tc.bg...)
			var calls int
			err := p.Render(context.Background(), query, func(pix []byte) error {
				calls++
				if len(pix) != 1200*630*4 {
					t.Fatalf("frame of %d bytes, want %d", len(pix), 1200*630*4)
				}
				if got := [4]byte(pix[:4]); got != tc.want {
					t.Errorf("pixel (0,0) = %v, want %v", got, tc.want)
				}
				return nil
			})
			if err != nil || calls != 1 {
				t.Fatalf("Render: err %v, fn called %d times", err, calls)
			}
		})
	}
}

func TestModuleErrors(t *testing.T) {
	p := shared(t)
	for _, tc := range []struct {
		name   string
		query  []byte
		status abi.Status
		field  string
	}{
		{"missing title", q("template", "blog"), abi.StatusInvalid, "title"},
		{"missing template", q("title", "Hi"), abi.StatusInvalid, "template"},
		{"bad colour", q("template", "blog", "title", "Hi", "bgColor", "red"), abi.StatusInvalid, "bgColor"},
		{"unknown template", q("template", "nope", "title", "Hi"), abi.StatusInvalid, "template"},
		{"custom template", q("template", "custom_x", "title", "Hi"), abi.StatusNotFound, "template"},
		{"too large", bytes.Repeat([]byte("a"), abi.MaxRequest+1), abi.StatusTooLarge, "query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replaced := p.Stats().Replaced
			err := p.Render(context.Background(), tc.query, func([]byte) error {
				t.Fatal("fn called for a rejected request")
				return nil
			})
			var me *ModuleError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want *ModuleError", err)
			}
			if me.Status != tc.status {
				t.Errorf("status %s, want %s", me.Status, tc.status)
			}
			var body struct {
				Error   string `json:"error"`
				Details []struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"details"`
			}
			if err := json.Unmarshal(me.Body, &body); err != nil {
				t.Fatalf("body %q: %v", me.Body, err)
			}
			var fields []string
			for _, d := range body.Details {
				fields = append(fields, d.Field)
			}
			if body.Error == "" || !strings.Contains(strings.Join(fields, ","), tc.field) {
				t.Errorf("body %s: want an error naming field %q", me.Body, tc.field)
			}
			if _, err := p.Validate(context.Background(), tc.query); !errors.As(err, &me) || me.Status != tc.status {
				t.Errorf("Validate: err %v, want status %s", err, tc.status)
			}
			if p.Stats().Replaced != replaced {
				t.Error("a module error replaced an instance")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	p := shared(t)
	a, err := p.Validate(context.Background(), []byte(sampleQuery+"&utm_source=x&bgColor=FF0000"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Validate(context.Background(), []byte("bgColor=ff0000&"+sampleQuery))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("canonical forms differ or empty: %q vs %q", a, b)
	}
	if !bytes.Contains(a, []byte("Hello")) {
		t.Errorf("canonical %q lacks the title", a)
	}
}

func TestInfo(t *testing.T) {
	p := shared(t)
	b, err := p.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Templates []struct{ Name string } `json:"templates"`
		Fonts     []string                `json:"fonts"`
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	var names []string
	for _, tpl := range info.Templates {
		names = append(names, tpl.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "blog") || len(info.Fonts) == 0 {
		t.Fatalf("info %s: want the blog template and fonts", b)
	}
}

func TestRenderPNGMatchesFrame(t *testing.T) {
	p := shared(t)
	query := []byte(sampleQuery + "&bgColor=203040")
	var frame []byte
	if err := p.Render(context.Background(), query, func(pix []byte) error {
		frame = append([]byte(nil), pix...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b, err := p.RenderPNG(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != abi.Width || r.Dy() != abi.Height {
		t.Fatalf("PNG is %v", r)
	}
	for y := 0; y < abi.Height; y++ {
		for x := 0; x < abi.Width; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			i := (y*abi.Width + x) * 4
			if byte(r>>8) != frame[i] || byte(g>>8) != frame[i+1] || byte(bl>>8) != frame[i+2] {
				t.Fatalf("pixel (%d,%d) differs", x, y)
			}
		}
	}
}

func TestFnErrorKeepsInstance(t *testing.T) {
	p := shared(t)
	sentinel := errors.New("client went away")
	if err := p.Render(context.Background(), []byte(sampleQuery), func([]byte) error { return sentinel }); err != sentinel {
		t.Fatalf("err = %v, want fn's error as is", err)
	}
	if st := p.Stats(); st.Replaced != 0 || st.Instances != 2 || st.Busy != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestQueueFull(t *testing.T) {
	p := newPool(t, Config{Instances: 1, QueueSize: 1, Deadline: 10 * time.Second})
	spin := []byte(sampleQuery + "&debug_spin_ms=800")
	errs := make(chan error, 2)
	go func() { errs <- p.Render(context.Background(), spin, func([]byte) error { return nil }) }()
	waitFor(t, "the instance to be busy", func() bool { return p.Stats().Busy == 1 })
	go func() { errs <- p.Render(context.Background(), spin, func([]byte) error { return nil }) }()
	waitFor(t, "a caller to queue", func() bool { return p.Stats().Waiting == 1 })

	start := time.Now()
	for i := 0; i < 3; i++ {
		if err := p.Render(context.Background(), []byte(sampleQuery), func([]byte) error { return nil }); !errors.Is(err, ErrQueueFull) {
			t.Fatalf("caller %d: err = %v, want ErrQueueFull", i, err)
		}
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("ErrQueueFull took %s, want immediate", d)
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Errorf("held render: %v", err)
		}
	}
	if st := p.Stats(); st.Busy != 0 || st.Waiting != 0 || st.Renders != 2 {
		t.Errorf("stats after: %+v", st)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	p := newPool(t, Config{Instances: 1, Deadline: 10 * time.Second})
	done := make(chan error, 1)
	go func() {
		done <- p.Render(context.Background(), []byte(sampleQuery+"&debug_spin_ms=500"), func([]byte) error { return nil })
	}()
	waitFor(t, "the instance to be busy", func() bool { return p.Stats().Busy == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := p.Render(ctx, []byte(sampleQuery), func([]byte) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrDeadline) {
		t.Fatalf("err = %v, want the caller's context error", err)
	}
	if d := time.Since(start); d > 400*time.Millisecond {
		t.Errorf("waited %s after the caller's deadline", d)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A cancelled caller context does not abort a render already running.
	ctx, cancel = context.WithCancel(context.Background())
	err = p.Render(ctx, []byte(sampleQuery+"&debug_spin_ms=100"), func([]byte) error { cancel(); return nil })
	if err != nil || p.Stats().Replaced != 0 {
		t.Fatalf("err %v, stats %+v", err, p.Stats())
	}
}

func TestFailuresReplaceInstance(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		query   string
		want    error
		maxTime time.Duration
	}{
		{"deadline", Config{Instances: 1, Deadline: 200 * time.Millisecond}, sampleQuery + "&debug_spin_ms=5000", ErrDeadline, 1500 * time.Millisecond},
		{"memory cap", Config{Instances: 1, MemoryLimitMiB: 64}, sampleQuery + "&debug_alloc_mb=200", ErrMemoryCap, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, tc.cfg)
			for round := 1; round <= 2; round++ {
				start := time.Now()
				err := p.Render(context.Background(), []byte(tc.query), func([]byte) error {
					t.Fatal("fn called for a failed render")
					return nil
				})
				if !errors.Is(err, tc.want) {
					t.Fatalf("round %d: err = %v, want %v", round, err, tc.want)
				}
				if d := time.Since(start); d > tc.maxTime {
					t.Errorf("round %d: failed after %s, want under %s", round, d, tc.maxTime)
				}
				if tc.want == ErrDeadline && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("deadline error %v does not wrap context.DeadlineExceeded", err)
				}
				t.Logf("round %d: %v (%s)", round, err, time.Since(start).Round(time.Millisecond))

				// The next normal render gets the replacement instance.
				var bg [4]byte
				if err := p.Render(context.Background(), []byte(sampleQuery+"&bgColor=00ff00"), func(pix []byte) error {
					bg = [4]byte(pix[:4])
					return nil
				}); err != nil {
					t.Fatalf("round %d: render after failure: %v", round, err)
				}
				if bg != [4]byte{0, 0xff, 0, 0xff} {
					t.Errorf("round %d: replacement rendered %v", round, bg)
				}
				if st := p.Stats(); st.Replaced != uint64(round) || st.Instances != 1 || st.Busy != 0 {
					t.Errorf("round %d: stats %+v, want Replaced %d", round, st, round)
				}
			}
		})
	}
}

func TestConcurrentRendersMatchSequential(t *testing.T) {
	p := newPool(t, Config{Instances: 2})
	const n = 50
	query := func(i int) []byte {
		return q("template", "blog", "title", fmt.Sprintf("Post number %d about concurrency", i),
			"description", "Some text", "tag", "Go", "author", "Ada Lovelace")
	}
	render := func(i int) ([32]byte, error) {
		var sum [32]byte
		err := p.Render(context.Background(), query(i), func(pix []byte) error {
			sum = sha256.Sum256(pix)
			return nil
		})
		return sum, err
	}
	var want [n][32]byte
	for i := range want {
		var err error
		if want[i], err = render(i); err != nil {
			t.Fatal(err)
		}
	}
	var got [n][32]byte
	var errs [n]error
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = render(i)
		}()
	}
	wg.Wait()
	distinct := map[[32]byte]bool{}
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatalf("render %d: %v", i, errs[i])
		}
		if got[i] != want[i] {
			t.Errorf("render %d: parallel frame differs from sequential", i)
		}
		distinct[got[i]] = true
	}
	if len(distinct) != n {
		t.Errorf("%d distinct frames for %d distinct titles", len(distinct), n)
	}
	if st := p.Stats(); st.Renders != 2*n || st.Replaced != 0 || st.Busy != 0 || st.Waiting != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestCloseWaitsForInFlight(t *testing.T) {
	cfg := Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline}
	p, err := New(context.Background(), moduleBytes(t, "ogmint_debug"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- p.Render(context.Background(), []byte(sampleQuery+"&debug_spin_ms=300"), func([]byte) error { return nil })
	}()
	waitFor(t, "the instance to be busy", func() bool { return p.Stats().Busy == 1 })
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("in-flight render: %v", err)
		}
	default:
		t.Fatal("Close returned before the in-flight render")
	}
	if err := p.Render(context.Background(), []byte(sampleQuery), func([]byte) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestMeasureFresh(t *testing.T) {
	p := shared(t)
	ft, err := p.MeasureFresh(context.Background(), []byte(sampleQuery))
	if err != nil {
		t.Fatal(err)
	}
	if ft.Instantiate <= 0 || ft.FirstRender <= 0 || ft.Total() != ft.Instantiate+ft.FirstRender {
		t.Fatalf("timings %+v", ft)
	}
	t.Logf("fresh instance: instantiate %s, first render %s", ft.Instantiate, ft.FirstRender)
	if st := p.Stats(); st.Instances != 2 {
		t.Errorf("MeasureFresh changed the pool: %+v", st)
	}
}

// testImagePNG is a small opaque PNG in one colour.
func testImagePNG(t *testing.T, c [4]byte) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:i+4], c[:])
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRenderImages: images go into the module's slots between the request
// and the render; ogmint_request empties them again; a bad image is the
// module's field error; an oversized one is refused before the module.
func TestRenderImages(t *testing.T) {
	p := newPool(t, Config{Instances: 1})
	query := q("template", "blog", "title", "Images", "author", "Ada Lovelace",
		"avatar", "https://images.example.com/a.png", "logo", "https://images.example.com/l.png")
	frame := func(images *[abi.NumSlots][]byte) []byte {
		t.Helper()
		var out []byte
		fn := func(pix []byte) error { out = append([]byte(nil), pix...); return nil }
		var err error
		if images == nil {
			err = p.Render(context.Background(), query, fn)
		} else {
			err = p.RenderImages(context.Background(), query, *images, fn)
		}
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		return out
	}
	plain := frame(nil)
	if empty := frame(&[abi.NumSlots][]byte{}); !bytes.Equal(empty, plain) {
		t.Fatal("RenderImages without images differs from Render")
	}
	avatar := testImagePNG(t, [4]byte{0x10, 0xe0, 0x30, 0xff})
	logo := testImagePNG(t, [4]byte{0xe0, 0x10, 0xc0, 0xff})
	withAvatar := frame(&[abi.NumSlots][]byte{abi.SlotAvatar: avatar})
	withBoth := frame(&[abi.NumSlots][]byte{abi.SlotAvatar: avatar, abi.SlotLogo: logo})
	if bytes.Equal(withAvatar, plain) || bytes.Equal(withBoth, withAvatar) {
		t.Fatal("the images were not drawn")
	}
	// The next request starts with empty slots.
	if again := frame(nil); !bytes.Equal(again, plain) {
		t.Fatal("an image stayed in its slot for the next request")
	}

	replaced := p.Stats().Replaced
	err := p.RenderImages(context.Background(), query, [abi.NumSlots][]byte{abi.SlotLogo: []byte("not an image")}, nil)
	var me *ModuleError
	if !errors.As(err, &me) || me.Status != abi.StatusInvalid || !strings.Contains(string(me.Body), `"logo"`) {
		t.Fatalf("undecodable logo: %v", err)
	}
	err = p.RenderImages(context.Background(), query, [abi.NumSlots][]byte{abi.SlotAvatar: make([]byte, abi.MaxImageBytes+1)}, nil)
	if !errors.Is(err, ErrImageRefused) {
		t.Fatalf("oversized avatar: %v", err)
	}
	if p.Stats().Replaced != replaced {
		t.Fatal("an image error replaced the instance")
	}
	if again := frame(nil); !bytes.Equal(again, plain) {
		t.Fatal("the instance renders differently after image errors")
	}
}
