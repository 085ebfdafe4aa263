package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// The behaviour of the template and font methods is tested by the suite
// every Store runs (suite_test.go); these tests are SQLite's own: its
// migration, two processes on one file, damaged blobs, a full disk.

// templateJSON is a template document of about 3*n bytes, distinct for each
// seed (no stretch of it occurs in another's).
func templateJSON(seed, n int) []byte {
	return fmt.Appendf(nil, `{"version":2,"layers":[{"type":"text","text":"%x"}]}`, pngBytes(seed, n))
}

// v2DB writes an ogmint database as a binary of schema 2 (before templates
// and fonts) made it, with one render.
func v2DB(t *testing.T, dir string, png []byte) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, DBFile), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, migrations[:2], time.Now); err != nil {
		t.Fatal(err)
	}
	h, sum := hashOf("v2render"), hashOf(string(png))
	res, err := db.Exec(`INSERT INTO renders (slug, key_id, dedup_hash, template, canonical, created_at, png_sha256)
		VALUES ('v2render', 'k1', ?, 'blog', 'c', 0, ?)`, h[:], sum[:])
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := db.Exec(`INSERT INTO images (render_id, png) VALUES (?, ?)`, id, png); err != nil {
		t.Fatal(err)
	}
}

// TestMigration3: a database of schema 2 opens, gets version 3 (STRICT
// template and font tables) and keeps its renders; `ogmint check` passes it
// before and after; a database migrated past 3 by a newer binary is refused.
func TestMigration3(t *testing.T) {
	ctx := context.Background()
	if schemaVersion() != 3 {
		t.Fatalf("schemaVersion = %d: this test is about migration 3, the latest", schemaVersion())
	}
	dir := t.TempDir()
	png := realPNG(t, 1, 100)
	v2DB(t, dir, png)
	if rep, err := Check(ctx, dir); err != nil || !rep.OK() || rep.Images != 1 || rep.Templates != 0 || rep.Fonts != 0 {
		t.Fatalf("Check of a schema 2 database: %+v, %v", rep, err)
	}

	s := openTest(t, dir)
	if got, want := migrationVersions(t, s), seq(3); !slices.Equal(got, want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	if got, err := s.Image(ctx, "v2render"); err != nil || !bytes.Equal(got, png) {
		t.Fatalf("the schema 2 render after migration: %d bytes, %v", len(got), err)
	}
	for _, table := range []string{"templates", "template_json", "fonts", "font_data"} {
		var strict int
		if err := s.r.QueryRow(`SELECT strict FROM pragma_table_list WHERE name = ?`, table).Scan(&strict); err != nil || strict != 1 {
			t.Errorf("table %s: strict %d, %v", table, strict, err)
		}
	}
	tp := &Template{ID: NewTemplateID(), KeyID: "k1", Name: "after", JSON: templateJSON(1, 100)}
	if err := s.CreateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateFont(ctx, &Font{ID: NewFontID(), KeyID: "k1", Family: "Inter", Weight: FontBold, Format: "ttf", Data: pngBytes(2, 100)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep, err := Check(ctx, dir); err != nil || !rep.OK() || rep.Templates != 1 || rep.Fonts != 1 {
		t.Fatalf("Check after migration 3: %+v, %v", rep, err)
	}

	// A newer binary migrates it to 4; this one must refuse it then.
	newer := append(slices.Clip(migrations), `CREATE TABLE template_tags (id TEXT, tag TEXT) STRICT`)
	s4, err := openSQLite(ctx, dir, Options{}, newer)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := migrationVersions(t, s4), seq(4); !slices.Equal(got, want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	s4.Close()
	if s3, err := OpenSQLite(ctx, dir, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		if s3 != nil {
			s3.Close()
		}
		t.Fatalf("open of a schema 4 database: %v, want ErrSchemaTooNew", err)
	}
}

// blobFixture is a closed database holding a template of two versions and
// two fonts, with the bytes each was stored with.
type blobFixture struct {
	path   string
	tid    string
	json   map[int][]byte // by version
	fonts  []*Font        // regular, bold
	keyID  string
	family string
}

func newBlobFixture(t *testing.T) *blobFixture {
	t.Helper()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &blobFixture{path: s.Path(), tid: NewTemplateID(), json: map[int][]byte{}, keyID: "k1", family: "Inter"}
	f.json[1], f.json[2] = templateJSON(1, 2000), templateJSON(2, 2000)
	if err := s.CreateTemplate(ctx, &Template{ID: f.tid, KeyID: f.keyID, JSON: f.json[1]}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTemplate(ctx, f.keyID, f.tid, 1, f.json[2], ""); err != nil {
		t.Fatal(err)
	}
	for i, w := range []string{FontRegular, FontBold} {
		font := &Font{ID: NewFontID(), KeyID: f.keyID, Family: f.family, Weight: w, Format: "woff2", Data: pngBytes(10+i, 20000)}
		if err := s.CreateFont(ctx, font); err != nil {
			t.Fatal(err)
		}
		f.fonts = append(f.fonts, font)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

// versionOf is t's version, -1 for nil.
func versionOf(t *Template) int {
	if t == nil {
		return -1
	}
	return t.Version
}

// middle is 64 bytes from the middle of b.
func middle(b []byte) []byte { return b[len(b)/2 : len(b)/2+64] }

// rawExec runs statements on the closed database at path.
func rawExec(t *testing.T, path, stmts string) {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmts); err != nil {
		t.Fatal(err)
	}
}

// TestTemplateAndFontDamage: a template version's JSON or a font's data
// that is damaged or missing is never returned: Template, Font and
// FontByFamily answer ErrCorrupt (never an older version instead), the
// undamaged ones are served, the listings still work, and Check names what
// is damaged.
func TestTemplateAndFontDamage(t *testing.T) {
	f := newBlobFixture(t)
	ctx := context.Background()
	reg, bold := f.fonts[0], f.fonts[1]
	for _, tc := range []struct {
		name       string
		damage     func(t *testing.T, path string)
		badVersion int      // the template version that is damaged (0: none)
		badFonts   []string // the fonts that are damaged
		check      []string // what Check says about each, in order
		integrity  bool     // integrity_check finds something
	}{
		{name: "clean", damage: func(*testing.T, string) {}},
		{name: "font bytes", damage: func(t *testing.T, p string) { storetest.FlipWithin(t, p, middle(reg.Data)) },
			badFonts: []string{reg.ID}, check: []string{"font " + reg.ID + " (Inter regular): data fails its checksum"}},
		{name: "template bytes", damage: func(t *testing.T, p string) { storetest.FlipWithin(t, p, middle(f.json[1])) },
			badVersion: 1, check: []string{"template " + f.tid + " version 1: JSON fails its checksum"}},
		{name: "font data missing", damage: func(t *testing.T, p string) {
			rawExec(t, p, `DELETE FROM font_data WHERE font_id = '`+bold.ID+`'`)
		}, badFonts: []string{bold.ID}, check: []string{"font " + bold.ID + " (Inter bold): data missing"}},
		{name: "latest JSON missing", damage: func(t *testing.T, p string) {
			rawExec(t, p, `DELETE FROM template_json WHERE id = '`+f.tid+`' AND version = 2`)
		}, badVersion: 2, check: []string{"template " + f.tid + " version 2: JSON missing"}},
		{name: "font_data page header", damage: func(t *testing.T, p string) { storetest.FlipPageHeader(t, p, "font_data") },
			badFonts: []string{reg.ID, bold.ID}, check: []string{"data unreadable", "data unreadable"}, integrity: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.damage(t, storetest.Copy(t, f.path, dir))

			rep, err := Check(ctx, dir)
			if err != nil || rep.Templates != 2 || rep.Fonts != 2 || (len(rep.Integrity) > 0) != tc.integrity {
				t.Fatalf("Check: %+v, %v", rep, err)
			}
			damaged := append(slices.Clip(rep.DamagedTemplates), rep.DamagedFonts...)
			if len(damaged) != len(tc.check) || rep.OK() != (len(tc.check) == 0) {
				t.Fatalf("Check found %q, want %d findings like %q", damaged, len(tc.check), tc.check)
			}
			for i, want := range tc.check {
				if !strings.Contains(damaged[i], want) {
					t.Errorf("Check says %q, want it to say %q", damaged[i], want)
				}
			}

			s := openTest(t, dir)
			for v, stored := range map[int]int{0: 2, 1: 1, 2: 2} { // version 0 is the latest, 2
				got, err := s.Template(ctx, f.tid, v)
				switch bad := stored == tc.badVersion; {
				case bad && (!errors.Is(err, ErrCorrupt) || got != nil):
					t.Errorf("Template(%d) of damaged JSON: version %d, %v; want ErrCorrupt", v, versionOf(got), err)
				case !bad && (err != nil || got.Version != stored || !bytes.Equal(got.JSON, f.json[stored])):
					t.Errorf("Template(%d) of sound JSON: version %d, %v", v, versionOf(got), err)
				}
			}
			for _, font := range f.fonts {
				byID, err1 := s.Font(ctx, f.keyID, font.ID)
				byFamily, err2 := s.FontByFamily(ctx, f.keyID, font.Family, font.Weight)
				if slices.Contains(tc.badFonts, font.ID) {
					if !errors.Is(err1, ErrCorrupt) || byID != nil || !errors.Is(err2, ErrCorrupt) || byFamily != nil {
						t.Errorf("damaged font %s: Font %v, FontByFamily %v; want ErrCorrupt and no data", font.ID, err1, err2)
					}
					continue
				}
				if err1 != nil || !bytes.Equal(byID.Data, font.Data) || err2 != nil || !bytes.Equal(byFamily.Data, font.Data) {
					t.Errorf("sound font %s: Font %v, FontByFamily %v", font.ID, err1, err2)
				}
			}
			// The listings read no blobs.
			if fs, err := s.Fonts(ctx, f.keyID); err != nil || len(fs) != 2 {
				t.Errorf("Fonts: %d, %v", len(fs), err)
			}
			if ts, err := s.Templates(ctx, f.keyID); err != nil || len(ts) != 1 {
				t.Errorf("Templates: %d, %v", len(ts), err)
			}
		})
	}
}

// TestDiskFullTemplatesAndFonts: on a full disk, template and font writes
// fail with ErrNoSpace, write nothing, and mark the store unwritable; once
// space is freed the same writes succeed.
func TestDiskFullTemplatesAndFonts(t *testing.T) {
	dir := storetest.MountTmpfs(t, 4<<20)
	ctx := context.Background()
	s := openTest(t, dir)
	s.space.every = 50 * time.Millisecond
	tp := &Template{ID: NewTemplateID(), KeyID: "k1", JSON: templateJSON(0, 100)}
	if err := s.CreateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	filler := storetest.FillDisk(t, dir)

	big := func(seed int) []byte { return templateJSON(seed, 100<<10) } // 300 KB
	newTp := &Template{ID: NewTemplateID(), KeyID: "k1", JSON: big(1)}
	font := &Font{ID: NewFontID(), KeyID: "k1", Family: "Inter", Weight: FontRegular, Format: "ttf", Data: pngBytes(2, 300<<10)}
	writes := []struct {
		name string
		do   func() error
	}{
		{"CreateTemplate", func() error { return s.CreateTemplate(ctx, newTp) }},
		{"UpdateTemplate", func() error { _, err := s.UpdateTemplate(ctx, "k1", tp.ID, 1, big(3), ""); return err }},
		{"CreateFont", func() error { return s.CreateFont(ctx, font) }},
	}
	for _, w := range writes {
		if err := w.do(); !errors.Is(err, ErrNoSpace) {
			t.Fatalf("%s on a full disk: %v, want ErrNoSpace", w.name, err)
		}
	}
	if err := s.Writable(ctx); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Writable after failed writes: %v, want ErrNoSpace", err)
	}
	if _, err := s.Template(ctx, newTp.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("the failed template was stored: %v", err)
	}
	if got, err := s.Template(ctx, tp.ID, 0); err != nil || got.Version != 1 {
		t.Errorf("after the failed update: %+v, %v; want version 1", got, err)
	}
	if fs, err := s.Fonts(ctx, "k1"); err != nil || len(fs) != 0 {
		t.Errorf("the failed font was stored: %v, %v", fs, err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * s.space.every)
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable after freeing space: %v", err)
	}
	for _, w := range writes {
		if err := w.do(); err != nil {
			t.Fatalf("%s after freeing space: %v", w.name, err)
		}
	}
	if got, err := s.FontByFamily(ctx, "k1", "Inter", FontRegular); err != nil || !bytes.Equal(got.Data, font.Data) {
		t.Fatalf("the font stored after recovery: %v", err)
	}
}
