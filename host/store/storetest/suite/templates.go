package suite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

func mustCreateTemplate(t *testing.T, s store.Store, tp *store.Template) *store.Template {
	t.Helper()
	if err := s.CreateTemplate(context.Background(), tp); err != nil {
		t.Fatalf("CreateTemplate(%s): %v", tp.ID, err)
	}
	return tp
}

func mustUpdate(t *testing.T, s store.Store, keyID, id string, ifVersion int, json []byte, name string) int {
	t.Helper()
	v, err := s.UpdateTemplate(context.Background(), keyID, id, ifVersion, json, name)
	if err != nil {
		t.Fatalf("UpdateTemplate(%s, if %d): %v", id, ifVersion, err)
	}
	return v
}

func mustCreateFont(t *testing.T, s store.Store, f *store.Font) *store.Font {
	t.Helper()
	if err := s.CreateFont(context.Background(), f); err != nil {
		t.Fatalf("CreateFont(%s): %v", f.ID, err)
	}
	return f
}

// latest is Template(id, 0) that must succeed.
func latest(t *testing.T, s store.Store, id string) *store.Template {
	t.Helper()
	tp, err := s.Template(context.Background(), id, 0)
	if err != nil {
		t.Fatalf("Template(%s, 0): %v", id, err)
	}
	return tp
}

// templateString describes t with its JSON's length, not its bytes.
func templateString(t *store.Template) string {
	if t == nil {
		return "<nil>"
	}
	json := "nil"
	if t.JSON != nil {
		json = fmt.Sprintf("%d bytes", len(t.JSON))
	}
	return fmt.Sprintf("{%s v%d key %s name %q created %v deleted %v JSON %s}",
		t.ID, t.Version, t.KeyID, t.Name, t.CreatedAt, t.DeletedAt, json)
}

// sameTemplate compares everything but JSON, which is compared when want has it.
func sameTemplate(got, want *store.Template) bool {
	return got.ID == want.ID && got.Version == want.Version && got.KeyID == want.KeyID && got.Name == want.Name &&
		got.CreatedAt.Equal(want.CreatedAt) && got.DeletedAt.Equal(want.DeletedAt) &&
		(want.JSON == nil || bytes.Equal(got.JSON, want.JSON))
}

// isUTCms reports whether tm is UTC with millisecond precision, as the store keeps times.
func isUTCms(tm time.Time) bool {
	return tm.Location() == time.UTC && tm.Nanosecond()%int(time.Millisecond) == 0
}

// CreateTemplate: version 1 with CreatedAt filled in and normalised; IDs
// are never reused, across keys and after a delete; malformed input is
// refused with nothing written.
func CreateTemplate(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	first := &store.Template{ID: tid(1), KeyID: keyA, Name: "Blog card", JSON: doc(1), Version: 7,
		CreatedAt: time.Date(2025, 3, 8, 1, 2, 3, 456789000, time.FixedZone("x", 3600))}
	mustCreateTemplate(t, s, first)
	if want := time.Date(2025, 3, 8, 0, 2, 3, 456000000, time.UTC); first.Version != 1 || !first.CreatedAt.Equal(want) ||
		!isUTCms(first.CreatedAt) || !first.DeletedAt.IsZero() {
		t.Errorf("after CreateTemplate: version %d CreatedAt %v DeletedAt %v; want 1, %v (UTC ms), zero",
			first.Version, first.CreatedAt, first.DeletedAt, want)
	}
	if got := latest(t, s, first.ID); !sameTemplate(got, first) {
		t.Errorf("Template = %s, want %s", templateString(got), templateString(first))
	}
	noTime := mustCreateTemplate(t, s, &store.Template{ID: tid(2), KeyID: keyA, JSON: doc(2)})
	if noTime.CreatedAt.IsZero() || !isUTCms(noTime.CreatedAt) {
		t.Errorf("CreatedAt not filled in: %v", noTime.CreatedAt)
	}
	deleted := mustCreateTemplate(t, s, &store.Template{ID: tid(3), KeyID: keyA, JSON: doc(3)})
	if err := s.DeleteTemplate(ctx, keyA, deleted.ID, t0); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		tp   *store.Template
		want error
	}{
		{"taken by the same key", &store.Template{ID: first.ID, KeyID: keyA, JSON: doc(10)}, store.ErrIDTaken},
		{"taken by another key", &store.Template{ID: first.ID, KeyID: keyB, JSON: doc(11)}, store.ErrIDTaken},
		{"taken by a deleted template", &store.Template{ID: deleted.ID, KeyID: keyA, JSON: doc(12)}, store.ErrIDTaken},
		{"nil", nil, store.ErrInvalid},
		{"no ID", &store.Template{KeyID: keyA, JSON: doc(13)}, store.ErrInvalid},
		{"wrong prefix", &store.Template{ID: "tmpl_0123456789", KeyID: keyA, JSON: doc(14)}, store.ErrInvalid},
		{"upper case", &store.Template{ID: "custom_ABCDEFGHIJ", KeyID: keyA, JSON: doc(15)}, store.ErrInvalid},
		{"too short", &store.Template{ID: "custom_012345678", KeyID: keyA, JSON: doc(16)}, store.ErrInvalid},
		{"too long", &store.Template{ID: "custom_0123456789a", KeyID: keyA, JSON: doc(17)}, store.ErrInvalid},
		{"no key", &store.Template{ID: tid(20), JSON: doc(18)}, store.ErrInvalid},
		{"no JSON", &store.Template{ID: tid(21), KeyID: keyA}, store.ErrInvalid},
		{"JSON too large", &store.Template{ID: tid(22), KeyID: keyA, JSON: make([]byte, store.MaxTemplateJSON+1)}, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateTemplate(ctx, tc.tp)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.tp == nil || tc.tp.ID == "" {
				return
			}
			got, err := s.Template(ctx, tc.tp.ID, 0)
			switch {
			case tc.want == store.ErrInvalid && !errors.Is(err, store.ErrNotFound):
				t.Errorf("refused template stored: %s, %v", templateString(got), err)
			case tc.want == store.ErrIDTaken && (err != nil || got.Version != 1 || bytes.Equal(got.JSON, tc.tp.JSON)):
				t.Errorf("the template with the taken ID changed: %s, %v", templateString(got), err)
			}
		})
	}
	// A template of the largest size is taken.
	big := mustCreateTemplate(t, s, &store.Template{ID: tid(30), KeyID: keyA, JSON: bytes.Repeat([]byte(" "), store.MaxTemplateJSON)})
	if got := latest(t, s, big.ID); len(got.JSON) != store.MaxTemplateJSON {
		t.Errorf("largest template read back with %d bytes", len(got.JSON))
	}
	// Fresh IDs are valid and distinct.
	seen := map[string]bool{}
	for range 100 {
		id := store.NewTemplateID()
		if !store.ValidTemplateID(id) || seen[id] {
			t.Fatalf("NewTemplateID = %q (valid %v, seen %v)", id, store.ValidTemplateID(id), seen[id])
		}
		seen[id] = true
	}
}

// UpdateTemplate: each update adds the next version; a stale or future
// ifVersion is ErrConflict with nothing written; another key's, unknown and
// deleted templates are ErrNotFound.
func UpdateTemplate(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	tp := mustCreateTemplate(t, s, &store.Template{ID: tid(1), KeyID: keyA, Name: "v1 name", JSON: doc(1), CreatedAt: t0})
	gone := mustCreateTemplate(t, s, &store.Template{ID: tid(2), KeyID: keyA, JSON: doc(2)})
	if err := s.DeleteTemplate(ctx, keyA, gone.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantNames := map[int]string{1: "v1 name"}
	wantJSON := map[int][]byte{1: doc(1)}
	for _, tc := range []struct {
		name      string
		key, id   string
		ifVersion int
		json      []byte
		newName   string
		want      error
		wantV     int
		wantName  string
	}{
		{name: "if the latest", key: keyA, id: tp.ID, ifVersion: 1, json: doc(100), wantV: 2, wantName: "v1 name"},
		{name: "stale ifVersion", key: keyA, id: tp.ID, ifVersion: 1, json: doc(101), want: store.ErrConflict},
		{name: "future ifVersion", key: keyA, id: tp.ID, ifVersion: 9, json: doc(102), want: store.ErrConflict},
		{name: "unconditional, renamed", key: keyA, id: tp.ID, json: doc(103), newName: "renamed", wantV: 3, wantName: "renamed"},
		{name: "empty name keeps the name", key: keyA, id: tp.ID, ifVersion: 3, json: doc(104), wantV: 4, wantName: "renamed"},
		{name: "another key's", key: keyB, id: tp.ID, json: doc(105), want: store.ErrNotFound},
		{name: "another key's, if the latest", key: keyB, id: tp.ID, ifVersion: 4, json: doc(106), want: store.ErrNotFound},
		{name: "unknown", key: keyA, id: tid(99), json: doc(107), want: store.ErrNotFound},
		{name: "deleted", key: keyA, id: gone.ID, json: doc(108), want: store.ErrNotFound},
		{name: "deleted, if the latest", key: keyA, id: gone.ID, ifVersion: 1, json: doc(109), want: store.ErrNotFound},
		{name: "negative ifVersion", key: keyA, id: tp.ID, ifVersion: -1, json: doc(110), want: store.ErrInvalid},
		{name: "no JSON", key: keyA, id: tp.ID, want: store.ErrInvalid},
		{name: "JSON too large", key: keyA, id: tp.ID, json: make([]byte, store.MaxTemplateJSON+1), want: store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.Template(ctx, tp.ID, 0)
			v, err := s.UpdateTemplate(ctx, tc.key, tc.id, tc.ifVersion, tc.json, tc.newName)
			if tc.want != nil {
				if !errors.Is(err, tc.want) || v != 0 {
					t.Fatalf("= %d, %v; want 0, %v", v, err, tc.want)
				}
				if after := latest(t, s, tp.ID); !sameTemplate(after, before) {
					t.Errorf("a refused update changed the template: %s, was %s", templateString(after), templateString(before))
				}
				return
			}
			if err != nil || v != tc.wantV {
				t.Fatalf("= %d, %v; want %d", v, err, tc.wantV)
			}
			wantNames[v], wantJSON[v] = tc.wantName, tc.json
			got := latest(t, s, tp.ID)
			if got.Version != v || got.KeyID != keyA || got.Name != tc.wantName || !bytes.Equal(got.JSON, tc.json) ||
				!got.DeletedAt.IsZero() || got.CreatedAt.IsZero() || !isUTCms(got.CreatedAt) {
				t.Errorf("latest after the update: %s", templateString(got))
			}
		})
	}
	// Every version is kept as written.
	for v := 1; v <= 4; v++ {
		got, err := s.Template(ctx, tp.ID, v)
		if err != nil || got.Version != v || got.Name != wantNames[v] || !bytes.Equal(got.JSON, wantJSON[v]) {
			t.Errorf("Template(%s, %d) = %s, %v; want name %q JSON %s", tp.ID, v, templateString(got), err, wantNames[v], wantJSON[v])
		}
	}
	if got, err := s.Template(ctx, tp.ID, 1); err != nil || !got.CreatedAt.Equal(t0) {
		t.Errorf("version 1's CreatedAt changed: %s, %v", templateString(got), err)
	}
}

// Template: by version or latest; ErrNotFound for unknown ids and
// versions; ErrInvalid for a negative version.
func Template(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	tp := mustCreateTemplate(t, s, &store.Template{ID: tid(1), KeyID: keyA, Name: "n", JSON: doc(1), CreatedAt: t0})
	mustUpdate(t, s, keyA, tp.ID, 1, doc(2), "")
	other := mustCreateTemplate(t, s, &store.Template{ID: tid(2), KeyID: keyB, JSON: doc(3), CreatedAt: t0})
	for _, tc := range []struct {
		name     string
		id       string
		version  int
		want     error
		wantV    int
		wantJSON []byte
		wantKey  string
	}{
		{name: "latest", id: tp.ID, wantV: 2, wantJSON: doc(2), wantKey: keyA},
		{name: "version 1", id: tp.ID, version: 1, wantV: 1, wantJSON: doc(1), wantKey: keyA},
		{name: "version 2", id: tp.ID, version: 2, wantV: 2, wantJSON: doc(2), wantKey: keyA},
		{name: "another key's (not scoped: KeyID tells)", id: other.ID, wantV: 1, wantJSON: doc(3), wantKey: keyB},
		{name: "version not made yet", id: tp.ID, version: 3, want: store.ErrNotFound},
		{name: "unknown", id: tid(9), want: store.ErrNotFound},
		{name: "unknown version 1", id: tid(9), version: 1, want: store.ErrNotFound},
		{name: "malformed ID", id: "nope", want: store.ErrNotFound},
		{name: "negative version", id: tp.ID, version: -1, want: store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Template(ctx, tc.id, tc.version)
			if tc.want != nil {
				if !errors.Is(err, tc.want) || got != nil {
					t.Fatalf("= %s, %v; want %v", templateString(got), err, tc.want)
				}
				return
			}
			if err != nil || got.ID != tc.id || got.Version != tc.wantV || got.KeyID != tc.wantKey ||
				!bytes.Equal(got.JSON, tc.wantJSON) || !got.DeletedAt.IsZero() {
				t.Fatalf("= %s, %v; want version %d of %s with %s", templateString(got), err, tc.wantV, tc.wantKey, tc.wantJSON)
			}
		})
	}
}

// Templates: the key's live templates, latest version each, by the
// CreatedAt of version 1 (not of the latest) then ID, without JSON.
func Templates(t *testing.T, bk Backend) {
	ctx := context.Background()
	s := bk.open(t)
	if ts, err := s.Templates(ctx, keyA); err != nil || len(ts) != 0 {
		t.Fatalf("no templates: %d of them, %v", len(ts), err)
	}
	// Created out of order; c and b share a CreatedAt, so the ID orders them.
	c := mustCreateTemplate(t, s, &store.Template{ID: tid(3), KeyID: keyA, Name: "c", JSON: doc(3), CreatedAt: t0.Add(2 * time.Second)})
	a := mustCreateTemplate(t, s, &store.Template{ID: tid(9), KeyID: keyA, Name: "a", JSON: doc(1), CreatedAt: t0})
	b := mustCreateTemplate(t, s, &store.Template{ID: tid(2), KeyID: keyA, Name: "b", JSON: doc(2), CreatedAt: t0.Add(2 * time.Second)})
	gone := mustCreateTemplate(t, s, &store.Template{ID: tid(4), KeyID: keyA, Name: "gone", JSON: doc(4), CreatedAt: t0.Add(time.Second)})
	mustCreateTemplate(t, s, &store.Template{ID: tid(5), KeyID: keyB, Name: "other key", JSON: doc(5), CreatedAt: t0})
	// a's latest version is the newest of all; it keeps its place.
	mustUpdate(t, s, keyA, a.ID, 0, doc(10), "a2")
	mustUpdate(t, s, keyA, a.ID, 0, doc(11), "")
	mustUpdate(t, s, keyA, gone.ID, 0, doc(12), "")
	if err := s.DeleteTemplate(ctx, keyA, gone.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ts, err := s.Templates(ctx, keyA)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tp := range ts {
		got = append(got, fmt.Sprintf("%s v%d %s", tp.ID, tp.Version, tp.Name))
		if tp.JSON != nil || tp.KeyID != keyA || !tp.DeletedAt.IsZero() || tp.CreatedAt.IsZero() {
			t.Errorf("listed %s: want JSON nil, key %s, live", templateString(tp), keyA)
		}
	}
	want := []string{a.ID + " v3 a2", b.ID + " v1 b", c.ID + " v1 c"}
	if !slices.Equal(got, want) {
		t.Errorf("Templates(%s) = %q, want %q", keyA, got, want)
	}
	if ts, err := s.Templates(ctx, keyB); err != nil || len(ts) != 1 || ts[0].ID != tid(5) {
		t.Errorf("Templates(%s) = %d of them, %v", keyB, len(ts), err)
	}
	if ts, err := s.Templates(ctx, "key_none"); err != nil || len(ts) != 0 {
		t.Errorf("Templates of a key without any: %d of them, %v", len(ts), err)
	}
}

// DeleteTemplate: every version is marked deleted; Template still returns
// them with DeletedAt, Templates hides them, UpdateTemplate and a second
// delete refuse them.
func DeleteTemplate(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	tp := mustCreateTemplate(t, s, &store.Template{ID: tid(1), KeyID: keyA, Name: "n", JSON: doc(1), CreatedAt: t0})
	mustUpdate(t, s, keyA, tp.ID, 1, doc(2), "")
	keep := mustCreateTemplate(t, s, &store.Template{ID: tid(2), KeyID: keyA, JSON: doc(3), CreatedAt: t0})
	at := time.Date(2025, 3, 9, 1, 0, 0, 123456789, time.FixedZone("y", -7200))
	wantAt := time.Date(2025, 3, 9, 3, 0, 0, 123000000, time.UTC)
	for _, tc := range []struct {
		name    string
		key, id string
		want    error
	}{
		{"another key's", keyB, tp.ID, store.ErrNotFound},
		{"unknown", keyA, tid(9), store.ErrNotFound},
		{"own", keyA, tp.ID, nil},
		{"already deleted", keyA, tp.ID, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.DeleteTemplate(ctx, tc.key, tc.id, at); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for v, wantV := range map[int]int{0: 2, 1: 1, 2: 2} {
		got, err := s.Template(ctx, tp.ID, v)
		if err != nil || got.Version != wantV || !got.DeletedAt.Equal(wantAt) || !isUTCms(got.DeletedAt) ||
			!bytes.Equal(got.JSON, doc(wantV)) {
			t.Errorf("Template(%s, %d) of a deleted template = %s, %v; want version %d with DeletedAt %v", tp.ID, v, templateString(got), err, wantV, wantAt)
		}
	}
	if ts, err := s.Templates(ctx, keyA); err != nil || len(ts) != 1 || ts[0].ID != keep.ID {
		t.Errorf("Templates after the delete = %d of them, %v; want only %s", len(ts), err, keep.ID)
	}
	for _, ifVersion := range []int{0, 2} {
		if v, err := s.UpdateTemplate(ctx, keyA, tp.ID, ifVersion, doc(4), ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateTemplate(if %d) of a deleted template = %d, %v; want ErrNotFound", ifVersion, v, err)
		}
	}
	if got := latest(t, s, tp.ID); got.Version != 2 {
		t.Errorf("a deleted template got version %d", got.Version)
	}
	// The delete of one template leaves the others alone.
	if got := latest(t, s, keep.ID); !got.DeletedAt.IsZero() {
		t.Errorf("%s deleted too: %s", keep.ID, templateString(got))
	}
	// Zero time: the store's clock.
	if err := s.DeleteTemplate(ctx, keyA, keep.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := latest(t, s, keep.ID); got.DeletedAt.IsZero() {
		t.Errorf("deleted at the zero time reads as live: %s", templateString(got))
	}
}

// UpdateTemplateConcurrent: n concurrent unconditional updates of one
// template get versions 2..n+1, each once, each stored with its own JSON.
func UpdateTemplateConcurrent(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	tp := mustCreateTemplate(t, s, &store.Template{ID: tid(1), KeyID: keyA, JSON: doc(0)})
	const n = 16
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[int]int{} // version -> writer
	)
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			v, err := s.UpdateTemplate(ctx, keyA, tp.ID, 0, doc(i), fmt.Sprint("writer ", i))
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if w, ok := got[v]; ok {
				t.Errorf("version %d given to writers %d and %d", v, w, i)
			}
			got[v] = i
		})
	}
	wg.Wait()
	for v := 2; v <= n+1; v++ {
		w, ok := got[v]
		if !ok {
			t.Errorf("no writer got version %d (got %v)", v, got)
			continue
		}
		tv, err := s.Template(ctx, tp.ID, v)
		if err != nil || !bytes.Equal(tv.JSON, doc(w)) || tv.Name != fmt.Sprint("writer ", w) {
			t.Errorf("version %d = %s, %v; want writer %d's", v, templateString(tv), err, w)
		}
	}
	if got := latest(t, s, tp.ID); got.Version != n+1 {
		t.Errorf("latest version %d, want %d", got.Version, n+1)
	}
	if _, err := s.Template(ctx, tp.ID, n+2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("version %d exists: %v", n+2, err)
	}
}

// UpdateTemplateConcurrentIfVersion: n concurrent updates all made against
// version 1: exactly one wins, the others get ErrConflict.
func UpdateTemplateConcurrentIfVersion(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	tp := mustCreateTemplate(t, s, &store.Template{ID: tid(1), KeyID: keyA, JSON: doc(0)})
	const n = 8
	var (
		wg                sync.WaitGroup
		mu                sync.Mutex
		won, lost, winner int
	)
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			v, err := s.UpdateTemplate(ctx, keyA, tp.ID, 1, doc(i), "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && v == 2:
				won, winner = won+1, i
			case errors.Is(err, store.ErrConflict):
				lost++
			default:
				t.Errorf("writer %d: %d, %v", i, v, err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != n-1 {
		t.Fatalf("%d won, %d lost; want 1 and %d", won, lost, n-1)
	}
	if got := latest(t, s, tp.ID); got.Version != 2 || !bytes.Equal(got.JSON, doc(winner)) {
		t.Errorf("latest = %s, want version 2 by writer %d", templateString(got), winner)
	}
}

// CreateFont: SHA256, Size and CreatedAt filled in; one font per key,
// family and weight; IDs never reused; malformed fonts refused.
func CreateFont(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	data := fontData(1, 3000)
	f := mustCreateFont(t, s, &store.Font{ID: fid(1), KeyID: keyA, Family: "Inter", Weight: store.FontRegular, Format: "ttf",
		Data: data, CreatedAt: time.Date(2025, 3, 8, 1, 2, 3, 456789000, time.FixedZone("x", 3600))})
	if want := time.Date(2025, 3, 8, 0, 2, 3, 456000000, time.UTC); f.Size != len(data) || f.SHA256 != sha(data) ||
		!f.CreatedAt.Equal(want) || !isUTCms(f.CreatedAt) {
		t.Errorf("after CreateFont: %s", fontString(f))
	}
	for _, tc := range []struct {
		name string
		f    *store.Font
		want error
	}{
		{"bold of the same family", &store.Font{ID: fid(2), KeyID: keyA, Family: "Inter", Weight: store.FontBold, Format: "woff2", Data: fontData(2, 100)}, nil},
		{"with its SHA256", &store.Font{ID: fid(3), KeyID: keyA, Family: "Mono", Weight: store.FontRegular, Format: "otf", Data: fontData(3, 100), SHA256: sha(fontData(3, 100))}, nil},
		{"same family and weight for another key", &store.Font{ID: fid(4), KeyID: keyB, Family: "Inter", Weight: store.FontRegular, Format: "woff", Data: fontData(4, 100)}, nil},
		{"family differing in case", &store.Font{ID: fid(5), KeyID: keyA, Family: "inter", Weight: store.FontRegular, Format: "ttf", Data: fontData(5, 100)}, nil},
		{"same family and weight", &store.Font{ID: fid(6), KeyID: keyA, Family: "Inter", Weight: store.FontRegular, Format: "otf", Data: fontData(6, 100)}, store.ErrConflict},
		{"ID taken", &store.Font{ID: fid(1), KeyID: keyA, Family: "Other", Weight: store.FontRegular, Format: "ttf", Data: fontData(7, 100)}, store.ErrIDTaken},
		{"ID taken by another key's", &store.Font{ID: fid(4), KeyID: keyA, Family: "Other", Weight: store.FontBold, Format: "ttf", Data: fontData(8, 100)}, store.ErrIDTaken},
		{"SHA256 not the data's", &store.Font{ID: fid(9), KeyID: keyA, Family: "Other", Weight: store.FontRegular, Format: "ttf", Data: fontData(9, 100), SHA256: sha(nil)}, store.ErrInvalid},
		{"nil", nil, store.ErrInvalid},
		{"malformed ID", &store.Font{ID: "custom_0123456789", KeyID: keyA, Family: "X", Weight: store.FontRegular, Format: "ttf", Data: fontData(10, 100)}, store.ErrInvalid},
		{"no key", &store.Font{ID: fid(11), Family: "X", Weight: store.FontRegular, Format: "ttf", Data: fontData(11, 100)}, store.ErrInvalid},
		{"no family", &store.Font{ID: fid(12), KeyID: keyA, Weight: store.FontRegular, Format: "ttf", Data: fontData(12, 100)}, store.ErrInvalid},
		{"weight 700", &store.Font{ID: fid(13), KeyID: keyA, Family: "X", Weight: "700", Format: "ttf", Data: fontData(13, 100)}, store.ErrInvalid},
		{"no weight", &store.Font{ID: fid(14), KeyID: keyA, Family: "X", Format: "ttf", Data: fontData(14, 100)}, store.ErrInvalid},
		{"format eot", &store.Font{ID: fid(15), KeyID: keyA, Family: "X", Weight: store.FontRegular, Format: "eot", Data: fontData(15, 100)}, store.ErrInvalid},
		{"no data", &store.Font{ID: fid(16), KeyID: keyA, Family: "X", Weight: store.FontRegular, Format: "ttf"}, store.ErrInvalid},
		{"too large", &store.Font{ID: fid(17), KeyID: keyA, Family: "X", Weight: store.FontRegular, Format: "ttf", Data: make([]byte, store.MaxFontSize+1)}, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.Fonts(ctx, keyA)
			err := s.CreateFont(ctx, tc.f)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == nil {
				got, err := s.Font(ctx, tc.f.KeyID, tc.f.ID)
				if err != nil || !bytes.Equal(got.Data, tc.f.Data) || got.Family != tc.f.Family || got.Weight != tc.f.Weight ||
					got.Format != tc.f.Format || got.SHA256 != sha(tc.f.Data) || got.Size != len(tc.f.Data) || got.CreatedAt.IsZero() {
					t.Errorf("Font = %s, %v", fontString(got), err)
				}
				return
			}
			if after, _ := s.Fonts(ctx, keyA); len(after) != len(before) {
				t.Errorf("a refused font was stored: %d fonts, were %d", len(after), len(before))
			}
		})
	}
	// The largest font is taken.
	big := mustCreateFont(t, s, &store.Font{ID: fid(20), KeyID: keyA, Family: "Big", Weight: store.FontBold, Format: "otf", Data: fontData(20, store.MaxFontSize)})
	if got, err := s.Font(ctx, keyA, big.ID); err != nil || len(got.Data) != store.MaxFontSize {
		t.Errorf("largest font: %v", err)
	}
	seen := map[string]bool{}
	for range 100 {
		id := store.NewFontID()
		if !store.ValidFontID(id) || seen[id] {
			t.Fatalf("NewFontID = %q", id)
		}
		seen[id] = true
	}
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// fontString describes f with its Data's length, not its bytes.
func fontString(f *store.Font) string {
	if f == nil {
		return "<nil>"
	}
	data := "nil"
	if f.Data != nil {
		data = fmt.Sprintf("%d bytes", len(f.Data))
	}
	return fmt.Sprintf("{%s key %s %q %s %s size %d sha256 %x... created %v data %s}",
		f.ID, f.KeyID, f.Family, f.Weight, f.Format, f.Size, f.SHA256[:4], f.CreatedAt, data)
}

// sameFont compares everything but Data, which is compared when withData.
func sameFont(got, want *store.Font, withData bool) bool {
	return got.ID == want.ID && got.KeyID == want.KeyID && got.Family == want.Family && got.Weight == want.Weight &&
		got.Format == want.Format && got.SHA256 == want.SHA256 && got.Size == want.Size && got.CreatedAt.Equal(want.CreatedAt) &&
		(!withData && got.Data == nil || withData && bytes.Equal(got.Data, want.Data))
}

// Fonts: a key's fonts without Data, by CreatedAt then ID.
func Fonts(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	if fs, err := s.Fonts(ctx, keyA); err != nil || len(fs) != 0 {
		t.Fatalf("no fonts: %d of them, %v", len(fs), err)
	}
	later := mustCreateFont(t, s, &store.Font{ID: fid(1), KeyID: keyA, Family: "Inter", Weight: store.FontBold, Format: "ttf", Data: fontData(1, 500), CreatedAt: t0.Add(time.Minute)})
	tieB := mustCreateFont(t, s, &store.Font{ID: fid(3), KeyID: keyA, Family: "Inter", Weight: store.FontRegular, Format: "ttf", Data: fontData(2, 600), CreatedAt: t0})
	tieA := mustCreateFont(t, s, &store.Font{ID: fid(2), KeyID: keyA, Family: "Mono", Weight: store.FontRegular, Format: "woff2", Data: fontData(3, 700), CreatedAt: t0})
	mustCreateFont(t, s, &store.Font{ID: fid(4), KeyID: keyB, Family: "Inter", Weight: store.FontBold, Format: "ttf", Data: fontData(4, 800), CreatedAt: t0})
	fs, err := s.Fonts(ctx, keyA)
	if err != nil {
		t.Fatal(err)
	}
	want := []*store.Font{tieA, tieB, later}
	if len(fs) != len(want) {
		t.Fatalf("Fonts(%s): %d fonts, want %d", keyA, len(fs), len(want))
	}
	for i, f := range fs {
		if !sameFont(f, want[i], false) {
			t.Errorf("Fonts[%d] = %s, want %s without Data", i, fontString(f), fontString(want[i]))
		}
	}
	if fs, err := s.Fonts(ctx, keyB); err != nil || len(fs) != 1 || fs[0].ID != fid(4) {
		t.Errorf("Fonts(%s) = %d of them, %v", keyB, len(fs), err)
	}
}

// Font and FontByFamily: with Data, scoped by key, exact family and weight.
func Font(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	reg := mustCreateFont(t, s, &store.Font{ID: fid(1), KeyID: keyA, Family: "Inter", Weight: store.FontRegular, Format: "ttf", Data: fontData(1, 500)})
	bold := mustCreateFont(t, s, &store.Font{ID: fid(2), KeyID: keyA, Family: "Inter", Weight: store.FontBold, Format: "ttf", Data: fontData(2, 500)})
	other := mustCreateFont(t, s, &store.Font{ID: fid(3), KeyID: keyB, Family: "Mono", Weight: store.FontRegular, Format: "otf", Data: fontData(3, 500)})
	for _, tc := range []struct {
		name           string
		key, id        string // Font when id is set, else FontByFamily
		family, weight string
		want           error
		wantFont       *store.Font
	}{
		{name: "by ID", key: keyA, id: reg.ID, wantFont: reg},
		{name: "by ID, bold", key: keyA, id: bold.ID, wantFont: bold},
		{name: "by ID, another key's", key: keyA, id: other.ID, want: store.ErrNotFound},
		{name: "by ID, unknown", key: keyA, id: fid(9), want: store.ErrNotFound},
		{name: "by family", key: keyA, family: "Inter", weight: store.FontRegular, wantFont: reg},
		{name: "by family, bold", key: keyA, family: "Inter", weight: store.FontBold, wantFont: bold},
		{name: "by family, another key's", key: keyA, family: "Mono", weight: store.FontRegular, want: store.ErrNotFound},
		{name: "by family, other weight", key: keyB, family: "Mono", weight: store.FontBold, want: store.ErrNotFound},
		{name: "by family, other case", key: keyA, family: "inter", weight: store.FontRegular, want: store.ErrNotFound},
		{name: "by family, unknown", key: keyA, family: "Nope", weight: store.FontRegular, want: store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				got *store.Font
				err error
			)
			if tc.id != "" {
				got, err = s.Font(ctx, tc.key, tc.id)
			} else {
				got, err = s.FontByFamily(ctx, tc.key, tc.family, tc.weight)
			}
			if tc.want != nil {
				if !errors.Is(err, tc.want) || got != nil {
					t.Fatalf("= %s, %v; want %v", fontString(got), err, tc.want)
				}
				return
			}
			if err != nil || !sameFont(got, tc.wantFont, true) {
				t.Fatalf("= %s, %v; want %s", fontString(got), err, fontString(tc.wantFont))
			}
		})
	}
}

// DeleteFont: only the key's own font; its family and weight are free again.
func DeleteFont(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	f := mustCreateFont(t, s, &store.Font{ID: fid(1), KeyID: keyA, Family: "Inter", Weight: store.FontRegular, Format: "ttf", Data: fontData(1, 500)})
	keep := mustCreateFont(t, s, &store.Font{ID: fid(2), KeyID: keyA, Family: "Inter", Weight: store.FontBold, Format: "ttf", Data: fontData(2, 500)})
	for _, tc := range []struct {
		name    string
		key, id string
		want    error
	}{
		{"another key's", keyB, f.ID, store.ErrNotFound},
		{"unknown", keyA, fid(9), store.ErrNotFound},
		{"own", keyA, f.ID, nil},
		{"already deleted", keyA, f.ID, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.DeleteFont(ctx, tc.key, tc.id); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := s.Font(ctx, keyA, f.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Font after the delete: %v", err)
	}
	if _, err := s.FontByFamily(ctx, keyA, "Inter", store.FontRegular); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FontByFamily after the delete: %v", err)
	}
	if fs, err := s.Fonts(ctx, keyA); err != nil || len(fs) != 1 || fs[0].ID != keep.ID {
		t.Errorf("Fonts after the delete = %d of them, %v", len(fs), err)
	}
	// The family and weight can be uploaded again (under a new ID).
	mustCreateFont(t, s, &store.Font{ID: fid(3), KeyID: keyA, Family: "Inter", Weight: store.FontRegular, Format: "woff", Data: fontData(3, 500)})
	if got, err := s.FontByFamily(ctx, keyA, "Inter", store.FontRegular); err != nil || got.ID != fid(3) {
		t.Errorf("FontByFamily after the upload again = %s, %v", fontString(got), err)
	}
}

// UpdateTemplateTwoHandles: unconditional updates of one template racing
// on two handles (two processes, two hosts) never write one version twice
// nor leave a gap.
func UpdateTemplateTwoHandles(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	s2 := b.again(t, s)
	tp := mustCreateTemplate(t, s, &store.Template{ID: tid(1), KeyID: keyA, JSON: doc(0)})
	const n = 20
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]int{} // version -> writer
	)
	for i := 1; i <= n; i++ {
		h := []store.Store{s, s2}[i%2]
		wg.Go(func() {
			v, err := h.UpdateTemplate(ctx, keyA, tp.ID, 0, doc(i), "")
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if w, ok := seen[v]; ok {
				t.Errorf("version %d written by %d and %d", v, w, i)
			}
			seen[v] = i
		})
	}
	wg.Wait()
	for v := 2; v <= n+1; v++ {
		got, err := s2.Template(ctx, tp.ID, v)
		if err != nil || !bytes.Equal(got.JSON, doc(seen[v])) {
			t.Errorf("version %d = %s, %v; want writer %d's", v, templateString(got), err, seen[v])
		}
	}
	if got := latest(t, s, tp.ID); got.Version != n+1 {
		t.Errorf("latest version %d, want %d", got.Version, n+1)
	}
}

// UpdateDeleteTemplateRace: updates racing a delete of one template, on
// two handles, never leave a live version behind a successful delete, nor
// a gap in the versions.
func UpdateDeleteTemplateRace(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	s2 := b.again(t, s)
	for round := range 8 {
		tp := mustCreateTemplate(t, s, &store.Template{ID: tid(100 + round), KeyID: keyA, JSON: doc(0)})
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			updated []int
			delErr  error
		)
		for i := range 6 {
			h := []store.Store{s, s2}[i%2]
			wg.Go(func() {
				v, err := h.UpdateTemplate(ctx, keyA, tp.ID, 0, doc(i+1), "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					updated = append(updated, v)
				case !errors.Is(err, store.ErrNotFound): // deleted first
					t.Errorf("round %d: update: %v", round, err)
				}
			})
			if i == 2 {
				wg.Go(func() { delErr = []store.Store{s2, s}[round%2].DeleteTemplate(ctx, keyA, tp.ID, t0.Add(time.Hour)) })
			}
		}
		wg.Wait()
		if delErr != nil {
			t.Fatalf("round %d: delete: %v", round, delErr)
		}
		last := latest(t, s, tp.ID)
		if last.DeletedAt.IsZero() {
			t.Fatalf("round %d: a live version %d outlived the delete", round, last.Version)
		}
		if last.Version != 1+len(updated) {
			t.Errorf("round %d: latest version %d after %d updates", round, last.Version, len(updated))
		}
		for v := 1; v <= last.Version; v++ {
			if got, err := s2.Template(ctx, tp.ID, v); err != nil || got.DeletedAt.IsZero() {
				t.Errorf("round %d: version %d: %s, %v; want it there and deleted", round, v, templateString(got), err)
			}
		}
		if ts, err := s.Templates(ctx, keyA); err != nil || slices.ContainsFunc(ts, func(x *store.Template) bool { return x.ID == tp.ID }) {
			t.Errorf("round %d: the deleted template is listed: %v", round, err)
		}
	}
}
