package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// pgURL is a new database on the throwaway server, its URL carrying a
// password (the test server trusts local connections and never asks for
// it), so that the tests can check that it is never printed.
func pgURL(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(storetest.StartPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pgPassword)
	return u.String()
}

const pgPassword = "pw-never-logged-93b1"

// TestPostgresTwoHosts: two `ogmint serve` processes on one PostgreSQL
// database, each with its own data directory. A render made on one is
// served and deduplicated by the other, its webhook arrives once, /readyz
// pings the database, /metrics has the store call latency and the pool's
// gauges, and neither log shows the database password.
func TestPostgresTwoHosts(t *testing.T) {
	db := pgURL(t)
	hookPort := freePort(t)
	const secret = "whsec_cG9zdGdyZXMga2V5"
	hooks := startHookServer(t, hookPort, secret, 0)
	env := append(webhookEnv(), "OGMINT_DATABASE_URL="+db, "OGMINT_DATABASE_MAX_CONNS=4")
	a := startServer(t, t.TempDir(), freePort(t), env...)
	b := startServer(t, t.TempDir(), freePort(t), env...)

	body := fmt.Sprintf(`{"template":"blog","title":"Two hosts","webhookUrl":"http://127.0.0.1:%d/h","webhookSecret":%q}`, hookPort, secret)
	st, out := post(t, a.base, body)
	if st != 201 || out["webhook_dispatched"] != true {
		t.Fatalf("create on A: %d %v", st, out)
	}
	slug := out["slug"].(string)
	if st, png := get(t, b.base+"/i/"+slug); st != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("image from B: %d, %d bytes", st, len(png))
	}
	st, out2 := post(t, b.base, body)
	if st != 200 || out2["slug"] != slug || out2["cached"] != true {
		t.Fatalf("the same render on B: %d %v, want a dedup hit on %s", st, out2, slug)
	}
	// Two deliveries (the render and its dedup hit), each sent once by
	// one of the hosts.
	waitUntil(t, 15*time.Second, "both webhooks", func() bool { n, _ := hooks.distinct(); return n == 2 })
	time.Sleep(300 * time.Millisecond)
	hooks.mu.Lock()
	for id, n := range hooks.ids {
		if n != 1 {
			t.Errorf("webhook %s arrived %d times", id, n)
		}
	}
	hooks.mu.Unlock()
	for _, s := range []*server{a, b} {
		if st, _ := get(t, s.base+"/readyz"); st != 200 {
			t.Errorf("%s/readyz: %d", s.base, st)
		}
		_, metrics := get(t, s.base+"/metrics")
		for _, want := range []string{"ogmint_db_pool_max_connections 4", "ogmint_db_pool_acquired_connections",
			`ogmint_store_call_duration_seconds_count{method="LeaseDue"}`, "ogmint_db_pool_empty_acquires_total"} {
			if !bytes.Contains(metrics, []byte(want)) {
				t.Errorf("%s/metrics lacks %q", s.base, want)
			}
		}
	}
	for _, s := range []*server{a, b} {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		log := s.log.String()
		if strings.Contains(log, pgPassword) {
			t.Errorf("the log shows the database password:\n%s", log)
		}
		if !strings.Contains(log, `"msg":"store: PostgreSQL"`) {
			t.Errorf("the log does not say which store:\n%s", log)
		}
	}
}

// TestPostgresSettingsRefused: without API keys (the development key is
// per data directory) or with a bad URL, `ogmint serve` stops with a
// message that names the problem and not the password; `ogmint check`
// refuses a PostgreSQL store.
func TestPostgresSettingsRefused(t *testing.T) {
	db := pgURL(t)
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"OGMINT_DATABASE_URL=" + db, "OGMINT_API_KEYS="}, "no API keys configured"},
		{[]string{"OGMINT_DATABASE_URL=postgres://u:" + pgPassword + "@127.0.0.1:1/x?connect_timeout=2"}, "database 127.0.0.1:1/x"},
		{[]string{"OGMINT_DATABASE_URL=mysql://u:" + pgPassword + "@h/x"}, "database-url"},
		{[]string{"OGMINT_DATABASE_URL=" + db, "OGMINT_DATABASE_MAX_CONNS=0"}, "database-max-conns"},
	} {
		cmd := exec.Command(binPath, "serve")
		cmd.Env = append(cmd.Environ(), "OGMINT_ADDR=127.0.0.1:0", "OGMINT_DATA_DIR="+t.TempDir(), "OGMINT_API_KEYS="+testKey,
			"OGMINT_MODULE="+modulePath, "OGMINT_INSTANCES=1")
		cmd.Env = append(cmd.Env, tc.env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) || strings.Contains(string(out), pgPassword) {
			t.Errorf("%v: %v, output:\n%s\nwant an error naming %q, without the password", tc.env, err, out, tc.want)
		}
	}
	cmd := exec.Command(binPath, "check")
	cmd.Env = append(cmd.Environ(), "OGMINT_DATABASE_URL="+db, "OGMINT_DATA_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "pg_amcheck") || strings.Contains(string(out), pgPassword) {
		t.Errorf("ogmint check with a database URL: %v\n%s", err, out)
	}
}
