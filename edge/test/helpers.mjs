// Shared by the edge tests: repository paths, a raw HTTP client for
// 127.0.0.1, PNG decoding and pixel comparison with the golden images.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { PNG } from "pngjs";
import { EDGE, FONTS_DIR } from "../scripts/runtime.mjs";

export const ROOT = path.resolve(EDGE, "..");
export const GOLDEN_DIR = path.join(ROOT, "internal", "golden", "testdata");
export const VECTORS_FILE = path.join(ROOT, "internal", "vectors", "v1.json");
export const MODULE_FILE = process.env.OGMINT_WASM || path.join(ROOT, "bin", "ogmint.wasm");
export const V1_CACHE_CONTROL = "public, max-age=86400, s-maxage=86400";

/** A file of dist/fonts: the handler's readFont option, as the runtimes read it. */
export async function readFont(file) {
  return new Uint8Array(await fs.promises.readFile(path.join(FONTS_DIR, file)));
}

/** [{name, query}] of every golden card (internal/golden/testdata/cases.json). */
export function goldenCases() {
  return JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, "cases.json"), "utf8"));
}

/**
 * [{name, template, query, images?}] of the golden cards of custom templates
 * (internal/golden/testdata/template-cases.json; the templates are in
 * testdata/templates, bundled by make edge TEMPLATES=internal/golden/testdata/templates).
 */
export function templateCases() {
  return JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, "template-cases.json"), "utf8"));
}

/** A template case's query for the edge: its template as the bundled custom_<file name>. */
export function customQuery(c) {
  const q = new URLSearchParams(c.query);
  q.set("template", `custom_${c.template.replace(/\.json$/, "")}`);
  return q.toString();
}

/** The shared V1 vectors (internal/vectors/v1.json). */
export function vectors() {
  return JSON.parse(fs.readFileSync(VECTORS_FILE, "utf8"));
}

/** Decodes a PNG to RGBA bytes (width*height*4). */
export function decodePNG(bytes) {
  const img = PNG.sync.read(Buffer.from(bytes));
  return { width: img.width, height: img.height, data: img.data };
}

const goldenCache = new Map();
/** The golden image of a case, decoded (the Go host's pixels). */
export function golden(name) {
  if (!goldenCache.has(name)) goldenCache.set(name, decodePNG(fs.readFileSync(path.join(GOLDEN_DIR, `${name}.png`))));
  return goldenCache.get(name);
}

/** "" when identical, else a description of the first difference. */
export function diffPixels(got, want) {
  if (got.width !== want.width || got.height !== want.height) {
    return `size ${got.width}x${got.height}, want ${want.width}x${want.height}`;
  }
  if (Buffer.compare(got.data, want.data) === 0) return "";
  let n = 0;
  let first = -1;
  for (let i = 0; i < want.data.length; i += 4) {
    if (got.data.readUInt32LE(i) !== want.data.readUInt32LE(i)) {
      if (first < 0) first = i;
      n++;
    }
  }
  const px = first / 4;
  return `${n} pixels differ; first at (${px % want.width},${Math.floor(px / want.width)}): got ${[...got.data.subarray(first, first + 4)]} want ${[...want.data.subarray(first, first + 4)]}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/**
 * One request with the path sent exactly as written (no URL normalisation).
 * @returns {Promise<{status: number, headers: Record<string, string>, body: Buffer}>}
 */
export function request(base, method, rawPath, headers = {}, timeoutMs = 30000) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path: rawPath, headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${rawPath}: no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Field names of a JSON error body, checking its shape like the Go tests' errorFields. */
export function errorFields(r) {
  if (r.headers["content-type"] !== "application/json") {
    throw new Error(`error Content-Type ${r.headers["content-type"]}, body ${r.body.toString().slice(0, 200)}`);
  }
  const body = JSON.parse(r.body.toString("utf8"));
  if (typeof body.error !== "string" || body.error === "") throw new Error(`error body ${r.body}`);
  if (body.details === undefined) return null;
  return body.details.map((d) => d.field);
}

export function closeAgent() {
  agent.destroy();
}
