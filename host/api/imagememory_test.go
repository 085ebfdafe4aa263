package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/internal/testimages"
)

// newFileServer is an https server on 127.0.0.1 serving files by path.
func newFileServer(t *testing.T, files map[string][]byte) *imageServer {
	t.Helper()
	s := &imageServer{hits: map[string]int{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", http.DetectContentType(b))
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

// largeImages serves the files of issue 10, item 2, and two past the limits.
func largeImages(t *testing.T) *imageServer {
	t.Helper()
	var huge bytes.Buffer // one pixel more than abi.MaxImagePixels allows
	if err := png.Encode(&huge, image.NewGray(image.Rect(0, 0, 2049, 2048))); err != nil {
		t.Fatal(err)
	}
	return newFileServer(t, map[string][]byte{
		"/png16.png": testimages.PNG16(), "/photo.jpg": testimages.JPEG(),
		"/progressive444.jpg": testimages.ProgressiveJPEG444(), "/huge.png": huge.Bytes(),
	})
}

// TestV1LargeLegalImages: cards with the 2048x2048 16-bit PNG and the
// 2048x2048 JPEG as avatar and logo answer 200, one after the other and
// at once; no render fails and no instance is replaced.
func TestV1LargeLegalImages(t *testing.T) {
	srv := largeImages(t)
	e := start(t, setup{pool: renderpool.Config{Instances: 2, Deadline: 30 * time.Second}, fetcher: newTestFetcher(t, srv)})
	get := func(i int) response {
		q := card(fmt.Sprintf("Large images %d", i))
		q.Set("template", []string{"blog", "profile", "article", "docs", "minimal"}[i%5])
		avatar, logo := "/png16.png", "/photo.jpg"
		if i%2 == 1 {
			avatar, logo = logo, avatar
		}
		q.Set("avatar", srv.URL+avatar)
		q.Set("logo", srv.URL+logo)
		return e.do(t, "GET", og(q))
	}
	for i := range 4 {
		if r := get(i); r.status != 200 {
			t.Fatalf("card %d: %d %s", i, r.status, r.body)
		}
	}
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i] = get(100 + i).status })
	}
	wg.Wait()
	for i, st := range statuses {
		if st != 200 {
			t.Errorf("concurrent card %d: status %d", i, st)
		}
	}
	if st := e.pool.Stats(); st.Replaced != 0 {
		t.Errorf("%d instances replaced", st.Replaced)
	}
	for _, cause := range []string{"memory_cap", "deadline", "trap"} {
		if n := e.metric(t, failures(cause)); n != 0 {
			t.Errorf("%s = %v", failures(cause), n)
		}
	}
}

func failures(cause string) string { return `ogmint_render_failures_total{cause="` + cause + `"}` }

// TestV1ImagePastLimitsIs400: an image past the documented limits (a
// progressive 4:4:4 JPEG whose decoding needs 60 MiB, an image of more than
// 4,194,304 pixels) is a 400 naming its parameter and saying why; the
// instance stays.
func TestV1ImagePastLimitsIs400(t *testing.T) {
	srv := largeImages(t)
	e := start(t, setup{pool: renderpool.Config{Instances: 1, Deadline: 30 * time.Second}, fetcher: newTestFetcher(t, srv)})
	for _, tc := range []struct{ field, path, message string }{
		{"logo", "/progressive444.jpg", "2048x2048 progressive JPEG needs 60.0 MiB to decode; at most 32 MiB"},
		{"avatar", "/huge.png", "image is 2049x2048; at most 4194304 pixels"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			q := card("Past the limits")
			q.Set(tc.field, srv.URL+tc.path)
			r := e.do(t, "GET", og(q))
			var body errorBody
			if err := json.Unmarshal(r.body, &body); err != nil || r.status != 400 {
				t.Fatalf("status %d body %s", r.status, r.body)
			}
			if len(body.Details) != 1 || body.Details[0].Field != tc.field || body.Details[0].Message != tc.message {
				t.Fatalf("details %+v, want %s: %q", body.Details, tc.field, tc.message)
			}
		})
	}
	if st := e.pool.Stats(); st.Replaced != 0 {
		t.Errorf("an image error replaced an instance: %+v", st)
	}
}

// TestV1InstanceFailureCause: a render that hits its instance's memory cap
// or deadline answers 500 saying so, is logged with its cause ("memory
// cap", "deadline") and the pool's error, and is counted in
// ogmint_render_failures_total by cause.
func TestV1InstanceFailureCause(t *testing.T) {
	log := &syncBuffer{}
	e := start(t, setup{pool: renderpool.Config{Instances: 1, Deadline: time.Second}, log: log})
	for _, tc := range []struct{ title, cause, label, message, logs string }{
		{"greedy debug-alloc-mb:200", `cause="memory cap"`, "memory_cap", "render ran out of memory", "fatal error: out of memory"},
		{"slow debug-spin-ms:5000", "cause=deadline", "deadline", "render exceeded its deadline", "deadline exceeded"},
	} {
		t.Run(tc.label, func(t *testing.T) {
			r := e.do(t, "GET", og(card(tc.title)))
			var body errorBody
			if err := json.Unmarshal(r.body, &body); err != nil || r.status != 500 || body.Error != tc.message {
				t.Fatalf("status %d body %s, want 500 %q", r.status, r.body, tc.message)
			}
			line := logLine(log.String(), "request failed", tc.cause)
			if line == "" || !strings.Contains(line, tc.logs) {
				t.Fatalf("no log line with %s and %q in:\n%s", tc.cause, tc.logs, log)
			}
			if n := e.metric(t, failures(tc.label)); n != 1 {
				t.Errorf("%s = %v, want 1", failures(tc.label), n)
			}
			if n := e.metric(t, `ogmint_renders_total{outcome="`+tc.label+`",template="blog"}`); n != 1 {
				t.Errorf("renders with outcome %s: %v, want 1", tc.label, n)
			}
		})
	}
	if n := e.metric(t, failures("trap")); n != 0 {
		t.Errorf("%s = %v", failures("trap"), n)
	}
}

// logLine is the first line of log holding every one of parts.
func logLine(log string, parts ...string) string {
	for _, line := range strings.Split(log, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return line
		}
	}
	return ""
}
