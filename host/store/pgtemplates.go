package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// scanTemplatePG reads templateCols and then dest.
func scanTemplatePG(row pgx.Row, dest ...any) (*Template, error) {
	var (
		t                Template
		created, deleted time.Time
	)
	if err := row.Scan(append([]any{&t.ID, &t.Version, &t.KeyID, &t.Name, &created, &deleted}, dest...)...); err != nil {
		return nil, err
	}
	t.CreatedAt, t.DeletedAt = fromPG(created), fromPG(deleted)
	return &t, nil
}

// insertTemplateVersionPG writes one version's row and its JSON.
func insertTemplateVersionPG(ctx context.Context, tx pgx.Tx, id string, version int, keyID, name string, json []byte, created time.Time) error {
	sum := sha256.Sum256(json) // verified by Template on every read
	if _, err := tx.Exec(ctx, `INSERT INTO templates (id, version, key_id, name, json_sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, version, keyID, name, sum[:], pgTime(created)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO template_json (id, version, json) VALUES ($1, $2, $3)`, id, version, json)
	return err
}

// CreateTemplate implements Store: the row and its JSON in one
// transaction; a unique violation of templates_pkey is a taken ID.
func (p *Postgres) CreateTemplate(ctx context.Context, t *Template) (err error) {
	defer func() { err = pgClassify(err) }()
	if t == nil || !ValidTemplateID(t.ID) || t.KeyID == "" {
		return fmt.Errorf("%w: template needs an ID %s + %d chars [0-9a-z] and a key ID", ErrInvalid, TemplateIDPrefix, idRandLen)
	}
	if err := checkTemplateJSON(t.JSON); err != nil {
		return err
	}
	created := t.CreatedAt
	if created.IsZero() {
		created = p.now()
	}
	created = msUTC(created)
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: create template: %w", err)
	}
	defer rollback(ctx, tx)
	if err := insertTemplateVersionPG(ctx, tx, t.ID, 1, t.KeyID, t.Name, t.JSON, created); err != nil {
		if isPGUnique(err, "templates_pkey") {
			return fmt.Errorf("%w: template %s", ErrIDTaken, t.ID)
		}
		return fmt.Errorf("store: insert template %s: %w", t.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit template %s: %w", t.ID, err)
	}
	t.Version, t.CreatedAt, t.DeletedAt = 1, created, time.Time{}
	return nil
}

// errRetry: a concurrent update won the version number; try again.
var errRetry = errors.New("store: retry")

// UpdateTemplate implements Store. The transaction first locks the row of
// version 1 (FOR UPDATE), so updates and deletes of one template run one
// after the other; the next statement (READ COMMITTED: a new snapshot)
// then sees the latest version the previous holder of the lock committed.
// The primary key (id, version) is the backstop: its violation means a
// writer that skipped the lock won, ErrConflict when ifVersion is set,
// another try otherwise.
func (p *Postgres) UpdateTemplate(ctx context.Context, keyID, id string, ifVersion int, json []byte, name string) (_ int, err error) {
	defer func() { err = pgClassify(err) }()
	if ifVersion < 0 {
		return 0, fmt.Errorf("%w: ifVersion %d", ErrInvalid, ifVersion)
	}
	if err := checkTemplateJSON(json); err != nil {
		return 0, err
	}
	for try := 0; ; try++ {
		v, err := p.updateTemplate(ctx, keyID, id, ifVersion, json, name)
		if !errors.Is(err, errRetry) {
			return v, err
		}
		if ifVersion > 0 {
			return 0, fmt.Errorf("%w: template %s changed meanwhile", ErrConflict, id)
		}
		if try >= 5 {
			return 0, fmt.Errorf("store: update template %s: lost the race for a version %d times", id, try+1)
		}
	}
}

func (p *Postgres) updateTemplate(ctx context.Context, keyID, id string, ifVersion int, json []byte, name string) (int, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: update template: %w", err)
	}
	defer rollback(ctx, tx)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM templates WHERE id = $1 AND version = 1 FOR UPDATE`, id); err != nil {
		return 0, fmt.Errorf("store: lock template %s: %w", id, err)
	}
	var (
		latest         int
		owner, oldName string
		deleted        time.Time
	)
	err = tx.QueryRow(ctx, `SELECT version, key_id, name, deleted_at FROM templates
		WHERE id = $1 ORDER BY version DESC LIMIT 1`, id).Scan(&latest, &owner, &oldName, &deleted)
	if err != nil {
		return 0, pgNotFound(err, "template "+id)
	}
	if owner != keyID || !fromPG(deleted).IsZero() {
		return 0, fmt.Errorf("%w: template %s", ErrNotFound, id)
	}
	if ifVersion > 0 && ifVersion != latest {
		return 0, fmt.Errorf("%w: template %s is at version %d, not %d", ErrConflict, id, latest, ifVersion)
	}
	if name == "" {
		name = oldName
	}
	v := latest + 1
	if err := insertTemplateVersionPG(ctx, tx, id, v, keyID, name, json, p.now()); err != nil {
		if isPGUnique(err, "templates_pkey") {
			return 0, errRetry
		}
		return 0, fmt.Errorf("store: insert template %s version %d: %w", id, v, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("store: commit template %s version %d: %w", id, v, err)
	}
	return v, nil
}

// Template implements Store. The JSON is returned only when it matches the
// checksum in its version's row; a version whose JSON row is missing is
// ErrCorrupt, never silently an older version.
func (p *Postgres) Template(ctx context.Context, id string, version int) (*Template, error) {
	if version < 0 {
		return nil, fmt.Errorf("%w: template version %d", ErrInvalid, version)
	}
	var sum, json []byte
	t, err := scanTemplatePG(p.pool.QueryRow(ctx, `SELECT `+templateCols+`, t.json_sha256, j.json
		FROM templates t LEFT JOIN template_json j ON j.id = t.id AND j.version = t.version
		WHERE t.id = $1 AND ($2::integer = 0 OR t.version = $2) ORDER BY t.version DESC LIMIT 1`, id, version), &sum, &json)
	if err != nil {
		return nil, pgClassify(pgNotFound(err, fmt.Sprintf("template %s version %d", id, version)))
	}
	if json == nil {
		return nil, fmt.Errorf("%w: template %s version %d: JSON missing", ErrCorrupt, id, t.Version)
	}
	if err := verifySum(json, sum); err != nil {
		return nil, fmt.Errorf("%w: template %s version %d: JSON %v", ErrCorrupt, id, t.Version, err)
	}
	t.JSON = json
	return t, nil
}

// Templates implements Store.
func (p *Postgres) Templates(ctx context.Context, keyID string) ([]*Template, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+templateCols+`
		FROM templates t JOIN templates v1 ON v1.id = t.id AND v1.version = 1
		WHERE t.key_id = $1 AND t.deleted_at = 'epoch'
			AND t.version = (SELECT max(version) FROM templates WHERE id = t.id)
		ORDER BY v1.created_at, t.id`, keyID)
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", pgClassify(err))
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Template, error) { return scanTemplatePG(row) })
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", pgClassify(err))
	}
	return ts, nil
}

// DeleteTemplate implements Store: the lock UpdateTemplate takes, then one
// UPDATE of every version's row in the next statement, which sees a
// version an update committed while we waited for the lock.
func (p *Postgres) DeleteTemplate(ctx context.Context, keyID, id string, now time.Time) (err error) {
	defer func() { err = pgClassify(err) }()
	if now.IsZero() {
		now = p.now()
	}
	if ms(now) <= 0 { // 'epoch' is "live"
		return fmt.Errorf("%w: delete time %v", ErrInvalid, now)
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: delete template %s: %w", id, err)
	}
	defer rollback(ctx, tx)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM templates WHERE id = $1 AND version = 1 FOR UPDATE`, id); err != nil {
		return fmt.Errorf("store: lock template %s: %w", id, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE templates SET deleted_at = $1
		WHERE id = $2 AND key_id = $3 AND deleted_at = 'epoch'`, pgTime(now), id, keyID)
	if err != nil {
		return fmt.Errorf("store: delete template %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: template %s", ErrNotFound, id)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: delete template %s: %w", id, err)
	}
	return nil
}

// scanFontPG reads fontCols and then dest.
func scanFontPG(row pgx.Row, dest ...any) (*Font, error) {
	var (
		f       Font
		sum     []byte
		created time.Time
	)
	if err := row.Scan(append([]any{&f.ID, &f.KeyID, &f.Family, &f.Weight, &f.Format, &f.Size, &sum, &created}, dest...)...); err != nil {
		return nil, err
	}
	if len(sum) != len(f.SHA256) {
		return nil, fmt.Errorf("%w: font %s: checksum is %d bytes", ErrCorrupt, f.ID, len(sum))
	}
	copy(f.SHA256[:], sum)
	f.CreatedAt = fromPG(created)
	return &f, nil
}

// CreateFont implements Store: the row and its data in one transaction;
// unique violations of fonts_pkey are a taken ID, of (key_id, family,
// weight) a second font of a family and weight.
func (p *Postgres) CreateFont(ctx context.Context, f *Font) (err error) {
	defer func() { err = pgClassify(err) }()
	switch {
	case f == nil || !ValidFontID(f.ID) || f.KeyID == "" || f.Family == "":
		return fmt.Errorf("%w: font needs an ID %s + %d chars [0-9a-z], a key ID and a family", ErrInvalid, FontIDPrefix, idRandLen)
	case !ValidFontWeight(f.Weight):
		return fmt.Errorf("%w: font weight %q (regular or bold)", ErrInvalid, f.Weight)
	case !ValidFontFormat(f.Format):
		return fmt.Errorf("%w: font format %q (ttf, otf, woff or woff2)", ErrInvalid, f.Format)
	case len(f.Data) == 0 || len(f.Data) > MaxFontSize:
		return fmt.Errorf("%w: font of %d bytes (1 to %d)", ErrInvalid, len(f.Data), MaxFontSize)
	}
	sum := sha256.Sum256(f.Data) // verified by Font and FontByFamily on every read
	if f.SHA256 != ([32]byte{}) && f.SHA256 != sum {
		return fmt.Errorf("%w: font %s: SHA256 given is not its data's", ErrInvalid, f.ID)
	}
	created := f.CreatedAt
	if created.IsZero() {
		created = p.now()
	}
	created = msUTC(created)
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: create font: %w", err)
	}
	defer rollback(ctx, tx)
	_, err = tx.Exec(ctx, `INSERT INTO fonts (id, key_id, family, weight, format, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ID, f.KeyID, f.Family, f.Weight, f.Format, len(f.Data), sum[:], pgTime(created))
	switch {
	case isPGUnique(err, "fonts_pkey"):
		return fmt.Errorf("%w: font %s", ErrIDTaken, f.ID)
	case isPGUnique(err, "fonts_key_id_family_weight_key"):
		return fmt.Errorf("%w: the key already has a %s font of family %q", ErrConflict, f.Weight, f.Family)
	case err != nil:
		return fmt.Errorf("store: insert font %s: %w", f.ID, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO font_data (font_id, data) VALUES ($1, $2)`, f.ID, f.Data); err != nil {
		return fmt.Errorf("store: insert font data %s: %w", f.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit font %s: %w", f.ID, err)
	}
	f.SHA256, f.Size, f.CreatedAt = sum, len(f.Data), created
	return nil
}

// Fonts implements Store.
func (p *Postgres) Fonts(ctx context.Context, keyID string) ([]*Font, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+fontCols+` FROM fonts f WHERE f.key_id = $1 ORDER BY f.created_at, f.id`, keyID)
	if err != nil {
		return nil, fmt.Errorf("store: fonts: %w", pgClassify(err))
	}
	fs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Font, error) { return scanFontPG(row) })
	if err != nil {
		return nil, fmt.Errorf("store: fonts: %w", pgClassify(err))
	}
	return fs, nil
}

// Font implements Store: the data is returned only when it matches the
// checksum in the font's row.
func (p *Postgres) Font(ctx context.Context, keyID, id string) (*Font, error) {
	return fontWithDataPG(p.pool.QueryRow(ctx, `SELECT `+fontCols+`, d.data FROM fonts f LEFT JOIN font_data d ON d.font_id = f.id
		WHERE f.key_id = $1 AND f.id = $2`, keyID, id), "font "+id)
}

// FontByFamily implements Store like Font.
func (p *Postgres) FontByFamily(ctx context.Context, keyID, family, weight string) (*Font, error) {
	return fontWithDataPG(p.pool.QueryRow(ctx, `SELECT `+fontCols+`, d.data FROM fonts f LEFT JOIN font_data d ON d.font_id = f.id
		WHERE f.key_id = $1 AND f.family = $2 AND f.weight = $3`, keyID, family, weight),
		fmt.Sprintf("font %q %s", family, weight))
}

// fontWithDataPG scans a row of fontCols and the data, and verifies the data.
func fontWithDataPG(row pgx.Row, what string) (*Font, error) {
	var data []byte
	f, err := scanFontPG(row, &data)
	if err != nil {
		return nil, pgClassify(pgNotFound(err, what))
	}
	if data == nil {
		return nil, fmt.Errorf("%w: font %s: data missing", ErrCorrupt, f.ID)
	}
	if err := verifySum(data, f.SHA256[:]); err != nil {
		return nil, fmt.Errorf("%w: font %s: data %v", ErrCorrupt, f.ID, err)
	}
	f.Data = data
	return f, nil
}

// DeleteFont implements Store: one DELETE; the data goes with the row (ON
// DELETE CASCADE).
func (p *Postgres) DeleteFont(ctx context.Context, keyID, id string) error {
	tag, err := p.pool.Exec(ctx, `DELETE FROM fonts WHERE id = $1 AND key_id = $2`, id, keyID)
	if err != nil {
		return pgClassify(fmt.Errorf("store: delete font %s: %w", id, err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: font %s", ErrNotFound, id)
	}
	return nil
}
