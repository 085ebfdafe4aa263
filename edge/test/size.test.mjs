// The render module against Cloudflare's Worker size limits (compressed):
// 3 MB on the free plan, 10 MB on paid plans. Fails when the module, or the
// whole Worker bundle, grows past 3 MB gzip. The fallback font families
// (dist/fonts) are not part of the Worker: they are static assets, limited
// to 25 MiB per file (and 20,000 files on the free plan).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { it } from "node:test";
import zlib from "node:zlib";
import { DIST, FONTS_DIR } from "../scripts/runtime.mjs";
import { MODULE_FILE } from "./helpers.mjs";

const FREE_LIMIT = 3_000_000; // bytes, gzip; read as decimal MB to be safe
const ASSET_LIMIT = 25 << 20; // bytes per static asset file
// Default level (6): a little larger than -9, so the conservative reading.
// (Brotli -11 takes ~20 s here; scripts/edge-bench.sh reports it.)
const gzip = (b) => zlib.gzipSync(b).length;
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;

it("the render module is under 3 MB gzip", (t) => {
  const wasm = fs.readFileSync(MODULE_FILE);
  const gz = gzip(wasm);
  t.diagnostic(`ogmint.wasm: ${mb(wasm.length)} raw, ${mb(gz)} gzip`);
  assert.ok(gz < FREE_LIMIT, `module is ${mb(gz)} gzip, over Cloudflare's 3 MB free-plan limit`);
});

it("the Worker bundle is under 3 MB gzip", (t) => {
  const dir = path.join(DIST, "worker");
  // local-cache.js serves the local workerd only; it is not part of the upload.
  const files = fs.readdirSync(dir).filter((f) => (f.endsWith(".js") || f.endsWith(".wasm")) && f !== "local-cache.js");
  assert.ok(files.includes("ogmint.wasm") && files.includes("worker.js"), "run `make edge` first");
  const gz = files.reduce((n, f) => n + gzip(fs.readFileSync(path.join(dir, f))), 0);
  t.diagnostic(`dist/worker (${files.length} files): ${mb(gz)} gzip`);
  assert.ok(gz < FREE_LIMIT, `Worker bundle is ${mb(gz)} gzip`);
});

it("each font file fits Cloudflare's static assets limit (25 MiB)", (t) => {
  const files = fs.readdirSync(FONTS_DIR);
  assert.ok(files.includes("manifest.json"), "run `make edge` first");
  let total = 0;
  let largest = ["", 0];
  for (const f of files) {
    const n = fs.statSync(path.join(FONTS_DIR, f)).size;
    total += n;
    if (n > largest[1]) largest = [f, n];
    assert.ok(n <= ASSET_LIMIT, `${f} is ${mb(n)}, over the 25 MiB static asset limit`);
  }
  t.diagnostic(`dist/fonts: ${files.length} files, ${mb(total)}; largest ${largest[0]} ${mb(largest[1])}`);
});
