// Package pprofserve serves the Go runtime's profiles (net/http/pprof) on a
// loopback address, for profiling a running server: opt-in with
// ogmint serve -pprof-addr 127.0.0.1:6060 (OGMINT_PPROF_ADDR), never on a
// public interface (profiles expose memory contents and cost CPU).
//
//	go tool pprof -seconds 15 http://127.0.0.1:6060/debug/pprof/profile
//	go tool pprof -sample_index=alloc_space http://127.0.0.1:6060/debug/pprof/allocs?seconds=15
package pprofserve

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"
)

// CheckAddr accepts host:port where host is a loopback address or
// "localhost".
func CheckAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("%q: want host:port on a loopback address, e.g. 127.0.0.1:6060", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: profiles are served on loopback addresses only (127.0.0.1, ::1, localhost)", addr)
	}
	return nil
}

// Start listens on addr (checked with CheckAddr, and the bound address is
// checked again) and serves /debug/pprof/ there until the server is closed.
func Start(addr string) (*http.Server, net.Addr, error) {
	if err := CheckAddr(addr); err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		ln.Close()
		return nil, nil, errors.New("pprof: " + ln.Addr().String() + " is not a loopback address")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, ln.Addr(), nil
}
