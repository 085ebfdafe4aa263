package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// realStore serves a fresh data directory, makes three real renders and
// stops the server with SIGTERM (the store closes: no -wal left). It
// returns the database file, the slugs and the images as served.
func realStore(t *testing.T) (string, []string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	s := startServer(t, dir, freePort(t))
	var slugs []string
	pngs := map[string][]byte{}
	for i, palette := range []string{"forest", "ocean", "sunset"} {
		st, out := post(t, s.base, fmt.Sprintf(`{"template":"blog","title":"Damaged store %d","palette":%q}`, i, palette))
		if st != 201 {
			t.Fatalf("create %d: %d %v", i, st, out)
		}
		slug := out["slug"].(string)
		if st, png := get(t, s.base+"/i/"+slug); st == 200 {
			slugs, pngs[slug] = append(slugs, slug), png
		} else {
			t.Fatalf("/i/%s: %d", slug, st)
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; log:\n%s", err, s.log)
	}
	return filepath.Join(dir, "ogmint.db"), slugs, pngs
}

// runOgmint runs the binary to its end and returns its exit status and output.
func runOgmint(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), o.String(), e.String()
}

// otherSQLite writes another application's SQLite database to path.
func otherSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not ogmint')`); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedStores makes copies of a real database (renders made by the
// server) and checks each: a copy that is empty or foreign stops
// `ogmint serve` with a message and leaves the file as it was; a damaged
// image answers 500 JSON with a log line, never its bytes, while the
// others are served as stored; `ogmint check` passes the clean copy (exit
// 0) and reports each damage (exit 1).
func TestDamagedStores(t *testing.T) {
	src, slugs, pngs := realStore(t)
	bad := pngs[slugs[1]]
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, path string)
		refused string   // serve stops with this in its message; "" serves
		broken  []string // slugs that answer 500
		check   []string // `ogmint check` says these
	}{
		{"clean", func(*testing.T, string) {}, "", nil,
			[]string{"integrity_check: ok", "images: 3 checked against their checksums, 0 damaged",
				"templates: 0 version(s) checked against their checksums, 0 damaged",
				"fonts: 0 checked against their checksums, 0 damaged", "result: ok"}},
		{"empty", func(t *testing.T, p string) { os.WriteFile(p, nil, 0o600) },
			"is empty (0 bytes)", nil, []string{"is empty (0 bytes)"}},
		{"png", func(t *testing.T, p string) { os.WriteFile(p, bad, 0o600) },
			"is not an SQLite database", nil, []string{`beginning "\x89PNG`}},
		{"other sqlite", func(t *testing.T, p string) { os.Remove(p); otherSQLite(t, p) },
			"without ogmint's application_id or tables", nil, []string{"without ogmint's application_id or tables"}},
		{"image bytes", func(t *testing.T, p string) { storetest.FlipWithin(t, p, bad[len(bad)/3:len(bad)/3+64]) },
			"", slugs[1:2], []string{"integrity_check: ok", "3 checked against their checksums, 1 damaged",
				"render " + slugs[1] + " (id 2): image fails its checksum", "result: DAMAGED"}},
		{"images page header", func(t *testing.T, p string) { storetest.FlipPageHeader(t, p, "images") },
			"", slugs, []string{"integrity_check: ", "btreeInitPage() returns error code 11", "3 damaged", "result: DAMAGED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := storetest.Copy(t, src, dir)
			tc.damage(t, path)
			code, out, errOut := runOgmint(t, nil, "check", "-data-dir", dir)
			t.Logf("ogmint check: exit %d\n%s%s", code, out, errOut)
			if want := min(len(tc.broken)+len(tc.refused), 1); code != want {
				t.Errorf("ogmint check: exit %d, want %d\n%s%s", code, want, out, errOut)
			}
			for _, s := range tc.check {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("ogmint check does not say %q:\n%s%s", s, out, errOut)
				}
			}
			if tc.refused != "" {
				serveRefuses(t, dir, path, tc.refused)
				return
			}
			serveDamaged(t, dir, pngs, tc.broken)
		})
	}
}

// serveRefuses: `ogmint serve` on dir exits 1 at start saying why, and
// leaves the database file as it was.
func serveRefuses(t *testing.T, dir, path, why string) {
	t.Helper()
	before, _ := os.ReadFile(path)
	code, _, errOut := runOgmint(t, []string{"OGMINT_ADDR=127.0.0.1:" + fmt.Sprint(freePort(t)), "OGMINT_DATA_DIR=" + dir,
		"OGMINT_API_KEYS=" + testKey, "OGMINT_MODULE=" + modulePath, "OGMINT_INSTANCES=1"}, "serve")
	t.Logf("ogmint serve: exit %d\n%s", code, errOut)
	if code != 1 || !strings.Contains(errOut, "not an ogmint database: "+path) || !strings.Contains(errOut, why) {
		t.Errorf("ogmint serve: exit %d, want 1 saying %q; stderr:\n%s", code, why, errOut)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the refused file was changed")
	}
}

// serveDamaged: `ogmint serve` on dir answers 500 JSON for each broken
// slug, with a log line naming it, and every other image as stored.
func serveDamaged(t *testing.T, dir string, pngs map[string][]byte, broken []string) {
	t.Helper()
	s := startServer(t, dir, freePort(t))
	for slug, want := range pngs {
		st, body := get(t, s.base+"/i/"+slug)
		isBroken := strings.Contains(strings.Join(broken, " "), slug)
		switch {
		case isBroken && (st != 500 || !bytes.Contains(body, []byte(`{"error":"the stored image is damaged"}`))):
			t.Errorf("/i/%s (damaged): %d %.100q", slug, st, body)
		case !isBroken && (st != 200 || !bytes.Equal(body, want)):
			t.Errorf("/i/%s (intact): %d, %d bytes", slug, st, len(body))
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	for _, slug := range broken {
		if !strings.Contains(s.log.String(), `"msg":"store corruption: image not served","slug":"`+slug+`"`) {
			t.Errorf("no corruption log line for %s; log:\n%s", slug, s.log)
		}
	}
}

// TestCheckHelp: `ogmint check --help` prints its usage and exits 0; a
// stray argument is a usage error (2).
func TestCheckHelp(t *testing.T) {
	if code, out, errOut := runOgmint(t, nil, "check", "--help"); code != 0 || !strings.Contains(out+errOut, "Usage: ogmint check") {
		t.Errorf("--help: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := runOgmint(t, nil, "check", "extra"); code != 2 {
		t.Errorf("stray argument: exit %d, want 2", code)
	}
}
