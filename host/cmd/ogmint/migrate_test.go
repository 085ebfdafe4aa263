package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/storetest"
)

// sqliteStore makes a closed SQLite store in a new data directory with n
// renders (real PNGs), each with a webhook delivery to hookURL that is
// pending: due now, and every third one after a failed attempt. It
// returns the directory, the slugs and their images.
func sqliteStore(t *testing.T, n int, hookURL, secret string) (string, []string, map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.OpenSQLite(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var slugs []string
	pngs := map[string][]byte{}
	for i := range n {
		img := image.NewNRGBA(image.Rect(0, 0, 40, 21))
		for p := range img.Pix {
			img.Pix[p] = byte(i*31 + p)
		}
		img.Set(0, 0, color.NRGBA{A: 255})
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		r := &store.Render{Slug: fmt.Sprintf("mig%05d", i), KeyID: "key_migrate", Template: "blog",
			DedupHash: sha256.Sum256(fmt.Appendf(nil, "migrate %d", i)), Canonical: fmt.Sprintf("title=migrate+%d", i), PNG: b.Bytes()}
		var d *store.Delivery
		_, _, err := s.CreateRender(ctx, r, func(r *store.Render, cached bool) (*store.Delivery, error) {
			d = &store.Delivery{URL: hookURL, Secret: secret, Payload: fmt.Appendf(nil, `{"type":"render.completed","data":{"slug":%q}}`, r.Slug)}
			return d, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if err := s.CompleteAttempt(ctx, d.ID, store.Attempt{At: time.Now(), Error: "connection refused"},
				store.StatusPending, time.Now(), "connection refused"); err != nil {
				t.Fatal(err)
			}
		}
		slugs, pngs[r.Slug] = append(slugs, r.Slug), r.PNG
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, slugs, pngs
}

// TestMigrateHelp: -h explains the command and exits 0; no destination is
// a usage error.
func TestMigrateHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		code, out, errOut := runOgmint(t, nil, "migrate", arg)
		if code != 0 || !strings.Contains(out+errOut, "Usage: ogmint migrate -from") ||
			!strings.Contains(out+errOut, "OGMINT_DATABASE_URL") || !strings.Contains(out+errOut, "-every") {
			t.Errorf("ogmint migrate %s: exit %d\n%s%s", arg, code, out, errOut)
		}
	}
	code, out, errOut := runOgmint(t, []string{"OGMINT_DATABASE_URL="}, "migrate", "-from", t.TempDir())
	if code != 2 || !strings.Contains(errOut, "-to (or OGMINT_DATABASE_URL) is required") {
		t.Errorf("ogmint migrate without -to: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runOgmint(t, []string{"OGMINT_DATABASE_URL=postgres://127.0.0.1:1/x"}, "migrate", "-from", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "no database at") {
		t.Errorf("ogmint migrate from an empty directory: exit %d\n%s%s", code, out, errOut)
	}
}

// TestMigrateCommand: `ogmint migrate` copies a store into Postgres (the
// database file's path works as -from, the URL comes from
// OGMINT_DATABASE_URL), printing a line per table and the counts; a second
// run copies nothing; a damaged image makes it exit 1, listing it.
func TestMigrateCommand(t *testing.T) {
	url := storetest.StartPostgres(t)
	dir, slugs, pngs := sqliteStore(t, 12, "http://127.0.0.1:1/h", "whsec_bWlncmF0ZQ==")
	env := []string{"OGMINT_DATABASE_URL=" + url}
	code, out, errOut := runOgmint(t, env, "migrate", "-from", filepath.Join(dir, store.DBFile))
	t.Logf("first run: exit %d\n%s%s", code, out, errOut)
	if code != 0 {
		t.Fatalf("ogmint migrate: exit %d", code)
	}
	for _, want := range []string{"renders: 12/12 (100%): copied 12, already there 0", "deliveries: 12/12 (100%): copied 12",
		"attempts", "result: ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	ctx := context.Background()
	pg, err := store.OpenPostgres(ctx, url, store.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	for _, slug := range slugs {
		if b, err := pg.Image(ctx, slug); err != nil || !bytes.Equal(b, pngs[slug]) {
			t.Fatalf("Image(%s) on Postgres: %d bytes, %v", slug, len(b), err)
		}
	}

	code, out, errOut = runOgmint(t, env, "migrate", "-from", dir, "-every", "1ms")
	t.Logf("second run: exit %d\n%s%s", code, out, errOut)
	if code != 0 || !strings.Contains(out, "renders: 12/12 (100%): copied 0, already there 12") {
		t.Fatalf("second run: exit %d", code)
	}

	// A damaged image, copied into a new database.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE images SET png = CAST('not the png' AS BLOB)
		WHERE render_id = (SELECT id FROM renders WHERE slug = ?)`, slugs[4]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut = runOgmint(t, nil, "migrate", "-from", dir, "-to", storetest.StartPostgres(t))
	t.Logf("damaged: exit %d\n%s%s", code, out, errOut)
	if code != 1 || !strings.Contains(out, "render "+slugs[4]+" (id 5): image fails its checksum") ||
		!strings.Contains(out, "skipped") || !strings.Contains(out, "result: INCOMPLETE") {
		t.Fatalf("damaged: exit %d", code)
	}
}

// TestMigratedHostsServeAndDeliver: after `ogmint migrate`, `ogmint serve`
// on the Postgres database (OGMINT_DATABASE_URL; a data directory without
// the SQLite store) serves every slug and delivers every pending webhook.
// It runs once serve takes OGMINT_DATABASE_URL.
func TestMigratedHostsServeAndDeliver(t *testing.T) {
	if _, out, errOut := runOgmint(t, nil, "serve", "-h"); !strings.Contains(out+errOut, "OGMINT_DATABASE_URL") &&
		!strings.Contains(out+errOut, "database-url") {
		t.Skip("needs serve on Postgres (OGMINT_DATABASE_URL)")
	}
	url := storetest.StartPostgres(t)
	hookPort := freePort(t)
	const secret = "whsec_bWlncmF0ZWQgaG9zdHM="
	const n = 15
	dir, slugs, pngs := sqliteStore(t, n, fmt.Sprintf("http://127.0.0.1:%d/hooks", hookPort), secret)
	if code, out, errOut := runOgmint(t, nil, "migrate", "-from", dir, "-to", url); code != 0 {
		t.Fatalf("ogmint migrate: exit %d\n%s%s", code, out, errOut)
	}
	hooks := startHookServer(t, hookPort, secret, 0)
	s := startServer(t, t.TempDir(), freePort(t), append(webhookEnv(), "OGMINT_DATABASE_URL="+url)...)
	for _, slug := range slugs {
		if st, b := get(t, s.base+"/i/"+slug); st != 200 || !bytes.Equal(b, pngs[slug]) {
			t.Fatalf("/i/%s on the migrated host: %d, %d bytes (want the %d stored)", slug, st, len(b), len(pngs[slug]))
		}
	}
	waitUntil(t, 30*time.Second, fmt.Sprintf("%d distinct deliveries", n), func() bool {
		got, _ := hooks.distinct()
		return got == n
	})
	if _, bad := hooks.distinct(); bad != 0 {
		t.Errorf("%d requests failed signature checks", bad)
	}
}
