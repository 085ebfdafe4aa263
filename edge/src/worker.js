// Cloudflare Worker (module syntax) entry point. Workers cannot compile Wasm
// from bytes at run time: the module is imported, and wrangler (or workerd's
// config.capnp) uploads it as a compiled Wasm module next to this file.
// Needs the nodejs_compat flag for node:zlib (the native deflate of the
// zlib encoder; the default encoder is the module's, see png.js).
// The fallback font families (fonts.js) are static files behind the FONTS
// binding: on Cloudflare the Worker's static assets (wrangler.toml [assets],
// the directory dist/fonts), in the local workerd a disk service serving that
// directory (config.capnp). Both answer GET /<file>.
import { deflateSync } from "node:zlib";
import wasm from "./ogmint.wasm";
import { createHandler } from "./adapter.js";
import templates from "./templates.js";

const handle = createHandler({
  templates, // custom templates: make edge TEMPLATES=dir
  runtime: "workerd",
  loadModule: () => wasm,
  deflateSync,
  // "auto" (default: the module's encoder), or force "zlib" / "stream" /
  // "module" with a var.
  encoder: (env) => env.OGMINT_ENCODER || "auto",
  // The Workers Cache API: per data centre; a no-op on *.workers.dev, and
  // "No Cache was configured" in a bare workerd (then it is off). The var
  // OGMINT_CACHE=off turns it off.
  cache: (env) => (env.OGMINT_CACHE !== "off" && typeof caches !== "undefined" && caches.default) || null,
  // avatar and logo fetches (see images.js): vars or secrets.
  images: (env) => ({
    allowHosts: env.OGMINT_IMAGE_ALLOW_HOSTS,
    timeoutMs: env.OGMINT_IMAGE_TIMEOUT_MS,
    maxBytes: env.OGMINT_IMAGE_MAX_BYTES,
  }),
  readFont,
});

/** A file of the fonts directory through the FONTS binding (read during a request). */
async function readFont(file, env) {
  if (!env || !env.FONTS) throw new Error("no FONTS binding (wrangler.toml [assets])");
  const r = await env.FONTS.fetch(`https://fonts.invalid/${file}`);
  if (r.status !== 200) {
    await r.body?.cancel();
    throw new Error(`FONTS ${file}: HTTP ${r.status}`);
  }
  return new Uint8Array(await r.arrayBuffer());
}

// Instantiate the module and run Go's init now, in the global scope: that
// counts against the Worker's start-up limit (1 s), not against the first
// request's CPU time (10 ms on the free plan).
handle.prewarm();

export default {
  fetch(request, env, ctx) {
    return handle(request, ctx, env);
  },
};
