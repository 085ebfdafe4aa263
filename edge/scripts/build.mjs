// Builds the deployable bundles into edge/dist/ from edge/src and the render
// module (bin/ogmint.wasm, built by `make wasm`):
//   dist/worker/  Cloudflare Worker: worker.js + its modules + ogmint.wasm
//                 (wrangler deploys it with edge/wrangler.toml), and for the
//                 local workerd config.capnp + local-cache.js (a stand-in for
//                 Cloudflare's cache behind caches.default)
//   dist/deno/    Deno: main.js (the `deno serve` entry), deploy.js (the same
//                 handler through Deno.serve) + modules + ogmint.wasm
// The source is plain ES modules, so "building" is a copy: what runs in the
// tests is byte for byte what is deployed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SHARED_MODULES, workerdConfig } from "./runtime.mjs";

const edge = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wasm = process.env.OGMINT_WASM || path.join(edge, "..", "bin", "ogmint.wasm");
const dist = path.join(edge, "dist");
const shared = SHARED_MODULES;

if (!fs.existsSync(wasm)) {
  console.error(`build: ${wasm} missing (run \`make wasm\`)`);
  process.exit(1);
}

function bundle(dir, entry, entryName) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of shared) fs.copyFileSync(path.join(edge, "src", f), path.join(dir, f));
  fs.copyFileSync(path.join(edge, "src", entry), path.join(dir, entryName));
  fs.copyFileSync(wasm, path.join(dir, "ogmint.wasm"));
}

bundle(path.join(dist, "worker"), "worker.js", "worker.js");
// Local workerd only (config.capnp): not imported by the Worker, not deployed.
fs.copyFileSync(path.join(edge, "scripts", "workerd-cache.js"), path.join(dist, "worker", "local-cache.js"));
fs.writeFileSync(path.join(dist, "worker", "config.capnp"), workerdConfig());

bundle(path.join(dist, "deno"), "deno.js", "main.js");
fs.copyFileSync(path.join(edge, "src", "deno-deploy.js"), path.join(dist, "deno", "deploy.js"));

const size = fs.statSync(wasm).size;
console.log(`edge: dist/worker and dist/deno built (module ${(size / 1e6).toFixed(2)} MB raw)`);
