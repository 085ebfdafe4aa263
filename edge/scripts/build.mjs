// Builds the deployable bundles into edge/dist/ from edge/src and the render
// module (bin/ogmint.wasm, built by `make wasm`):
//   dist/worker/  Cloudflare Worker: worker.js + its modules + ogmint.wasm
//                 (wrangler deploys it with edge/wrangler.toml), and for the
//                 local workerd config.capnp + local-cache.js (a stand-in for
//                 Cloudflare's cache behind caches.default)
//   dist/deno/    Deno: main.js (the `deno serve` entry), deploy.js (the same
//                 handler through Deno.serve) + modules + ogmint.wasm, and
//                 fonts/ (hard links to dist/fonts: the directory deploys alone)
//   dist/fonts/   the fallback font families the adapter hands to the module
//                 on demand (manifest.json + <index>.ogf), written by
//                 `go run ./internal/cmd/edgefonts` (or copied from the
//                 directory OGMINT_FONTS names); the Worker's static assets
// The source is plain ES modules, so "building" is a copy: what runs in the
// tests is byte for byte what is deployed.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FONTS_DIR, SHARED_MODULES, workerdConfig } from "./runtime.mjs";

const edge = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wasm = process.env.OGMINT_WASM || path.join(edge, "..", "bin", "ogmint.wasm");
const dist = path.join(edge, "dist");
const shared = SHARED_MODULES;
const root = path.resolve(edge, "..");

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

// Custom templates (TEMPLATES=dir: every <name>.json is custom_<name>),
// validated as the host validates OGMINT_TEMPLATES_DIR; none without it.
{
  const go = process.env.GO || "go";
  const out = path.join(dist, "worker", "templates.js");
  const dir = process.env.TEMPLATES ? path.resolve(root, process.env.TEMPLATES) : "";
  execFileSync(go, ["run", "./internal/cmd/edgetemplates", "-dir", dir, "-out", out], { cwd: root, stdio: "inherit" });
  fs.copyFileSync(out, path.join(dist, "deno", "templates.js"));
}

// The fallback fonts: written to a fresh directory, then swapped in.
const tmp = `${FONTS_DIR}.tmp`;
fs.rmSync(tmp, { recursive: true, force: true });
if (process.env.OGMINT_FONTS) {
  fs.cpSync(process.env.OGMINT_FONTS, tmp, { recursive: true });
} else {
  const go = process.env.GO || "go";
  execFileSync(go, ["run", "./internal/cmd/edgefonts", "-out", tmp], { cwd: root, stdio: "inherit" });
}
if (!fs.existsSync(path.join(tmp, "manifest.json"))) {
  console.error("build: no manifest.json in the fonts directory");
  process.exit(1);
}
fs.rmSync(FONTS_DIR, { recursive: true, force: true });
fs.renameSync(tmp, FONTS_DIR);
const denoFonts = path.join(dist, "deno", "fonts");
fs.mkdirSync(denoFonts);
let fontBytes = 0;
for (const f of fs.readdirSync(FONTS_DIR)) {
  const from = path.join(FONTS_DIR, f);
  fontBytes += fs.statSync(from).size;
  try {
    fs.linkSync(from, path.join(denoFonts, f));
  } catch {
    fs.copyFileSync(from, path.join(denoFonts, f));
  }
}

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
console.log(`edge: dist/worker, dist/deno and dist/fonts built (module ${mb(fs.statSync(wasm).size)} raw, fonts ${mb(fontBytes)})`);
