// Fallback font families at the edge (ABI v2): the module answers
// StatusNeedFonts with the runes it lacks, the adapter reads the families
// that own them (dist/fonts: manifest.json + <index>.ogf, written by
// internal/cmd/edgefonts), hands them over and renders again.
//   - the manifest's lookup (binary search) agrees with the runes the Go
//     catalogue decided;
//   - in Node, then in the real workerd (FONTS: a disk service) and Deno
//     (files next to the bundle): Japanese, Arabic, emoji and mixed cards
//     decode to exactly the pixels Go renders natively with
//     module.RenderWithFonts (test/fixtures, from scripts/fixtures.mjs);
//   - a rune no family owns draws as a box after one question, no loop;
//   - a family is read once per isolate: the same text again reads nothing;
//   - a family that cannot be read is logged and drawn as boxes (the card is
//     still a 200), and read again by a later request.
// EDGE_RUNTIMES=workerd,deno narrows it.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { deflateSync } from "node:zlib";
import { FONTS_DIR, start } from "../scripts/runtime.mjs";
import { FIXTURES } from "../scripts/fixtures.mjs";
import { createHandler } from "../src/adapter.js";
import { FontCatalog, decodeRunes, owns } from "../src/fonts.js";
import { MODULE_FILE, closeAgent, decodePNG, diffPixels, request } from "./helpers.mjs";

const RUNTIMES = (process.env.EDGE_RUNTIMES || "workerd,deno").split(",").filter(Boolean);
const TIMEOUT = 300_000;

const CASES = JSON.parse(fs.readFileSync(path.join(FIXTURES, "cases.json"), "utf8"));
const byName = Object.fromEntries(CASES.map((c) => [c.name, c]));
const expected = new Map();
/** The card Go rendered natively (test/fixtures/<name>.png), decoded. */
function want(name) {
  if (!expected.has(name)) expected.set(name, decodePNG(fs.readFileSync(path.join(FIXTURES, `${name}.png`))));
  return expected.get(name);
}
const STALE = "(if the renderer or the font pack changed: node scripts/fixtures.mjs)";
const manifest = () => JSON.parse(fs.readFileSync(path.join(FONTS_DIR, "manifest.json"), "utf8"));
const familyIndex = (name) => manifest().families.findIndex((f) => f.name === name);
const cp = (s) => s.codePointAt(0);

after(() => closeAgent());

describe("font manifest", () => {
  it("lists families in catalogue order with sorted, disjoint ranges and their files", () => {
    const m = manifest();
    assert.ok(m.families.length >= 10, `${m.families.length} families`);
    const seen = [];
    m.families.forEach((f, i) => {
      assert.equal(f.file, `${i}.ogf`);
      assert.equal(fs.statSync(path.join(FONTS_DIR, f.file)).size, f.bytes, f.name);
      assert.ok(f.ranges.length > 0, `${f.name} owns no runes`);
      f.ranges.forEach(([lo, hi], k) => {
        assert.ok(lo <= hi && (k === 0 || lo > f.ranges[k - 1][1] + 1), `${f.name}: range ${k} [${lo},${hi}]`);
        seen.push([lo, hi, f.name]);
      });
    });
    // A rune has at most one owner (the Go catalogue's rule).
    seen.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i][0] > seen[i - 1][1], `${seen[i][2]} and ${seen[i - 1][2]} overlap at ${seen[i][0]}`);
    }
  });

  it("finds the owner of a rune by binary search, as the Go catalogue does", () => {
    const cat = new FontCatalog(manifest());
    const owner = (s) => cat.needed([cp(s)]).map((i) => cat.families[i].name);
    assert.deepEqual(owner("東"), ["Droid Sans Fallback"]);
    assert.deepEqual(owner("م"), ["Noto Sans Arabic"]);
    assert.deepEqual(owner("ש"), ["Noto Sans Hebrew"]);
    assert.deepEqual(owner("👨"), ["Noto Color Emoji"]);
    assert.deepEqual(owner("\u200d"), ["Noto Color Emoji"]); // ZWJ: emoji sequences ask for it
    assert.deepEqual(owner("\ufe0f"), ["Noto Color Emoji"]);
    assert.deepEqual(owner("A"), []); // built in
    assert.deepEqual(owner("1"), []); // keycap bases stay with the text fonts
    assert.deepEqual(owner("\u{10600}"), []); // Linear A: nobody
    // Several runes: each family once, in catalogue order.
    const need = cat.needed([cp("👨"), cp("東"), cp("م"), cp("京"), cp("x")]);
    assert.deepEqual(need, [...need].sort((a, b) => a - b));
    assert.deepEqual(
      need.map((i) => cat.families[i].name),
      ["Noto Sans Arabic", "Droid Sans Fallback", "Noto Color Emoji"],
    );
    // Edges of every range, and just outside.
    for (const f of cat.families) {
      for (let k = 0; k < f.ranges.length; k += 2) {
        const [lo, hi] = [f.ranges[k], f.ranges[k + 1]];
        assert.ok(owns(f.ranges, lo) && owns(f.ranges, hi), f.name);
        if (k === 0) assert.ok(!owns(f.ranges, lo - 1), f.name);
        if (k + 2 === f.ranges.length) assert.ok(!owns(f.ranges, hi + 1), f.name);
      }
    }
  });

  it("decodes the module's missing runes (UTF-8)", () => {
    assert.deepEqual(decodeRunes(new TextEncoder().encode("東👨\u200d")), [0x6771, 0x1f468, 0x200d]);
    assert.deepEqual(decodeRunes(new Uint8Array(0)), []);
  });
});

describe("font hand-over in Node", () => {
  let wasm;
  before(async () => {
    wasm = await WebAssembly.compile(fs.readFileSync(MODULE_FILE));
  });
  const url = (c) => `http://edge.test/api/og?${c.query}`;
  const reading = (fail = () => false) => {
    const reads = [];
    const readFont = async (file) => {
      reads.push(file);
      if (fail(file)) throw new Error(`cannot read ${file}`);
      return fs.readFileSync(path.join(FONTS_DIR, file));
    };
    return { reads, readFont };
  };
  const handler = (readFont, opt = {}) => {
    const logs = [];
    const h = createHandler({
      runtime: "node",
      loadModule: () => wasm,
      deflateSync,
      readFont,
      log: (m, err) => logs.push(`${m} ${err ?? ""}`),
      ...opt,
    });
    return { h, logs };
  };
  const png = async (r) => decodePNG(new Uint8Array(await r.arrayBuffer()));
  const health = async (h) => (await h(new Request("http://edge.test/healthz"))).json();

  it("renders the world cards with Go's pixels, reading each family once", async () => {
    const { reads, readFont } = reading();
    const { h, logs } = handler(readFont);
    for (const pass of [1, 2]) {
      for (const c of CASES.filter((c) => c.fonts !== false)) {
        const r = await h(new Request(url(c)));
        assert.equal(r.status, 200, `${c.name}: ${r.status}`);
        assert.equal(diffPixels(await png(r), want(c.name)), "", `${c.name} (pass ${pass}) ${STALE}`);
      }
    }
    assert.equal(new Set(reads).size, reads.length, `read twice: ${reads}`);
    const m = manifest();
    const names = reads.filter((f) => f !== "manifest.json").map((f) => m.families[parseInt(f, 10)].name);
    assert.deepEqual(names.sort(), ["Droid Sans Fallback", "Noto Color Emoji", "Noto Sans Arabic"]);
    const hz = await health(h);
    assert.equal(hz.font_families, 3);
    assert.equal(hz.font_reads, 3);
    assert.deepEqual(logs, []);
  });

  it("renders a family that cannot be read as boxes, logs it, and reads it again later", async () => {
    const cjk = `${familyIndex("Droid Sans Fallback")}.ogf`;
    let broken = true;
    const { reads, readFont } = reading((f) => broken && f === cjk);
    const { h, logs } = handler(readFont);
    const ja = byName["world-ja"];
    const r = await h(new Request(url(ja)));
    assert.equal(r.status, 200);
    assert.equal(diffPixels(await png(r), want("world-ja-nofonts")), "", `boxes ${STALE}`);
    assert.match(logs.join("\n"), /font family Droid Sans Fallback \(\d+\.ogf\) unavailable/);
    broken = false;
    const r2 = await h(new Request(url(ja)));
    assert.equal(diffPixels(await png(r2), want("world-ja")), "", STALE);
    assert.deepEqual(reads, ["manifest.json", cjk, cjk]);
  });

  it("renders boxes without a manifest, or without readFont at all", async () => {
    const { readFont } = reading((f) => f === "manifest.json");
    const { h, logs } = handler(readFont);
    const r = await h(new Request(url(byName["world-ja"])));
    assert.equal(r.status, 200);
    assert.equal(diffPixels(await png(r), want("world-ja-nofonts")), "", STALE);
    assert.match(logs.join("\n"), /font manifest unavailable/);
    const none = handler(undefined).h;
    const r2 = await none(new Request(url(byName["world-ja"])));
    assert.equal(r2.status, 200);
    assert.equal(diffPixels(await png(r2), want("world-ja-nofonts")), "", STALE);
  });

  it("asks once for a rune no family owns, then draws a box", async () => {
    const { reads, readFont } = reading();
    const { h } = handler(readFont);
    const inst = await h.holder.get();
    const calls = [];
    // Count the module calls (the exports object is frozen: wrap a copy).
    inst.x = Object.fromEntries(
      Object.entries(inst.x).map(([k, v]) => [k, typeof v === "function" ? (...a) => (calls.push(k), v(...a)) : v]),
    );
    const r = await h(new Request(url(byName["world-missing"])));
    assert.equal(r.status, 200);
    assert.equal(diffPixels(await png(r), want("world-missing")), "", STALE);
    assert.deepEqual(reads, ["manifest.json"]);
    // First time: render (asks), the manifest, render afresh (asks), render again (box).
    assert.equal(calls.filter((c) => c === "ogmint_render").length, 3, calls.join(" "));
    calls.length = 0;
    await h(new Request(url(byName["world-missing"])));
    assert.deepEqual(
      calls.filter((c) => c === "ogmint_render" || c === "ogmint_font"),
      ["ogmint_render", "ogmint_render"],
      "later: render, render again (box)",
    );
  });

  it("serves concurrent world cards on the one instance, sharing each read", async () => {
    const { reads, readFont } = reading();
    // The stream encoder awaits between render and PNG: requests interleave.
    const { h } = handler(readFont, { encoder: "stream" });
    const cases = CASES.filter((c) => c.fonts !== false);
    const rs = await Promise.all([...cases, ...cases].map((c) => h(new Request(url(c)))));
    for (const [i, r] of rs.entries()) {
      const c = cases[i % cases.length];
      assert.equal(r.status, 200);
      assert.equal(diffPixels(await png(r), want(c.name)), "", `${c.name} ${STALE}`);
    }
    assert.equal(new Set(reads).size, reads.length, `read twice: ${reads}`);
  });

  it("hands the families to a replacement instance without reading them again", async () => {
    const { reads, readFont } = reading();
    const { h } = handler(readFont);
    const ja = byName["world-ja"];
    assert.equal((await h(new Request(url(ja)))).status, 200);
    (await h.holder.get()).broken = true; // as after a trap
    const r = await h(new Request(url(ja)));
    assert.equal(diffPixels(await png(r), want("world-ja")), "", STALE);
    const hz = await health(h);
    assert.equal(hz.replaced, 1);
    assert.equal(hz.font_hand_overs, 2);
    assert.equal(reads.length, 2, `reads: ${reads}`);
  });
});

for (const runtime of RUNTIMES) {
  describe(`${runtime}: fallback fonts`, { timeout: TIMEOUT }, () => {
    let rt;
    const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-edge-fonts-deno-"));
    before(async () => {
      // No Cache API: every request renders.
      rt = await start(runtime, { env: { OGMINT_CACHE: "off" }, denoDir });
    });
    after(async () => {
      await rt?.stop();
      fs.rmSync(denoDir, { recursive: true, force: true });
    });
    const health = async () => JSON.parse((await request(rt.base, "GET", "/healthz")).body);
    const get = async (query) => {
      const t0 = performance.now();
      const r = await request(rt.base, "GET", `/api/og?${query}`);
      const ms = performance.now() - t0;
      assert.equal(r.status, 200, `${r.status} ${r.body.toString().slice(0, 300)}\n${rt.output().slice(-2000)}`);
      assert.equal(r.headers["content-type"], "image/png");
      return { png: decodePNG(r.body), ms };
    };

    it("draws a rune no family owns as a box, after one question, reading no family", async () => {
      const { png } = await get(byName["world-missing"].query);
      assert.equal(diffPixels(png, want("world-missing")), "", STALE);
      const h = await health();
      assert.equal(h.font_reads, 0);
      assert.equal(h.font_failures, 0);
      assert.equal(h.renders, 1);
    });

    it("renders Japanese, Arabic, emoji and mixed cards with Go's pixels", async (t) => {
      const times = [];
      for (const c of CASES.filter((c) => c.fonts !== false && c.name !== "world-missing")) {
        const { png, ms } = await get(c.query);
        times.push(`${c.name} ${ms.toFixed(0)} ms`);
        assert.equal(diffPixels(png, want(c.name)), "", `${c.name} ${STALE}`);
      }
      const h = await health();
      assert.ok(h.font_reads >= 3, "CJK, Arabic, emoji at least");
      assert.equal(h.font_families, h.font_reads, "each family read once and kept");
      assert.equal(h.font_hand_overs, h.font_reads);
      assert.equal(h.font_failures, 0);
      t.diagnostic(`${runtime} first renders (wall, from the client): ${times.join(", ")}`);
    });

    it("reads no font again for the same texts, or another text of those scripts", async (t) => {
      const before = await health();
      const times = [];
      for (const c of CASES.filter((c) => c.fonts !== false)) {
        const { png, ms } = await get(c.query);
        times.push(`${c.name} ${ms.toFixed(0)} ms`);
        assert.equal(diffPixels(png, want(c.name)), "", `${c.name} again ${STALE}`);
      }
      const other = await get(new URLSearchParams({ template: "blog", title: "大阪で会いましょう" }).toString());
      times.push(`another Japanese title ${other.ms.toFixed(0)} ms`);
      const h = await health();
      assert.equal(h.font_reads, before.font_reads, "fonts read again");
      assert.equal(h.font_hand_overs, before.font_hand_overs, "fonts handed over again");
      assert.equal(h.renders, before.renders + CASES.filter((c) => c.fonts !== false).length + 1);
      t.diagnostic(`${runtime} later renders: ${times.join(", ")}`);
    });
  });
}
