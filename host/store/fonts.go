package store

import (
	"context"
	"crypto/sha256"
	"fmt"
)

// fontCols are the fonts columns scanFont reads, in order.
const fontCols = `f.id, f.key_id, f.family, f.weight, f.format, f.size, f.sha256, f.created_at`

// scanFont reads fontCols and then dest.
func scanFont(sc scanner, dest ...any) (*Font, error) {
	var (
		f       Font
		sum     []byte
		created int64
	)
	if err := sc.Scan(append([]any{&f.ID, &f.KeyID, &f.Family, &f.Weight, &f.Format, &f.Size, &sum, &created}, dest...)...); err != nil {
		return nil, err
	}
	if len(sum) != len(f.SHA256) {
		return nil, fmt.Errorf("%w: font %s: checksum is %d bytes", ErrCorrupt, f.ID, len(sum))
	}
	copy(f.SHA256[:], sum)
	f.CreatedAt = fromMS(created)
	return &f, nil
}

// CreateFont implements Store: the row and its data in one IMMEDIATE
// transaction. The primary key refuses a taken ID, UNIQUE (key_id, family,
// weight) a second font of a family and weight.
func (s *SQLite) CreateFont(ctx context.Context, f *Font) (err error) {
	defer func() { err = s.wrote(err) }()
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
		created = s.now()
	}
	created = msUTC(created)

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create font: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO fonts (id, key_id, family, weight, format, size, sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, f.KeyID, f.Family, f.Weight, f.Format, len(f.Data), sum[:], ms(created))
	switch {
	case isUnique(err, "fonts.id"):
		return fmt.Errorf("%w: font %s", ErrIDTaken, f.ID)
	case isUnique(err, "fonts.key_id"):
		return fmt.Errorf("%w: the key already has a %s font of family %q", ErrConflict, f.Weight, f.Family)
	case err != nil:
		return fmt.Errorf("store: insert font %s: %w", f.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO font_data (font_id, data) VALUES (?, ?)`, f.ID, f.Data); err != nil {
		return fmt.Errorf("store: insert font data %s: %w", f.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit font %s: %w", f.ID, err)
	}
	f.SHA256, f.Size, f.CreatedAt = sum, len(f.Data), created
	return nil
}

// Fonts implements Store.
func (s *SQLite) Fonts(ctx context.Context, keyID string) ([]*Font, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+fontCols+` FROM fonts f WHERE f.key_id = ? ORDER BY f.created_at, f.id`, keyID)
	if err != nil {
		return nil, fmt.Errorf("store: fonts: %w", sqliteErr(err))
	}
	defer rows.Close()
	var fs []*Font
	for rows.Next() {
		f, err := scanFont(rows)
		if err != nil {
			return nil, fmt.Errorf("store: fonts: %w", sqliteErr(err))
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: fonts: %w", sqliteErr(err))
	}
	return fs, nil
}

// Font implements Store: the data is returned only when it matches the
// checksum in the font's row.
func (s *SQLite) Font(ctx context.Context, keyID, id string) (*Font, error) {
	return s.fontWithData(s.selFont.QueryRowContext(ctx, keyID, id), "font "+id)
}

// FontByFamily implements Store like Font.
func (s *SQLite) FontByFamily(ctx context.Context, keyID, family, weight string) (*Font, error) {
	return s.fontWithData(s.selFontFamily.QueryRowContext(ctx, keyID, family, weight),
		fmt.Sprintf("font %q %s", family, weight))
}

// fontWithData scans a row of fontCols and the data, and verifies the data.
func (s *SQLite) fontWithData(row scanner, what string) (*Font, error) {
	var data []byte
	f, err := scanFont(row, &data)
	if err != nil {
		return nil, notFound(err, what)
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
// DELETE CASCADE, foreign_keys is on for every connection).
func (s *SQLite) DeleteFont(ctx context.Context, keyID, id string) (err error) {
	defer func() { err = s.wrote(err) }()
	res, err := s.w.ExecContext(ctx, `DELETE FROM fonts WHERE id = ? AND key_id = ?`, id, keyID)
	if err != nil {
		return fmt.Errorf("store: delete font %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete font %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: font %s", ErrNotFound, id)
	}
	return nil
}
