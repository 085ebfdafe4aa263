package textclean_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ogmint/ogmint/wasm/textclean"
)

var cleanCases = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"plain", "Hello, world", "Hello, world"},

	// C0 and C1 controls (other than white space) are removed.
	{"NUL", "a\x00b", "ab"},
	{"C0 controls", "a\x01\x02\x07\x08\x1b\x1f\x7fb", "ab"},
	{"ANSI escape", "\x1b[31mred\x1b[0m", "[31mred[0m"},
	{"C1 controls", "a\u0080\u0081\u009b\u009fb", "ab"},
	{"DEL", "a\u007fb", "ab"},

	// White space is folded to one space and trimmed.
	{"tab newline CR", "a\tb\nc\r\nd", "a b c d"},
	{"VT FF", "a\vb\fc", "a b c"},
	{"NEL is a line break", "a\u0085b", "a b"},
	{"runs of spaces", "a   b \t\n c", "a b c"},
	{"leading and trailing", " \t\n a b \r\n ", "a b"},
	{"only white space", " \t\r\n\u00a0\u3000 ", ""},
	{"NBSP", "a\u00a0b", "a b"},
	{"ideographic space", "日本\u3000語", "日本 語"},
	{"en/em/thin/hair spaces", "a\u2002b\u2003c\u2009d\u200ae", "a b c d e"},
	{"line and paragraph separators", "a\u2028b\u2029c", "a b c"},
	{"ogham space", "a\u1680b", "a b"},
	{"narrow NBSP", "10\u202fkm", "10 km"},

	// Bidi embeddings, overrides, isolates and marks.
	{"LRE RLE PDF LRO RLO", "a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"},
	{"RLO spoof", "invoice\u202egnp.exe", "invoicegnp.exe"},
	{"isolates LRI RLI FSI PDI", "a\u2066b\u2067c\u2068d\u2069e", "abcde"},
	{"LRM RLM", "a\u200eb\u200fc", "abc"},
	{"Arabic letter mark", "a\u061cb", "ab"},

	// Invisible format characters.
	{"ZWSP", "zero\u200bwidth", "zerowidth"},
	{"word joiner", "a\u2060b", "ab"},
	{"BOM", "\ufeffHello\ufeff", "Hello"},
	{"soft hyphen", "hy\u00adphen", "hyphen"},
	{"interlinear annotation", "a\ufff9b\ufffac\ufffbd", "abcd"},
	{"private use", "a\ue000b\uf8ffc", "abc"},
	{"noncharacters", "a\ufffeb\uffffc", "abc"},
	{"stripped chars do not join words across a space", "a \u200b\u202e b", "a b"},
	{"space then stripped then text", " \u200b a", "a"},

	// Invalid UTF-8 is dropped; a real U+FFFD is kept.
	{"invalid byte", "a\xffb", "ab"},
	{"truncated sequence", "a\xe2\x82b", "ab"},
	{"lone continuation", "\x80\x80a", "a"},
	{"overlong encoding", "a\xc0\xafb", "ab"},
	{"encoded surrogate", "a\xed\xa0\x80b", "ab"},
	{"trailing partial", "ab\xf0\x9f", "ab"},
	{"replacement character kept", "a\ufffdb", "a\ufffdb"},

	// Everything visible is kept.
	{"combining marks", "e\u0301te\u0301 n\u0303", "e\u0301te\u0301 n\u0303"},
	{"precomposed", "Zażółć gęślą jaźń", "Zażółć gęślą jaźń"},
	{"emoji", "Launch 🚀🎉", "Launch 🚀🎉"},
	{"emoji ZWJ sequence", "👩\u200d💻 family 👨\u200d👩\u200d👧", "👩\u200d💻 family 👨\u200d👩\u200d👧"},
	{"emoji variation selector and skin tone", "❤\ufe0f 👍🏽", "❤\ufe0f 👍🏽"},
	{"flag", "🇫🇷 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "🇫🇷 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"},
	{"ZWNJ kept", "می\u200cخواهم", "می\u200cخواهم"},
	{"CJK", "日本語のテキスト 中文 한국어", "日本語のテキスト 中文 한국어"},
	{"Greek", "Γειά σου Κόσμε", "Γειά σου Κόσμε"},
	{"Cyrillic", "Привет, мир", "Привет, мир"},
	{"Hebrew and Arabic", "שלום مرحبا", "שלום مرحبا"},
	{"Devanagari", "नमस्ते", "नमस्ते"},
	{"symbols", "€ £ ¥ © ® ™ … — – «»", "€ £ ¥ © ® ™ … — – «»"},
	{"astral private use kept", "a\U0010fffdb", "a\U0010fffdb"},
	{"mixed", "\ufeff  \u202eTitle:\tRésumé\u200b 📄 \x00\r\n", "Title: Résumé 📄"},
}

func TestClean(t *testing.T) {
	for _, c := range cleanCases {
		t.Run(c.name, func(t *testing.T) {
			got := textclean.Clean(c.in)
			if got != c.want {
				t.Errorf("Clean(%+q) = %+q, want %+q", c.in, got, c.want)
			}
			if again := textclean.Clean(got); again != got {
				t.Errorf("not idempotent: %+q -> %+q", got, again)
			}
		})
	}
}

func TestStripped(t *testing.T) {
	for _, r := range []rune{0, 0x1f, 0x7f, 0x80, 0x9f, 0x202a, 0x202e, 0x2066, 0x2069, 0x200e, 0x200f,
		0x061c, 0x200b, 0x2060, 0xfeff, 0x00ad, 0xfff9, 0xfffb, 0xe000, 0xf8ff, 0xd800, 0xdfff, 0xfffe, 0xffff} {
		if !textclean.Stripped(r) {
			t.Errorf("Stripped(%U) = false", r)
		}
	}
	for _, r := range []rune{' ', 'a', 0xa0, 0xa1, 0x0301, 0x200c, 0x200d, 0x2010, 0x2065, 0x206a, 0x202f,
		0xfe0f, 0xfffc, 0xfffd, 0x1f600, 0x4e2d, 0xe0067, 0x10fffd} {
		if textclean.Stripped(r) {
			t.Errorf("Stripped(%U) = true", r)
		}
	}
}

// checkClean asserts the invariants of a cleaned string.
func checkClean(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Clean(%+q) = %+q: invalid UTF-8", in, out)
	}
	if strings.Contains(out, "  ") {
		t.Fatalf("Clean(%+q) = %+q: double space", in, out)
	}
	if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") {
		t.Fatalf("Clean(%+q) = %+q: leading or trailing space", in, out)
	}
	if len(out) > len(in) {
		t.Fatalf("Clean(%+q) = %+q: output longer than input", in, out)
	}
	hadFFFD := strings.ContainsRune(in, utf8.RuneError)
	for _, r := range out {
		if textclean.Stripped(r) {
			t.Fatalf("Clean(%+q) = %+q: kept stripped rune %U", in, out, r)
		}
		if r != ' ' && unicode.IsSpace(r) {
			t.Fatalf("Clean(%+q) = %+q: kept white space %U", in, out, r)
		}
		if r == utf8.RuneError && !hadFFFD {
			t.Fatalf("Clean(%+q) = %+q: invented U+FFFD", in, out)
		}
	}
	if again := textclean.Clean(out); again != out {
		t.Fatalf("Clean not idempotent: %+q -> %+q -> %+q", in, out, again)
	}
}

// TestCleanAllRunes runs every rune through Clean, alone and between letters.
func TestCleanAllRunes(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // not encodable: string(r) would be U+FFFD
		}
		s := string(r)
		in := "a" + s + "b"
		out := textclean.Clean(in)
		switch {
		case unicode.IsSpace(r):
			if out != "a b" {
				t.Fatalf("%U: Clean(%+q) = %+q, want a space", r, in, out)
			}
		case textclean.Stripped(r):
			if out != "ab" {
				t.Fatalf("%U: Clean(%+q) = %+q, want it stripped", r, in, out)
			}
		default:
			if out != in {
				t.Fatalf("%U: Clean(%+q) = %+q, want it kept", r, in, out)
			}
		}
		checkClean(t, s, textclean.Clean(s))
	}
}

func FuzzClean(f *testing.F) {
	for _, c := range cleanCases {
		f.Add(c.in)
	}
	f.Add(" \u00a0 \u2028x\u202e \u200b y\xff ")
	f.Fuzz(func(t *testing.T, s string) {
		checkClean(t, s, textclean.Clean(s))
	})
}

// TestCleanFastPath: on every string of up to four of some ASCII
// characters (space, letters, controls, DEL) and on random ASCII, the
// check that skips the work agrees with the work.
func TestCleanFastPath(t *testing.T) {
	alphabet := []byte{' ', 'a', 'Z', '~', '\t', '\n', 0x7f, 0x00, '!'}
	var try func(s []byte)
	try = func(s []byte) {
		var b strings.Builder
		for _, c := range s {
			b.WriteByte(c)
		}
		in := b.String()
		if got, want := textclean.Clean(in), slowClean(in); got != want {
			t.Fatalf("Clean(%q) = %q, want %q", in, got, want)
		}
		if len(s) == 4 {
			return
		}
		for _, c := range alphabet {
			try(append(s, c))
		}
	}
	try(nil)
}

// slowClean is Clean without its fast path.
func slowClean(s string) string {
	return textclean.Clean(s + "\x00") // a control makes the fast path refuse; Clean strips it
}
