package typeset

import (
	"os"
	"testing"
)

// TestUserFamilyAddRemove: a user family is a style family by its name;
// its bold, when the host handed none, is the regular as it is; removed,
// it is gone, its slots are reused, and a family added again in them
// measures as before (no cache keeps the old face's index).
func TestUserFamilyAddRemove(t *testing.T) {
	ts := newBuiltin(t)
	mono, err := os.ReadFile("../../templates/fontpack/JetBrainsMono-Regular.ttf")
	if err != nil {
		t.Fatal(err)
	}
	serif, err := os.ReadFile("../../templates/fontpack/DejaVuSerif.ttf")
	if err != nil {
		t.Fatal(err)
	}
	const text = "Hamburgefonstiv 0123"
	if err := ts.AddUserFamily("u:mono", mono, nil); err != nil {
		t.Fatal(err)
	}
	fam := family(t, ts, "u:mono")
	faces := len(ts.faces)
	monoW := measure(ts, text, Style{Family: fam, Size: 40})
	if boldW := measure(ts, text, Style{Family: fam, Bold: true, Size: 40}); boldW != monoW {
		t.Fatalf("bold of a regular-only family: %v, regular %v", boldW, monoW)
	}
	if interW := measure(ts, text, Style{Family: family(t, ts, "Inter"), Size: 40}); interW == monoW {
		t.Fatal("the user family measures as Inter")
	}
	if !ts.RemoveFamily("u:mono") || ts.FamilyIndex("u:mono") >= 0 || ts.RemoveFamily("u:mono") {
		t.Fatal("remove")
	}
	if ts.RemoveFamily("Inter") {
		t.Fatal("a built-in family was removed")
	}
	if err := ts.AddUserFamily("u:serif", serif, nil); err != nil {
		t.Fatal(err)
	}
	if i := family(t, ts, "u:serif"); i != fam || len(ts.faces) != faces {
		t.Fatalf("slots not reused: family %d (was %d), %d faces (was %d)", i, fam, len(ts.faces), faces)
	}
	if w := measure(ts, text, Style{Family: fam, Size: 40}); w == monoW {
		t.Fatal("the new family in the old slots measures as the old one")
	}
	ts.RemoveFamily("u:serif")
	if err := ts.AddUserFamily("u:mono", mono, nil); err != nil {
		t.Fatal(err)
	}
	if w := measure(ts, text, Style{Family: family(t, ts, "u:mono"), Size: 40}); w != monoW {
		t.Fatalf("added again: %v, want %v", w, monoW)
	}
}
