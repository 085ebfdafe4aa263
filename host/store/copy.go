package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Tables as Copy names them in its counts, in the order it copies them:
// the rows a foreign key points at before the rows that point (renders
// before their deliveries, deliveries before their attempts; a blob goes
// with its row in one statement).
const (
	CopyAPIKeys    = "api_keys"
	CopyTemplates  = "templates"  // template versions, each with its JSON (template_json)
	CopyFonts      = "fonts"      // fonts, each with its data (font_data)
	CopyRenders    = "renders"    // renders, each with its PNG (images)
	CopyDeliveries = "deliveries" // webhook deliveries
	CopyAttempts   = "attempts"   // their recorded attempts
)

// CopyCounts is what Copy did with the rows of one table.
type CopyCounts struct {
	Table  string // one of the Copy* table names
	Source int64  // rows in the source (when the copy began)
	// Copied rows were written to the destination.
	Copied int64
	// Existing rows were there already with the same content (a run
	// before this one copied them), or with content the destination has
	// moved on from since (a delivery a Postgres host has attempted since,
	// a template deleted there): nothing was written.
	Existing int64
	// Conflicts are rows whose key (id, slug, version, or a unique pair
	// such as an API key's dedup hash) is taken in the destination by a
	// row with other content: nothing was written; see CopyReport.Conflicts.
	Conflicts int64
	// Damaged rows' blob (image, template JSON, font data) is missing or
	// fails its checksum in the source: not copied; see CopyReport.Damaged.
	Damaged int64
	// Skipped rows belong to a row that was not copied (the deliveries of a
	// damaged or conflicting render, the attempts of such a delivery): not
	// copied, as their destination row would be another's; see
	// CopyReport.Skipped.
	Skipped int64
	// Bytes is the size of the blobs copied.
	Bytes int64
}

// Done is the number of rows handled so far.
func (c CopyCounts) Done() int64 { return c.Copied + c.Existing + c.Conflicts + c.Damaged + c.Skipped }

// CopyReport is what Copy did.
type CopyReport struct {
	Tables []CopyCounts // in the order copied
	// Conflicts, Damaged and Skipped have one line per row counted so, naming
	// it by its table and id (at most maxCopyLines each; Omitted counts the
	// lines left out past that).
	Conflicts, Damaged, Skipped []string
	Omitted                     int
}

// OK reports whether every row of the source is in the destination: no
// conflicts, no damaged rows and none skipped.
func (r *CopyReport) OK() bool {
	for _, t := range r.Tables {
		if t.Conflicts+t.Damaged+t.Skipped > 0 {
			return false
		}
	}
	return true
}

// Table returns the counts of table (zero counts when it was not reached).
func (r *CopyReport) Table(table string) CopyCounts {
	for _, t := range r.Tables {
		if t.Table == table {
			return t
		}
	}
	return CopyCounts{Table: table}
}

// maxCopyLines bounds each list of CopyReport, so that copying into the
// wrong database cannot fill memory with one line per row.
const maxCopyLines = 10000

// Copy batch sizes: rows read from the source per query, and the blob bytes
// written to the destination per transaction (so memory stays bounded
// whatever the number of images).
const (
	copyBatch      = 500
	copyBatchBytes = 16 << 20
)

// Copy copies every row of the SQLite store from into the Postgres store
// to, for `ogmint migrate`: API key digests, template versions (deleted
// ones too) with their JSON, fonts with their data, renders with their
// images, webhook deliveries with their attempts. from is only read (open
// it with OpenSQLiteReadOnly), in one read transaction: one consistent
// snapshot, even while a server goes on writing to the file.
//
// Rows are read in batches by key and written in one transaction per batch
// (at most copyBatchBytes of blobs each), so memory stays bounded and an
// interrupted copy leaves whole batches behind. Every blob is checked
// against its recorded SHA-256 as it is read; a damaged one is counted and
// listed, and its row not copied (nor the deliveries of a damaged render).
//
// Copy is idempotent: a row whose key is in the destination already is
// compared, not written, and counted as Existing when it has the same
// content or as a conflict (listed by id) when not; so a second run copies
// nothing, and a run that was interrupted (ctx cancelled, the connection
// lost) is finished by running it again. Deliveries keep their status,
// attempt count, next_attempt_at and last error (pending ones stay pending,
// due when they were) but not a lease, so any host's dispatcher can take
// them; a NOTIFY at the end wakes the dispatchers of running hosts.
//
// progress, when not nil, is called with a table's counts before its first
// row and after every batch (deliveries' calls come with attempts' too), on
// Copy's goroutine. On an error (ctx's included) Copy returns the report so
// far with it.
func Copy(ctx context.Context, from *SQLite, to *Postgres, progress func(CopyCounts)) (*CopyReport, error) {
	return copyStore(ctx, from, to, progress, copyBatch, copyBatchBytes)
}

// copier is one Copy.
type copier struct {
	src        *sql.Tx // the source snapshot
	dst        *Postgres
	progress   func(CopyCounts)
	batch      int
	batchBytes int
	rep        *CopyReport
	// bad are the slugs of renders not copied (damaged or conflicting):
	// their deliveries are skipped.
	bad map[string]string
}

func copyStore(ctx context.Context, from *SQLite, to *Postgres, progress func(CopyCounts), batch, batchBytes int) (*CopyReport, error) {
	rep := &CopyReport{}
	tx, err := from.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("store: copy: read %s: %w", from.path, err)
	}
	defer tx.Rollback()
	c := &copier{src: tx, dst: to, progress: progress, batch: batch, batchBytes: batchBytes, rep: rep, bad: map[string]string{}}
	tables := []string{CopyAPIKeys, CopyTemplates, CopyFonts, CopyRenders, CopyDeliveries, CopyAttempts}
	for _, t := range tables {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return rep, fmt.Errorf("store: copy: count %s: %w", t, sqliteErr(err))
		}
		rep.Tables = append(rep.Tables, CopyCounts{Table: t, Source: n})
	}
	for _, step := range []func(context.Context) error{c.apiKeys, c.templates, c.fonts, c.renders, c.deliveries} {
		if err := step(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// counts is the entry of table in the report.
func (c *copier) counts(table string) *CopyCounts {
	for i := range c.rep.Tables {
		if c.rep.Tables[i].Table == table {
			return &c.rep.Tables[i]
		}
	}
	panic("store: copy: no table " + table)
}

// report calls progress with the counts of tables.
func (c *copier) report(tables ...string) {
	if c.progress == nil {
		return
	}
	for _, t := range tables {
		c.progress(*c.counts(t))
	}
}

// line adds a line to one of the report's lists.
func (c *copier) line(list *[]string, format string, args ...any) {
	if len(*list) >= maxCopyLines {
		c.rep.Omitted++
		return
	}
	*list = append(*list, fmt.Sprintf(format, args...))
}

func (c *copier) conflict(n *CopyCounts, format string, args ...any) {
	n.Conflicts++
	c.line(&c.rep.Conflicts, n.Table+": "+format, args...)
}

func (c *copier) damaged(n *CopyCounts, format string, args ...any) {
	n.Damaged++
	c.line(&c.rep.Damaged, n.Table+": "+format, args...)
}

func (c *copier) skipped(n *CopyCounts, format string, args ...any) {
	n.Skipped++
	c.line(&c.rep.Skipped, n.Table+": "+format, args...)
}

// srcErr is an error reading the source: ctx's error when it is done.
func srcErr(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return fmt.Errorf("store: copy: read %s: %w", what, sqliteErr(err))
}

// dstErr is an error writing the destination: ctx's error when it is done.
func dstErr(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return fmt.Errorf("store: copy: %s: %w", what, pgClassify(err))
}

// readBlob reads one blob of the source and checks it against sum: the
// bytes, or why they are damaged ("" with a nil error: ctx is done or the
// database failed; err says which).
func (c *copier) readBlob(ctx context.Context, what string, sum []byte, query string, args ...any) (b []byte, damage string, err error) {
	err = c.src.QueryRowContext(ctx, query, args...).Scan(&b)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, what + " missing", nil
	case err != nil && ctx.Err() != nil:
		return nil, "", ctx.Err()
	case err != nil && errors.Is(sqliteErr(err), ErrCorrupt):
		return nil, what + " unreadable: " + err.Error(), nil
	case err != nil:
		return nil, "", srcErr(ctx, what, err)
	}
	if err := verifySum(b, sum); err != nil {
		return nil, what + " fails its checksum: " + err.Error(), nil
	}
	return b, "", nil
}

// pgWrite is one statement of a batch written to the destination; its
// row was copied when it affects a row. Otherwise a concurrent writer
// took the key after the batch was read: recheck then says what is there
// (after the commit, on the pool).
type pgWrite struct {
	sql     string
	args    []any
	size    int
	table   string // the table whose Copied it counts; "" counts nothing
	recheck func(ctx context.Context) error
}

// flush writes ws in one transaction, then counts them.
func (c *copier) flush(ctx context.Context, what string, ws []pgWrite) error {
	if len(ws) == 0 {
		return nil
	}
	tx, err := c.dst.pool.Begin(ctx)
	if err != nil {
		return dstErr(ctx, "write "+what, err)
	}
	defer rollback(ctx, tx)
	b := &pgx.Batch{}
	for _, w := range ws {
		b.Queue(w.sql, w.args...)
	}
	br := tx.SendBatch(ctx, b)
	wrote := make([]bool, len(ws))
	for i := range ws {
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			return dstErr(ctx, "write "+what, err)
		}
		wrote[i] = tag.RowsAffected() > 0
	}
	if err := br.Close(); err != nil {
		return dstErr(ctx, "write "+what, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return dstErr(ctx, "commit "+what, err)
	}
	for i, w := range ws {
		switch {
		case wrote[i] && w.table != "":
			n := c.counts(w.table)
			n.Copied++
			n.Bytes += int64(w.size)
		case !wrote[i] && w.recheck != nil:
			if err := w.recheck(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// differ names the fields whose two values differ, for a conflict's line.
type differ []string

func (d *differ) str(name, a, b string) {
	if a != b {
		*d = append(*d, name)
	}
}

func (d *differ) bytes(name string, a, b []byte) {
	if !bytes.Equal(a, b) {
		*d = append(*d, name)
	}
}

func (d *differ) time(name string, a, b time.Time) {
	if !a.Equal(b) {
		*d = append(*d, name)
	}
}

func (d *differ) int(name string, a, b int64) {
	if a != b {
		*d = append(*d, name)
	}
}

func (d differ) String() string { return "differs in " + strings.Join(d, ", ") + " on Postgres" }

// apiKeys copies the API key digests. A key is the same key when its ID
// and digest are: its name and created_at are labels each host writes at
// start (PutAPIKey), so a Postgres host started before the copy does not
// make them conflicts.
func (c *copier) apiKeys(ctx context.Context) error {
	n := c.counts(CopyAPIKeys)
	c.report(n.Table)
	rows, err := c.src.QueryContext(ctx, `SELECT id, hash, name, created_at FROM api_keys ORDER BY id`)
	if err != nil {
		return srcErr(ctx, "api_keys", err)
	}
	type key struct {
		id, name string
		hash     []byte
		created  int64
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.id, &k.hash, &k.name, &k.created); err != nil {
			rows.Close()
			return srcErr(ctx, "api_keys", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return srcErr(ctx, "api_keys", err)
	}
	var ws []pgWrite
	for _, k := range keys {
		ws = append(ws, pgWrite{
			sql:  `INSERT INTO api_keys (id, hash, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			args: []any{k.id, k.hash, k.name, pgTime(fromMS(k.created))}, table: n.Table,
			recheck: func(ctx context.Context) error {
				var (
					id   string
					hash []byte
				)
				err := c.dst.pool.QueryRow(ctx, `SELECT id, hash FROM api_keys WHERE id = $1 OR hash = $2
					ORDER BY id = $1 DESC LIMIT 1`, k.id, k.hash).Scan(&id, &hash)
				switch {
				case err != nil:
					return dstErr(ctx, "read api_keys", err)
				case id == k.id && bytes.Equal(hash, k.hash):
					n.Existing++
				case id == k.id:
					c.conflict(n, "API key %s: another digest under this ID on Postgres", k.id)
				default:
					c.conflict(n, "API key %s: its digest belongs to API key %s on Postgres", k.id, id)
				}
				return nil
			},
		})
	}
	if err := c.flush(ctx, n.Table, ws); err != nil {
		return err
	}
	c.report(n.Table)
	return nil
}

// templateRow is a template version's row (source or destination).
type templateRow struct {
	id, keyID, name  string
	version          int
	sum              []byte
	created, deleted time.Time
}

// templates copies every template version with its JSON, deleted ones too.
func (c *copier) templates(ctx context.Context) error {
	n := c.counts(CopyTemplates)
	c.report(n.Table)
	lastID, lastV := "", 0
	for {
		rows, err := c.src.QueryContext(ctx, `SELECT id, version, key_id, name, json_sha256, created_at, deleted_at
			FROM templates WHERE (id, version) > (?, ?) ORDER BY id, version LIMIT ?`, lastID, lastV, c.batch)
		if err != nil {
			return srcErr(ctx, "templates", err)
		}
		var ts []templateRow
		for rows.Next() {
			var (
				t                templateRow
				created, deleted int64
			)
			if err := rows.Scan(&t.id, &t.version, &t.keyID, &t.name, &t.sum, &created, &deleted); err != nil {
				rows.Close()
				return srcErr(ctx, "templates", err)
			}
			t.created, t.deleted = fromMS(created), fromMS(deleted)
			ts = append(ts, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return srcErr(ctx, "templates", err)
		}
		if len(ts) == 0 {
			return nil
		}
		lastID, lastV = ts[len(ts)-1].id, ts[len(ts)-1].version
		if err := c.templateBatch(ctx, n, ts); err != nil {
			return err
		}
		c.report(n.Table)
	}
}

// pgTemplates reads the destination's versions of ids, by id and version.
func (c *copier) pgTemplates(ctx context.Context, ids []string) (map[string]templateRow, error) {
	rows, err := c.dst.pool.Query(ctx, `SELECT id, version, key_id, name, json_sha256, created_at, deleted_at
		FROM templates WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, dstErr(ctx, "read templates", err)
	}
	out := map[string]templateRow{}
	var t templateRow
	_, err = pgx.ForEachRow(rows, []any{&t.id, &t.version, &t.keyID, &t.name, &t.sum, &t.created, &t.deleted}, func() error {
		t.created, t.deleted = fromPG(t.created), fromPG(t.deleted)
		out[fmt.Sprintf("%s/%d", t.id, t.version)] = t
		return nil
	})
	if err != nil {
		return nil, dstErr(ctx, "read templates", err)
	}
	return out, nil
}

// sameTemplate compares a source version with the destination's: "" when
// the same (or deleted there since), otherwise what differs.
func sameTemplate(s, d templateRow) string {
	var df differ
	df.str("key_id", s.keyID, d.keyID)
	df.str("name", s.name, d.name)
	df.bytes("json_sha256", s.sum, d.sum)
	df.time("created_at", s.created, d.created)
	if !(s.deleted.IsZero() && !d.deleted.IsZero()) { // deleted on Postgres since: moved on
		df.time("deleted_at", s.deleted, d.deleted)
	}
	if len(df) == 0 {
		return ""
	}
	return df.String()
}

func (c *copier) templateBatch(ctx context.Context, n *CopyCounts, ts []templateRow) error {
	var ids []string
	for i, t := range ts {
		if i == 0 || t.id != ts[i-1].id {
			ids = append(ids, t.id)
		}
	}
	have, err := c.pgTemplates(ctx, ids)
	if err != nil {
		return err
	}
	var (
		ws   []pgWrite
		size int
	)
	for _, t := range ts {
		label := fmt.Sprintf("template %s version %d", t.id, t.version)
		if d, ok := have[fmt.Sprintf("%s/%d", t.id, t.version)]; ok {
			if why := sameTemplate(t, d); why != "" {
				c.conflict(n, "%s: %s", label, why)
			} else {
				n.Existing++
			}
			continue
		}
		json, damage, err := c.readBlob(ctx, "JSON", t.sum, `SELECT json FROM template_json WHERE id = ? AND version = ?`, t.id, t.version)
		if err != nil {
			return err
		}
		if damage != "" {
			c.damaged(n, "%s: %s", label, damage)
			continue
		}
		ws = append(ws, pgWrite{
			sql: `WITH t AS (INSERT INTO templates (id, version, key_id, name, json_sha256, created_at, deleted_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id, version)
				INSERT INTO template_json (id, version, json) SELECT id, version, $8 FROM t`,
			args: []any{t.id, t.version, t.keyID, t.name, t.sum, pgTime(t.created), pgTime(t.deleted), json},
			size: len(json), table: n.Table,
			recheck: func(ctx context.Context) error {
				have, err := c.pgTemplates(ctx, []string{t.id})
				if err != nil {
					return err
				}
				if d, ok := have[fmt.Sprintf("%s/%d", t.id, t.version)]; !ok {
					c.conflict(n, "%s: could not be written", label)
				} else if why := sameTemplate(t, d); why != "" {
					c.conflict(n, "%s: %s", label, why)
				} else {
					n.Existing++
				}
				return nil
			},
		})
		if size += len(json); size >= c.batchBytes {
			if err := c.flush(ctx, n.Table, ws); err != nil {
				return err
			}
			ws, size = nil, 0
			c.report(n.Table)
		}
	}
	return c.flush(ctx, n.Table, ws)
}

// fontRow is a font's row (source or destination).
type fontRow struct {
	id, keyID, family, weight, format string
	size                              int64
	sum                               []byte
	created                           time.Time
}

// sameFont compares a source font with the destination's: "" when the same,
// otherwise what differs.
func sameFont(s, d fontRow) string {
	var df differ
	df.str("key_id", s.keyID, d.keyID)
	df.str("family", s.family, d.family)
	df.str("weight", s.weight, d.weight)
	df.str("format", s.format, d.format)
	df.int("size", s.size, d.size)
	df.bytes("sha256", s.sum, d.sum)
	df.time("created_at", s.created, d.created)
	if len(df) == 0 {
		return ""
	}
	return df.String()
}

// fonts copies every font with its data. A font deleted on Postgres after
// an earlier run copied it is copied again.
func (c *copier) fonts(ctx context.Context) error {
	n := c.counts(CopyFonts)
	c.report(n.Table)
	last := ""
	for {
		rows, err := c.src.QueryContext(ctx, `SELECT id, key_id, family, weight, format, size, sha256, created_at
			FROM fonts WHERE id > ? ORDER BY id LIMIT ?`, last, c.batch)
		if err != nil {
			return srcErr(ctx, "fonts", err)
		}
		var fs []fontRow
		for rows.Next() {
			var (
				f       fontRow
				created int64
			)
			if err := rows.Scan(&f.id, &f.keyID, &f.family, &f.weight, &f.format, &f.size, &f.sum, &created); err != nil {
				rows.Close()
				return srcErr(ctx, "fonts", err)
			}
			f.created = fromMS(created)
			fs = append(fs, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return srcErr(ctx, "fonts", err)
		}
		if len(fs) == 0 {
			return nil
		}
		last = fs[len(fs)-1].id
		if err := c.fontBatch(ctx, n, fs); err != nil {
			return err
		}
		c.report(n.Table)
	}
}

// pgFonts reads the destination's fonts whose id is in ids, or with key,
// family and weight when ids is nil.
func (c *copier) pgFonts(ctx context.Context, ids []string, key, family, weight string) (map[string]fontRow, error) {
	q, args := `SELECT id, key_id, family, weight, format, size, sha256, created_at FROM fonts WHERE id = ANY($1)`, []any{ids}
	if ids == nil {
		q, args = `SELECT id, key_id, family, weight, format, size, sha256, created_at FROM fonts
			WHERE key_id = $1 AND family = $2 AND weight = $3`, []any{key, family, weight}
	}
	rows, err := c.dst.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, dstErr(ctx, "read fonts", err)
	}
	out := map[string]fontRow{}
	var f fontRow
	_, err = pgx.ForEachRow(rows, []any{&f.id, &f.keyID, &f.family, &f.weight, &f.format, &f.size, &f.sum, &f.created}, func() error {
		f.created = fromPG(f.created)
		out[f.id] = f
		return nil
	})
	if err != nil {
		return nil, dstErr(ctx, "read fonts", err)
	}
	return out, nil
}

func (c *copier) fontBatch(ctx context.Context, n *CopyCounts, fs []fontRow) error {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.id
	}
	have, err := c.pgFonts(ctx, ids, "", "", "")
	if err != nil {
		return err
	}
	var (
		ws   []pgWrite
		size int
	)
	for _, f := range fs {
		label := fmt.Sprintf("font %s (%s %s of key %s)", f.id, f.family, f.weight, f.keyID)
		if d, ok := have[f.id]; ok {
			if why := sameFont(f, d); why != "" {
				c.conflict(n, "%s: %s", label, why)
			} else {
				n.Existing++
			}
			continue
		}
		data, damage, err := c.readBlob(ctx, "data", f.sum, `SELECT data FROM font_data WHERE font_id = ?`, f.id)
		if err != nil {
			return err
		}
		if damage != "" {
			c.damaged(n, "%s: %s", label, damage)
			continue
		}
		ws = append(ws, pgWrite{
			sql: `WITH f AS (INSERT INTO fonts (id, key_id, family, weight, format, size, sha256, created_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id)
				INSERT INTO font_data (font_id, data) SELECT id, $9 FROM f`,
			args: []any{f.id, f.keyID, f.family, f.weight, f.format, f.size, f.sum, pgTime(f.created), data},
			size: len(data), table: n.Table,
			recheck: func(ctx context.Context) error {
				have, err := c.pgFonts(ctx, []string{f.id}, "", "", "")
				if err != nil {
					return err
				}
				if d, ok := have[f.id]; ok {
					if why := sameFont(f, d); why != "" {
						c.conflict(n, "%s: %s", label, why)
					} else {
						n.Existing++
					}
					return nil
				}
				other, err := c.pgFonts(ctx, nil, f.keyID, f.family, f.weight)
				if err != nil {
					return err
				}
				for id := range other {
					c.conflict(n, "%s: the key has font %s of that family and weight on Postgres", label, id)
					return nil
				}
				c.conflict(n, "%s: could not be written", label)
				return nil
			},
		})
		if size += len(data); size >= c.batchBytes {
			if err := c.flush(ctx, n.Table, ws); err != nil {
				return err
			}
			ws, size = nil, 0
			c.report(n.Table)
		}
	}
	return c.flush(ctx, n.Table, ws)
}

// renderRow is a render's row (id is the source's rowid; the destination
// numbers its own).
type renderRow struct {
	id                               int64
	slug, keyID, template, canonical string
	hash, sum                        []byte
	created                          time.Time
}

// sameRender compares a source render with the destination's: "" when the
// same, otherwise what differs.
func sameRender(s, d renderRow) string {
	var df differ
	df.str("key_id", s.keyID, d.keyID)
	df.bytes("dedup_hash", s.hash, d.hash)
	df.str("template", s.template, d.template)
	df.str("canonical", s.canonical, d.canonical)
	df.time("created_at", s.created, d.created)
	df.bytes("png_sha256", s.sum, d.sum)
	if len(df) == 0 {
		return ""
	}
	return df.String()
}

// renders copies every render with its image.
func (c *copier) renders(ctx context.Context) error {
	n := c.counts(CopyRenders)
	c.report(n.Table)
	var last int64
	for {
		rows, err := c.src.QueryContext(ctx, `SELECT id, slug, key_id, dedup_hash, template, canonical, created_at, png_sha256
			FROM renders WHERE id > ? ORDER BY id LIMIT ?`, last, c.batch)
		if err != nil {
			return srcErr(ctx, "renders", err)
		}
		var rs []renderRow
		for rows.Next() {
			var (
				r       renderRow
				created int64
			)
			if err := rows.Scan(&r.id, &r.slug, &r.keyID, &r.hash, &r.template, &r.canonical, &created, &r.sum); err != nil {
				rows.Close()
				return srcErr(ctx, "renders", err)
			}
			r.created = fromMS(created)
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return srcErr(ctx, "renders", err)
		}
		if len(rs) == 0 {
			return nil
		}
		last = rs[len(rs)-1].id
		if err := c.renderBatch(ctx, n, rs); err != nil {
			return err
		}
		c.report(n.Table)
	}
}

// pgRenders reads the destination's renders with these slugs, or with key
// and dedup hash when slugs is nil, by slug.
func (c *copier) pgRenders(ctx context.Context, slugs []string, key string, hash []byte) (map[string]renderRow, error) {
	q, args := `SELECT slug, key_id, dedup_hash, template, canonical, created_at, png_sha256 FROM renders WHERE slug = ANY($1)`, []any{slugs}
	if slugs == nil {
		q, args = `SELECT slug, key_id, dedup_hash, template, canonical, created_at, png_sha256 FROM renders
			WHERE key_id = $1 AND dedup_hash = $2`, []any{key, hash}
	}
	rows, err := c.dst.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, dstErr(ctx, "read renders", err)
	}
	out := map[string]renderRow{}
	var r renderRow
	_, err = pgx.ForEachRow(rows, []any{&r.slug, &r.keyID, &r.hash, &r.template, &r.canonical, &r.created, &r.sum}, func() error {
		r.created = fromPG(r.created)
		out[r.slug] = r
		return nil
	})
	if err != nil {
		return nil, dstErr(ctx, "read renders", err)
	}
	return out, nil
}

func (c *copier) renderBatch(ctx context.Context, n *CopyCounts, rs []renderRow) error {
	slugs := make([]string, len(rs))
	for i, r := range rs {
		slugs[i] = r.slug
	}
	have, err := c.pgRenders(ctx, slugs, "", nil)
	if err != nil {
		return err
	}
	var (
		ws   []pgWrite
		size int
	)
	for _, r := range rs {
		label := "render " + r.slug
		if d, ok := have[r.slug]; ok {
			if why := sameRender(r, d); why != "" {
				c.conflict(n, "%s: %s", label, why)
				c.bad[r.slug] = "conflicting"
			} else {
				n.Existing++
			}
			continue
		}
		png, damage, err := c.readBlob(ctx, "image", r.sum, `SELECT png FROM images WHERE render_id = ?`, r.id)
		if err != nil {
			return err
		}
		if damage != "" {
			c.damaged(n, "%s (id %d): %s", label, r.id, damage)
			c.bad[r.slug] = "damaged"
			continue
		}
		ws = append(ws, pgWrite{
			sql: `WITH r AS (INSERT INTO renders (slug, key_id, dedup_hash, template, canonical, created_at, png_sha256)
					VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id)
				INSERT INTO images (render_id, png) SELECT id, $8 FROM r`,
			args: []any{r.slug, r.keyID, r.hash, r.template, r.canonical, pgTime(r.created), r.sum, png},
			size: len(png), table: n.Table,
			recheck: func(ctx context.Context) error {
				have, err := c.pgRenders(ctx, []string{r.slug}, "", nil)
				if err != nil {
					return err
				}
				if d, ok := have[r.slug]; ok {
					if why := sameRender(r, d); why != "" {
						c.conflict(n, "%s: %s", label, why)
						c.bad[r.slug] = "conflicting"
					} else {
						n.Existing++
					}
					return nil
				}
				other, err := c.pgRenders(ctx, nil, r.keyID, r.hash)
				if err != nil {
					return err
				}
				c.bad[r.slug] = "conflicting"
				for slug := range other {
					c.conflict(n, "%s: its key's render with that dedup hash is %s on Postgres", label, slug)
					return nil
				}
				c.conflict(n, "%s: could not be written", label)
				return nil
			},
		})
		if size += len(png); size >= c.batchBytes {
			if err := c.flush(ctx, n.Table, ws); err != nil {
				return err
			}
			ws, size = nil, 0
			c.report(n.Table)
		}
	}
	return c.flush(ctx, n.Table, ws)
}

// sameDelivery compares a source delivery with the destination's: "" when
// the same, or when the destination has moved on from it (a Postgres host
// has attempted or redelivered it since: as many attempts or more, updated
// no earlier); otherwise what differs. The lease is not compared.
func sameDelivery(s, d *Delivery) string {
	var df differ
	df.str("slug", s.Slug, d.Slug)
	df.str("key_id", s.KeyID, d.KeyID)
	df.str("url", s.URL, d.URL)
	df.str("secret", s.Secret, d.Secret)
	df.bytes("payload", s.Payload, d.Payload)
	df.time("created_at", s.CreatedAt, d.CreatedAt)
	if len(df) == 0 && d.Attempts >= s.Attempts && !d.UpdatedAt.Before(s.UpdatedAt) &&
		(d.Attempts > s.Attempts || d.UpdatedAt.After(s.UpdatedAt)) {
		return "" // moved on
	}
	df.str("status", s.Status, d.Status)
	df.int("attempts", int64(s.Attempts), int64(d.Attempts))
	df.time("next_attempt_at", s.NextAttemptAt, d.NextAttemptAt)
	df.time("updated_at", s.UpdatedAt, d.UpdatedAt)
	df.str("last_error", s.LastError, d.LastError)
	if len(df) == 0 {
		return ""
	}
	return df.String()
}

// sameAttempt compares a source attempt with the destination's.
func sameAttempt(s, d Attempt) string {
	var df differ
	df.time("at", s.At, d.At)
	df.int("status_code", int64(s.StatusCode), int64(d.StatusCode))
	df.int("duration_ns", int64(s.Duration), int64(d.Duration))
	df.str("error", s.Error, d.Error)
	if len(df) == 0 {
		return ""
	}
	return df.String()
}

// deliveries copies every delivery with its attempts, but for the
// deliveries of renders that were not copied.
func (c *copier) deliveries(ctx context.Context) error {
	n, na := c.counts(CopyDeliveries), c.counts(CopyAttempts)
	c.report(n.Table, na.Table)
	last, pending := "", false
	for {
		rows, err := c.src.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE id > ? ORDER BY id LIMIT ?`, last, c.batch)
		if err != nil {
			return srcErr(ctx, "deliveries", err)
		}
		var ds []*Delivery
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return srcErr(ctx, "deliveries", err)
			}
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return srcErr(ctx, "deliveries", err)
		}
		if len(ds) == 0 {
			break
		}
		last = ds[len(ds)-1].ID
		// The attempts of exactly these deliveries: the batch is a range of IDs.
		rows, err = c.src.QueryContext(ctx, `SELECT delivery_id, n, at, status_code, duration_ns, error FROM attempts
			WHERE delivery_id >= ? AND delivery_id <= ? ORDER BY delivery_id, n`, ds[0].ID, last)
		if err != nil {
			return srcErr(ctx, "attempts", err)
		}
		as := map[string][]Attempt{}
		for rows.Next() {
			var (
				a      Attempt
				at, ns int64
			)
			if err := rows.Scan(&a.DeliveryID, &a.N, &at, &a.StatusCode, &ns, &a.Error); err != nil {
				rows.Close()
				return srcErr(ctx, "attempts", err)
			}
			a.At, a.Duration = fromMS(at), time.Duration(ns)
			as[a.DeliveryID] = append(as[a.DeliveryID], a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return srcErr(ctx, "attempts", err)
		}
		p, err := c.deliveryBatch(ctx, n, na, ds, as)
		if err != nil {
			return err
		}
		pending = pending || p
		c.report(n.Table, na.Table)
	}
	if pending {
		// Running hosts' dispatchers look at the queue now, not at their next poll.
		if _, err := c.dst.pool.Exec(ctx, `NOTIFY `+pgDeliveriesChannel); err != nil {
			return dstErr(ctx, "notify", err)
		}
	}
	return nil
}

// pgDeliveries reads the destination's deliveries of ids and their attempts.
func (c *copier) pgDeliveries(ctx context.Context, ids []string) (map[string]*Delivery, map[string]map[int]Attempt, error) {
	rows, err := c.dst.pool.Query(ctx, `SELECT `+pgDeliveryCols+` FROM deliveries d WHERE d.id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, dstErr(ctx, "read deliveries", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Delivery, error) { return scanDeliveryPG(row) })
	if err != nil {
		return nil, nil, dstErr(ctx, "read deliveries", err)
	}
	ds := make(map[string]*Delivery, len(list))
	for _, d := range list {
		ds[d.ID] = d
	}
	rows, err = c.dst.pool.Query(ctx, `SELECT delivery_id, n, at, status_code, duration_ns, error
		FROM attempts WHERE delivery_id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, dstErr(ctx, "read attempts", err)
	}
	all, err := pgx.CollectRows(rows, scanAttemptPG)
	if err != nil {
		return nil, nil, dstErr(ctx, "read attempts", err)
	}
	as := map[string]map[int]Attempt{}
	for _, a := range all {
		if as[a.DeliveryID] == nil {
			as[a.DeliveryID] = map[int]Attempt{}
		}
		as[a.DeliveryID][a.N] = a
	}
	return ds, as, nil
}

// deliveryBatch copies ds and their attempts as; it reports whether a
// pending delivery was copied.
func (c *copier) deliveryBatch(ctx context.Context, n, na *CopyCounts, ds []*Delivery, as map[string][]Attempt) (pending bool, err error) {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	have, haveAs, err := c.pgDeliveries(ctx, ids)
	if err != nil {
		return false, err
	}
	var ws []pgWrite
	for _, d := range ds {
		label := "delivery " + d.ID
		if why, ok := c.bad[d.Slug]; ok {
			c.skipped(n, "%s: its render %s was not copied (%s)", label, d.Slug, why)
			for _, a := range as[d.ID] {
				c.skipped(na, "attempt %d of %s: its delivery was not copied", a.N, d.ID)
			}
			continue
		}
		if e, ok := have[d.ID]; ok {
			if why := sameDelivery(d, e); why != "" {
				c.conflict(n, "%s: %s", label, why)
				for _, a := range as[d.ID] {
					c.skipped(na, "attempt %d of %s: its delivery conflicts", a.N, d.ID)
				}
				continue
			}
			n.Existing++
		} else {
			ws = append(ws, pgWrite{
				sql: `INSERT INTO deliveries (` + deliveryCols + `)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
				args: []any{d.ID, d.Slug, d.KeyID, d.URL, d.Secret, d.Payload, d.Status, d.Attempts,
					pgTime(d.NextAttemptAt), pgEpoch, pgTime(d.CreatedAt), pgTime(d.UpdatedAt), d.LastError},
				size: len(d.Payload), table: n.Table,
				recheck: func(ctx context.Context) error {
					have, _, err := c.pgDeliveries(ctx, []string{d.ID})
					if err != nil {
						return err
					}
					if e, ok := have[d.ID]; !ok {
						c.conflict(n, "%s: could not be written", label)
					} else if why := sameDelivery(d, e); why != "" {
						c.conflict(n, "%s: %s", label, why)
					} else {
						n.Existing++
					}
					return nil
				},
			})
			pending = pending || d.Status == StatusPending
		}
		for _, a := range as[d.ID] {
			alabel := fmt.Sprintf("attempt %d of %s", a.N, d.ID)
			if e, ok := haveAs[d.ID][a.N]; ok {
				if why := sameAttempt(a, e); why != "" {
					c.conflict(na, "%s: %s", alabel, why)
				} else {
					na.Existing++
				}
				continue
			}
			ws = append(ws, pgWrite{
				sql: `INSERT INTO attempts (delivery_id, n, at, status_code, duration_ns, error)
					VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
				args:  []any{d.ID, a.N, pgTime(a.At), a.StatusCode, int64(a.Duration), a.Error},
				table: na.Table,
				recheck: func(ctx context.Context) error {
					_, have, err := c.pgDeliveries(ctx, []string{d.ID})
					if err != nil {
						return err
					}
					if e, ok := have[d.ID][a.N]; !ok {
						c.conflict(na, "%s: could not be written", alabel)
					} else if why := sameAttempt(a, e); why != "" {
						c.conflict(na, "%s: %s", alabel, why)
					} else {
						na.Existing++
					}
					return nil
				},
			})
		}
	}
	return pending, c.flush(ctx, n.Table, ws)
}
