package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"time"
)

// templateCols are the templates columns scanTemplate reads, in order.
const templateCols = `t.id, t.version, t.key_id, t.name, t.created_at, t.deleted_at`

// scanTemplate reads templateCols and then dest.
func scanTemplate(sc scanner, dest ...any) (*Template, error) {
	var (
		t                Template
		created, deleted int64
	)
	if err := sc.Scan(append([]any{&t.ID, &t.Version, &t.KeyID, &t.Name, &created, &deleted}, dest...)...); err != nil {
		return nil, err
	}
	t.CreatedAt, t.DeletedAt = fromMS(created), fromMS(deleted)
	return &t, nil
}

// checkTemplateJSON refuses JSON the store does not take.
func checkTemplateJSON(json []byte) error {
	if len(json) == 0 || len(json) > MaxTemplateJSON {
		return fmt.Errorf("%w: template JSON of %d bytes (1 to %d)", ErrInvalid, len(json), MaxTemplateJSON)
	}
	return nil
}

// insertTemplateVersion writes one version's row and its JSON.
func insertTemplateVersion(ctx context.Context, tx *sql.Tx, id string, version int, keyID, name string, json []byte, created int64) error {
	sum := sha256.Sum256(json) // verified by Template on every read
	if _, err := tx.ExecContext(ctx, `INSERT INTO templates (id, version, key_id, name, json_sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, version, keyID, name, sum[:], created); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO template_json (id, version, json) VALUES (?, ?, ?)`, id, version, json)
	return err
}

// CreateTemplate implements Store: the row and its JSON in one IMMEDIATE
// transaction. The primary key (id, version) refuses a taken ID.
func (s *SQLite) CreateTemplate(ctx context.Context, t *Template) (err error) {
	defer func() { err = s.wrote(err) }()
	if t == nil || !ValidTemplateID(t.ID) || t.KeyID == "" {
		return fmt.Errorf("%w: template needs an ID %s + %d chars [0-9a-z] and a key ID", ErrInvalid, TemplateIDPrefix, idRandLen)
	}
	if err := checkTemplateJSON(t.JSON); err != nil {
		return err
	}
	created := t.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	created = msUTC(created)

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create template: %w", err)
	}
	defer tx.Rollback()
	if err := insertTemplateVersion(ctx, tx, t.ID, 1, t.KeyID, t.Name, t.JSON, ms(created)); err != nil {
		if isUnique(err, "templates.id") {
			return fmt.Errorf("%w: template %s", ErrIDTaken, t.ID)
		}
		return fmt.Errorf("store: insert template %s: %w", t.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit template %s: %w", t.ID, err)
	}
	t.Version, t.CreatedAt, t.DeletedAt = 1, created, time.Time{}
	return nil
}

// UpdateTemplate implements Store. The latest version is read and the next
// one written in one IMMEDIATE transaction, which holds SQLite's write lock
// from its start: updates of one template (from this process or another on
// the same file) run one after the other, each seeing the version the one
// before wrote.
func (s *SQLite) UpdateTemplate(ctx context.Context, keyID, id string, ifVersion int, json []byte, name string) (_ int, err error) {
	defer func() { err = s.wrote(err) }()
	if ifVersion < 0 {
		return 0, fmt.Errorf("%w: ifVersion %d", ErrInvalid, ifVersion)
	}
	if err := checkTemplateJSON(json); err != nil {
		return 0, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: update template: %w", err)
	}
	defer tx.Rollback()
	var (
		latest         int
		owner, oldName string
		deleted        int64
	)
	err = tx.QueryRowContext(ctx, `SELECT version, key_id, name, deleted_at FROM templates
		WHERE id = ? ORDER BY version DESC LIMIT 1`, id).Scan(&latest, &owner, &oldName, &deleted)
	if err != nil {
		return 0, notFound(err, "template "+id)
	}
	if owner != keyID || deleted != 0 {
		return 0, fmt.Errorf("%w: template %s", ErrNotFound, id)
	}
	if ifVersion > 0 && ifVersion != latest {
		return 0, fmt.Errorf("%w: template %s is at version %d, not %d", ErrConflict, id, latest, ifVersion)
	}
	if name == "" {
		name = oldName
	}
	v := latest + 1
	if err := insertTemplateVersion(ctx, tx, id, v, keyID, name, json, ms(s.now())); err != nil {
		return 0, fmt.Errorf("store: insert template %s version %d: %w", id, v, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit template %s version %d: %w", id, v, err)
	}
	return v, nil
}

// Template implements Store. The JSON is returned only when it matches the
// checksum in its version's row; a version whose JSON row is missing is
// ErrCorrupt, never silently an older version.
func (s *SQLite) Template(ctx context.Context, id string, version int) (*Template, error) {
	if version < 0 {
		return nil, fmt.Errorf("%w: template version %d", ErrInvalid, version)
	}
	var sum, json []byte
	t, err := scanTemplate(s.selTemplate.QueryRowContext(ctx, id, version), &sum, &json)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("template %s version %d", id, version))
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
func (s *SQLite) Templates(ctx context.Context, keyID string) ([]*Template, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+templateCols+`
		FROM templates t JOIN templates v1 ON v1.id = t.id AND v1.version = 1
		WHERE t.key_id = ? AND t.deleted_at = 0
			AND t.version = (SELECT max(version) FROM templates WHERE id = t.id)
		ORDER BY v1.created_at, t.id`, keyID)
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", sqliteErr(err))
	}
	defer rows.Close()
	var ts []*Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("store: templates: %w", sqliteErr(err))
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: templates: %w", sqliteErr(err))
	}
	return ts, nil
}

// DeleteTemplate implements Store with one UPDATE of every version's row.
func (s *SQLite) DeleteTemplate(ctx context.Context, keyID, id string, now time.Time) (err error) {
	defer func() { err = s.wrote(err) }()
	if now.IsZero() {
		now = s.now()
	}
	if ms(now) <= 0 { // 0 is "live"
		return fmt.Errorf("%w: delete time %v", ErrInvalid, now)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE templates SET deleted_at = ?
		WHERE id = ? AND key_id = ? AND deleted_at = 0`, ms(now), id, keyID)
	if err != nil {
		return fmt.Errorf("store: delete template %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete template %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: template %s", ErrNotFound, id)
	}
	return nil
}
