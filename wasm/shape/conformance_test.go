package shape_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-text/typesetting/language"

	. "github.com/ogmint/ogmint/wasm/shape"
	"github.com/ogmint/ogmint/wasm/typeset"
)

// Conformance floors: the pass counts measured with go-text/typesetting
// v0.3.5 (Unicode 17 test files). A change that makes fewer cases pass
// fails; a change that makes more pass should raise the floor.
const (
	lineBreakFloor   = 17714 // of 17714: every case without Thai, Lao, Khmer or Myanmar
	graphemeFloor    = 766   // of 766
	bidiLevelsFloor  = 91642 // of 91707
	bidiOrderFloor   = 91668 // of 91707
	bidiParaDirFloor = 28    // of 28
	bidiAnalyzeFloor = 45834 // of 45834 (the cases whose direction is their first strong character's)
)

// unicodeTestFile returns the path of a Unicode test file shipped in the
// source of github.com/go-text/typesetting, the version this module uses:
// in the module's directory, or, when go.mod replaces the module with a
// copy without its test data, in the module cache's copy of that version.
func unicodeTestFile(t *testing.T, rel string) string {
	t.Helper()
	var mod struct {
		Path, Version, Dir string
		Replace            *struct{ Path, Version, Dir string }
	}
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/go-text/typesetting").Output()
	if err == nil {
		err = json.Unmarshal(out, &mod)
	}
	if err != nil || mod.Dir == "" {
		t.Skipf("cannot find the go-text/typesetting module directory (go list -m: %v); its Unicode test files are the test data", err)
	}
	dirs := []string{mod.Dir}
	if mod.Replace != nil && mod.Version != "" {
		// The original of the replaced version, from the module cache.
		var dl struct{ Dir string }
		if out, err := exec.Command("go", "mod", "download", "-json", mod.Path+"@"+mod.Version).Output(); err == nil && json.Unmarshal(out, &dl) == nil && dl.Dir != "" {
			dirs = append(dirs, dl.Dir)
		}
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	t.Skipf("no %s in %q (go-text/typesetting %s): the module's copy has no test data and the original could not be downloaded", rel, dirs, mod.Version)
	return ""
}

// readCases calls fn with the data part of each non-comment line.
func readCases(t *testing.T, path string, fn func(line string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			fn(line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func hexRune(t *testing.T, s string) rune {
	t.Helper()
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		t.Fatalf("bad code point %q: %v", s, err)
	}
	return rune(v)
}

// breakCase parses a line of LineBreakTest.txt or GraphemeBreakTest.txt:
// "÷ 0061 × 0308 ÷" gives the runes and, for each position 0..n, whether
// there is a break (÷) or not (×) before the rune at that position.
func breakCase(t *testing.T, line string) (runes []rune, breaks []bool) {
	t.Helper()
	for _, f := range strings.Fields(line) {
		switch f {
		case "÷":
			breaks = append(breaks, true)
		case "×":
			breaks = append(breaks, false)
		default:
			runes = append(runes, hexRune(t, f))
		}
	}
	if len(breaks) != len(runes)+1 {
		t.Fatalf("malformed case %q", line)
	}
	return runes, breaks
}

func dictionaryScript(runes []rune) bool {
	for _, r := range runes {
		switch language.LookupScript(r) {
		case language.Thai, language.Lao, language.Khmer, language.Myanmar:
			return true
		}
	}
	return false
}

func showRunes(runes []rune) string {
	var s []string
	for _, r := range runes {
		s = append(s, fmt.Sprintf("%04X", r))
	}
	return strings.Join(s, " ")
}

func showBreaks(b []bool) string {
	var s strings.Builder
	for _, v := range b {
		if v {
			s.WriteString("÷")
		} else {
			s.WriteString("×")
		}
	}
	return s.String()
}

// TestLineBreakConformance runs UAX #14's LineBreakTest.txt through
// AnalyzeRunes. Cases with Thai, Lao, Khmer or Myanmar are counted apart:
// for those scripts (which need a dictionary) the analysis adds a break
// between every two grapheme clusters, on purpose.
func TestLineBreakConformance(t *testing.T) {
	path := unicodeTestFile(t, "segmenter/test/LineBreakTest.txt")
	var a Analyzer
	total, passed, dict, dictPassed, fast := 0, 0, 0, 0, 0
	var fails []string
	readCases(t, path, func(line string) {
		runes, want := breakCase(t, line)
		if TakesASCII(runes) {
			fast++
		}
		an := a.AnalyzeRunes(runes)
		// The analysis reports no break before the first rune and one
		// after the last, as UAX #14 (rules LB2 and LB3).
		got := slices.Clone(an.Break)
		ok := slices.Equal(got[1:len(got)-1], want[1:len(want)-1]) && !got[0] && got[len(got)-1]
		if dictionaryScript(runes) {
			dict++
			if ok {
				dictPassed++
			}
			return
		}
		total++
		if ok {
			passed++
		} else if len(fails) < 10 {
			fails = append(fails, fmt.Sprintf("%s: got %s, want %s", showRunes(runes), showBreaks(got), showBreaks(want)))
		}
	})
	t.Logf("LineBreakTest.txt: passed %d of %d (plus %d cases with Thai, Lao, Khmer or Myanmar, left out: %d of them pass as is); %d analysed by the ASCII fast path", passed, total, dict, dictPassed, fast)
	for _, f := range fails {
		t.Log("fail:", f)
	}
	if total == 0 {
		t.Fatal("no cases read")
	}
	if passed < lineBreakFloor {
		t.Errorf("passed %d, below the floor of %d", passed, lineBreakFloor)
	}
}

// TestGraphemeConformance runs UAX #29's GraphemeBreakTest.txt through
// AnalyzeRunes.
func TestGraphemeConformance(t *testing.T) {
	path := unicodeTestFile(t, "segmenter/test/GraphemeBreakTest.txt")
	var a Analyzer
	total, passed, fast := 0, 0, 0
	var fails []string
	readCases(t, path, func(line string) {
		runes, want := breakCase(t, line)
		total++
		if TakesASCII(runes) {
			fast++
		}
		an := a.AnalyzeRunes(runes)
		if slices.Equal(an.Grapheme, want) {
			passed++
		} else if len(fails) < 10 {
			fails = append(fails, fmt.Sprintf("%s: got %s, want %s", showRunes(runes), showBreaks(an.Grapheme), showBreaks(want)))
		}
	})
	t.Logf("GraphemeBreakTest.txt: passed %d of %d; %d analysed by the ASCII fast path", passed, total, fast)
	for _, f := range fails {
		t.Log("fail:", f)
	}
	if total == 0 {
		t.Fatal("no cases read")
	}
	if passed < graphemeFloor {
		t.Errorf("passed %d, below the floor of %d", passed, graphemeFloor)
	}
}

// bidiCase is one line of BidiCharacterTest.txt.
type bidiCase struct {
	runes    []rune
	dir      int    // 0 LTR, 1 RTL, 2 auto
	paraRTL  bool   // the resolved paragraph level is 1
	levels   []int8 // -1: removed by rule X9
	visual   []int  // visual order, removed characters left out
	fileLine string
}

func parseBidiCase(t *testing.T, line string) bidiCase {
	t.Helper()
	f := strings.Split(line, ";")
	if len(f) != 5 {
		t.Fatalf("malformed case %q", line)
	}
	c := bidiCase{fileLine: line}
	for _, s := range strings.Fields(f[0]) {
		c.runes = append(c.runes, hexRune(t, s))
	}
	var err error
	if c.dir, err = strconv.Atoi(strings.TrimSpace(f[1])); err != nil {
		t.Fatalf("bad direction in %q", line)
	}
	c.paraRTL = strings.TrimSpace(f[2]) == "1"
	for _, s := range strings.Fields(f[3]) {
		if s == "x" {
			c.levels = append(c.levels, -1)
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("bad level in %q", line)
		}
		c.levels = append(c.levels, int8(v))
	}
	for _, s := range strings.Fields(f[4]) {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("bad order in %q", line)
		}
		c.visual = append(c.visual, v)
	}
	if len(c.levels) != len(c.runes) {
		t.Fatalf("%d levels for %d code points in %q", len(c.levels), len(c.runes), line)
	}
	return c
}

// TestBidiConformance runs UAX #9's BidiCharacterTest.txt through Levels
// (rules up to L1), FirstStrongRTL (P2, P3, for the auto direction) and
// typeset.VisualOrder (L2). Levels gives each run of one direction the
// level of its first character, so levels that differ only within one
// parity (2 and 4, say) may come out alike: such failures are counted
// apart from those of the wrong direction.
func TestBidiConformance(t *testing.T) {
	path := unicodeTestFile(t, "bidi/test/BidiCharacterTest.txt")
	var a Analyzer
	var total, levelsOK, orderOK, dirTotal, dirOK, analyzeTotal, analyzeOK int
	reasons := map[string]int{}
	examples := map[string]string{}
	fail := func(reason string, c bidiCase, detail string) {
		reasons[reason]++
		if _, ok := examples[reason]; !ok {
			examples[reason] = c.fileLine + " -> " + detail
		}
	}
	readCases(t, path, func(line string) {
		c := parseBidiCase(t, line)
		total++
		rtl := c.dir == 1
		if c.dir == 2 {
			dirTotal++
			rtl = FirstStrongRTL(c.runes)
			if rtl == c.paraRTL {
				dirOK++
			} else {
				fail("paragraph direction (P2, P3)", c, fmt.Sprintf("FirstStrongRTL = %v", rtl))
				// Go on with the right direction to check the levels.
				rtl = c.paraRTL
			}
		}
		levels := make([]int8, len(c.runes))
		a.Levels(c.runes, rtl, levels)
		lvOK, parity := true, true
		for i, want := range c.levels {
			if want >= 0 && levels[i] != want {
				lvOK = false
				if levels[i]%2 != want%2 {
					parity = false
				}
			}
		}
		switch {
		case lvOK:
			levelsOK++
		case parity:
			fail("levels differ within one parity", c, fmt.Sprint(levels))
		default:
			fail("levels of the wrong direction", c, fmt.Sprint(levels))
		}
		// AnalyzeRunes skips the algorithm for text it deems left to right
		// only: that must not change the levels.
		if FirstStrongRTL(c.runes) == rtl {
			analyzeTotal++
			if an := a.AnalyzeRunes(c.runes); slices.Equal(an.Levels, levels) {
				analyzeOK++
			} else {
				fail("AnalyzeRunes levels differ from Levels", c, fmt.Sprint(an.Levels))
			}
		}
		var order []int
		for _, i := range typeset.VisualOrder(levels) {
			if c.levels[i] >= 0 {
				order = append(order, i)
			}
		}
		if slices.Equal(order, c.visual) {
			orderOK++
		} else if lvOK {
			fail("visual order wrong with the right levels", c, fmt.Sprint(order))
		} else {
			fail("visual order wrong (levels wrong)", c, fmt.Sprint(order))
		}
	})
	t.Logf("BidiCharacterTest.txt: levels passed %d of %d, visual order passed %d of %d, auto paragraph direction passed %d of %d, AnalyzeRunes levels as Levels' %d of %d",
		levelsOK, total, orderOK, total, dirOK, dirTotal, analyzeOK, analyzeTotal)
	for r, n := range reasons {
		t.Logf("failed %d: %s (e.g. %s)", n, r, examples[r])
	}
	if total == 0 {
		t.Fatal("no cases read")
	}
	if levelsOK < bidiLevelsFloor || orderOK < bidiOrderFloor || dirOK < bidiParaDirFloor {
		t.Errorf("below the floors: levels %d < %d, order %d < %d or direction %d < %d",
			levelsOK, bidiLevelsFloor, orderOK, bidiOrderFloor, dirOK, bidiParaDirFloor)
	}
	if analyzeOK < bidiAnalyzeFloor {
		t.Errorf("AnalyzeRunes gave Levels' levels in %d cases, below the floor of %d", analyzeOK, bidiAnalyzeFloor)
	}
	if n := reasons["visual order wrong with the right levels"]; n > 0 {
		t.Errorf("%d cases reordered wrongly from the right levels (rule L2)", n)
	}
}
