package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// realPNG is a real PNG of opaque noise, about 3*w*w bytes (a stored card
// is 30-90 KB).
func realPNG(t testing.TB, seed, w int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, w))
	x := uint32(seed*2654435761 + 1)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fixture is a real, closed database with four renders, their images and
// pending webhook deliveries.
type fixture struct {
	path  string
	slugs []string
	pngs  map[string][]byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenSQLite(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{path: s.Path(), pngs: map[string][]byte{}}
	for i := range 4 {
		r := newRender(fmt.Sprintf("real%04d", i), "k1", fmt.Sprint("card ", i))
		r.PNG = realPNG(t, i, 110+20*i)
		mustCreate(t, s, r, true)
		f.slugs, f.pngs[r.Slug] = append(f.slugs, r.Slug), r.PNG
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

// damage names each way the fixture's file is damaged in these tests.
var damage = map[string]func(t *testing.T, f *fixture, path string){
	"empty":          func(t *testing.T, f *fixture, path string) { writeFile(t, path, nil) },
	"png":            func(t *testing.T, f *fixture, path string) { writeFile(t, path, f.pngs[f.slugs[0]]) },
	"text":           func(t *testing.T, f *fixture, path string) { writeFile(t, path, []byte("slug,url\n")) },
	"short header":   func(t *testing.T, f *fixture, path string) { writeFile(t, path, readFile(t, f.path)[:60]) },
	"other sqlite":   func(t *testing.T, f *fixture, path string) { otherSQLite(t, path, 0) },
	"other app id":   func(t *testing.T, f *fixture, path string) { otherSQLite(t, path, 0x4d504246) },
	"flipped app id": func(t *testing.T, f *fixture, path string) { flipHeaderAppID(t, f, path) },
	"image bytes": func(t *testing.T, f *fixture, path string) {
		writeFile(t, path, readFile(t, f.path))
		p := f.pngs[f.slugs[1]]
		storetest.FlipWithin(t, path, p[len(p)/2:len(p)/2+64])
	},
	"images page header": func(t *testing.T, f *fixture, path string) {
		writeFile(t, path, readFile(t, f.path))
		storetest.FlipPageHeader(t, path, "images")
	},
}

// damagedCopy is a data directory holding the fixture's file damaged by name.
func damagedCopy(t *testing.T, f *fixture, name string) string {
	t.Helper()
	dir := t.TempDir()
	damage[name](t, f, filepath.Join(dir, DBFile))
	return dir
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// otherSQLite writes another application's SQLite database to path.
func otherSQLite(t *testing.T, path string, appID int) {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA application_id = %d; CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
		INSERT INTO notes (body) VALUES ('not ogmint')`, appID)); err != nil {
		t.Fatal(err)
	}
}

// flipHeaderAppID copies the fixture with the application_id bytes of its
// header inverted.
func flipHeaderAppID(t *testing.T, f *fixture, path string) {
	t.Helper()
	b := readFile(t, f.path)
	for i := 68; i < 72; i++ {
		b[i] ^= 0xff
	}
	writeFile(t, path, b)
}

// TestOpenRefusesEmptyOrForeignFile: an existing file that is empty, not
// SQLite, another application's SQLite or has a damaged application_id is
// refused with ErrForeignDB and a message naming the file and why; the file
// is left exactly as it was.
func TestOpenRefusesEmptyOrForeignFile(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ damage, why string }{
		{"empty", "is empty (0 bytes)"},
		{"png", `is not an SQLite database`},
		{"text", `beginning "slug,url\n"`},
		{"short header", "is not an SQLite database (60 bytes"},
		{"other sqlite", "without ogmint's application_id or tables"},
		{"other app id", "another application, or its header is damaged (application_id 0x4d504246"},
		{"flipped app id", "another application, or its header is damaged (application_id 0x9098928b"},
	} {
		t.Run(tc.damage, func(t *testing.T) {
			dir := damagedCopy(t, f, tc.damage)
			path := filepath.Join(dir, DBFile)
			before := readFile(t, path)
			s, err := OpenSQLite(context.Background(), dir, Options{})
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, ErrForeignDB) || !strings.Contains(err.Error(), path+" is ") ||
				!strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "backup") {
				t.Fatalf("err = %v\nwant ErrForeignDB naming the file and saying %q", err, tc.why)
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Error("the refused file was changed")
			}
		})
	}
}

// TestOpenNewFileHasApplicationID: a missing file is a fresh install, made
// with ogmint's application_id, owner-only, with no temporary file left.
func TestOpenNewFileHasApplicationID(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var id int64
	if err := s.r.QueryRow(`PRAGMA application_id`).Scan(&id); err != nil || id != appID {
		t.Fatalf("application_id = %#x, %v; want %#x", id, err, appID)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		if strings.Contains(filepath.Base(n), ".new-") {
			t.Errorf("temporary file left: %s", n)
		}
	}
}

// TestOpenConcurrentCreate: several openers of one new data directory all
// get the same database; none sees a half-made (empty) file and refuses it.
func TestOpenConcurrentCreate(t *testing.T) {
	for range 20 {
		dir := t.TempDir()
		errs := make(chan error, 4)
		for range cap(errs) {
			go func() {
				s, err := OpenSQLite(context.Background(), dir, Options{})
				if err == nil {
					_, _, err = s.CreateRender(context.Background(), newRender(randomSlug(), "k", "same"), nil)
					s.Close()
				}
				errs <- err
			}()
		}
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// randomSlug is a random 8-character slug.
func randomSlug() string { return NewDeliveryID(time.Now())[22:] }

// legacyDB writes an ogmint database as binaries before application_id and
// checksums made it (migration 1 only), with one render per image.
func legacyDB(t *testing.T, dir string, pngs map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, DBFile), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, migrations[:1], time.Now); err != nil {
		t.Fatal(err)
	}
	for slug, p := range pngs {
		h := hashOf(slug)
		res, err := db.Exec(`INSERT INTO renders (slug, key_id, dedup_hash, template, canonical, created_at)
			VALUES (?, 'k1', ?, 'blog', ?, 0)`, slug, h[:], slug)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := db.Exec(`INSERT INTO images (render_id, png) VALUES (?, ?)`, id, p); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenLegacyDatabase: an ogmint database made before application_id is
// recognised by its tables, migrated (application_id set, a checksum
// recorded for every image) and serves its images.
func TestOpenLegacyDatabase(t *testing.T) {
	dir := t.TempDir()
	pngs := map[string][]byte{"old00001": realPNG(t, 1, 100), "old00002": realPNG(t, 2, 120)}
	legacyDB(t, dir, pngs)
	s := openTest(t, dir)
	for slug, want := range pngs {
		if got, err := s.Image(context.Background(), slug); err != nil || !bytes.Equal(got, want) {
			t.Errorf("Image(%s): %d bytes, %v", slug, len(got), err)
		}
	}
	var id int64
	var missing int
	if err := s.r.QueryRow(`SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT count(*) FROM renders WHERE png_sha256 IS NULL)`).Scan(&id, &missing); err != nil {
		t.Fatal(err)
	}
	if id != appID || missing != 0 {
		t.Errorf("after migration: application_id %#x, %d renders without a checksum", id, missing)
	}
}

// TestImageNeverReturnsDamagedBytes: a flip inside one stored image, and a
// damaged b-tree page header of the images table, make Image answer
// ErrCorrupt without bytes; the undamaged images of the first copy are
// served as stored.
func TestImageNeverReturnsDamagedBytes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		damage string
		bad    []string // slugs whose image is damaged
	}{
		{"image bytes", f.slugs[1:2]},
		{"images page header", f.slugs},
	} {
		t.Run(tc.damage, func(t *testing.T) {
			s := openTest(t, damagedCopy(t, f, tc.damage))
			for _, slug := range f.slugs {
				got, err := s.Image(ctx, slug)
				switch {
				case containsStr(tc.bad, slug) && (!errors.Is(err, ErrCorrupt) || got != nil):
					t.Errorf("Image(%s): %d bytes, err %v; want ErrCorrupt and no bytes", slug, len(got), err)
				case !containsStr(tc.bad, slug) && (err != nil || !bytes.Equal(got, f.pngs[slug])):
					t.Errorf("Image(%s) of an undamaged image: %d bytes, err %v", slug, len(got), err)
				}
			}
		})
	}
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestCheck: Check passes the clean copy (without changing it), a copy a
// store has open and a legacy database; it names the damaged image,
// reports integrity_check's findings for a damaged page, and refuses empty
// and foreign files.
func TestCheck(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t.Run("clean", func(t *testing.T) {
		dir := t.TempDir()
		storetest.Copy(t, f.path, dir)
		before := readFile(t, filepath.Join(dir, DBFile))
		rep, err := Check(ctx, dir)
		if err != nil || !rep.OK() || rep.Images != len(f.slugs) || rep.NoChecksums {
			t.Fatalf("clean copy: %+v, %v", rep, err)
		}
		if !bytes.Equal(readFile(t, filepath.Join(dir, DBFile)), before) {
			t.Error("Check changed the file")
		}
	})
	t.Run("live", func(t *testing.T) { // beside an open store with its -wal
		dir := t.TempDir()
		storetest.Copy(t, f.path, dir)
		s := openTest(t, dir)
		mustCreate(t, s, newRender("live0001", "k1", "live"), true)
		rep, err := Check(ctx, dir)
		if err != nil || !rep.OK() || rep.Images != len(f.slugs)+1 {
			t.Fatalf("beside a live store: %+v, %v", rep, err)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		dir := t.TempDir()
		legacyDB(t, dir, map[string][]byte{"old00001": realPNG(t, 1, 100)})
		rep, err := Check(ctx, dir)
		if err != nil || !rep.OK() || rep.Images != 1 || !rep.NoChecksums {
			t.Fatalf("legacy database: %+v, %v", rep, err)
		}
	})
	t.Run("image bytes", func(t *testing.T) {
		rep, err := Check(ctx, damagedCopy(t, f, "image bytes"))
		if err != nil || rep.OK() || len(rep.Integrity) != 0 || len(rep.Damaged) != 1 ||
			!strings.Contains(rep.Damaged[0], f.slugs[1]) || !strings.Contains(rep.Damaged[0], "checksum") {
			t.Fatalf("flipped image bytes: %+v, %v", rep, err)
		}
	})
	t.Run("images page header", func(t *testing.T) {
		rep, err := Check(ctx, damagedCopy(t, f, "images page header"))
		if err != nil || rep.OK() || len(rep.Integrity) == 0 || len(rep.Damaged) != len(f.slugs) {
			t.Fatalf("flipped page header: %+v, %v", rep, err)
		}
		t.Logf("integrity_check: %d findings, the first %q", len(rep.Integrity), rep.Integrity[0])
	})
	for _, name := range []string{"empty", "png", "other sqlite", "flipped app id"} {
		t.Run(name, func(t *testing.T) {
			if rep, err := Check(ctx, damagedCopy(t, f, name)); !errors.Is(err, ErrForeignDB) {
				t.Fatalf("%+v, %v; want ErrForeignDB", rep, err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := Check(ctx, dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want not exist", err)
		}
		if _, err := os.Stat(filepath.Join(dir, DBFile)); !errors.Is(err, fs.ErrNotExist) {
			t.Error("Check created a database")
		}
	})
}
