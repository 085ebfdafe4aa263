// `make edge-serve RUNTIME=workerd|deno PORT=n`: serves the V1 endpoint from
// edge/dist in the real runtime on 127.0.0.1:PORT until interrupted.
//   node scripts/serve.mjs [workerd|deno] [port]
import { start } from "./runtime.mjs";

const runtime = process.argv[2] || process.env.RUNTIME || "workerd";
const port = Number(process.argv[3] || process.env.PORT || 8787);

const rt = await start(runtime, { port, stdio: "inherit" });
console.log(`ogmint edge (${runtime}) on ${rt.base}  e.g. ${rt.base}/api/og?template=blog&title=Hello+World`);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    await rt.stop();
    process.exit(0);
  });
}
rt.child.on("exit", (code) => process.exit(code ?? 1));
