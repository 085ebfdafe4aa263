// Package module provides the bytes of the render module (wasm/cmd/ogmint-render):
// embedded into release binaries (`make build` uses -tags embedwasm), read from
// a file, or built on demand with the Go toolchain (tests, `go run`).
package module

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// Package path of the module's main package.
const mainPackage = "github.com/ogmint/ogmint/wasm/cmd/ogmint-render"

// Load returns the embedded module when the binary has one, else the file at
// path when path is non-empty, else a freshly built module (needs the Go
// toolchain and this repository's sources).
func Load(ctx context.Context, path string) ([]byte, error) {
	if path != "" {
		return os.ReadFile(path)
	}
	if len(embedded) > 0 {
		return embedded, nil
	}
	return Build(ctx, BuildOptions{})
}

// BuildOptions tune Build.
type BuildOptions struct {
	// Tags are extra build tags (e.g. "ogmint_debug" for test hooks).
	Tags []string
}

var (
	buildMu    sync.Mutex
	buildCache = map[string][]byte{}
)

// Build compiles the module with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared
// and returns its bytes. Results are cached per process; the Go build cache
// makes repeated builds cheap across processes.
func Build(ctx context.Context, opt BuildOptions) ([]byte, error) {
	key := fmt.Sprint(opt.Tags)
	buildMu.Lock()
	defer buildMu.Unlock()
	if b, ok := buildCache[key]; ok {
		return b, nil
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "ogmint-module-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "ogmint.wasm")
	args := []string{"build", "-buildmode=c-shared", "-trimpath", "-o", out}
	if len(opt.Tags) > 0 {
		args = append(args, "-tags", join(opt.Tags))
	}
	args = append(args, mainPackage)
	cmd := exec.CommandContext(ctx, goBinary(), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("building the render module: %v: %s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	buildCache[key] = b
	return b, nil
}

func join(tags []string) string {
	s := ""
	for i, t := range tags {
		if i > 0 {
			s += ","
		}
		s += t
	}
	return s
}

func goBinary() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

// repoRoot finds the directory holding this repository's go.mod, from this
// source file's location (tests) or the working directory (go run).
func repoRoot() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/ogmint/ogmint\n")) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("render module: no embedded module, no module file given, and the ogmint sources are not found to build one")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
