// The V1 image API (GET/HEAD /api/og) on a Web-standard runtime, mirroring the
// Go host (host/api): same routes, statuses, JSON error bodies, Cache-Control,
// ETag and If-None-Match. Parameter validation is not written here: the
// module's ogmint_validate (wasm/params, the code the host runs) decides, and
// its canonical query feeds the ETag and the cache key.
//
// Used by the Cloudflare Worker (worker.js) and Deno (deno.js) entry points.

import { HEIGHT, InstanceHolder, MAX_REQUEST, ModuleFault, Status, WIDTH } from "./module.js";
import { ENCODER_TAGS, assemble, deflateStream, hasCompressionStream, scanlines } from "./png.js";
import { ImageErrors, fetchImages, imageSettings } from "./images.js";
import { FontStore, decodeRunes } from "./fonts.js";
import { normalizePath, requestBytes } from "./query.js";

/** The contract's caching policy for rendered cards (host: api.V1CacheControl). */
export const V1_CACHE_CONTROL = "public, max-age=86400, s-maxage=86400";
export { ENCODER_TAGS };

/** Encoders in order of fallback: the runtime's deflates, then the module's
 * own encoder, which every runtime has (see png.js). */
const ENCODERS = ["zlib", "stream", "module"];

/** The encoder "auto" means: the module's, the host's encoder, whose PNGs are
 * 13-23% smaller than node:zlib level 1's for the same CPU in workerd. */
const DEFAULT_ENCODER = "module";

const JSON_TYPE = "application/json";

const WARM_CARD = new TextEncoder().encode(
  "template=blog&title=Warming+up+the+renderer+with+a+typical+card&description=" +
    "A+two-line+description+so+the+common+glyphs+are+cached+before+the+first+request." +
    "&tag=Engineering&author=Ada+Lovelace",
);

class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string | Uint8Array} body message, or a raw JSON body from the module
   */
  constructor(status, body, { details, allow } = {}) {
    super(typeof body === "string" ? body : `status ${status}`);
    this.status = status;
    this.raw = typeof body === "string" ? null : body;
    this.details = details;
    this.allow = allow;
  }

  body() {
    if (this.raw) return this.raw;
    const b = { error: this.message };
    if (this.details) b.details = this.details;
    return JSON.stringify(b);
  }
}

const badRequest = (field, message) =>
  new HttpError(400, "invalid parameters", { details: [{ field, message }] });

/** The host's fromRender mapping of a module status to HTTP. */
function moduleStatus(st) {
  switch (st) {
    case Status.INVALID:
      return 400;
    case Status.NOT_FOUND:
      return 404;
    case Status.NEED_TEMPLATE: // asked twice in one request: a module fault
      return 500;
    case Status.TOO_LARGE:
      return 413;
    default:
      return 500;
  }
}

/** If-None-Match against a strong ETag: '*', lists, weak forms (RFC 9110 weak comparison). */
export function etagMatch(header, etag) {
  return header.split(",").some((p) => {
    p = p.trim();
    return p === "*" || (p.startsWith("W/") ? p.slice(2) : p) === etag;
  });
}

async function sha256Hex16(text) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let s = "";
  for (let i = 0; i < 16; i++) s += d[i].toString(16).padStart(2, "0");
  return s;
}

/**
 * @typedef {object} HandlerOptions
 * @property {() => WebAssembly.Module | Promise<WebAssembly.Module>} loadModule
 * @property {string} runtime name for /healthz
 * @property {(env?: object) => (Cache | null | Promise<Cache | null>)} [cache] a Cache API cache for rendered cards
 * @property {(data: Uint8Array, opts: {level: number}) => Uint8Array} [deflateSync] node:zlib's deflateSync, when the runtime has it
 * @property {string | ((env?: object) => string | undefined)} [encoder] "auto" (default: "module"), "zlib", "stream" or "module": the first to try
 * @property {ImageSettingsRaw | ((env?: object) => ImageSettingsRaw)} [images] settings for fetching avatar and logo (images.js)
 * @property {typeof fetch} [fetch] the fetch used for avatar and logo (default: the global one)
 * @property {(file: string, env?: object) => Promise<Uint8Array | ArrayBuffer>} [readFont] reads a file of
 *   the fonts directory (manifest.json, <index>.ogf: see fonts.js); without it, or when a file cannot be
 *   read, text beyond the built-in families draws as missing-glyph boxes
 *
 * Function options get the env of the first request (a Worker's bindings).
 * @property {(msg: string, err?: unknown) => void} [log]
 */

/**
 * @typedef {object} ImageSettingsRaw raw strings, as the environment gives them
 * @property {string} [allowHosts] OGMINT_IMAGE_ALLOW_HOSTS: host[:port],... exempt from the SSRF guard, http allowed
 * @property {string} [timeoutMs] OGMINT_IMAGE_TIMEOUT_MS (default 3000)
 * @property {string} [maxBytes] OGMINT_IMAGE_MAX_BYTES (default and maximum 4 MiB)
 */

/**
 * Builds the fetch handler: (request, {waitUntil}) => Promise<Response>.
 * @param {HandlerOptions} opt
 */
/**
 * The request with the bundled version (tv) of the custom template it
 * names, as the host adds the version of OGMINT_TEMPLATES_DIR's; other
 * requests as they are (a tv given by the client never counts).
 * @param {Uint8Array} req a query string url.ParseQuery reads
 */
export function withTemplateVersion(req, bundled) {
  const q = new URLSearchParams(new TextDecoder().decode(req));
  const name = q.getAll("template");
  if (name.length !== 1 || !name[0].startsWith("custom_") || !Object.hasOwn(bundled, name[0])) return req;
  q.set("tv", String(bundled[name[0]].version));
  return new TextEncoder().encode(q.toString());
}

export function createHandler(opt) {
  const holder = new InstanceHolder(opt.loadModule);
  const log = opt.log ?? ((msg, err) => console.error(`ogmint-edge: ${msg}`, err ?? ""));
  const flight = new Map(); // ETag -> Promise<{png, encoder}>: one render per card at a time
  let cachePromise = null;
  let cacheState = opt.cache ? "unresolved" : "off"; // then "on" or "off"
  const stats = { renders: 0, cacheHits: 0, encodeFallbacks: 0, fontHandOvers: 0 };
  let scratch = null; // scanlines for the synchronous encoder, reused

  // The encoder is chosen at the first request, not here: workerd refuses to
  // construct streams in the global scope, where createHandler runs.
  let encoder = null;
  function available(name) {
    if (name === "zlib") return typeof opt.deflateSync === "function";
    if (name === "stream") return hasCompressionStream();
    return true;
  }
  let env0; // the first request's env (Worker bindings)
  let images = null; // parsed image settings, from env0
  function imageConfig() {
    if (images) return images;
    const raw = typeof opt.images === "function" ? opt.images(env0) : opt.images;
    images = imageSettings(raw ?? {}, (msg) => log(msg));
    return images;
  }
  const doFetch = opt.fetch ?? ((u, init) => fetch(u, init));
  // Custom templates bundled with make edge TEMPLATES=dir: name -> {version, json}.
  const bundled = opt.templates ?? {};
  const templateBytes = new Map(); // name -> UTF-8 JSON, encoded once
  /**
   * Hands inst the bundled template a NEED_TEMPLATE answer names (body);
   * throws the module's 400 for a template it refuses.
   */
  function handTemplate(inst, body) {
    const name = new TextDecoder().decode(body);
    const t = Object.hasOwn(bundled, name) ? bundled[name] : null;
    if (!t) throw new HttpError(404, "template not found", { details: [{ field: "template", message: `no custom template "${name}"` }] });
    let b = templateBytes.get(name);
    if (!b) templateBytes.set(name, (b = new TextEncoder().encode(t.json)));
    const refused = inst.addTemplate(b);
    if (refused) {
      log(`bundled template ${name} refused by the renderer`, new TextDecoder().decode(refused));
      throw new HttpError(500, "bundled template refused by the renderer");
    }
  }
  // Fallback families, read on demand and kept for the isolate's life.
  const fonts = opt.readFont ? new FontStore((file) => opt.readFont(file, env0), log) : null;
  function currentEncoder() {
    if (encoder) return encoder;
    const asked = typeof opt.encoder === "function" ? opt.encoder(env0) : opt.encoder;
    const want = asked && asked !== "auto" ? asked : DEFAULT_ENCODER;
    if (!ENCODERS.includes(want)) log(`unknown encoder ${JSON.stringify(want)}; using the first available`);
    const from = Math.max(0, ENCODERS.indexOf(want));
    encoder = ENCODERS.slice(from).find(available);
    return encoder;
  }
  function downgrade(failed, err) {
    const next = ENCODERS.slice(ENCODERS.indexOf(failed) + 1).find(available);
    log(`encoder ${failed} failed; using ${next} from now on`, err);
    stats.encodeFallbacks++;
    encoder = next;
  }

  function getCache() {
    if (cacheState === "off") return Promise.resolve(null);
    cachePromise ??= Promise.resolve()
      .then(() => opt.cache(env0))
      .then(
        (c) => {
          if (cacheState === "unresolved") cacheState = c ? "on" : "off";
          return c;
        },
        (err) => {
          log("cache unavailable", err);
          cacheState = "off";
          return null;
        },
      );
    return cachePromise.then((c) => (cacheState === "off" ? null : c));
  }

  /**
   * Renders and encodes one card with the current encoder, falling back to
   * the next one if it fails. Throws HttpError or ModuleFault.
   * @returns {Promise<{png: Uint8Array, encoder: string}>}
   */
  async function render(req, canonical) {
    // avatar and logo, fetched concurrently before the module is touched.
    let imgs;
    try {
      imgs = await fetchImages(canonical, imageConfig(), doFetch);
    } catch (err) {
      if (!(err instanceof ImageErrors)) throw err;
      for (const e of err.errors) log(`image fetch failed: ${e.field}`, e.detail);
      throw new HttpError(400, "invalid parameters", {
        details: err.errors.map((e) => ({ field: e.field, message: e.message })),
      });
    }
    const given = new Map(); // family index -> packed bytes this request read
    const tried = new Set(); // families this request asked for: each at most once
    let catalogTried = false;
    for (;;) {
      const enc = currentEncoder();
      const inst = await holder.get();
      handOver(inst, given); // a replaced instance gets them again
      let r = inst.render(req, imgs);
      if (r.status === Status.NEED_TEMPLATE) {
        // A fresh instance: hand it the template, then render afresh.
        handTemplate(inst, r.body);
        r = inst.render(req, imgs);
      }
      if (r.status === Status.NEED_FONTS) {
        // Fonts the instance lacks: read the families that own these runes
        // (once per isolate), hand them over and render afresh. What no
        // family draws, or a family that cannot be read, is drawn as boxes.
        const runes = decodeRunes(r.body);
        let cat = fonts?.catalog;
        let waited = false;
        if (fonts && !cat && !catalogTried) {
          catalogTried = true;
          cat = await fonts.loadCatalog();
          waited = true;
        }
        const want = cat ? cat.needed(runes).filter((i) => !inst.fonts.has(i) && !tried.has(i)) : [];
        if (want.length > 0) {
          for (const i of want) tried.add(i);
          const got = await Promise.all(want.map((i) => fonts.family(i)));
          got.forEach((b, k) => b && given.set(want[k], b));
          continue;
        }
        // Other requests may have used the instance during an await: then
        // render afresh (the module asks again, and this time nothing new is
        // wanted); otherwise the same request once more, which draws boxes.
        if (waited) continue;
        r = inst.renderAgain(req);
      }
      if (r.status !== Status.OK) throw new HttpError(moduleStatus(r.status), r.body);
      stats.renders++;
      try {
        if (enc === "module") return { png: inst.encodePNG(), encoder: enc };
        const { width, height } = inst.frameSize();
        if (enc === "zlib") {
          const size = (1 + width * 3) * height;
          if (!scratch || scratch.length !== size) scratch = new Uint8Array(size);
          const lines = scanlines(inst.pixels(), width, height, scratch);
          return { png: assemble(width, height, opt.deflateSync(lines, { level: 1 })), encoder: enc };
        }
        // Copy the frame out before the await: the instance is free for the
        // next request as soon as scanlines() returns.
        const lines = scanlines(inst.pixels(), width, height);
        return { png: assemble(width, height, await deflateStream(lines)), encoder: enc };
      } catch (err) {
        if (enc === "module" || err instanceof ModuleFault) throw err;
        if (encoder === enc) downgrade(enc, err);
      }
    }
  }

  /** Hands inst the families of given it does not have yet (synchronously). */
  function handOver(inst, given) {
    for (const [i, packed] of given) {
      if (inst.fonts.has(i)) continue;
      const refused = inst.addFont(i, packed);
      if (refused) {
        log(`font family ${fonts.catalog.families[i].name} refused by the module; its runes draw as boxes`, refused);
        given.delete(i);
      } else {
        stats.fontHandOvers++;
      }
    }
  }

  async function renderOnce(etag, req, canonical) {
    let p = flight.get(etag);
    if (!p) {
      p = render(req, canonical).finally(() => flight.delete(etag));
      flight.set(etag, p);
    }
    return p;
  }

  /** GET/HEAD /api/og */
  async function v1(request, url, ctx) {
    // No API keys are configured at the edge: like a host with none, any
    // x-api-key is a wrong key (the host's checkKey).
    if (request.headers.get("x-api-key")) {
      throw new HttpError(401, "invalid API key", { details: [{ field: "x-api-key", message: "unknown key" }] });
    }
    const query = url.search.startsWith("?") ? url.search.slice(1) : url.search;
    if (new TextEncoder().encode(query).length > MAX_REQUEST) {
      throw badRequest("query", `query string longer than ${MAX_REQUEST} bytes`);
    }
    const req = withTemplateVersion(requestBytes(query), bundled);
    const inst = await holder.get();
    let v = inst.validate(req);
    if (v.status === Status.NEED_TEMPLATE) {
      handTemplate(inst, v.body);
      v = inst.validate(req);
    }
    if (v.status !== Status.OK) throw new HttpError(moduleStatus(v.status), v.body);
    const canonical = new TextDecoder().decode(v.body);
    // The module validated format and quality; it only encodes PNG, and the
    // edge has no JPEG or WebP encoder: say so rather than answer a PNG.
    const format = new URLSearchParams(canonical).get("format");
    if (format && format !== "png") {
      throw badRequest("format", `format not supported at the edge: ${format}; only png here (the host API encodes jpeg and webp)`);
    }
    // The host's ETag with the edge encoder's tag in place of "pngfast-1".
    const tagFor = (enc) => sha256Hex16(canonical + "\x00" + ENCODER_TAGS[enc]);
    const enc = currentEncoder();
    const tag = await tagFor(enc);
    const etag = `"${tag}"`;
    const headers = { ETag: etag, "Cache-Control": V1_CACHE_CONTROL };

    const inm = request.headers.get("If-None-Match");
    if (inm && etagMatch(inm, etag)) return new Response(null, { status: 304, headers });

    const cache = await getCache();
    const key = cache ? new Request(`${url.origin}/__ogmint/v1/${tag}`) : null;
    let png = null;
    if (cache) {
      try {
        const hit = await cache.match(key);
        if (hit && hit.status === 200) {
          png = new Uint8Array(await hit.arrayBuffer());
          stats.cacheHits++;
        }
      } catch (err) {
        // A bare workerd has caches.default but "No Cache was configured":
        // serve without one rather than log on every request.
        cacheState = "off";
        log("cache match failed; serving without the Cache API from now on", err);
      }
    }
    if (!png) {
      // Not served from the cache nor a 304: render, fetching avatar and logo first.
      const out = await renderOnce(etag, req, canonical);
      png = out.png;
      if (out.encoder !== enc) headers.ETag = `"${await tagFor(out.encoder)}"`; // fell back
      if (cache && cacheState === "on") {
        const stored = new Response(png, { headers: { ...headers, "Content-Type": "image/png" } });
        const put = cache.put(key, stored).catch((err) => log("cache put failed", err));
        if (ctx && ctx.waitUntil) ctx.waitUntil(put);
      }
    }
    return pngResponse(request, png, headers);
  }

  function pngResponse(request, png, headers) {
    const h = new Headers({ ...headers, "Content-Type": "image/png", "Content-Length": String(png.length) });
    return new Response(request.method === "HEAD" ? null : png, { status: 200, headers: h });
  }

  async function templates() {
    const inst = await holder.get();
    return new Response(inst.info(), {
      headers: { "Content-Type": JSON_TYPE, "Cache-Control": "public, max-age=300" },
    });
  }

  function healthz() {
    const live = holder.current && !holder.current.broken ? 1 : 0;
    const body = {
      status: "ok",
      runtime: opt.runtime,
      encoder: encoder ?? "undecided",
      cache: cacheState,
      instances: live,
      instantiated: holder.stats.instances,
      replaced: holder.stats.replaced,
      renders: stats.renders,
      cache_hits: stats.cacheHits,
      // Fallback families: in the live instance, handed over, read (files, bytes), unreadable.
      font_families: live ? holder.current.fonts.size : 0,
      font_hand_overs: stats.fontHandOvers,
      font_reads: fonts ? fonts.stats.fetches : 0,
      font_read_bytes: fonts ? fonts.stats.fetchedBytes : 0,
      font_failures: fonts ? fonts.stats.failures : 0,
    };
    return new Response(JSON.stringify(body), { headers: { "Content-Type": JSON_TYPE, "Cache-Control": "no-store" } });
  }

  function errorResponse(request, err) {
    let e = err;
    if (!(e instanceof HttpError)) {
      log(e instanceof ModuleFault ? "module fault" : "request failed", e);
      e = new HttpError(500, "internal error");
    } else if (e.status >= 500) {
      log("request failed", e.raw ? new TextDecoder().decode(e.raw) : e.message);
    }
    const headers = new Headers({ "Content-Type": JSON_TYPE, "Cache-Control": "no-store" });
    if (e.allow) headers.set("Allow", e.allow);
    return new Response(request.method === "HEAD" ? null : e.body(), { status: e.status, headers });
  }

  const routes = {
    "/api/og": v1,
    "/api/templates": templates,
    "/healthz": healthz,
  };

  /**
   * @param {Request} request
   * @param {{waitUntil?: (p: Promise<unknown>) => void}} [ctx]
   * @param {object} [env] the runtime's bindings, passed to function options
   */
  async function handle(request, ctx, env) {
    env0 ??= env ?? {};
    try {
      const url = new URL(request.url);
      const route = routes[normalizePath(url.pathname)];
      if (!route) throw new HttpError(404, "not found");
      if (request.method !== "GET" && request.method !== "HEAD") {
        throw new HttpError(405, "method not allowed", { allow: "GET, HEAD" });
      }
      return await route(request, url, ctx);
    } catch (err) {
      return errorResponse(request, err);
    }
  }
  /**
   * Instantiates the module and runs Go's init ahead of the first request:
   * synchronously when the compiled module is at hand (Workers' global
   * scope, where it counts against the 1 s start-up limit rather than the
   * first request's CPU), else in the background followed by one warm-up
   * render (Deno). The Worker skips that render: measured here it added
   * ~400 ms of start-up, too close to the limit, for little gain on the first
   * request. Never throws: the first request retries.
   */
  handle.prewarm = () => {
    try {
      holder.prewarmSync();
    } catch {
      holder
        .get()
        .then(warm)
        .catch((err) => log("prewarm failed; the first request will retry", err));
    }
  };
  // One render of a typical card: V8 compiles the draw path and the glyph
  // cache fills, so the first real request costs what the others do.
  function warm(inst) {
    if (!inst || inst.broken) return;
    const r = inst.render(WARM_CARD);
    if (r.status !== Status.OK) return;
    if (!scratch || scratch.length !== (1 + WIDTH * 3) * HEIGHT) scratch = new Uint8Array((1 + WIDTH * 3) * HEIGHT);
    scanlines(inst.pixels(), WIDTH, HEIGHT, scratch);
  }
  handle.holder = holder; // for tests
  return handle;
}
