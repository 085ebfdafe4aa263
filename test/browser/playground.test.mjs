// ogmint's pages in Debian's Chromium (playwright-core drives it): the real
// server (bin/ogmint, or one built here) on 127.0.0.1 with an API key, and
// the home page and the playground, whose preview the browser renders with
// the server's own module. Screenshots, the server's log and the measured
// per-keystroke times go to $OGMINT_ARTIFACTS, or a fresh directory under
// the system's temp dir; the test prints which.
//
//   make test-browser          (or: cd test/browser && npm ci && OGMINT_BIN=../../bin/ogmint npm test)
//
// Skipped, saying why, when Chromium (CHROMIUM, or chromium on PATH) or the
// npm packages are missing.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const KEY = "browser-test-key-0123456789abcdef";

function which(cmd) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

const CHROMIUM = process.env.CHROMIUM || which("chromium") || which("chromium-browser");
let pw = null;
let PNG = null;
let missing = null;
try {
  pw = await import("playwright-core");
  ({ PNG } = await import("pngjs"));
} catch {
  missing = "the npm packages are not installed (cd test/browser && npm ci)";
}
if (!CHROMIUM) missing = "Chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM)";

let ARTIFACTS; // set when the tests run

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The ogmint server: OGMINT_BIN, or built from this checkout. */
async function startServer() {
  let bin = process.env.OGMINT_BIN ? path.resolve(process.env.OGMINT_BIN) : null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-browser-data-"));
  if (!bin) {
    bin = path.join(dataDir, "ogmint");
    execFileSync(process.env.GO ?? "go", ["build", "-o", bin, "./host/cmd/ogmint"], { cwd: ROOT, stdio: "inherit" });
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(ARTIFACTS, "server.log"), "w");
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("OGMINT_")) delete env[k];
  Object.assign(env, {
    OGMINT_ADDR: `127.0.0.1:${port}`,
    OGMINT_DATA_DIR: dataDir,
    OGMINT_API_KEYS: KEY,
    OGMINT_INSTANCES: "1",
    OGMINT_PUBLIC_URL: base,
  });
  const proc = spawn(bin, ["serve"], { cwd: ROOT, env, stdio: ["ignore", log, log] });
  let exited = null;
  proc.on("exit", (code) => (exited = code));
  const stop = async () => {
    if (exited === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => (exited !== null ? r() : proc.on("exit", r)));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if (exited !== null) throw new Error(`ogmint exited with ${exited}; see ${path.join(ARTIFACTS, "server.log")}`);
      if (Date.now() > deadline) throw new Error("ogmint did not get ready in 120 s");
    } catch (err) {
      await stop();
      throw err;
    }
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, stop };
}

/** The page's errors: console.error messages and uncaught exceptions. */
function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`exception: ${e.message}`));
  return errors;
}

/** Waits until the playground has drawn what its form says. */
async function settled(page) {
  await page.waitForFunction(
    () => {
      const h = window.ogmintPlayground;
      return h && !h.busy && h.drawn !== "" && h.drawn === h.query;
    },
    null,
    { timeout: 20_000 },
  );
}

/** The frame the page drew last, RGBA. */
async function browserFrame(page) {
  const f = await page.evaluate(() => {
    const d = window.ogmintPlayground.imageData;
    const bytes = new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length);
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return { width: d.width, height: d.height, b64: btoa(s) };
  });
  return { width: f.width, height: f.height, data: Buffer.from(f.b64, "base64") };
}

/** The server's PNG at url, decoded to RGBA. */
async function serverFrame(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}: ${res.status} ${await res.clone().text()}`);
  assert.equal(res.headers.get("content-type"), "image/png");
  const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
  return { width: png.width, height: png.height, data: png.data };
}

/** Asserts two frames are equal pixel for pixel; keeps both as PNGs when not. */
function assertSamePixels(got, want, name) {
  assert.equal(`${got.width}x${got.height}`, `${want.width}x${want.height}`, `${name}: frame size`);
  let differ = 0;
  for (let i = 0; i < got.data.length; i += 4) {
    if (got.data[i] !== want.data[i] || got.data[i + 1] !== want.data[i + 1] || got.data[i + 2] !== want.data[i + 2] || got.data[i + 3] !== want.data[i + 3]) differ++;
  }
  if (differ > 0) {
    for (const [tag, f] of [["browser", got], ["server", want]]) {
      const png = new PNG({ width: f.width, height: f.height });
      f.data.copy(png.data);
      fs.writeFileSync(path.join(ARTIFACTS, `${name}-${tag}.png`), PNG.sync.write(png));
    }
  }
  assert.equal(differ, 0, `${name}: ${differ} pixels differ between the browser and the server (both kept in ${ARTIFACTS})`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

describe("pages in Chromium", { skip: missing ?? false }, () => {
  let server;
  let browser;
  let page; // the playground, 1280 px wide, used by the tests in order
  let errors;

  before(async () => {
    ARTIFACTS = process.env.OGMINT_ARTIFACTS
      ? path.resolve(process.env.OGMINT_ARTIFACTS)
      : fs.mkdtempSync(path.join(os.tmpdir(), "ogmint-browser-"));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    console.log(`browser test artifacts (screenshots, server.log, timings.json): ${ARTIFACTS}`);
    server = await startServer();
    browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the home page shows an example card of every built-in template", async () => {
    const home = await browser.newPage({ viewport: { width: 1280, height: 2600 } });
    const errs = watchErrors(home);
    await home.goto(`${server.base}/`);
    const names = (await (await fetch(`${server.base}/api/templates`)).json()).templates.map((t) => t.name);
    await home.waitForFunction(
      (n) => {
        const imgs = [...document.querySelectorAll(".cards img")];
        return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth === 1200 && i.naturalHeight === 630);
      },
      names.length,
      { timeout: 20_000 },
    );
    const srcs = await home.$$eval(".cards img", (imgs) => imgs.map((i) => new URL(i.src).searchParams.get("template")));
    assert.deepEqual(srcs.sort(), [...names].sort());
    for (const href of ["/playground", "/api/templates"]) assert.ok(await home.$(`a[href="${href}"]`), `a link to ${href}`);
    await home.screenshot({ path: path.join(ARTIFACTS, "home.png"), fullPage: true });
    assert.deepEqual(errs, []);
    await home.close();
  });

  test("the playground renders in the browser with the server's module, without console errors", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
    await page.goto(`${server.base}/playground`);
    await settled(page);
    assert.equal(await page.evaluate(() => window.ogmintPlayground.mode), "browser");
    assert.match(await page.textContent("#preview-status"), /Rendered in your browser/);
    assert.equal(await page.getAttribute("#preview", "data-mode"), "browser");
    assert.deepEqual(errors, []);
  });

  test("typing a title changes the preview; the time from each keystroke to its preview", async () => {
    const before = await browserFrame(page);
    const n0 = await page.evaluate(() => window.ogmintPlayground.timings.length);
    await page.click("#f-title");
    await page.keyboard.press("ControlOrMeta+A");
    const title = "Cards drawn as you type them";
    await page.locator("#f-title").pressSequentially(title, { delay: 50 });
    await settled(page);
    const afterFrame = await browserFrame(page);
    assert.notDeepEqual(afterFrame.data, before.data, "the preview did not change");
    const timings = await page.evaluate((n) => window.ogmintPlayground.timings.slice(n), n0);
    const paints = await page.evaluate((n) => window.ogmintPlayground.paintTimings.slice(n), n0);
    assert.ok(timings.length >= 20, `${timings.length} keystrokes drew a preview of their own, want >= 20`);
    const last = timings.slice(-20);
    const result = {
      keystrokes: timings.length,
      medianMsToCanvas: +median(last).toFixed(2),
      maxMsToCanvas: +Math.max(...last).toFixed(2),
      medianMsToNextFrame: +median(paints.slice(-20)).toFixed(2),
      msToCanvas: timings.map((x) => +x.toFixed(2)),
    };
    fs.writeFileSync(path.join(ARTIFACTS, "timings.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(`per keystroke, input event to new preview on the canvas: median ${result.medianMsToCanvas} ms (max ${result.maxMsToCanvas} ms) of the last 20; to the next frame: median ${result.medianMsToNextFrame} ms`);
    assert.equal(new URL(await page.inputValue("#out-v1")).searchParams.get("title"), title);
    assert.deepEqual(errors, []);
  });

  test("the in-browser preview equals the server's PNG pixel for pixel", async () => {
    // Every option of the form at once, then every built-in template.
    await page.selectOption("#palette", "sunset");
    await page.selectOption("#font", "JetBrains Mono");
    await page.locator("#c-accentColor").fill("#0f9d58");
    await page.fill("#f-tag", "Pixels");
    await settled(page);
    const names = await page.$$eval("#template option", (os) => os.map((o) => o.value).filter((v) => v.startsWith("b:")));
    for (const v of names) {
      await page.selectOption("#template", v);
      await settled(page);
      const url = await page.inputValue("#out-v1");
      assert.equal(new URL(url).searchParams.get("accentColor"), "0f9d58");
      assertSamePixels(await browserFrame(page), await serverFrame(url), v.slice(2));
    }
    // World text: the browser is handed the fallback families the server has.
    await page.selectOption("#template", "b:blog");
    await page.selectOption("#font", "Inter");
    await page.fill("#f-title", "مرحبا بالعالم — Hello, שלום");
    await settled(page);
    assertSamePixels(await browserFrame(page), await serverFrame(await page.inputValue("#out-v1")), "world-text");
    await page.screenshot({ path: path.join(ARTIFACTS, "playground.png"), fullPage: true });
    assert.deepEqual(errors, []);
  });

  test("the editor shows each problem of a template at its line", async () => {
    await page.click("#tab-editor");
    await page.waitForFunction(() => document.getElementById("editor-text").value.includes('"elements"'));
    await settled(page);
    const broken = [
      "{", // 1
      '  "name": "Broken",', // 2
      '  "background": "bg",', // 3
      '  "elements": [', // 4
      '    {"type": "rect", "box": [0, 0, 1200, 630], "fill": "surface"},', // 5
      '    {"type": "text", "text": "{title}", "box": [40, 40, 500, 80], "size": [40, 60], "color": "text"},', // 6
      '    {"type": "rect", "box": [0, 0, 10, 10], "fill": "accent",', // 7
      '     "padding": 4}', // 8
      "  ]", // 9
      "}", // 10
    ].join("\n");
    await page.fill("#editor-text", broken);
    const problem = (pointer) => page.waitForSelector(`#editor-errors li[data-pointer="${pointer}"]`, { timeout: 10_000 });
    const box = await problem("/elements/1/box");
    assert.equal(await box.getAttribute("data-line"), "6");
    assert.match(await box.textContent(), /Line 6.*safe|60 px/);
    const unknown = await problem("/elements/2");
    assert.equal(await unknown.getAttribute("data-line"), "8", "an unknown field is marked at its key");
    assert.match(await unknown.textContent(), /unknown field "padding"/);
    for (const line of ["6", "8"]) assert.ok(await page.$(`#marks .mark[data-line="${line}"]`), `line ${line} marked`);
    assert.ok(await page.$('#gutter .bad:nth-child(6)'), "gutter marks line 6");
    assert.equal(await page.getAttribute("#editor-text", "aria-invalid"), "true");
    assert.match(await page.textContent("#preview-status"), /problem/);
    assert.ok(await page.$("#preview.stale"), "the last good preview is shown as stale");
    // "Line 6" puts the caret there.
    await box.$("button").then((b) => b.click());
    const caret = await page.evaluate(() => {
      const ta = document.getElementById("editor-text");
      return { focused: document.activeElement === ta, line: ta.value.slice(0, ta.selectionStart).split("\n").length };
    });
    assert.deepEqual(caret, { focused: true, line: 6 });
    await page.screenshot({ path: path.join(ARTIFACTS, "editor-problems.png"), fullPage: true });

    // A syntax error: at the line of the byte the module names.
    await page.fill("#editor-text", '{\n  "name": "x",\n  "background": "bg"\n  "elements": []\n}');
    const syntax = await problem("");
    assert.equal(await syntax.getAttribute("data-line"), "4");
    assert.match(await syntax.textContent(), /invalid JSON at byte/);
    assert.deepEqual(errors, []);
  });

  test("Save creates a template that V1 renders, as the browser did; Update makes version 2", async () => {
    await page.selectOption("#start-from", "product");
    await page.click("#load-builtin");
    await page.waitForFunction(() => document.getElementById("editor-text").value.includes('"name": "product"'));
    const text = await page.inputValue("#editor-text");
    await page.fill("#editor-text", text.replace('"name": "product"', '"name": "Launch card"'));
    await settled(page);
    // Typing in the editor: each keystroke hands the module a new template
    // (parsed and validated there) and renders it.
    const n0 = await page.evaluate(() => window.ogmintPlayground.timings.length);
    await page.evaluate(() => {
      const ta = document.getElementById("editor-text");
      const at = ta.value.indexOf("Launch card") + "Launch card".length;
      ta.focus();
      ta.setSelectionRange(at, at);
    });
    await page.keyboard.type(" for the new release", { delay: 50 });
    await settled(page);
    const editing = (await page.evaluate((n) => window.ogmintPlayground.timings.slice(n), n0)).slice(-20);
    assert.ok(editing.length >= 15, `${editing.length} editor keystrokes drew a preview of their own`);
    const timings = JSON.parse(fs.readFileSync(path.join(ARTIFACTS, "timings.json"), "utf8"));
    timings.editor = { medianMsToCanvas: +median(editing).toFixed(2), msToCanvas: editing.map((x) => +x.toFixed(2)) };
    fs.writeFileSync(path.join(ARTIFACTS, "timings.json"), JSON.stringify(timings, null, 2) + "\n");
    console.log(`per keystroke in the template editor (the template handed over again, then rendered): median ${timings.editor.medianMsToCanvas} ms`);
    const preview = await browserFrame(page);
    await page.fill("#api-key", KEY);
    await page.click("#save-new");
    const link = await page.waitForSelector("#saved-v1", { timeout: 10_000 });
    const url = await link.getAttribute("href");
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/og\?template=custom_[a-z0-9]+&/);
    assert.equal(await page.inputValue("#out-v1"), url, "the image URL shown is the saved template's");
    assert.match(await page.inputValue("#out-meta"), /<meta property="og:image" content="http:\/\/127\.0\.0\.1:\d+\/api\/og\?template=custom_/);
    assertSamePixels(preview, await serverFrame(url), "saved-v1");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("ogmint.playground.apiKey")), KEY);
    assert.equal(await page.evaluate(() => localStorage.getItem("ogmint.playground.apiKey")), null);

    await page.fill("#editor-text", (await page.inputValue("#editor-text")).replace('"background": "bg"', '"background": "accent"'));
    await settled(page);
    const updated = await browserFrame(page);
    assert.notDeepEqual(updated.data, preview.data);
    await page.click("#save-update");
    await page.waitForFunction(() => /Updated .* version 2/.test(document.getElementById("save-status").textContent), null, { timeout: 10_000 });
    assertSamePixels(updated, await serverFrame(await page.inputValue("#out-v1")), "updated-v1");
    assert.deepEqual(errors, []);
  });

  test("the server renders the preview when the browser cannot run the module", async () => {
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await p.route("**/playground/ogmint.wasm", (r) => r.abort());
    await p.goto(`${server.base}/playground`);
    await p.waitForFunction(() => window.ogmintPlayground?.mode === "server" && !window.ogmintPlayground.busy, null, { timeout: 20_000 });
    assert.equal(await p.getAttribute("#preview", "data-mode"), "server");
    assert.ok(await p.$eval("#preview-img", (img) => !img.hidden && img.naturalWidth === 1200));
    assert.match(await p.textContent("#preview-status"), /Rendered by the server: your browser could not run the render module/);
    await p.close();
  });

  test("375 px wide: no sideways scrolling, every control labelled, reachable by keyboard, no trap", async () => {
    const m = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const errs = watchErrors(m);
    await m.goto(`${server.base}/playground`);
    await settled(m);
    assert.ok((await m.evaluate(() => document.documentElement.scrollWidth)) <= 375, "the page scrolls sideways");
    const unlabelled = await m.$$eval("input, select, textarea, button", (els) =>
      els.filter((e) => !(e.labels?.length > 0 || e.getAttribute("aria-label") || (e.tagName === "BUTTON" && e.textContent.trim()))).map((e) => e.id || e.outerHTML.slice(0, 60)),
    );
    assert.deepEqual(unlabelled, []);
    await m.screenshot({ path: path.join(ARTIFACTS, "playground-375.png"), fullPage: true });

    // From the top of the page, Tab reaches the title.
    const reached = [];
    for (let i = 0; i < 20 && reached.at(-1) !== "f-title"; i++) {
      await m.keyboard.press("Tab");
      reached.push(await m.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    assert.equal(reached.at(-1), "f-title", `Tab went through ${reached.join(", ")}`);
    // Typing there renders.
    await m.keyboard.type("!");
    await settled(m);
    // The tabs follow the arrow keys; Tab leaves the editor's text area.
    await m.focus("#tab-fields");
    await m.keyboard.press("ArrowRight");
    assert.equal(await m.evaluate(() => document.activeElement.id), "tab-editor");
    assert.equal(await m.getAttribute("#tab-editor", "aria-selected"), "true");
    await m.waitForFunction(() => document.getElementById("editor-text").value !== "");
    await m.focus("#editor-text");
    await m.keyboard.press("Tab");
    assert.notEqual(await m.evaluate(() => document.activeElement.id), "editor-text", "Tab stays in the editor");
    await m.keyboard.press("Shift+Tab");
    assert.equal(await m.evaluate(() => document.activeElement.id), "editor-text");
    assert.deepEqual(errs, []);
    await m.close();
  });
});
