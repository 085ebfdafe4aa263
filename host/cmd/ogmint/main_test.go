package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/module"
)

// These tests run the real binary as a child process: crash safety and
// graceful shutdown are properties of the process, not of a handler.

var (
	binPath    string // the ogmint binary
	modulePath string // the render module (debug build: "debug-spin-ms:N" in a title)
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ogmint-cmd-test-")
	if err != nil {
		panic(err)
	}
	binPath, modulePath = filepath.Join(dir, "ogmint"), filepath.Join(dir, "ogmint.wasm")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building ogmint: %v\n%s", err, out)
		os.Exit(1)
	}
	wasm, err := module.Build(context.Background(), module.BuildOptions{Tags: []string{"ogmint_debug"}})
	if err == nil {
		err = os.WriteFile(modulePath, wasm, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const testKey = "cmd-test-key-0123456789"

type server struct {
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer runs `ogmint serve` on dataDir and waits until /readyz is 200.
func startServer(t *testing.T, dataDir string, port int, env ...string) *server {
	t.Helper()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(binPath, "serve")
	cmd.Env = append(os.Environ(), "OGMINT_ADDR="+fmt.Sprintf("127.0.0.1:%d", port), "OGMINT_DATA_DIR="+dataDir,
		"OGMINT_PUBLIC_URL="+base, "OGMINT_API_KEYS="+testKey, "OGMINT_MODULE="+modulePath, "OGMINT_INSTANCES=1")
	cmd.Env = append(cmd.Env, env...)
	s := &server{cmd: cmd, base: base, log: &bytes.Buffer{}}
	cmd.Stderr = s.log
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
		if st, _, err := fasthttp.GetTimeout(nil, base+"/readyz", time.Second); err == nil && st == 200 {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not become ready; log:\n%s", s.log)
	return nil
}

func post(t *testing.T, base string, body string) (int, map[string]any) {
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
	var out map[string]any
	_ = json.Unmarshal(resp.Body(), &out)
	return resp.StatusCode(), out
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	st, body, err := fasthttp.GetTimeout(nil, url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return st, body
}

// TestKill9AfterCreateLosesNothing: kill -9 right after a 201; the restarted
// process serves the image and answers the same request as a dedup hit.
func TestKill9AfterCreateLosesNothing(t *testing.T) {
	dir, port := t.TempDir(), freePort(t)
	s := startServer(t, dir, port)
	body := `{"template":"blog","title":"Survives kill -9","author":"Ada"}`
	st, out := post(t, s.base, body)
	if st != 201 {
		t.Fatalf("create: %d %v", st, out)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()
	slug := out["slug"].(string)

	s2 := startServer(t, dir, port)
	st, png := get(t, s2.base+"/i/"+slug)
	if st != 200 || len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("image after kill -9: %d, %d bytes", st, len(png))
	}
	st, out2 := post(t, s2.base, body)
	if st != 200 || out2["slug"] != slug || out2["cached"] != true {
		t.Fatalf("dedup after kill -9: %d %v (slug %s)", st, out2, slug)
	}
}

// TestSIGTERMFinishesInFlightRenders: a render in progress when SIGTERM
// arrives is answered, then the process exits 0.
func TestSIGTERMFinishesInFlightRenders(t *testing.T) {
	dir, port := t.TempDir(), freePort(t)
	s := startServer(t, dir, port)
	type result struct {
		st  int
		out map[string]any
	}
	done := make(chan result, 1)
	go func() {
		st, out := post(t, s.base, `{"template":"blog","title":"slow debug-spin-ms:1500"}`)
		done <- result{st, out}
	}()
	time.Sleep(400 * time.Millisecond) // the render is running
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.st != 201 {
		t.Fatalf("in-flight render during shutdown: %d %v", r.st, r.out)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; log:\n%s", err, s.log)
	}
	// Its image was stored before the process exited.
	s2 := startServer(t, dir, port)
	if st, _ := get(t, s2.base+"/i/"+r.out["slug"].(string)); st != 200 {
		t.Fatalf("image of the render finished during shutdown: %d", st)
	}
}
