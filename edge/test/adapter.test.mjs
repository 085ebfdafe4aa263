// The adapter's pieces in Node (which has the same Web APIs as workerd and
// Deno): the fasthttp-compatible query reading, If-None-Match, the PNG
// encoders and their fallback, trap recovery and the Workers-style cache.
// Cards get the fallback font families from dist/fonts, as in the runtimes.
import assert from "node:assert/strict";
import fs from "node:fs";
import { before, describe, it } from "node:test";
import { deflateSync } from "node:zlib";
import { createHandler, etagMatch } from "../src/adapter.js";
import { MAX_IMAGE_BYTES, imageSettings, refusal } from "../src/images.js";
import { ENCODER_TAGS, assemble, crc32, scanlines } from "../src/png.js";
import { hostArgs, normalizePath, requestBytes } from "../src/query.js";
import { MODULE_FILE, decodePNG, diffPixels, golden, goldenCases, readFont } from "./helpers.mjs";

const text = (b) => Buffer.from(b).toString("latin1");
const args = (q) => hostArgs(q).map(([k, v]) => [text(k), text(v)]);

describe("query as fasthttp reads it", () => {
  it("splits on & only, at the first =, and drops empty pairs", () => {
    assert.deepEqual(args("a=1&b=2=3&&c&=v&=&d="), [
      ["a", "1"],
      ["b", "2=3"],
      ["c", ""],
      ["", "v"],
      ["d", ""],
    ]);
    assert.deepEqual(args("template=blog;title=x"), [["template", "blog;title=x"]]);
  });
  it("decodes + and valid escapes, keeps invalid ones, keeps raw bytes", () => {
    assert.deepEqual(args("t=a+b%20c%zz%4"), [["t", "a b c%zz%4"]]);
    assert.deepEqual(args("t=%FF%fe"), [["t", "\xff\xfe"]]);
  });
  it("re-escapes for url.ParseQuery without growing a plain query", () => {
    const q = "template=blog&title=Hello+World%2C+%F0%9F%8C%8D&tag=a%26b%3Dc%2Bd%25";
    const out = text(requestBytes(q));
    assert.equal(out, "template=blog&title=Hello+World,+\xf0\x9f\x8c\x8d&tag=a%26b%3Dc%2Bd%25");
    assert.ok(out.length <= q.length);
    assert.equal(text(requestBytes("template=blog;x=1")), "template=blog%3Bx%3D1");
  });
  it("normalizes the path like fasthttp", () => {
    assert.equal(normalizePath("/api/%6Fg"), "/api/og");
    assert.equal(normalizePath("//api//og"), "/api/og");
    assert.equal(normalizePath("/x/../api/./og"), "/api/og");
    assert.equal(normalizePath("/api/og/"), "/api/og/");
  });
});

describe("If-None-Match", () => {
  const etag = '"abc"';
  for (const [h, want] of [
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ["*", true],
    ['"abcd"', false],
    ["abc", false],
  ]) {
    it(`${h} -> ${want}`, () => assert.equal(etagMatch(h, etag), want));
  }
});

describe("image URL guard and settings", () => {
  const warnings = [];
  const st = imageSettings(
    { allowHosts: " 127.0.0.1:8443, Images.Example.COM ,[::1]:9,10.0.0.0/8, ", timeoutMs: "abc", maxBytes: String(64 << 20) },
    (m) => warnings.push(m),
  );
  it("parses the settings, warns about bad values and caps the size at the module's limit", () => {
    assert.deepEqual(st.allow, [
      { host: "127.0.0.1", port: 8443 },
      { host: "images.example.com", port: null },
      { host: "[::1]", port: 9 },
    ]);
    assert.equal(st.timeoutMs, 3000);
    assert.equal(st.maxBytes, MAX_IMAGE_BYTES);
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.deepEqual(imageSettings({}), { allow: [], timeoutMs: 3000, maxBytes: 4 << 20 });
  });
  const refused = (u) => refusal(new URL(u), st);
  for (const u of [
    "https://127.0.0.1/",
    "https://127.0.0.1:8444/",
    "https://0x7f.1/",
    "https://2130706433/",
    "https://0177.0.0.1/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[64:ff9b::10.1.2.3]/",
    "https://[2002:c0a8:0101::1]/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://10.1.2.3/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://169.254.169.254/",
    "https://0.0.0.0/",
    "https://localhost/",
    "https://a.localhost/",
    "https://printer.local/",
    "https://metadata.google.internal/",
    "https://intranet/",
    "http://example.com/",
    "http://127.0.0.1:8444/",
    "ftp://example.com/",
    "https://user@example.com/",
  ]) {
    it(`refuses ${u}`, () => assert.notEqual(refused(u), ""));
  }
  for (const u of [
    "https://example.com/a.png",
    "https://8.8.8.8/",
    "https://[2606:4700::1111]/",
    "https://127.0.0.1:8443/a.png",
    "http://127.0.0.1:8443/a.png",
    "http://images.example.com:8080/a.png",
    "https://[::1]:9/",
  ]) {
    it(`allows ${u}`, () => assert.equal(refused(u), ""));
  }
});

describe("PNG encoding", () => {
  it("computes PNG CRCs", () => {
    assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
  });
  it("packs RGBA into RGB scanlines (fast and byte paths agree)", () => {
    const w = 8;
    const h = 3;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) & 255);
    const fast = scanlines(rgba, w, h);
    const slow = scanlines(new Uint8Array([0, ...rgba]).subarray(1), w, h); // misaligned: byte path
    assert.deepEqual(fast, slow);
    assert.deepEqual([...fast.subarray(0, 7)], [0, rgba[0], rgba[1], rgba[2], rgba[4], rgba[5], rgba[6]]);
    const png = decodePNG(assemble(w, h, deflateSync(fast)));
    for (let i = 0; i < rgba.length; i++) assert.equal(png.data[i], i % 4 === 3 ? 255 : rgba[i]);
  });
});

describe("handler in Node", () => {
  let wasm;
  const card = goldenCases().find((c) => c.name === "blog-ocean");
  const url = (q) => `http://edge.test/api/og?${q}`;
  before(async () => {
    wasm = await WebAssembly.compile(fs.readFileSync(MODULE_FILE));
  });
  const quiet = () => {};

  for (const encoder of ["zlib", "stream", "module"]) {
    it(`encodes with ${encoder} to the host's pixels`, async () => {
      const h = createHandler({ runtime: "node", loadModule: () => wasm, readFont, deflateSync, encoder, log: quiet });
      const r = await h(new Request(url(card.query)));
      assert.equal(r.status, 200);
      assert.equal(diffPixels(decodePNG(new Uint8Array(await r.arrayBuffer())), golden(card.name)), "");
      const health = await (await h(new Request("http://edge.test/healthz"))).json();
      assert.equal(health.encoder, encoder);
    });
  }

  it("answers 400 naming format for jpeg and webp, which the edge does not encode", async () => {
    const h = createHandler({ runtime: "node", loadModule: () => wasm, readFont, deflateSync, log: quiet });
    for (const [q, field, msg] of [
      ["format=jpeg", "format", /format not supported at the edge: jpeg/],
      ["format=jpg&quality=80", "format", /format not supported at the edge: jpeg/],
      ["format=webp", "format", /format not supported at the edge: webp/],
      ["format=gif", "format", /unknown format/],
      ["quality=80", "quality", /only for format=jpeg/],
    ]) {
      const r = await h(new Request(url(`${card.query}&${q}`)));
      assert.equal(r.status, 400, q);
      assert.equal(r.headers.get("Content-Type"), "application/json", q);
      const body = await r.json();
      assert.deepEqual(body.details.map((d) => d.field), [field], q);
      assert.match(body.details[0].message, msg, q);
    }
    const png = await h(new Request(url(`${card.query}&format=png`)));
    assert.equal(png.status, 200);
    assert.equal(png.headers.get("Content-Type"), "image/png");
    const plain = await h(new Request(url(card.query)));
    assert.equal(png.headers.get("ETag"), plain.headers.get("ETag"), "format=png is the default");
  });

  it("falls back to the next encoder when one fails, with that encoder's ETag", async () => {
    const logs = [];
    const h = createHandler({
      runtime: "node",
      loadModule: () => wasm,
      readFont,
      encoder: "zlib",
      deflateSync: () => {
        throw new Error("zlib broke");
      },
      log: (m) => logs.push(m),
    });
    const r = await h(new Request(url(card.query)));
    assert.equal(r.status, 200);
    assert.equal(diffPixels(decodePNG(new Uint8Array(await r.arrayBuffer())), golden(card.name)), "");
    const health = await (await h(new Request("http://edge.test/healthz"))).json();
    assert.equal(health.encoder, "stream");
    assert.match(logs.join("\n"), /encoder zlib failed; using stream/);
    const again = await h(new Request(url(card.query)));
    assert.equal(again.headers.get("ETag"), r.headers.get("ETag"));
    const zlibTag = createHandler({ runtime: "node", loadModule: () => wasm, readFont, deflateSync, encoder: "zlib", log: quiet });
    const z = await zlibTag(new Request(url(card.query)));
    assert.notEqual(z.headers.get("ETag"), r.headers.get("ETag"), "each encoder has its own ETag");
    assert.deepEqual(Object.keys(ENCODER_TAGS), ["zlib", "stream", "module"]);
  });

  it("answers 500 JSON on a trap and re-instantiates on the next request", async () => {
    const h = createHandler({ runtime: "node", loadModule: () => wasm, readFont, deflateSync, log: quiet });
    assert.equal((await h(new Request(url(card.query)))).status, 200);
    // Make the live instance trap on its next render, as a wasm bug would.
    const inst = await h.holder.get();
    const exports = inst.x;
    inst.x = new Proxy(exports, {
      get: (t, k) =>
        k === "ogmint_render"
          ? () => {
              throw new WebAssembly.RuntimeError("unreachable");
            }
          : t[k],
    });
    const bad = await h(new Request(url("template=blog&title=Trap")));
    assert.equal(bad.status, 500);
    assert.equal(bad.headers.get("Content-Type"), "application/json");
    assert.equal(bad.headers.get("Cache-Control"), "no-store");
    assert.deepEqual(await bad.json(), { error: "internal error" });
    const ok = await h(new Request(url("template=blog&title=Trap")));
    assert.equal(ok.status, 200);
    const health = await (await h(new Request("http://edge.test/healthz"))).json();
    assert.equal(health.replaced, 1);
    assert.equal(health.instantiated, 2);
  });

  it("stores cards in a Workers-style cache and serves them from it", async () => {
    const store = new Map();
    const puts = [];
    const cache = {
      async match(req) {
        const hit = store.get(req.url);
        return hit ? new Response(hit.body, { status: 200, headers: hit.headers }) : undefined;
      },
      async put(req, res) {
        assert.equal(req.method, "GET");
        store.set(req.url, { body: new Uint8Array(await res.arrayBuffer()), headers: res.headers });
      },
    };
    const h = createHandler({ runtime: "node", loadModule: () => wasm, readFont, deflateSync, cache: () => cache, log: quiet });
    const ctx = { waitUntil: (p) => puts.push(p) };
    const first = await h(new Request(url(card.query)), ctx);
    const firstBody = new Uint8Array(await first.arrayBuffer());
    await Promise.all(puts);
    assert.equal(puts.length, 1);
    assert.equal(store.size, 1);
    const [key] = store.keys();
    assert.equal(key, `http://edge.test/__ogmint/v1/${first.headers.get("ETag").slice(1, -1)}`);
    const second = await h(new Request(url(card.query)), ctx);
    assert.deepEqual(new Uint8Array(await second.arrayBuffer()), firstBody);
    assert.equal(second.headers.get("ETag"), first.headers.get("ETag"));
    assert.equal(second.headers.get("Cache-Control"), "public, max-age=86400, s-maxage=86400");
    const health = await (await h(new Request("http://edge.test/healthz"))).json();
    assert.equal(health.renders, 1);
    assert.equal(health.cache_hits, 1);
  });

  it("keeps concurrent requests apart on the one instance", async () => {
    // The stream encoder awaits between render and PNG: requests interleave.
    const h = createHandler({ runtime: "node", loadModule: () => wasm, readFont, encoder: "stream", log: quiet });
    const cases = goldenCases().filter((c) => c.name.endsWith("-sunset"));
    const rs = await Promise.all(cases.map((c) => h(new Request(url(c.query)))));
    for (const [i, r] of rs.entries()) {
      assert.equal(r.status, 200);
      assert.equal(diffPixels(decodePNG(new Uint8Array(await r.arrayBuffer())), golden(cases[i].name)), "", cases[i].name);
    }
  });
});
