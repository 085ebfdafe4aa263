package main

import (
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/ogmint/ogmint/host/renderpool"
)

// settle runs once the pool is up: the garbage of start-up (module
// compilation, font packing) goes back to the system, and so do the file
// pages only start-up read (releaseFilePages; the embedded module included).
// It runs again once the instances warming up in the background are live.
func settle(log *slog.Logger, pool *renderpool.Pool, module []byte) {
	run := func(when string) {
		debug.FreeOSMemory()
		released := releaseFilePages(module)
		log.Info("memory settled", "when", when, "released_file_mib", released>>20)
	}
	run("start")
	go func() {
		want := pool.Config().Instances
		for i := 0; i < 100 && pool.Stats().Instances < want; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		run("instances warm")
	}()
}
