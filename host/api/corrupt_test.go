package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/api"
	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/storetest"
)

// lockedBuffer is a log sink the server's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// countingStore counts Image calls (reads of image bytes).
type countingStore struct {
	store.Store
	images atomic.Int64
}

func (c *countingStore) Image(ctx context.Context, slug string) ([]byte, error) {
	c.images.Add(1)
	return c.Store.Image(ctx, slug)
}

// noisePNG is a real PNG of about 3*w*w bytes that does not compress.
func noisePNG(t *testing.T, seed, w int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, w))
	x := uint32(seed*2654435761 + 1)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x) | 0xff*byte(i%4/3)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedImages makes a real store with three renders and closes it: the
// database file and the images by slug.
func storedImages(t *testing.T) (string, []string, map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	pngs := map[string][]byte{}
	for i := range 3 {
		slug := fmt.Sprintf("Dmg%05d", i)
		r := &store.Render{Slug: slug, KeyID: "k", Template: "blog", Canonical: slug, PNG: noisePNG(t, i, 130)}
		r.DedupHash[0] = byte(i)
		if _, _, err := st.CreateRender(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		slugs, pngs[slug] = append(slugs, slug), r.PNG
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(filepath.Dir(st.Path()), store.DBFile), slugs, pngs
}

// serveStore serves /i/{slug} from the database in dir, logging to log.
func serveStore(t *testing.T, dir string, log *lockedBuffer) (string, *countingStore) {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: st}
	srv := api.New(api.Options{Store: cs, Images: cardcache.New(16 << 20),
		Logger: slog.New(slog.NewJSONHandler(log, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &fasthttp.Server{Handler: srv.Handler}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown(); st.Close() })
	return "http://" + ln.Addr().String(), cs
}

// TestDamagedImageIs500 serves copies of a real database with one image's
// bytes flipped and with the images table's page header flipped: a damaged
// image answers 500 JSON (again on a second request: nothing is cached) and
// logs one "store corruption" line naming the slug, and never sends bytes;
// undamaged images are served as stored; a 304 reads no image.
func TestDamagedImageIs500(t *testing.T) {
	src, slugs, pngs := storedImages(t)
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		bad    []string
	}{
		{"image bytes", func(t *testing.T, path string) {
			p := pngs[slugs[1]]
			storetest.FlipWithin(t, path, p[len(p)/2:len(p)/2+64])
		}, slugs[1:2]},
		{"images page header", func(t *testing.T, path string) { storetest.FlipPageHeader(t, path, "images") }, slugs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.damage(t, storetest.Copy(t, src, dir))
			var log lockedBuffer
			base, cs := serveStore(t, dir, &log)
			for _, slug := range slugs {
				bad := strings.Contains(strings.Join(tc.bad, " "), slug)
				for range 2 {
					st, body := getImage(t, base+"/i/"+slug, "")
					switch {
					case bad && (st != 500 || !isJSONError(body, "the stored image is damaged")):
						t.Errorf("/i/%s (damaged): %d %.80q", slug, st, body)
					case !bad && (st != 200 || !bytes.Equal(body, pngs[slug])):
						t.Errorf("/i/%s (intact): %d, %d bytes", slug, st, len(body))
					}
				}
				if n := strings.Count(log.String(), `"slug":"`+slug+`"`); bad && n != 2 {
					t.Errorf("/i/%s: %d corruption log lines for 2 requests; log:\n%s", slug, n, log.String())
				}
			}
			if !strings.Contains(log.String(), `"msg":"store corruption: image not served"`) {
				t.Errorf("log:\n%s", log.String())
			}
			before := cs.images.Load()
			if st, _ := getImage(t, base+"/i/"+tc.bad[0], `"`+tc.bad[0]+`"`); st != 304 {
				t.Errorf("If-None-Match on a damaged image: %d, want 304 (the caller's copy is good)", st)
			}
			if n := cs.images.Load() - before; n != 0 {
				t.Errorf("a conditional request read the image %d times", n)
			}
		})
	}
}

func getImage(t *testing.T, url, inm string) (int, []byte) {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	if err := fasthttp.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...)
}

// isJSONError reports whether body is the contract's error object with msg.
func isJSONError(body []byte, msg string) bool {
	var e struct{ Error string }
	return json.Unmarshal(body, &e) == nil && e.Error == msg
}
