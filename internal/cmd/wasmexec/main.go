// Command wasmexec runs a GOOS=wasip1 program in the repository's wazero
// (host/third_party/wazero, the engine the pool uses), so that tests and
// benchmarks of the wasm packages can run as the module does:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "go run ./internal/cmd/wasmexec" ./wasm/shape -bench .
//
// It mounts / read-only-as-the-host-allows, passes the arguments and the
// environment, and exits with the program's exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wasmexec program.wasm [args...]")
		os.Exit(2)
	}
	ctx := context.Background()
	bin, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	cfg := wazero.NewModuleConfig().
		WithArgs(os.Args[1:]...).
		WithStdin(os.Stdin).WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithSysNanotime().WithSysWalltime().WithSysNanosleep().
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/"))
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			cfg = cfg.WithEnv(k, v)
		}
	}
	_, err = r.InstantiateWithConfig(ctx, bin, cfg)
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		os.Exit(int(exit.ExitCode()))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
