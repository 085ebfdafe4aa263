// Deno entry point for `deno serve` (and Deno Deploy): a default export with a
// fetch handler. Deno can compile Wasm from bytes, so the module is read from
// the file next to this one (needs --allow-read for that file), and so are the
// fallback font families (fonts.js) from the directory fonts/ next to it
// (--allow-read for it too), when a text first needs them. Fetching the
// avatar and logo images needs --allow-net.
import { deflateSync } from "node:zlib";
import { createHandler } from "./adapter.js";
import templates from "./templates.js";

function env(name) {
  try {
    return Deno.env.get(name); // needs --allow-env=name; absent otherwise
  } catch {
    return undefined;
  }
}

const handle = createHandler({
  templates, // custom templates: make edge TEMPLATES=dir
  runtime: "deno",
  loadModule: async () => WebAssembly.compile(await Deno.readFile(new URL("./ogmint.wasm", import.meta.url))),
  deflateSync,
  encoder: env("OGMINT_ENCODER") || "auto",
  // Deno's Web Cache API (on disk locally, per region on Deno Deploy), unless
  // OGMINT_CACHE=off.
  cache: () =>
    env("OGMINT_CACHE") !== "off" && typeof caches !== "undefined" && caches.open ? caches.open("ogmint-v1") : null,
  // avatar and logo fetches (see images.js); fetching needs --allow-net.
  images: {
    allowHosts: env("OGMINT_IMAGE_ALLOW_HOSTS"),
    timeoutMs: env("OGMINT_IMAGE_TIMEOUT_MS"),
    maxBytes: env("OGMINT_IMAGE_MAX_BYTES"),
  },
  readFont: (file) => Deno.readFile(new URL(`./fonts/${file}`, import.meta.url)),
});

// Instantiate in the background at start, so the first request finds it warm.
handle.prewarm();

export default {
  fetch(request) {
    return handle(request);
  },
};
