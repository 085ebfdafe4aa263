package jsjson

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusEntry is one line of testdata/corpus.json, shared with the webhook
// package's tests. want is "ok" (JavaScript and Canonical agree byte for
// byte), "syntax" (both reject), "roundtrip" (JavaScript accepts, Canonical
// rejects a lone surrogate on purpose) or "limit" (over DefaultLimits).
type corpusEntry struct {
	Name string `json:"name"`
	JSON string `json:"json"`
	Want string `json:"want"`
}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c []corpusEntry
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c) < 40 {
		t.Fatalf("corpus has %d entries, want at least 40", len(c))
	}
	return c
}

func TestCorpusKinds(t *testing.T) {
	for _, e := range loadCorpus(t) {
		out, err := Canonical([]byte(e.JSON), Limits{})
		var want error
		switch e.Want {
		case "ok":
		case "syntax":
			want = ErrSyntax
		case "roundtrip":
			want = ErrNotRoundTrip
		case "limit":
			want = ErrLimit
		default:
			t.Fatalf("%s: unknown want %q", e.Name, e.Want)
		}
		if want == nil {
			if err != nil {
				t.Errorf("%s: %v", e.Name, err)
				continue
			}
			again, err := Canonical(out, Limits{})
			if err != nil || string(again) != string(out) {
				t.Errorf("%s: not idempotent: %q -> %q (%v)", e.Name, out, again, err)
			}
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: got %q, %v; want %v", e.Name, out, err, want)
		}
	}
}

func TestCanonicalExact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":"<>&"}`, `{"a":"<>&"}`},
		{`{"a":"\u003c\u003E\u0026"}`, `{"a":"<>&"}`},
		{"\"\u2028\u2029\x7f\"", "\"\u2028\u2029\x7f\""},
		{`"\u2028\u2029\u007f"`, "\"\u2028\u2029\x7f\""},
		{`"\u0000\u001F\u000b\b\f\n\r\t"`, `"\u0000\u001f\u000b\b\f\n\r\t"`},
		{`"\/"`, `"/"`},
		{`"\"\\"`, `"\"\\"`},
		{`"\ud83d\ude00"`, `"😀"`},
		{`"\u00e9"`, `"é"`},
		{`1.0`, `1`},
		{`-0`, `0`},
		{`-0.0e5`, `0`},
		{`1e21`, `1e+21`},
		{`1e20`, `100000000000000000000`},
		{`999999999999999999999`, `1e+21`},
		{`123456789012345678901`, `123456789012345680000`},
		{`1e-7`, `1e-7`},
		{`1.5e-7`, `1.5e-7`},
		{`1e-6`, `0.000001`},
		{`1.23e-6`, `0.00000123`},
		{`123456789012345678901234567890`, `1.2345678901234568e+29`},
		{`9007199254740993`, `9007199254740992`},
		{`0.1`, `0.1`},
		{`5e-324`, `5e-324`},
		{`2e-324`, `0`},
		{`3e-324`, `5e-324`},
		{`1.7976931348623157e308`, `1.7976931348623157e+308`},
		{`1e400`, `null`},
		{`-1e400`, `null`},
		{`[-1e-400]`, `[0]`},
		{`4.35`, `4.35`},
		{`100`, `100`},
		{`-1.5E+3`, `-1500`},
		{`{"b":1,"10":2,"2":3,"01":4,"-1":5,"4294967295":6,"4294967294":7,"a":8}`,
			`{"2":3,"10":2,"4294967294":7,"b":1,"01":4,"-1":5,"4294967295":6,"a":8}`},
		{`{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{`{"1":1,"0":0,"1":2}`, `{"0":0,"1":2}`},
		{" {\n\t\"a\" : [ 1 , 2 ] \r} ", `{"a":[1,2]}`},
		{`{"__proto__":1}`, `{"__proto__":1}`},
		{`{}`, `{}`},
		{`[]`, `[]`},
		{`[{},[],""]`, `[{},[],""]`},
	} {
		got, err := Canonical([]byte(tc.in), Limits{})
		if err != nil {
			t.Errorf("Canonical(%q): %v", tc.in, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRejected(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind error
	}{
		{"\"\xff\"", ErrNotRoundTrip},
		{"{\"\xc3\":1}", ErrNotRoundTrip},
		{"\"\xed\xa0\x80\"", ErrNotRoundTrip}, // UTF-8-encoded surrogate
		{"\"\xf4\x90\x80\x80\"", ErrNotRoundTrip},
		{"\"\\n\xc0\xaf\"", ErrNotRoundTrip}, // overlong '/'
		{`"\ud800"`, ErrNotRoundTrip},
		{`"\ud800\u"`, ErrSyntax},
		{`"\ud800\uzzzz"`, ErrSyntax},
		{`{"a":1,}`, ErrSyntax},
		{`[1 2]`, ErrSyntax},
		{`"abc`, ErrSyntax},
		{`"\`, ErrSyntax},
		{`01`, ErrSyntax},
		{`-`, ErrSyntax},
		{`1.e5`, ErrSyntax},
		{"", ErrSyntax},
	} {
		_, err := Canonical([]byte(tc.in), Limits{})
		if !errors.Is(err, tc.kind) {
			t.Errorf("Canonical(%q) error %v, want %v", tc.in, err, tc.kind)
		}
	}
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxBytes: 100, MaxDepth: 3, MaxKeys: 4}
	check := func(in, which string) {
		t.Helper()
		_, err := Canonical([]byte(in), lim)
		var e *Error
		if which == "" {
			if err != nil {
				t.Errorf("Canonical(%q): %v", in, err)
			}
			return
		}
		if !errors.As(err, &e) || e.Kind != ErrLimit || e.Limit != which {
			t.Errorf("Canonical(%q) error %v, want %s limit", in, err, which)
			return
		}
		if !strings.Contains(err.Error(), "limit") {
			t.Errorf("error %q does not say which limit", err)
		}
	}
	check(`[[[1]]]`, "")
	check(`[[[[1]]]]`, "depth")
	check(`{"a":{"b":{"c":1}}}`, "")
	check(`{"a":{"b":{"c":{}}}}`, "depth")
	check(`{"a":1,"b":2,"c":3,"d":4}`, "")
	check(`{"a":1,"b":2,"c":3,"d":4,"e":5}`, "keys")
	check(`[{"a":1,"b":2},{"a":1,"b":2},{"a":1}]`, "keys")
	check(`{"a":1,"a":1,"a":1,"a":1,"a":1}`, "keys")
	check(`"`+strings.Repeat("x", 98)+`"`, "")
	check(`"`+strings.Repeat("x", 99)+`"`, "bytes")

	// Defaults: 16 KiB, depth 20, 1000 keys.
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 1001; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k`)
		b.WriteString(strings.Repeat("x", i%3))
		b.WriteString(`":0`)
	}
	b.WriteString("}")
	if _, err := Canonical([]byte(b.String()), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("1001 keys: %v", err)
	}
	big := `"` + strings.Repeat("x", 16<<10) + `"`
	if _, err := Canonical([]byte(big), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("over 16 KiB: %v", err)
	}
	deep := strings.Repeat("[", 20) + strings.Repeat("]", 20)
	if _, err := Canonical([]byte(deep), Limits{}); err != nil {
		t.Errorf("depth 20: %v", err)
	}
	if _, err := Canonical([]byte("["+deep+"]"), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("depth 21: %v", err)
	}
	// Deep nesting far beyond the limit fails fast without recursion trouble.
	if _, err := Canonical([]byte(strings.Repeat("[", 1<<20)), Limits{MaxBytes: 2 << 20}); !errors.Is(err, ErrLimit) {
		t.Errorf("1M brackets: %v", err)
	}
}

func TestObject(t *testing.T) {
	for _, in := range []string{`[]`, `"x"`, `1`, `null`, `true`} {
		if _, err := Object([]byte(in), Limits{}); !errors.Is(err, ErrNotObject) {
			t.Errorf("Object(%q) error %v, want ErrNotObject", in, err)
		}
	}
	out, err := Object([]byte(` {"b":1,"a":[1.0]} `), Limits{})
	if err != nil || string(out) != `{"b":1,"a":[1]}` {
		t.Errorf("Object = %q, %v", out, err)
	}
	if _, err := Object([]byte(`{`), Limits{}); !errors.Is(err, ErrSyntax) {
		t.Errorf("Object({) error %v", err)
	}
}

func TestAppendString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"<a href=\"x\">&</a>", `"<a href=\"x\">&</a>"`},
		{"\x00\x1f\x7f\u2028", "\"\\u0000\\u001f\x7f\u2028\""},
		{"tab\tnl\ncr\rbs\bff\f", `"tab\tnl\ncr\rbs\bff\f"`},
		{"back\\slash/", `"back\\slash/"`},
		{"bad\xffutf8\xc3", "\"bad\uFFFDutf8\uFFFD\""},
		{"😀é", `"😀é"`},
	} {
		got := string(AppendString(nil, tc.in))
		if got != tc.want {
			t.Errorf("AppendString(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("AppendString(%q) is not valid UTF-8", tc.in)
		}
	}
}

func TestAppendNumber(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
		{1, "1"},
		{-1.5, "-1.5"},
		{1e21, "1e+21"},
		{1e20, "100000000000000000000"},
		{1.5e21, "1.5e+21"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{-1.5e-7, "-1.5e-7"},
		{123.456, "123.456"},
		{0.000123, "0.000123"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{1 << 53, "9007199254740992"},
		{1 << 62, "4611686018427388000"},
		{100, "100"},
	} {
		if got := string(AppendNumber(nil, tc.f)); got != tc.want {
			t.Errorf("AppendNumber(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestArrayIndex(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
		n   uint32
	}{
		{"0", true, 0}, {"7", true, 7}, {"10", true, 10}, {"4294967294", true, 4294967294},
		{"4294967295", false, 0}, {"4294967296", false, 0}, {"99999999999", false, 0},
		{"01", false, 0}, {"00", false, 0}, {"-1", false, 0}, {"-0", false, 0}, {"+1", false, 0},
		{"1.0", false, 0}, {"1e3", false, 0}, {" 1", false, 0}, {"", false, 0}, {"١", false, 0},
	} {
		n, ok := arrayIndex(tc.key)
		if ok != tc.ok || n != tc.n {
			t.Errorf("arrayIndex(%q) = %d, %v; want %d, %v", tc.key, n, ok, tc.n, tc.ok)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add([]byte(e.JSON))
	}
	for _, s := range []string{"\"\xff\"", `"\ud800"`, `{"1":1,"0":2,"1":3}`, `[1e400,-0]`} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxKeys: 1 << 16}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Canonical(in, lim)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind == nil {
				t.Fatalf("error %v is not a classified *Error", err)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("output %q is not valid UTF-8", out)
		}
		if !json.Valid(out) || !json.Valid(in) {
			t.Fatalf("accepted %q -> %q that encoding/json calls invalid", in, out)
		}
		again, err := Canonical(out, lim)
		if err != nil {
			t.Fatalf("output %q does not re-parse: %v", out, err)
		}
		if string(again) != string(out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		// Same data as encoding/json sees (it keeps the last duplicate too),
		// unless a number overflowed to Infinity (encoding/json refuses it).
		var a, b any
		if json.Unmarshal(in, &a) == nil {
			if err := json.Unmarshal(out, &b); err != nil {
				t.Fatalf("encoding/json rejects output %q: %v", out, err)
			}
			if !jsonEqual(a, b) {
				t.Fatalf("data changed: %q -> %q", in, out)
			}
		}
	})
}

// jsonEqual compares decoded values, treating 0 and -0 as equal (JS prints
// -0 as 0).
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if w, ok := bm[k]; !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], bs[i]) {
				return false
			}
		}
		return true
	case float64:
		bf, ok := b.(float64)
		return ok && a == bf
	default:
		return a == b
	}
}
