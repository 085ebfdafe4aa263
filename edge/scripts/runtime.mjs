// Starting and stopping the real runtimes (workerd, Deno) from the npm
// packages in edge/node_modules, for `make edge-serve`, the tests and the
// benchmark. Everything listens on 127.0.0.1 only.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const EDGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = path.join(EDGE, "dist");
// Also in edge/wrangler.toml.
export const COMPATIBILITY_DATE = "2025-11-01";

const require = createRequire(import.meta.url);

/** Path of the workerd binary shipped by the npm package `workerd`. */
export async function workerdBinary() {
  return require("workerd").default;
}

/** Path of the deno binary shipped by the npm package `deno`. */
export function denoBinary() {
  return require("deno/install_api.cjs").runInstall();
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The command line that serves dist/ in runtime on 127.0.0.1:port.
 * @param {{denoDir?: string}} [opt]
 */
export async function command(runtime, port, opt = {}) {
  if (runtime === "workerd") {
    const dir = path.join(DIST, "worker");
    return {
      bin: await workerdBinary(),
      args: ["serve", path.join(dir, "config.capnp"), "--socket-addr", `http=127.0.0.1:${port}`],
      env: {},
    };
  }
  if (runtime === "deno") {
    const dir = path.join(DIST, "deno");
    const denoDir = opt.denoDir || process.env.DENO_DIR || path.join(os.tmpdir(), "ogmint-edge-deno");
    return {
      bin: denoBinary(),
      args: [
        "serve",
        "--no-config",
        "--no-lock",
        "--quiet",
        `--allow-read=${path.join(dir, "ogmint.wasm")}`,
        "--allow-env=OGMINT_ENCODER,OGMINT_CACHE",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        path.join(dir, "main.js"),
      ],
      env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" },
    };
  }
  throw new Error(`unknown runtime ${JSON.stringify(runtime)} (workerd or deno)`);
}

/**
 * Starts runtime serving dist/ and waits until /healthz answers.
 * @param {"workerd" | "deno"} runtime
 * @param {{port?: number, timeoutMs?: number, stdio?: "pipe" | "inherit", env?: Record<string, string>, denoDir?: string}} [opt]
 *   env: extra environment (OGMINT_ENCODER, OGMINT_CACHE); denoDir: Deno's cache directory
 * @returns {Promise<{base: string, port: number, child: import("node:child_process").ChildProcess, output: () => string, stop: () => Promise<void>}>}
 */
export async function start(runtime, { port, timeoutMs = 60000, stdio = "pipe", env = {}, denoDir } = {}) {
  for (const f of ["worker/config.capnp", "deno/main.js"]) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`edge/dist/${f} missing: run \`make edge\``);
  }
  port ??= await freePort();
  const cmd = await command(runtime, port, { denoDir });
  const child = spawn(cmd.bin, cmd.args, {
    env: { ...process.env, ...cmd.env, ...env },
    stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (d) => {
    out += d;
    if (out.length > 64 << 10) out = out.slice(-(32 << 10));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise((resolve) => child.once("exit", (code, sig) => resolve(`exited (${code ?? sig})`)));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
  };
  const deadline = Date.now() + timeoutMs;
  let done = null;
  exited.then((why) => (done = why));
  while (Date.now() < deadline) {
    if (done) throw new Error(`${runtime} ${done} before it was ready:\n${out}`);
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) {
        await r.arrayBuffer();
        return { base, port, child, output: () => out, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${runtime} not ready after ${timeoutMs} ms:\n${out}`);
}
