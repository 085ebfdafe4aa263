// Per-render latency of the benchmark blog card (internal/benchcard: distinct
// title per request, so nothing is cached) over HTTP on 127.0.0.1, measured
// from outside the runtime (workerd's clocks do not advance during a request):
// scripts/loadgen's latency mode (20 warm-up requests, then N sequential),
// and the runtime process's CPU time from /proc over the same requests.
// Prints a markdown section for docs/benchmarks.md. Run by scripts/edge-bench.sh.
// Each server is pre-warmed (70 requests, 3 s) so background compilation
// (V8's TurboFan tier-up of the 7 MB module) is neither timed nor counted.
//   node scripts/bench.mjs --loadgen PATH --host bin/ogmint [--n 200]
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { EDGE, freePort, start } from "./runtime.mjs";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const loadgen = arg("loadgen");
const hostBin = arg("host");
const n = Number(arg("n", "200"));
const root = path.resolve(EDGE, "..");
const wasmFile = path.join(root, "bin", "ogmint.wasm");
const TICK = 100; // USER_HZ: /proc/<pid>/stat times are in 1/100 s

/** CPU milliseconds (user + system, all threads) of a process so far. */
function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
}

function measure(base, pid) {
  // Pre-warm, then let V8 (or wazero) finish compiling in the background:
  // otherwise the first requests run on baseline code and the CPU reading
  // counts the optimizing compiler's threads.
  execFileSync(loadgen, ["-mode", "latency", "-url", base, "-n", "50", "-c", "1"], { encoding: "utf8" });
  execFileSync("sleep", ["3"]);
  const before = cpuMs(pid);
  const out = JSON.parse(execFileSync(loadgen, ["-mode", "latency", "-url", base, "-n", String(n), "-c", "1"], { encoding: "utf8" }));
  const cpu = (cpuMs(pid) - before) / (n + 20); // loadgen warms up with 20 requests
  return { ...out, cpu_ms: Math.round(cpu * 100) / 100 };
}

async function edgeRun(runtime, encoder) {
  const t0 = performance.now();
  // stdio inherited: loadgen runs synchronously, so nothing would drain a pipe.
  const rt = await start(runtime, { env: { OGMINT_ENCODER: encoder, OGMINT_CACHE: "off" }, denoDir: tmp, stdio: "inherit" });
  const ready = performance.now() - t0;
  try {
    // Cold: the first card instantiates the module and runs Go's init.
    const t1 = performance.now();
    const r = await fetch(`${rt.base}/api/og?template=blog&title=Cold+start&author=Ada+Lovelace`);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${runtime}: first card ${r.status}`);
    const first = performance.now() - t1;
    return { ...measure(rt.base, rt.child.pid), ready_ms: Math.round(ready), first_ms: Math.round(first) };
  } finally {
    await rt.stop();
  }
}

async function hostRun() {
  const port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-edge-bench-host-"));
  // The host logs every request: to a file, since loadgen runs synchronously
  // and a pipe nobody drains would block the host.
  const logFile = path.join(data, "host.log");
  const log = fs.openSync(logFile, "w");
  const child = spawn(hostBin, ["serve"], {
    env: { ...process.env, OGMINT_ADDR: `127.0.0.1:${port}`, OGMINT_DATA_DIR: data },
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  const err = () => fs.readFileSync(logFile, "utf8").slice(-2000);
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
      if (i > 600 || child.exitCode !== null) throw new Error(`host did not start: ${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return measure(base, child.pid);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    fs.rmSync(data, { recursive: true, force: true });
  }
}

function goBench(pkg, pattern) {
  const out = execFileSync("go", ["test", "-run", "XXX", "-bench", pattern, "-benchtime", "300x", "-count", "3", pkg], {
    cwd: root,
    encoding: "utf8",
  });
  return out
    .split("\n")
    .filter((l) => l.startsWith("Benchmark"))
    .map((l) => l.replace(/\s+/g, " "));
}

const loadBefore = os.loadavg()[0].toFixed(2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-edge-bench-deno-"));
const rows = [];
try {
  for (const runtime of ["workerd", "deno"]) {
    for (const encoder of ["zlib", "stream", "module"]) {
      const r = await edgeRun(runtime, encoder);
      const label = { zlib: "node:zlib level 1 (default)", stream: "CompressionStream (level 6)", module: "module's encoder" }[encoder];
      rows.push([`${runtime}, ${label}`, r]);
    }
  }
  if (hostBin) {
    const name = "Go host (wazero pool + native pngfast), bin/ogmint";
    try {
      rows.push([name, await hostRun()]);
    } catch (err) {
      console.error(err);
      rows.push([`${name}: failed (${String(err.message).split("\n").pop() || err})`, {}]);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const wasm = fs.readFileSync(wasmFile);
const gz = zlib.gzipSync(wasm, { level: 9 }).length;
const br = zlib.brotliCompressSync(wasm, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
}).length;
const mb = (b) => (b / 1e6).toFixed(2);
const native = goBench("./wasm/module/", "RenderBlogNative");
const wazero = goBench("./host/renderpool/", "^BenchmarkRenderBlog$|^BenchmarkRenderBlogPNG$");

const loadAfter = os.loadavg()[0].toFixed(2);
let md = "";
md += `### Run of ${new Date().toISOString().slice(0, 16)}Z on ${os.cpus().length} cores `;
md += `(1-minute load average ${loadBefore} at the start, ${loadAfter} at the end; the machine is shared)\n\n`;
md += `Warm blog card (internal/benchcard, distinct title per request), ${n} sequential requests after 20 warm-up `;
md += "(each server first pre-warmed with 70 requests and 3 s for background compilation), ";
md += "one keep-alive client (scripts/loadgen) on 127.0.0.1. Latency is wall time per request as the client sees it; ";
md += "CPU is the runtime process's user+system time (all threads, HTTP included) divided by the requests. ";
md += "Start to ready: process spawn until /healthz answers; first card: the first render of a fresh process ";
md += "(module instantiation and Go's init included).\n\n";
md += "| server | p50 ms | p90 ms | p99 ms | CPU ms/request | start to ready ms | first card ms |\n|---|---|---|---|---|---|---|\n";
for (const [name, r] of rows) {
  md += `| ${name} | ${r.p50_ms} | ${r.p90_ms} | ${r.p99_ms} | ${r.cpu_ms} | ${r.ready_ms ?? "-"} | ${r.first_ms ?? "-"} |\n`;
}
md += "\nIn-process Go benchmarks on the same machine (no HTTP):\n```\n" + [...native, ...wazero].join("\n") + "\n```\n";
md += `\nModule size: ${mb(wasm.length)} MB raw, ${mb(gz)} MB gzip -9, ${mb(br)} MB brotli -11 `;
md += "(Cloudflare Workers: 3 MB compressed on Free, 10 MB on Paid).\n";
console.log(md);
