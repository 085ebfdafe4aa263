package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

func init() {
	// Migration 2 records the checksums of the images stored before it.
	sqlite.MustRegisterDeterministicScalarFunction("ogmint_sha256", 1, sqlSHA256)
}

// sqlSHA256 is the SQL function ogmint_sha256(blob): its SHA-256, NULL for NULL.
func sqlSHA256(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case nil:
		return nil, nil
	case []byte:
		sum := sha256.Sum256(v)
		return sum[:], nil
	case string:
		sum := sha256.Sum256([]byte(v))
		return sum[:], nil
	}
	return nil, fmt.Errorf("ogmint_sha256: %T is not a blob", args[0])
}

// verifySum checks stored bytes (an image, a template's JSON, a font)
// against the checksum recorded beside them and says how they differ.
func verifySum(b, sum []byte) error {
	if len(sum) != sha256.Size {
		return fmt.Errorf("no valid checksum recorded (%d bytes)", len(sum))
	}
	if got := sha256.Sum256(b); !bytes.Equal(got[:], sum) {
		return mismatch(len(b), got, sum)
	}
	return nil
}

// mismatch describes a checksum mismatch (a function of its own, so that
// only this path puts the hash on the heap).
func mismatch(n int, got [sha256.Size]byte, sum []byte) error {
	return fmt.Errorf("%d bytes with SHA-256 %x..., recorded %x...", n, got[:8], sum[:8])
}

// sqliteErr marks SQLite's "malformed" and "not a database" errors as
// ErrCorrupt, keeping the driver's message.
func sqliteErr(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	return err
}

// CheckReport is what Check found.
type CheckReport struct {
	Path string
	// Integrity lists PRAGMA integrity_check's findings (empty when "ok").
	Integrity []string
	// Images is the number of renders whose image was read and checked.
	Images int
	// Damaged has one line per render whose image is missing, unreadable
	// or fails its checksum.
	Damaged []string
	// NoChecksums: the database predates image checksums (schema 1; the
	// next `ogmint serve` adds them), so images were only read.
	NoChecksums bool
	// Templates is the number of template versions whose JSON was read and
	// checked, Fonts the number of fonts whose data was (both 0 in a
	// database older than schema 3, which has neither).
	Templates, Fonts int
	// DamagedTemplates and DamagedFonts have one line per template version
	// or font whose JSON or data is missing, unreadable or fails its checksum.
	DamagedTemplates, DamagedFonts []string
}

// OK reports whether nothing was found.
func (r *CheckReport) OK() bool {
	return len(r.Integrity) == 0 && len(r.Damaged) == 0 && len(r.DamagedTemplates) == 0 && len(r.DamagedFonts) == 0
}

// Check examines <dataDir>/ogmint.db without changing it: that it is an
// ogmint database (ErrForeignDB otherwise), SQLite's integrity_check, and
// every render's image, template version's JSON and font's data against
// its checksum. It may run beside a server on the same file: WAL readers
// do not hold up the writer.
func Check(ctx context.Context, dataDir string) (*CheckReport, error) {
	path := filepath.Join(dataDir, DBFile)
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("store: no database at %s: %w", path, fs.ErrNotExist)
	}
	if err := identify(ctx, path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", fileURI(path, "_pragma=query_only(1)&_pragma=busy_timeout(5000)"))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rep := &CheckReport{Path: path}
	rep.Integrity = integrityCheck(ctx, db)
	if err := checkImages(ctx, db, rep); err != nil {
		return nil, err
	}
	if err := checkBlobs(ctx, db, templateBlobs, &rep.Templates, &rep.DamagedTemplates); err != nil {
		return nil, err
	}
	if err := checkBlobs(ctx, db, fontBlobs, &rep.Fonts, &rep.DamagedFonts); err != nil {
		return nil, err
	}
	return rep, nil
}

// integrityCheck runs PRAGMA integrity_check: its findings, or the error
// that stopped it, as lines; none when the database is sound.
func integrityCheck(ctx context.Context, db *sql.DB) []string {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check(100)`)
	if err != nil {
		return []string{err.Error()}
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return append(out, err.Error())
		}
		for _, l := range strings.Split(line, "\n") { // SQLite joins its findings with newlines
			if l != "ok" && l != "*** in database main ***" {
				out = append(out, l)
			}
		}
	}
	if err := rows.Err(); err != nil {
		out = append(out, err.Error())
	}
	return out
}

// storedRender is a render's id, slug and recorded checksum.
type storedRender struct {
	id   int64
	slug string
	sum  []byte
}

// checkImages reads every render's image and verifies it, one render at a
// time, so that one unreadable row does not hide the others. Only a
// cancelled ctx is an error; damage goes into rep.
func checkImages(ctx context.Context, db *sql.DB, rep *CheckReport) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('renders') WHERE name = 'png_sha256'`).Scan(&n); err != nil {
		rep.Damaged = append(rep.Damaged, "renders table unreadable: "+err.Error())
		return ctx.Err()
	}
	rep.NoChecksums = n == 0
	sumCol := "png_sha256"
	if rep.NoChecksums {
		sumCol = "NULL"
	}
	rs, err := listRenders(ctx, db, sumCol)
	if err != nil {
		rep.Damaged = append(rep.Damaged, "renders table unreadable: "+err.Error())
	}
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Images++
		if why := checkImage(ctx, db, r, !rep.NoChecksums); why != "" {
			rep.Damaged = append(rep.Damaged, fmt.Sprintf("render %s (id %d): %s", r.slug, r.id, why))
		}
	}
	return ctx.Err()
}

// listRenders reads the renders' ids, slugs and checksums; on an error it
// returns those read before it.
func listRenders(ctx context.Context, db *sql.DB, sumCol string) ([]storedRender, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, slug, `+sumCol+` FROM renders ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []storedRender
	for rows.Next() {
		var r storedRender
		if err := rows.Scan(&r.id, &r.slug, &r.sum); err != nil {
			return rs, err
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// checkImage says what is wrong with r's image, or "" when nothing is.
func checkImage(ctx context.Context, db *sql.DB, r storedRender, verify bool) string {
	var png []byte
	err := db.QueryRowContext(ctx, `SELECT png FROM images WHERE render_id = ?`, r.id).Scan(&png)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "image missing"
	case err != nil:
		return "image unreadable: " + err.Error()
	}
	if !verify {
		return ""
	}
	if err := verifySum(png, r.sum); err != nil {
		return "image fails its checksum: " + err.Error()
	}
	return ""
}

// blobTable is a table of small rows that hold the checksums of blobs kept
// in another table, for checkBlobs.
type blobTable struct {
	table string // the small rows' table; a database without it is skipped
	// list selects each row's label, checksum and the keys of its blob.
	list string
	keys int    // how many keys list selects
	blob string // selects the blob by those keys
	what string // what the blob is called in findings
}

var (
	templateBlobs = blobTable{
		table: "templates",
		list:  `SELECT 'template ' || id || ' version ' || version, json_sha256, id, version FROM templates ORDER BY id, version`,
		keys:  2,
		blob:  `SELECT json FROM template_json WHERE id = ? AND version = ?`,
		what:  "JSON",
	}
	fontBlobs = blobTable{
		table: "fonts",
		list:  `SELECT 'font ' || id || ' (' || family || ' ' || weight || ')', sha256, id FROM fonts ORDER BY id`,
		keys:  1,
		blob:  `SELECT data FROM font_data WHERE font_id = ?`,
		what:  "data",
	}
)

// checkBlobs reads every blob of bt and verifies it against its checksum,
// one at a time, counting them in n and adding a line per damaged one to
// damaged. Only a cancelled ctx is an error.
func checkBlobs(ctx context.Context, db *sql.DB, bt blobTable, n *int, damaged *[]string) error {
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, bt.table).Scan(&tables); err != nil {
		*damaged = append(*damaged, "schema unreadable: "+err.Error())
		return ctx.Err()
	}
	if tables == 0 { // older than schema 3
		return ctx.Err()
	}
	type stored struct {
		label string
		sum   []byte
		keys  []any
	}
	var rs []stored
	rows, err := db.QueryContext(ctx, bt.list)
	if err == nil {
		for rows.Next() {
			r := stored{keys: make([]any, bt.keys)}
			dest := []any{&r.label, &r.sum}
			for i := range r.keys {
				dest = append(dest, &r.keys[i])
			}
			if err = rows.Scan(dest...); err != nil {
				break
			}
			rs = append(rs, r)
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	if err != nil {
		*damaged = append(*damaged, bt.table+" table unreadable: "+err.Error())
	}
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return err
		}
		*n++
		var b []byte
		err := db.QueryRowContext(ctx, bt.blob, r.keys...).Scan(&b)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			*damaged = append(*damaged, fmt.Sprintf("%s: %s missing", r.label, bt.what))
		case err != nil:
			*damaged = append(*damaged, fmt.Sprintf("%s: %s unreadable: %v", r.label, bt.what, err))
		default:
			if err := verifySum(b, r.sum); err != nil {
				*damaged = append(*damaged, fmt.Sprintf("%s: %s fails its checksum: %v", r.label, bt.what, err))
			}
		}
	}
	return ctx.Err()
}
