package store

import (
	"context"
	"fmt"
	"time"
)

// Attempts implements Store.
func (s *SQLite) Attempts(ctx context.Context, id string) ([]Attempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n, at, status_code, duration_ns, error
		FROM attempts WHERE delivery_id = ? ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of %s: %w", id, err)
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		a := Attempt{DeliveryID: id}
		var at, ns int64
		if err := rows.Scan(&a.N, &at, &a.StatusCode, &ns, &a.Error); err != nil {
			return nil, fmt.Errorf("store: attempts of %s: %w", id, err)
		}
		a.At, a.Duration = fromMS(at), time.Duration(ns)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: attempts of %s: %w", id, err)
	}
	return out, nil
}
