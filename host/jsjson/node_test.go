package jsjson

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// nodeRoundTrip is run with `node -e`: for each stdin line (base64 of the
// raw bytes, decoded as UTF-8 like a receiver decoding a body) it prints
// {"ok": base64(JSON.stringify(JSON.parse(text)))} or {"err": message}.
const nodeRoundTrip = `
const rl = require("readline").createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const text = Buffer.from(line, "base64").toString("utf8");
  let res;
  try {
    res = { ok: Buffer.from(JSON.stringify(JSON.parse(text)), "utf8").toString("base64") };
  } catch (e) {
    res = { err: String(e && e.message) };
  }
  process.stdout.write(JSON.stringify(res) + "\n");
});
`

type nodeResult struct {
	OK  *string `json:"ok"`
	Err string  `json:"err"`
}

// runNode sends every input to one node process and returns its answers in
// order.
func runNode(t *testing.T, inputs [][]byte) []nodeResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; skipping the JavaScript round-trip comparison")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-e", nodeRoundTrip)
	var in strings.Builder
	for _, b := range inputs {
		in.WriteString(base64.StdEncoding.EncodeToString(b))
		in.WriteByte('\n')
	}
	cmd.Stdin = strings.NewReader(in.String())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var res []nodeResult
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r nodeResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("node output %q: %v", sc.Text(), err)
		}
		res = append(res, r)
	}
	if len(res) != len(inputs) {
		t.Fatalf("node answered %d of %d inputs", len(res), len(inputs))
	}
	return res
}

func decodeOK(t *testing.T, r nodeResult) (string, bool) {
	if r.OK == nil {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(*r.OK)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

// TestNodeCorpus checks Canonical against V8's JSON.stringify(JSON.parse(x))
// for the hostile corpus, the invalid-UTF-8 cases and the limit cases.
func TestNodeCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	type item struct {
		name, want string
		in         []byte
	}
	var items []item
	for _, e := range corpus {
		items = append(items, item{e.Name, e.Want, []byte(e.JSON)})
	}
	// Byte-level cases a JSON corpus file cannot hold: JavaScript's UTF-8
	// decoding turns them into U+FFFD, so the signed bytes would not survive.
	for _, s := range []string{"{\"a\":\"\xff\"}", "{\"\xc3\":1}", "{\"a\":\"\xed\xa0\x80\"}"} {
		items = append(items, item{fmt.Sprintf("invalid-utf8-%q", s), "roundtrip", []byte(s)})
	}
	var inputs [][]byte
	for _, it := range items {
		inputs = append(inputs, it.in)
	}
	res := runNode(t, inputs)
	checked := 0
	for i, it := range items {
		got, err := Canonical(it.in, Limits{})
		want, nodeOK := decodeOK(t, res[i])
		switch it.want {
		case "ok":
			if err != nil {
				t.Errorf("%s: Canonical: %v", it.name, err)
				continue
			}
			if !nodeOK {
				t.Errorf("%s: node rejected it: %s", it.name, res[i].Err)
				continue
			}
			if string(got) != want {
				t.Errorf("%s:\n input  %q\n go     %q\n node   %q", it.name, it.in, got, want)
			}
			checked++
		case "syntax":
			if err == nil || nodeOK {
				t.Errorf("%s: go err %v, node ok %v; both must reject", it.name, err, nodeOK)
			}
		case "roundtrip", "limit":
			// JavaScript accepts these; we reject on purpose.
			if err == nil {
				t.Errorf("%s: Canonical accepted %q", it.name, it.in)
			}
			if !nodeOK {
				t.Errorf("%s: expected node to accept: %s", it.name, res[i].Err)
			}
			if it.want == "roundtrip" && strings.HasPrefix(it.name, "lone") && !strings.Contains(want, `\ud`) {
				t.Errorf("%s: node output %q has no escaped surrogate", it.name, want)
			}
		}
	}
	t.Logf("%d corpus entries byte-identical with node", checked)
}

// TestNodeNumbers compares number formatting with V8 on random doubles and
// random decimal literals.
func TestNodeNumbers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var inputs [][]byte
	add := func(s string) { inputs = append(inputs, []byte(s)) }
	for i := 0; i < 20000; i++ {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		add(strconv.FormatFloat(f, 'g', -1, 64))
	}
	for i := 0; i < 5000; i++ {
		// integers near and above 2^53, and powers of ten around the
		// notation switch points
		add(strconv.FormatUint(r.Uint64()>>uint(r.IntN(64)), 10))
		e := r.IntN(660) - 330
		add(fmt.Sprintf("%de%d", r.IntN(100000), e))
		add(fmt.Sprintf("%d.%de%d", r.IntN(10), r.Uint64(), r.IntN(50)-25))
	}
	for e := -30; e <= 30; e++ {
		add(fmt.Sprintf("1e%d", e))
		add(fmt.Sprintf("-1.5e%d", e))
		add(fmt.Sprintf("123456789e%d", e))
	}
	res := runNode(t, inputs)
	bad := 0
	for i, in := range inputs {
		got, err := Canonical(in, Limits{})
		want, ok := decodeOK(t, res[i])
		if err != nil || !ok || string(got) != want {
			bad++
			if bad <= 20 {
				t.Errorf("%s: go %q (%v), node %q (%s)", in, got, err, want, res[i].Err)
			}
		}
	}
	t.Logf("%d numbers compared with node, %d mismatches", len(inputs), bad)
}
