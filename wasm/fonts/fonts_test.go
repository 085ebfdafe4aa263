package fonts

import (
	"bytes"
	"slices"
	"testing"
)

func TestRanges(t *testing.T) {
	rs := FromRunes([]rune{'c', 'a', 'b', 'x', 0x4e00, 'z', 'y'})
	want := Ranges{{'a', 'c'}, {'x', 'z'}, {0x4e00, 0x4e00}}
	if !slices.Equal(rs, want) {
		t.Fatalf("FromRunes: %v, want %v", rs, want)
	}
	for _, tc := range []struct {
		r    rune
		want bool
	}{{'a', true}, {'b', true}, {'d', false}, {'w', false}, {'y', true}, {0x4e00, true}, {0x4e01, false}, {0, false}} {
		if got := rs.Contains(tc.r); got != tc.want {
			t.Errorf("Contains(%q) = %v", tc.r, got)
		}
	}
	if got := rs.Minus(Ranges{{'b', 'b'}, {'y', 0x5000}}); !slices.Equal(got, Ranges{{'a', 'a'}, {'c', 'c'}, {'x', 'x'}}) {
		t.Errorf("Minus: %v", got)
	}
	if got := rs.Union(Ranges{{'d', 'w'}}); !slices.Equal(got, Ranges{{'a', 'z'}, {0x4e00, 0x4e00}}) {
		t.Errorf("Union: %v", got)
	}
}

func TestPackRoundTrip(t *testing.T) {
	f := &Family{Name: "Test", Rank: 3, Owns: Ranges{{'a', 'z'}, {0x600, 0x6ff}}, Regular: []byte("regular"), Bold: []byte("bold")}
	got, err := Unpack(f.Pack())
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != f.Name || got.Rank != f.Rank || !slices.Equal(got.Owns, f.Owns) || !bytes.Equal(got.Regular, f.Regular) || !bytes.Equal(got.Bold, f.Bold) {
		t.Fatalf("round trip: %+v", got)
	}
}

// FuzzUnpack: any bytes unpack to a family or an error, never a panic, and
// what unpacks packs back to the same bytes.
func FuzzUnpack(f *testing.F) {
	f.Add((&Family{Name: "A", Rank: 1, Owns: Ranges{{1, 2}}, Regular: []byte{1}}).Pack())
	f.Add([]byte("OGF1"))
	f.Add([]byte("OGF1\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fam, err := Unpack(b)
		if err != nil {
			return
		}
		if !bytes.Equal(fam.Pack(), b) {
			t.Fatalf("unpacked %+v does not pack back to its bytes", fam)
		}
	})
}
