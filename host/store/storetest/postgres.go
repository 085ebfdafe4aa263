package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresURLEnv names an environment variable holding the URL of an
// existing PostgreSQL server (postgres://user:pass@host:port/db, or a
// keyword/value string) to test against instead of a throwaway one. The
// user needs CREATEDB: each test gets a database of its own there, dropped
// at its cleanup.
const PostgresURLEnv = "OGMINT_TEST_POSTGRES_URL"

// PostgresRequireEnv, set to "require", turns StartPostgres's skip (no
// server binaries, a server that does not start) into a failure: for CI,
// where the Postgres tests must not silently not run.
const PostgresRequireEnv = "OGMINT_TEST_POSTGRES"

// The throwaway cluster: one per test binary, started by the first
// StartPostgres and stopped by StopPostgres (TestMain) or, failing that,
// when the test binary exits (the server gets SIGINT as its parent dies).
var cluster struct {
	once sync.Once
	c    *pgCluster
	err  error
}

// StartPostgres returns the URL of a new, empty PostgreSQL database for t,
// dropped at t's cleanup (after any cleanup t registers later, such as
// closing a store on it). The database lives on the server named by
// $OGMINT_TEST_POSTGRES_URL when that is set; otherwise on a throwaway
// cluster this test binary starts once (initdb into a temporary directory,
// postgres on a free 127.0.0.1 port with fsync off; as the "postgres" or
// "nobody" user when running as root, since PostgreSQL refuses to run as
// root). Call StopPostgres from TestMain after m.Run to stop it and remove
// its directory.
//
// When no server can be started (no initdb/postgres binaries on PATH or in
// /usr/lib/postgresql/*/bin, or the server fails to start) the test is
// skipped with the reason, or fails when $OGMINT_TEST_POSTGRES=require.
func StartPostgres(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		base = throwaway(t).url("postgres")
	}
	name := "ogmint_test_" + randomHex(6)
	dbURL, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("storetest: %s: %v", PostgresURLEnv, err)
	}
	if err := adminExec(ctx, base, func(conn *pgx.Conn) error {
		q := `CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8'`
		if serverMajor(conn) >= 15 {
			q += ` STRATEGY FILE_COPY` // 4x faster than WAL_LOG for a small template
		}
		_, err := conn.Exec(ctx, q)
		return err
	}); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, base, func(conn *pgx.Conn) error {
			q := `DROP DATABASE IF EXISTS ` + name
			if serverMajor(conn) >= 13 {
				q += ` WITH (FORCE)` // connections a test left open
			}
			_, err := conn.Exec(ctx, q)
			return err
		}); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	return dbURL
}

// throwaway is the cluster of this test binary, started by the first call;
// it skips t (or fails it, with $OGMINT_TEST_POSTGRES=require) when there
// is none.
func throwaway(t testing.TB) *pgCluster {
	t.Helper()
	cluster.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		cluster.c, cluster.err = startCluster(ctx)
		if cluster.err == nil {
			fmt.Fprintf(os.Stderr, "storetest: PostgreSQL %s on 127.0.0.1:%d (%s) started in %v\n",
				cluster.c.version, cluster.c.port, cluster.c.dir, time.Since(start).Round(time.Millisecond))
		}
	})
	if cluster.err != nil {
		if os.Getenv(PostgresRequireEnv) != "require" {
			t.Skipf("storetest: no throwaway PostgreSQL: %v (install postgresql, or set %s)", cluster.err, PostgresURLEnv)
		}
		t.Fatalf("storetest: no throwaway PostgreSQL: %v", cluster.err)
	}
	return cluster.c
}

// StopPostgres stops the throwaway cluster, if this binary started one,
// and removes its directory. For TestMain, after m.Run.
func StopPostgres() {
	if cluster.c != nil {
		cluster.c.stop()
	}
}

// serverMajor is the server's major version (15 for "15.14 (Debian ...)").
func serverMajor(conn *pgx.Conn) int {
	v := conn.PgConn().ParameterStatus("server_version")
	i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(v)
	}
	n, _ := strconv.Atoi(v[:i])
	return n
}

// PostgresTablespace makes a tablespace of size bytes on the throwaway
// cluster, on a tmpfs of its own, and returns its name and directory (to
// fill with FillDisk): disk-full tests put a table in it. It is dropped at
// t's cleanup, so move out or drop what is in it in a cleanup registered
// after this call. It skips the test when the server is not the throwaway
// one ($OGMINT_TEST_POSTGRES_URL) or no tmpfs can be mounted (not root).
func PostgresTablespace(t *testing.T, size int) (name, dir string) {
	t.Helper()
	if os.Getenv(PostgresURLEnv) != "" {
		t.Skipf("needs the throwaway PostgreSQL (its files), not $%s", PostgresURLEnv)
	}
	c := throwaway(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	dir, err := os.MkdirTemp(c.dir, "tablespace-")
	if err != nil {
		t.Fatal(err)
	}
	opts := fmt.Sprintf("size=%d,mode=0700", size)
	if c.cred != nil {
		opts += fmt.Sprintf(",uid=%d,gid=%d", c.cred.Uid, c.cred.Gid)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		os.Remove(dir)
		t.Skipf("needs a size-limited file system: mount -t tmpfs failed (CAP_SYS_ADMIN needed): %v: %s", err, out)
	}
	name = "ogmint_ts_" + randomHex(4)
	ctx := context.Background()
	if err := adminExec(ctx, c.url("postgres"), func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, `CREATE TABLESPACE `+name+` LOCATION '`+dir+`'`)
		return err
	}); err != nil {
		exec.Command("umount", dir).Run()
		t.Fatalf("create tablespace: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(ctx, c.url("postgres"), func(conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, `DROP TABLESPACE `+name)
			return err
		}); err != nil {
			t.Errorf("drop tablespace %s: %v", name, err)
		}
		// Server processes may still hold files of it open for a moment
		// (a backend of a closed pool exiting): retry, then detach it.
		for try := 0; ; try++ {
			out, err := exec.Command("umount", dir).CombinedOutput()
			if err == nil {
				break
			}
			if try == 50 {
				if out2, err2 := exec.Command("umount", "-l", dir).CombinedOutput(); err2 != nil {
					t.Errorf("umount %s: %v: %s; umount -l: %v: %s", dir, err, out, err2, out2)
				}
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		os.Remove(dir)
	})
	return name, dir
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// adminExec runs f on a new connection to base.
func adminExec(ctx context.Context, base string, f func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return f(conn)
}

// withDatabase is the connection string base with its database replaced.
func withDatabase(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u.Path, u.RawPath = "/"+name, ""
		return u.String(), nil
	}
	if _, err := pgx.ParseConfig(base); err != nil {
		return "", err
	}
	return base + " dbname=" + name, nil // keyword/value: the last one counts
}

// pgCluster is a running throwaway server.
type pgCluster struct {
	dir     string // temporary directory: data/ and postgres.log
	port    int
	version string
	cred    *syscall.Credential // the server's user; nil: ours
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postgres process has exited
	release chan struct{} // lets the goroutine that started postgres end
	stopped sync.Once
}

func (c *pgCluster) url(db string) string {
	return fmt.Sprintf("postgres://ogmint@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// pgBinDirs lists where to look for initdb and postgres: the directory of
// initdb on PATH, then /usr/lib/postgresql/<version>/bin, newest first.
func pgBinDirs() []string {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(r))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(found, func(a, b string) int { return pgMajor(b) - pgMajor(a) })
	return append(dirs, found...)
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// startCluster runs initdb and postgres.
func startCluster(ctx context.Context) (*pgCluster, error) {
	var bin string
	for _, d := range pgBinDirs() {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			bin = d
			break
		}
	}
	if bin == "" {
		return nil, errors.New("no initdb and postgres binaries on PATH or in /usr/lib/postgresql/*/bin")
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(), "ogmint-pg-")
	if err != nil {
		return nil, err
	}
	sweepStale(filepath.Dir(dir))
	c := &pgCluster{dir: dir, cred: cred}
	fail := func(err error) (*pgCluster, error) {
		c.stop()
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fail(err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "--pgdata", filepath.Join(dir, "data"),
		"--username", "ogmint", "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync")
	initdb.Dir, initdb.Env, initdb.SysProcAttr = dir, serverEnv(), &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v: %s", err, tail(out)))
	}
	if v, err := os.ReadFile(filepath.Join(dir, "data", "PG_VERSION")); err == nil {
		c.version = strings.TrimSpace(string(v))
	}
	// A free port can be taken before postgres binds it: try a few.
	for range 3 {
		if err = c.startServer(ctx, bin, cred); err == nil {
			return c, nil
		}
	}
	return fail(err)
}

// startServer starts postgres on a free port and waits until it takes
// connections.
func (c *pgCluster) startServer(ctx context.Context, bin string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", filepath.Join(c.dir, "data"),
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		// Throwaway data: no durability, and a light footprint on a small CI machine.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "autovacuum=off", "-c", "max_parallel_workers_per_gather=0",
		"-c", "shared_buffers=32MB", "-c", "max_connections=200",
		"-c", "log_checkpoints=off", "-c", "timezone=UTC")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = c.dir, serverEnv(), logf, logf
	// Pdeathsig stops the server (fast shutdown) when the test binary dies
	// without StopPostgres. It is sent when the thread that started the
	// child exits: a goroutine locked to its thread starts postgres and
	// keeps the thread until StopPostgres.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	started := make(chan error, 1)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		started <- cmd.Start()
		<-release // returning with the thread locked ends the thread: only once the server is stopped
	}()
	if err := <-started; err != nil {
		close(release)
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	c.cmd, c.port, c.exited, c.release = cmd, port, exited, release

	deadline := time.Now().Add(30 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(cctx, c.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			close(release)
			c.cmd = nil
			return fmt.Errorf("postgres exited: %s", tail(log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			log, _ := os.ReadFile(logPath)
			c.kill()
			return fmt.Errorf("postgres did not take connections within 30 s: %v; log: %s", err, tail(log))
		}
	}
}

// stop shuts the server down (fast: SIGINT, then SIGKILL after 10 s) and
// removes the directory.
func (c *pgCluster) stop() {
	c.stopped.Do(func() {
		if c.cmd != nil {
			c.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-c.exited:
			case <-time.After(10 * time.Second):
				c.kill()
			}
			close(c.release)
		}
		// A tablespace's tmpfs a failed test left mounted.
		mounts, _ := filepath.Glob(filepath.Join(c.dir, "tablespace-*"))
		for _, m := range mounts {
			exec.Command("umount", "-l", m).Run()
		}
		os.RemoveAll(c.dir)
	})
}

func (c *pgCluster) kill() {
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL) // its process group: the postmaster and its children
	<-c.exited
}

// serverUser is the user to run initdb and postgres as: nil (ourselves)
// unless we are root, then "postgres" or else "nobody".
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
		}
	}
	return nil, errors.New("running as root, and there is no postgres or nobody user to run PostgreSQL as")
}

// tempBase is the directory for the cluster's directory: the temp dir, or
// /tmp when running as root and the server's user could not reach the
// temp dir (a TMPDIR under /root).
func tempBase() string {
	d := os.TempDir()
	if os.Geteuid() != 0 {
		return d
	}
	for p := d; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if p == filepath.Dir(p) {
			return d
		}
	}
}

// sweepStale removes the directories of throwaway clusters whose test
// binary died without StopPostgres (its server stopped with it).
func sweepStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, "ogmint-pg-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || alive(pid) {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if pid, err := strconv.Atoi(first); err == nil && alive(pid) {
				continue // its server has not shut down (yet)
			}
		}
		os.RemoveAll(d)
	}
}

// alive reports whether process pid exists.
func alive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH }

// serverEnv is our environment without PG* variables (PGDATA, PGPORT, ...
// would redirect initdb and postgres).
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0
}

// tail is the last lines of a log, for an error message.
func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-8):], "\n")
}
