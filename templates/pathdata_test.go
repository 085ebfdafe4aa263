package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

func TestValidPathData(t *testing.T) {
	for _, d := range []string{
		"M0 0",
		"m0,0",
		"M 10 10 L 20 20 Z",
		"M10,10L20,20z",
		"M0 0 1 1 2 2",            // implicit lineto pairs
		"M0 0h10v10H0V0z",         // horizontal and vertical
		"M0-5-10-15",              // signs separate numbers
		"M.5.5 1.5.5",             // a second '.' starts a number
		"M1e2 1E-2 l+1e+1 -2.5e0", // exponents
		"M1. 2.",                  // trailing dot
		"M0 0C10 0 20 10 20 20S30 40 40 40",
		"M0 0Q10 0 10 10T20 20t10 10",
		"M0 0c1,2,3,4,5,6 7,8,9,10,11,12",
		"M10 10 A5 5 0 1 0 20 20",
		"M10 10a5 5 30 0 1 10 0",
		"M10 10a5,5,0,1,0,20,20",
		"M10 10a5 5 0 00 20 20",      // flags without separator
		"M10 10a5 5 0 1120 20",       // flags run into the next number
		"M0 0 z m 5 5 l 1 1 Z M 3 3", // several subpaths
		"  \t\nM0 0\r\n",             // white space around
		"M0 0L1 1z Z",                // repeated close
		"M0\f0",                      // form feed is white space
	} {
		if err := templates.ValidPathData(d); err != nil {
			t.Errorf("ValidPathData(%q): %v", d, err)
		}
	}
}

func TestValidPathDataRejects(t *testing.T) {
	for _, c := range []struct {
		d      string
		offset int
		want   string
	}{
		{"", 0, "empty"},
		{"   ", 0, "empty"},
		{"L0 0", 0, "must start with M"},
		{"0 0", 0, "must start with M"},
		{"M", 1, "needs 2 numbers"},
		{"M0", 2, "needs 2 numbers"},
		{"M0 0 L", 6, "needs 2 numbers"},
		{"M0 0L1", 6, "needs 2 numbers"},
		{"M0 0 X1 1", 5, "want a command"},
		{"M0 0 L1 1,", 10, "after ','"},
		{"M0 0 L1 1, L2 2", 11, "after ','"},
		{"M,0 0", 1, "want a number"},
		{"M0,,0", 3, "want a number"},
		{"M0 0 l . 1", 7, "want a number"},
		{"M0 0 l - 1", 7, "want a number"},
		{"M1e 0", 3, "exponent"},
		{"M1e+ 0", 4, "exponent"},
		{"M1e999 0", 1, "out of range"},
		{"M0 0z5 5", 5, "want a command"},
		{"M0 0C1 2 3 4 5", 14, "needs 6 numbers"},
		{"M0 0A5 5 0 2 0 1 1", 11, "arc flag"},
		{"M0 0A-5 5 0 1 0 1 1", 5, "must not be negative"},
		{"M0 0A5 -5 0 1 0 1 1", 7, "must not be negative"},
		{"M0 0 é", 5, "want a command"},
		{"M0 0\x00", 4, "want a command"},
		{"M0 0 L1 1 L", 11, "needs 2 numbers"},
		{"M 0 0 " + strings.Repeat("L 1 1 ", templates.MaxPathBytes/6), templates.MaxPathBytes, "at most"},
	} {
		err := templates.ValidPathData(c.d)
		var pe *templates.PathDataError
		if !errors.As(err, &pe) {
			t.Errorf("ValidPathData(%.40q) = %v, want a PathDataError", c.d, err)
			continue
		}
		if pe.Offset != c.offset || !strings.Contains(pe.Message, c.want) {
			t.Errorf("ValidPathData(%.40q) = at %d %q, want at %d %q", c.d, pe.Offset, pe.Message, c.offset, c.want)
		}
		if !strings.Contains(err.Error(), "at byte") {
			t.Errorf("error %q has no position", err)
		}
	}
}
