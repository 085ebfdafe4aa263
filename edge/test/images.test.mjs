// avatar and logo in the real workerd and Deno: the adapter fetches them from
// a local server on 127.0.0.1 (allow-listed through OGMINT_IMAGE_ALLOW_HOSTS,
// as an operator would for a private image host) and hands them to the module.
//
// The module accepts only https:// image URLs (wasm/params), so the images
// come from an https server with a test-only CA (testdata/tls, trusted by the
// runtime under test: workerd's network service, Deno's DENO_CERT). A plain
// http server, also allow-listed, is reached through a redirect; another one,
// not allow-listed, must never see a connection.
//
// Also checked: 404, not an image, too large, redirect loops, a server that
// never answers and one that stalls mid-body (400 within the timeout), 304 and
// cached cards fetch nothing, and a card with images has the pixels the module
// draws with the same image bytes in Node.
// EDGE_RUNTIMES=workerd,deno narrows it.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { start } from "../scripts/runtime.mjs";
import { HEIGHT, Instance, WIDTH } from "../src/module.js";
import { requestBytes } from "../src/query.js";
import { MODULE_FILE, closeAgent, decodePNG, diffPixels, errorFields, request } from "./helpers.mjs";

const RUNTIMES = (process.env.EDGE_RUNTIMES || "workerd,deno").split(",").filter(Boolean);
const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), "testdata", "tls");
// OGMINT_IMAGE_TIMEOUT_MS for the runtimes under test: short, to keep the suite
// quick, yet ample for a small image from 127.0.0.1 on a loaded machine.
const TIMEOUT_MS = 1500;
const MAX_BYTES = 64 << 10; // OGMINT_IMAGE_MAX_BYTES

/** A small PNG: w x h, four coloured quadrants (distinct, so drawing it shows). */
function quadrantPNG(w, h, colors) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = colors[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)];
      png.data.set([...c, 255], (y * w + x) * 4);
    }
  }
  return PNG.sync.write(png);
}
const AVATAR = quadrantPNG(64, 64, [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]]);
const LOGO = quadrantPNG(120, 40, [[255, 255, 255], [255, 0, 255], [0, 255, 255], [255, 128, 0]]);

/** An http(s) server on 127.0.0.1 that counts connections, and requests per path and query. */
async function server(kind, routes) {
  const hits = new Map();
  const sockets = new Set();
  const handler = (req, res) => {
    hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
    const route = routes[req.url.split("?")[0]];
    if (!route) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    route(req, res, srv);
  };
  const srv =
    kind === "https"
      ? https.createServer(
          { cert: fs.readFileSync(path.join(TLS, "server.pem")), key: fs.readFileSync(path.join(TLS, "server-key.pem")) },
          handler,
        )
      : http.createServer(handler);
  let connections = 0;
  srv.on(kind === "https" ? "secureConnection" : "connection", () => connections++);
  srv.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = srv.address().port;
  return {
    port,
    origin: `${kind}://127.0.0.1:${port}`,
    hits: (p) => hits.get(p) ?? 0,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(resolve);
      }),
  };
}

const png = (body) => (req, res) => res.writeHead(200, { "Content-Type": "image/png", "Content-Length": body.length }).end(body);
const redirect = (to) => (req, res) => res.writeHead(302, { Location: to() }).end();

let web; // https, allow-listed: the images and the failure cases
let plain; // http, allow-listed: reached through a redirect
let denied; // http, not allow-listed: must never be reached
const hanging = new Set();

before(async () => {
  plain = await server("http", { "/avatar.png": png(AVATAR) });
  denied = await server("http", { "/avatar.png": png(AVATAR) });
  web = await server("https", {
    "/avatar.png": png(AVATAR),
    "/logo.png": png(LOGO),
    "/cached.png": png(AVATAR),
    "/page.html": (req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<p>hi</p>"),
    // No Content-Type header at all: judged by the bytes.
    "/untyped.png": (req, res) => res.writeHead(200).end(AVATAR),
    "/untyped.html": (req, res) => res.writeHead(200).end("<p>hi</p>"),
    "/garbage.png": (req, res) => res.writeHead(200, { "Content-Type": "image/png" }).end("this is not a PNG file"),
    "/big.png": (req, res) => {
      // No Content-Length: the limit must hold while the body streams.
      res.writeHead(200, { "Content-Type": "image/png" });
      const chunk = Buffer.alloc(16 << 10, 7);
      for (let i = 0; i < 8; i++) res.write(chunk);
      res.end();
    },
    "/slow.png": (req, res) => hanging.add(res), // never answers
    "/stall.png": (req, res) => {
      res.writeHead(200, { "Content-Type": "image/png" });
      res.write(AVATAR.subarray(0, 100)); // then nothing
      hanging.add(res);
    },
    "/to-plain": redirect(() => `${plain.origin}/avatar.png`),
    "/to-denied": redirect(() => `${denied.origin}/avatar.png`),
    "/loop": redirect(() => "/loop"),
  });
});

const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-edge-images-deno-"));
after(async () => {
  for (const res of hanging) res.destroy();
  await Promise.all([web?.close(), plain?.close(), denied?.close()]);
  closeAgent();
  fs.rmSync(denoDir, { recursive: true, force: true });
});

// The module in Node: the pixels a card should have with given image bytes.
let nodeInstance;
async function nodePixels(query, images = []) {
  nodeInstance ??= await Instance.create(await WebAssembly.compile(fs.readFileSync(MODULE_FILE)), { log: () => {} });
  const r = nodeInstance.render(requestBytes(query), images);
  assert.equal(r.status, 0, `node render ${query}: ${r.body && new TextDecoder().decode(r.body)}`);
  return { width: WIDTH, height: HEIGHT, data: Buffer.from(nodeInstance.pixels()) };
}

const enc = encodeURIComponent;
const q = (title, extra = "") => `template=blog&title=${enc(title)}&author=Ada+Lovelace${extra}`;

/** The JSON error body of r, checked: 400, no-store, details naming fields. */
function badRequest(r, fields) {
  assert.equal(r.status, 400, `status (${r.body.toString().slice(0, 300)})`);
  assert.equal(r.headers["cache-control"], "no-store");
  assert.deepEqual(errorFields(r), fields);
  const body = JSON.parse(r.body);
  assert.equal(body.error, "invalid parameters");
  return Object.fromEntries(body.details.map((d) => [d.field, d.message]));
}

for (const runtime of RUNTIMES) {
  describe(`${runtime}: avatar and logo`, { timeout: 120_000 }, () => {
    let rt;
    const get = (query, headers) => request(rt.base, "GET", `/api/og?${query}`, headers);

    before(async () => {
      rt = await start(runtime, {
        env: {
          OGMINT_IMAGE_ALLOW_HOSTS: `127.0.0.1:${web.port}, 127.0.0.1:${plain.port}`,
          OGMINT_IMAGE_TIMEOUT_MS: String(TIMEOUT_MS),
          OGMINT_IMAGE_MAX_BYTES: String(MAX_BYTES),
          OGMINT_CACHE: "on",
        },
        trustCA: path.join(TLS, "ca.pem"),
        denoDir,
      });
      // The module draws an image only when the parameter names one.
      const named = q("Drawn?", "&avatar=https%3A%2F%2Fa.example%2Fa.png&logo=https%3A%2F%2Fa.example%2Fl.png");
      const plainCard = await nodePixels(named);
      const withImages = await nodePixels(named, [
        { field: "avatar", slot: 0, bytes: AVATAR },
        { field: "logo", slot: 1, bytes: LOGO },
      ]);
      assert.notEqual(diffPixels(withImages, plainCard), "", "the module (bin/ogmint.wasm) does not draw images: rebuild it");
    });
    after(async () => {
      await rt?.stop();
    });

    it("fetches avatar and logo and renders them as the module does", async () => {
      const title = `Images in ${runtime}`;
      const query = q(title, `&avatar=${enc(`${web.origin}/avatar.png`)}&logo=${enc(`${web.origin}/logo.png`)}`);
      const [a0, l0] = [web.hits("/avatar.png"), web.hits("/logo.png")];
      const r = await get(query);
      assert.equal(r.status, 200, r.body.toString().slice(0, 300));
      assert.equal(r.headers["content-type"], "image/png");
      assert.equal(web.hits("/avatar.png"), a0 + 1, "avatar fetched once");
      assert.equal(web.hits("/logo.png"), l0 + 1, "logo fetched once");
      const got = decodePNG(r.body);
      const expected = await nodePixels(query, [
        { field: "avatar", slot: 0, bytes: AVATAR },
        { field: "logo", slot: 1, bytes: LOGO },
      ]);
      assert.equal(diffPixels(got, expected), "", "pixels of the module with the same image bytes");
      const without = decodePNG((await get(q(title))).body);
      assert.notEqual(diffPixels(got, without), "", "the card with images has the pixels of the one without");
    });

    it("fetches nothing for a 304 or a cached card", async () => {
      const cached = `/cached.png?runtime=${runtime}`;
      const query = q("Cached", `&avatar=${enc(`${web.origin}${cached}`)}`);
      const first = await get(query);
      assert.equal(first.status, 200);
      assert.equal(web.hits(cached), 1);
      const r304 = await get(query, { "If-None-Match": first.headers.etag });
      assert.equal(r304.status, 304);
      assert.equal(web.hits(cached), 1, "a 304 fetched the image");
      // The Cache API put lands after the response (until then a request
      // renders, and fetches, again): wait for a hit, which must fetch nothing.
      const cacheHits = async () => JSON.parse((await request(rt.base, "GET", "/healthz")).body).cache_hits;
      let hit = false;
      for (let i = 0; i < 100 && !hit; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const [before, fetched] = [await cacheHits(), web.hits(cached)];
        const again = await get(query);
        assert.equal(again.status, 200);
        assert.ok(Buffer.compare(again.body, first.body) === 0);
        hit = (await cacheHits()) > before;
        if (hit) assert.equal(web.hits(cached), fetched, "a cached card fetched the image");
      }
      assert.ok(hit, "no cache hit");
    });

    it("answers 400 naming avatar for a 404", async () => {
      const r = await get(q("404", `&avatar=${enc(`${web.origin}/missing.png`)}`));
      const m = badRequest(r, ["avatar"]);
      assert.equal(m.avatar, "could not be fetched: HTTP 404");
    });

    it("never connects to a host that is not allow-listed", async () => {
      const before = denied.connections();
      // Plain http: refused by the module's validation already.
      const r1 = await get(q("http", `&avatar=${enc(`${denied.origin}/avatar.png`)}`));
      badRequest(r1, ["avatar"]);
      // https to a loopback address whose port is not allow-listed.
      const r2 = await get(q("https", `&avatar=${enc(`https://127.0.0.1:${denied.port}/avatar.png`)}`));
      const m2 = badRequest(r2, ["avatar"]);
      // The caller reads the category; the guard's reason is for the log.
      assert.equal(m2.avatar, "could not be fetched: blocked address");
      // Other spellings of loopback and private addresses, and reserved names.
      for (const host of [`[::1]:${denied.port}`, `0x7f.1:${denied.port}`, `localhost:${denied.port}`, "10.0.0.1", "169.254.169.254"]) {
        const r = await get(q("spelling", `&logo=${enc(`https://${host}/x.png`)}`));
        assert.equal(badRequest(r, ["logo"]).logo, "could not be fetched: blocked address", host);
      }
      // A redirect from an allow-listed host to one that is not.
      const r3 = await get(q("redirect", `&avatar=${enc(`${web.origin}/to-denied`)}`));
      const m3 = badRequest(r3, ["avatar"]);
      assert.equal(
        m3.avatar,
        `could not be fetched: after a redirect to ${denied.origin}/avatar.png: not an https URL`,
      );
      assert.equal(denied.connections(), before, "a connection reached the server that is not allow-listed");
      assert.equal(denied.hits("/avatar.png"), 0);
    });

    it("follows redirects to allow-listed http, at most 3", async () => {
      const hits = plain.hits("/avatar.png");
      const r = await get(q("Redirected", `&avatar=${enc(`${web.origin}/to-plain`)}`));
      assert.equal(r.status, 200, r.body.toString().slice(0, 300));
      assert.equal(plain.hits("/avatar.png"), hits + 1);
      const loops = web.hits("/loop");
      const loop = await get(q("Loop", `&avatar=${enc(`${web.origin}/loop`)}`));
      assert.match(badRequest(loop, ["avatar"]).avatar, /: more than 3 redirects$/);
      assert.equal(web.hits("/loop") - loops, 4, "the first request and 3 redirects");
    });

    it("answers 400 within the timeout for a server that does not answer or stalls", async () => {
      await Promise.all(
        ["/slow.png", "/stall.png"].map(async (p) => {
          const t0 = Date.now();
          const r = await get(q(`Slow ${p}`, `&avatar=${enc(`${web.origin}${p}`)}`), {}, 10_000);
          const took = Date.now() - t0;
          assert.equal(badRequest(r, ["avatar"]).avatar, "could not be fetched: timed out", p);
          assert.ok(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + 4000, `${p}: answered after ${took} ms`);
        }),
      );
    });

    it("refuses what is not an image, too large, or both images failing", async () => {
      const html = await get(q("HTML", `&avatar=${enc(`${web.origin}/page.html`)}`));
      assert.equal(badRequest(html, ["avatar"]).avatar, "could not be fetched: not an image");
      const untypedHTML = await get(q("Untyped HTML", `&avatar=${enc(`${web.origin}/untyped.html`)}`));
      assert.equal(badRequest(untypedHTML, ["avatar"]).avatar, "could not be fetched: not an image");
      const big = await get(q("Big", `&logo=${enc(`${web.origin}/big.png`)}`));
      assert.equal(badRequest(big, ["logo"]).logo, `could not be fetched: too large (over ${MAX_BYTES} bytes)`);
      const both = await get(q("Both", `&avatar=${enc(`${web.origin}/missing.png`)}&logo=${enc(`${web.origin}/page.html`)}`));
      badRequest(both, ["avatar", "logo"]);
    });

    it("sniffs an image served without a Content-Type", async () => {
      const r = await get(q("Untyped", `&avatar=${enc(`${web.origin}/untyped.png`)}`));
      assert.equal(r.status, 200, r.body.toString().slice(0, 300));
    });

    it("answers the module's 400 naming the field for bytes that are not an image", async () => {
      const r = await get(q("Garbage", `&avatar=${enc(`${web.origin}/garbage.png`)}`));
      badRequest(r, ["avatar"]);
    });
  });
}
