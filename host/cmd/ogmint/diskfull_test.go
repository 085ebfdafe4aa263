package main

import (
	"bytes"
	"fmt"
	"github.com/ogmint/ogmint/host/store/storetest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Disk full, with real parts: the real binary on a real, small file system
// (a tmpfs this test mounts) that really fills up.

// syncBuffer is a log that may be read while the process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type proc struct {
	cmd  *exec.Cmd
	base string
	log  *syncBuffer
}

// serveOn runs `ogmint serve` on dataDir (as startServer does) and waits
// until path answers 200: /readyz for a ready server, /healthz for one that
// serves but may not be ready.
func serveOn(t testing.TB, dataDir string, port int, path string, env ...string) *proc {
	t.Helper()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(binPath, "serve")
	cmd.Env = append(os.Environ(), "OGMINT_ADDR="+fmt.Sprintf("127.0.0.1:%d", port), "OGMINT_DATA_DIR="+dataDir,
		"OGMINT_PUBLIC_URL="+base, "OGMINT_API_KEYS="+testKey, "OGMINT_MODULE="+modulePath, "OGMINT_INSTANCES=1")
	cmd.Env = append(cmd.Env, env...)
	p := &proc{cmd: cmd, base: base, log: &syncBuffer{}}
	cmd.Stderr = p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, _, err := fasthttp.GetTimeout(nil, base+path, time.Second); err == nil && st == 200 {
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not answer 200 on %s; log:\n%s", path, p.log)
	return nil
}

// stop ends the server with SIGTERM and waits for it.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; log:\n%s", err, p.log)
	}
}

// waitSnapshotFile waits until the pool's snapshot file is written, so that
// filling the disk afterwards is not undone by its failed write.
func waitSnapshotFile(t *testing.T, dataDir string) {
	t.Helper()
	waitUntil(t, 30*time.Second, "the snapshot file", func() bool {
		snaps, _ := filepath.Glob(filepath.Join(dataDir, "snapshots", "*.snap"))
		tmps, _ := filepath.Glob(filepath.Join(dataDir, "snapshots", "*.tmp"))
		return len(snaps) > 0 && len(tmps) == 0
	})
}

// wantStatus asserts a response's status and that its JSON error mentions want.
func wantStatus(t *testing.T, what string, st, wantSt int, body []byte, want string) {
	t.Helper()
	if st != wantSt || !strings.Contains(string(body), want) {
		t.Fatalf("%s: %d %s, want %d with %q", what, st, body, wantSt, want)
	}
}

// waitReady waits until /readyz answers 200 (its write probe runs at most
// every 2 s).
func waitReady(t *testing.T, base string) {
	t.Helper()
	waitUntil(t, 15*time.Second, "/readyz 200", func() bool {
		st, _ := get(t, base+"/readyz")
		return st == 200
	})
}

// TestDiskFullAnswers507AndRecovers fills the data disk under a running
// server: a new V2 render is a 507 JSON error, /readyz is 503, stored
// images and dedup hits are still served; once space is freed, /readyz is
// ready and renders are stored again, without a restart. A restart on the
// full disk starts (not ready) and recovers the same way.
func TestDiskFullAnswers507AndRecovers(t *testing.T) {
	// Room for the compile cache (~40 MB) and the snapshot (~30 MB), so
	// that this test does not depend on them being optional.
	dir, port := storetest.MountTmpfs(t, 192<<20), freePort(t)
	s := serveOn(t, dir, port, "/readyz")
	waitSnapshotFile(t, dir)
	first := `{"template":"blog","title":"Stored before the disk filled"}`
	st, out := post(t, s.base, first)
	if st != 201 {
		t.Fatalf("render on a free disk: %d %v", st, out)
	}
	slug := out["slug"].(string)

	filler := storetest.FillDisk(t, dir)
	assertFull(t, s.base, slug, first, "Refused while full")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	assertRecovered(t, s.base, "Refused while full")

	// The same again across a restart on the full disk.
	filler = storetest.FillDisk(t, dir)
	s.stop(t)
	s = serveOn(t, dir, port, "/healthz")
	assertFull(t, s.base, slug, first, "Refused after a restart while full")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	assertRecovered(t, s.base, "Refused after a restart while full")
	s.stop(t)
	if log := s.log.String(); !strings.Contains(log, "no space left") {
		t.Errorf("the 507 was not logged with its cause; log:\n%s", log)
	}
}

// assertFull checks a server whose data disk is full: renders that must be
// stored are 507, /readyz 503, reads of stored renders 200.
func assertFull(t *testing.T, base, slug, stored, title string) {
	t.Helper()
	st, body := postRaw(t, base, `{"template":"blog","title":"`+title+`"}`)
	wantStatus(t, "new render on a full disk", st, 507, body, `"error":"insufficient storage: the server's disk is full`)
	st, body = get(t, base+"/readyz")
	wantStatus(t, "/readyz on a full disk", st, 503, body, "no space left")
	if st, png := get(t, base+"/i/"+slug); st != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("stored image on a full disk: %d, %d bytes", st, len(png))
	}
	if st, out := post(t, base, stored); st != 200 || out["slug"] != slug || out["cached"] != true {
		t.Fatalf("dedup hit on a full disk: %d %v", st, out)
	}
}

// assertRecovered checks that, once space is freed, the server is ready and
// stores the render it refused, without a restart.
func assertRecovered(t *testing.T, base, title string) {
	t.Helper()
	waitReady(t, base)
	st, out := post(t, base, `{"template":"blog","title":"`+title+`"}`)
	if st != 201 {
		t.Fatalf("render after space was freed: %d %v", st, out)
	}
	if st, png := get(t, base+"/i/"+out["slug"].(string)); st != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("image stored after recovery: %d, %d bytes", st, len(png))
	}
}

// postRaw posts a V2 render and returns the status and raw body, after
// checking the body is JSON.
func postRaw(t *testing.T, base, body string) (int, []byte) {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(base + "/api/v2/render")
	req.Header.SetMethod("POST")
	req.Header.Set("x-api-key", testKey)
	req.SetBodyString(body)
	if err := fasthttp.DoTimeout(req, resp, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if ct := string(resp.Header.ContentType()); ct != "application/json" {
		t.Fatalf("Content-Type %q, body %s", ct, resp.Body())
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...)
}

// TestStartsWithoutCompileCacheOrSnapshot: the compile cache and the
// snapshot file only speed up starts; when they cannot be written the
// server starts without them, logs a warning for each, and renders.
func TestStartsWithoutCompileCacheOrSnapshot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dataDir func(t *testing.T) string
	}{
		// Below the ~70 MB they need: the "cannot start with < ~45 MB free".
		{"disk too small for them", func(t *testing.T) string { return storetest.MountTmpfs(t, 8<<20) }},
		{"their directories cannot be created", func(t *testing.T) string {
			dir := t.TempDir()
			for _, name := range []string{"wazero-cache", "snapshots"} { // files where directories go
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			return dir
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dataDir(t)
			s := serveOn(t, dir, freePort(t), "/readyz")
			waitUntil(t, 30*time.Second, "the snapshot warning", func() bool {
				return strings.Contains(s.log.String(), "snapshot file not written")
			})
			if st, out := post(t, s.base, `{"template":"blog","title":"No cache, no snapshot"}`); st != 201 {
				t.Fatalf("render: %d %v", st, out)
			}
			s.stop(t)
			log := s.log.String()
			for _, want := range []string{`"level":"WARN","msg":"renderpool: compilation cache unusable`,
				`"level":"WARN","msg":"renderpool: snapshot file not written`} {
				if !strings.Contains(log, want) {
					t.Errorf("no warning %q in the log:\n%s", want, log)
				}
			}
		})
	}
}
