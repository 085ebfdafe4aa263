// Starts workerd and Deno for real (from edge/dist, as deployed), on free
// 127.0.0.1 ports, and checks them against the Go host:
//   - every golden card (internal/golden/testdata/cases.json: every template x
//     palette, long and non-Latin texts, each font) decodes to exactly the
//     host's pixels, with each PNG encoder (zlib, CompressionStream, module);
//   - the shared V1 vectors (internal/vectors/v1.json) give the host's statuses
//     and JSON error fields;
//   - Cache-Control, ETag, If-None-Match/304, HEAD, /api/templates, /healthz.
// EDGE_RUNTIMES=workerd,deno and EDGE_ENCODERS=auto,zlib,stream narrow it
// ("auto" is the module's encoder).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { start } from "../scripts/runtime.mjs";
import { Instance } from "../src/module.js";
import { ENCODER_TAGS } from "../src/png.js";
import { requestBytes } from "../src/query.js";
import {
  MODULE_FILE,
  V1_CACHE_CONTROL,
  closeAgent,
  decodePNG,
  diffPixels,
  errorFields,
  golden,
  customQuery,
  goldenCases,
  request,
  templateCases,
  vectors,
} from "./helpers.mjs";

const RUNTIMES = (process.env.EDGE_RUNTIMES || "workerd,deno").split(",").filter(Boolean);
const ENCODERS = (process.env.EDGE_ENCODERS || "auto,zlib,stream").split(",").filter(Boolean);
const TIMEOUT = 300_000;

const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-edge-test-deno-"));
after(() => {
  closeAgent();
  fs.rmSync(denoDir, { recursive: true, force: true });
});

// The canonical query of a request, from the module itself (for the ETag formula).
let nodeInstance;
async function canonical(query) {
  nodeInstance ??= await Instance.create(await WebAssembly.compile(fs.readFileSync(MODULE_FILE)), { log: () => {} });
  const v = nodeInstance.validate(requestBytes(query));
  assert.equal(v.status, 0, `validate ${query}`);
  return new TextDecoder().decode(v.body);
}

const blog = "template=blog&title=Pixels+at+the+edge&author=Ada+Lovelace&palette=ocean";

for (const runtime of RUNTIMES) {
  for (const encoder of ENCODERS) {
    describe(`${runtime}, encoder ${encoder}`, { timeout: TIMEOUT }, () => {
      let rt;
      before(async () => {
        rt = await start(runtime, {
          env: { OGMINT_ENCODER: encoder === "auto" ? "" : encoder, OGMINT_CACHE: "on" },
          denoDir,
        });
      });
      after(async () => {
        await rt?.stop();
      });

      if (runtime === "workerd") {
        it("instantiates the module in the global scope, before any request", async () => {
          // /healthz does not touch the module: an instance here was made at start-up.
          const h = JSON.parse((await request(rt.base, "GET", "/healthz")).body);
          assert.equal(h.instances, 1, "prewarm failed (see the runtime's output)");
          assert.equal(h.renders, 0);
        });
      }

      it("renders every golden card with the Go host's pixels", async (t) => {
        const cases = goldenCases();
        assert.ok(cases.length >= 40, `only ${cases.length} golden cases`);
        const bad = [];
        for (const c of cases) {
          const r = await request(rt.base, "GET", `/api/og?${c.query}`);
          if (r.status !== 200 || r.headers["content-type"] !== "image/png") {
            bad.push(`${c.name}: status ${r.status} ${r.headers["content-type"]} ${r.body.toString().slice(0, 200)}`);
            continue;
          }
          const d = diffPixels(decodePNG(r.body), golden(c.name));
          if (d) bad.push(`${c.name}: ${d}`);
        }
        assert.deepEqual(bad, [], `${bad.length} of ${cases.length} cards differ from the host's`);
        t.diagnostic(`${runtime}/${encoder}: ${cases.length} cards compared, all pixel-identical`);
        const h = JSON.parse((await request(rt.base, "GET", "/healthz")).body);
        assert.equal(h.encoder, encoder === "auto" ? "module" : encoder, "encoder in use");
      });

      it("renders every template golden card (custom templates bundled by make edge TEMPLATES=) with the Go host's pixels", async (t) => {
        const cases = templateCases().filter((c) => !c.images);
        assert.ok(cases.length >= 8, `only ${cases.length} template cases`);
        const bad = [];
        for (const c of cases) {
          const r = await request(rt.base, "GET", `/api/og?${customQuery(c)}`);
          if (r.status !== 200 || r.headers["content-type"] !== "image/png") {
            bad.push(`${c.name}: status ${r.status} ${r.headers["content-type"]} ${r.body.toString().slice(0, 300)}`);
            continue;
          }
          const d = diffPixels(decodePNG(r.body), golden(c.name));
          if (d) bad.push(`${c.name}: ${d}`);
        }
        assert.deepEqual(bad, [], `${bad.length} of ${cases.length} template cards differ from the host's`);
        t.diagnostic(`${runtime}/${encoder}: ${cases.length} template cards compared, all pixel-identical`);
      });

      if (encoder !== ENCODERS[0]) return;

      it("answers 404 for a custom template it does not bundle, and ignores a client's tv", async () => {
        const r = await request(rt.base, "GET", "/api/og?template=custom_nope&tv=3&title=x");
        assert.equal(r.status, 404, r.body.toString());
        assert.deepEqual(errorFields(r), ["template"]);
        const c = templateCases().find((c) => !c.images);
        const a = await request(rt.base, "GET", `/api/og?${customQuery(c)}`);
        const b = await request(rt.base, "GET", `/api/og?${customQuery(c)}&tv=1`);
        assert.equal(a.status, 200);
        assert.equal(b.headers.etag, a.headers.etag, "a client's tv changed the card");
      });

      it("answers the shared V1 vectors like the host", async (t) => {
        const vs = vectors();
        for (const v of vs) {
          const r = await request(rt.base, v.method, v.path, v.headers);
          const where = `${v.name}: ${v.method} ${v.path.slice(0, 80)}`;
          assert.equal(r.status, v.status, `${where}: status (${r.body.toString().slice(0, 200)})`);
          if (v.status >= 400) {
            assert.deepEqual(errorFields(r), v.fields, `${where}: fields`);
            assert.equal(r.headers["cache-control"], "no-store", `${where}: Cache-Control`);
          } else if (v.status === 200) {
            assert.equal(r.headers["content-type"], "image/png", where);
            assert.equal(r.headers["cache-control"], V1_CACHE_CONTROL, where);
            assert.match(r.headers.etag ?? "", /^"[0-9a-f]{32}"$/, where);
          }
          assert.equal(r.headers.allow, v.allow, `${where}: Allow`);
        }
        t.diagnostic(`${runtime}: ${vs.length} vectors`);
      });

      it("serves caching headers, ETag, 304 and HEAD like the host", async () => {
        const r = await request(rt.base, "GET", `/api/og?${blog}`);
        assert.equal(r.status, 200);
        assert.equal(r.headers["content-type"], "image/png");
        assert.equal(r.headers["cache-control"], V1_CACHE_CONTROL);
        const etag = r.headers.etag;
        // The host's formula with the edge encoder's tag.
        const tag = encoder === "auto" ? "module" : encoder;
        const sum = createHash("sha256").update(`${await canonical(blog)}\x00${ENCODER_TAGS[tag]}`).digest("hex");
        assert.equal(etag, `"${sum.slice(0, 32)}"`);

        // Same parameters in another order, through an alias, with a tracking parameter: same ETag.
        const alt = "palette=ocean&author=Ada+Lovelace&title=Pixels%20at%20the%20edge&template=blog&utm_source=x";
        const r2 = await request(rt.base, "GET", `/api/og?${alt}`);
        assert.equal(r2.status, 200);
        assert.equal(r2.headers.etag, etag);

        for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
          const r304 = await request(rt.base, "GET", `/api/og?${blog}`, { "If-None-Match": inm });
          assert.equal(r304.status, 304, `If-None-Match ${inm}`);
          assert.equal(r304.body.length, 0);
          assert.equal(r304.headers.etag, etag);
          assert.equal(r304.headers["cache-control"], V1_CACHE_CONTROL);
        }
        const stale = await request(rt.base, "GET", `/api/og?${blog}`, { "If-None-Match": '"stale"' });
        assert.equal(stale.status, 200);

        const h = await request(rt.base, "HEAD", `/api/og?${blog}`);
        assert.equal(h.status, 200);
        assert.equal(h.body.length, 0);
        assert.equal(h.headers.etag, etag);
        assert.equal(h.headers["content-type"], "image/png");
        assert.equal(h.headers["content-length"], String(r.body.length));
        const h304 = await request(rt.base, "HEAD", `/api/og?${blog}`, { "If-None-Match": etag });
        assert.equal(h304.status, 304);
      });

      it("serves /api/templates and /healthz", async () => {
        const r = await request(rt.base, "GET", "/api/templates");
        assert.equal(r.status, 200);
        assert.equal(r.headers["content-type"], "application/json");
        const info = JSON.parse(r.body);
        const names = new Set(goldenCases().map((c) => c.name.split("-")[0]));
        for (const t of info.templates) assert.ok(names.has(t.name), `template ${t.name} has golden cards`);
        assert.equal(Object.keys(info.palettes).length, 5);
        const h = await request(rt.base, "GET", "/healthz");
        const health = JSON.parse(h.body);
        assert.equal(health.status, "ok");
        assert.equal(health.runtime, runtime);
        assert.equal(h.headers["cache-control"], "no-store");
      });

      {
        it("serves a repeated card from the Cache API", async () => {
          const q = "/api/og?template=minimal&title=Cached+once&palette=paper";
          const before = JSON.parse((await request(rt.base, "GET", "/healthz")).body);
          const first = await request(rt.base, "GET", q);
          // The put happens after the response: wait for it to land.
          let second;
          for (let i = 0; i < 50; i++) {
            await new Promise((r) => setTimeout(r, 20));
            second = await request(rt.base, "GET", q);
            const h = JSON.parse((await request(rt.base, "GET", "/healthz")).body);
            if (h.cache_hits > before.cache_hits) break;
          }
          const afterStats = JSON.parse((await request(rt.base, "GET", "/healthz")).body);
          assert.ok(afterStats.cache_hits > before.cache_hits, "no cache hit");
          assert.equal(second.status, 200);
          assert.equal(second.headers.etag, first.headers.etag);
          assert.ok(Buffer.compare(second.body, first.body) === 0, "cached bytes differ");
        });
      }
    });
  }
}
