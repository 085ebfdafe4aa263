// The playground: a card's fields (or a template's JSON) in, the card out,
// rendered in the browser by the render module the server runs
// (/playground/ogmint.wasm), driven through the edge adapter's ABI module
// (/playground/edge/module.js) and handed the server's fallback font
// families on demand (/playground/edge/fonts.js, /playground/fonts/). When
// the browser cannot run the module, or the card needs what only the server
// has (avatar and logo fetches, a custom template whose JSON is not at hand
// here), the server renders the preview instead.

import { InstanceHolder, ModuleFault, Status } from "/playground/edge/module.js";
import { FontStore, decodeRunes } from "/playground/edge/fonts.js";
import { locate, scan } from "/playground/jsonpos.js";

const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();
const dec = new TextDecoder();

const TEXTS = ["title", "description", "tag", "author"];
const COLOURS = ["bgColor", "textColor", "accentColor", "surfaceColor"];
// V2 body fields that are render parameters (host/api v2Fields); any other
// parameter of a custom template goes under "fields".
const V2_FIELDS = new Set(["template", "title", "description", "tag", "author", "avatar", "logo", "font", "palette",
  "bgColor", "bg", "textColor", "text", "accentColor", "accent", "surfaceColor"]);
const CUSTOM_IDS = "ogmint.playground.customIds"; // localStorage: custom ids used here (not secrets' keys)
const API_KEY = "ogmint.playground.apiKey"; // sessionStorage: this tab only
const SERVER_DELAY_MS = 250; // between server previews while typing

const state = {
  /** GET /api/templates */
  info: null,
  /** The template select's value: "b:<name>", "c:<custom id>" or "editor". */
  source: "b:blog",
  /** Custom templates whose JSON is at hand: id -> {json, version}. */
  customs: new Map(),
  /** Colours the user chose: param -> "rrggbb". */
  colours: {},
  /** The editor's template as last saved or opened: {id, version, text}. */
  saved: null,
  /** "loading", "ready" or "unavailable" (then why). */
  module: "loading",
  moduleError: "",
  faults: 0,
  frame: { width: 1200, height: 630 },
};

// What the preview shows, for tests and the curious: per-keystroke timings
// (ms from the input event to the new frame on the canvas, and to the next
// animation frame after it), renders done here, the frame's pixels.
const hook = { timings: [], paintTimings: [], renders: 0, serverRenders: 0, mode: "", query: "", drawn: "", imageData: null };
window.ogmintPlayground = hook;

// ---- the render module -------------------------------------------------

let holder = null;
let fontStore = null;

function startModule() {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.compile !== "function") {
    moduleUnavailable("this browser has no WebAssembly");
    return;
  }
  holder = new InstanceHolder(async () => {
    const res = await fetch("/playground/ogmint.wasm");
    if (!res.ok) throw new Error(`GET /playground/ogmint.wasm answered ${res.status}`);
    if (typeof WebAssembly.compileStreaming === "function") return WebAssembly.compileStreaming(res);
    return WebAssembly.compile(await res.arrayBuffer());
  });
  fontStore = new FontStore(
    async (file) => {
      const res = await fetch(`/playground/fonts/${file}`);
      if (!res.ok) throw new Error(`GET /playground/fonts/${file} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    (msg, err) => console.warn(`ogmint playground: ${msg}`, err ?? ""),
  );
  holder.get().then(
    () => {
      state.module = "ready";
      schedule();
    },
    (err) => moduleUnavailable(`the render module did not start (${err && err.message})`),
  );
}

function moduleUnavailable(why) {
  state.module = "unavailable";
  state.moduleError = why;
  console.warn(`ogmint playground: ${why}; the server renders the previews`);
  schedule();
}

// One caller at a time inside the instance: a call sequence (render, hand
// over, render again, read the frame) must not interleave with another.
let lock = Promise.resolve();
function exclusive(fn) {
  const run = lock.then(fn);
  lock = run.catch(() => {});
  return run;
}

function parseBody(bytes) {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch {
    return { error: dec.decode(bytes) };
  }
}

/**
 * Renders plan in the module, handing over its custom template and the
 * fallback families the text needs, as the edge adapter does.
 * @returns {Promise<{status: number, body?: object, template?: boolean, width?: number, height?: number, pixels?: Uint8Array, png?: Uint8Array}>}
 */
async function renderHere(plan, { png = false } = {}) {
  const req = enc.encode(queryOf(plan, { tv: true }));
  const json = plan.text != null ? enc.encode(plan.text) : null;
  const given = new Map(); // family index -> packed bytes
  const tried = new Set();
  for (;;) {
    const inst = await holder.get();
    for (const [i, packed] of given) {
      if (inst.fonts.has(i)) continue;
      const refused = inst.addFont(i, packed);
      if (refused) {
        console.warn(`ogmint playground: font family ${i} refused: ${refused}`);
        given.delete(i);
      }
    }
    let r = inst.render(req);
    if (r.status === Status.NEED_TEMPLATE) {
      if (!json) return { status: Status.NOT_FOUND, body: { error: "template not found" } };
      const refused = inst.addTemplate(json);
      if (refused) return { status: Status.INVALID, body: parseBody(refused), template: true };
      r = inst.render(req);
    }
    if (r.status === Status.NEED_FONTS) {
      const cat = fontStore.catalog ?? (await fontStore.loadCatalog());
      const want = cat ? cat.needed(decodeRunes(r.body)).filter((i) => !inst.fonts.has(i) && !tried.has(i)) : [];
      if (want.length > 0) {
        for (const i of want) tried.add(i);
        const got = await Promise.all(want.map((i) => fontStore.family(i)));
        got.forEach((b, k) => b && given.set(want[k], b));
        continue; // render afresh with them
      }
      // Nothing more to hand over: what is still missing draws as boxes.
      // (No other call reached the instance meanwhile: exclusive.)
      r = inst.renderAgain(req);
    }
    if (r.status !== Status.OK) return { status: r.status, body: parseBody(r.body) };
    const { width, height } = inst.frameSize();
    const out = { status: Status.OK, width, height, pixels: inst.pixels() };
    if (png) out.png = inst.encodePNG();
    return out;
  }
}

// ---- what to render ----------------------------------------------------

/** A content-derived name for the editor's template (cyrb53), as the host's preview names one. */
function previewName(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `custom_p${(h2 >>> 0).toString(16).padStart(8, "0")}${(h1 >>> 0).toString(16).padStart(8, "0")}`;
}

/** The parameters of the form, in a stable order, as [name, value] pairs. */
function formParams(plan) {
  const out = [];
  const used = usedParams(plan);
  for (const name of TEXTS) {
    const v = $(`f-${name}`).value;
    if (v.trim() !== "" && (name === "title" || !used || used.has(name))) out.push([name, v]);
  }
  for (const input of $("custom-fields-list").querySelectorAll("input[data-field]")) {
    if (input.value.trim() !== "") out.push([input.dataset.field, input.value]);
  }
  if (!$("extra-row").hidden) {
    for (const [k, v] of new URLSearchParams($("f-extra").value.trim())) {
      if (k !== "template" && k !== "tv") out.push([k, v]);
    }
  }
  const font = $("font").value;
  if (font && font !== state.info.defaults.font) out.push(["font", font]);
  if ($("palette").value) out.push(["palette", $("palette").value]);
  for (const c of COLOURS) if (state.colours[c]) out.push([c, state.colours[c]]);
  for (const name of ["avatar", "logo"]) {
    const v = $(`f-${name}`).value.trim();
    if (v) out.push([name, v]);
  }
  return out;
}

/** What the preview is of: a built-in, a custom id (with its JSON when at hand) or the editor's text. */
function currentPlan() {
  const src = state.source;
  let plan;
  if (src === "editor") {
    const text = $("editor-text").value;
    plan = { kind: "editor", text, name: previewName(text), version: 1 };
  } else if (src.startsWith("c:")) {
    const id = src.slice(2);
    const c = state.customs.get(id);
    plan = c ? { kind: "custom", id, name: id, text: c.json, version: c.version } : { kind: "custom", id, name: id, unknown: true };
  } else {
    plan = { kind: "builtin", name: src.slice(2) };
  }
  plan.params = formParams(plan);
  plan.images = plan.params.some(([k]) => k === "avatar" || k === "logo");
  return plan;
}

/** The request's query string; tv (the version the module holds it at) only for the module. */
function queryOf(plan, { tv = false } = {}) {
  const q = new URLSearchParams();
  q.append("template", plan.name);
  if (tv && plan.version) q.append("tv", String(plan.version));
  for (const [k, v] of plan.params) q.append(k, v);
  return q.toString();
}

/** The request parameters a template shows, or null when not known here. */
function usedParams(plan) {
  if (plan.kind === "builtin") {
    const t = state.info?.templates.find((x) => x.name === plan.name);
    return t ? new Set(t.params) : null;
  }
  if (plan.text == null) return null;
  const used = new Set();
  for (const m of plan.text.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)) used.add(m[1]);
  for (const m of plan.text.matchAll(/"if"\s*:\s*"([^"\\]*)"/g)) used.add(m[1]);
  return used;
}

/** A template's custom fields [{name, maxLength, required, description}], or null when not known. */
function customFields(plan) {
  if (plan.kind === "builtin") return [];
  if (plan.text == null) return null;
  try {
    const fields = JSON.parse(plan.text).fields;
    if (!fields || typeof fields !== "object") return [];
    return Object.entries(fields).map(([name, f]) => ({ name, ...(f && typeof f === "object" ? f : {}) }));
  } catch {
    return undefined; // keep the inputs as they are while the JSON is broken
  }
}

// ---- rendering, as you type ---------------------------------------------

let busy = false;
let again = false;
Object.defineProperty(hook, "busy", { get: () => busy });
let inputAt = null; // when the first input not yet drawn happened
let serverURL = null; // object URL of the server's preview shown

function schedule(fromInput = false) {
  if (fromInput && inputAt === null) inputAt = performance.now();
  if (!state.info) return;
  updateOutputs();
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  (async () => {
    try {
      do {
        again = false;
        const t0 = inputAt;
        inputAt = null;
        await renderNow(t0);
      } while (again);
    } catch (err) {
      console.warn("ogmint playground: preview failed", err);
      setStatus(`The preview failed: ${err && err.message}`);
    } finally {
      busy = false;
    }
  })();
}

async function renderNow(t0) {
  const plan = currentPlan();
  hook.query = queryOf(plan);
  let why = "";
  if (plan.images) why = "the card has an avatar or a logo, which the server fetches";
  else if (plan.unknown) why = "this custom template's JSON is not at hand here (enter your API key in the Template JSON tab to render it in your browser)";
  else if (state.module === "unavailable") why = `your browser could not run the render module: ${state.moduleError}`;
  else if (state.module === "loading") {
    setStatus("Loading the render module…");
    return; // drawn when it is ready
  }
  if (why) {
    await renderOnServer(plan, why, t0 !== null);
    return;
  }
  const start = performance.now();
  let r;
  try {
    r = await exclusive(() => renderHere(plan));
  } catch (err) {
    if (!(err instanceof ModuleFault)) throw err;
    // The holder replaces the instance; three faults in a row and the
    // server takes over.
    console.warn("ogmint playground: render module fault", err);
    if (++state.faults >= 3) moduleUnavailable(`it failed three times (${err.message})`);
    await renderOnServer(plan, "the render module failed on this card", false);
    return;
  }
  state.faults = 0;
  const ms = performance.now() - start;
  if (r.status !== Status.OK) {
    showProblems(plan, r.body, r.template);
    return;
  }
  paint(r);
  hook.drawn = hook.query;
  hook.renders++;
  hook.mode = "browser";
  showProblems(plan, null);
  setMode("browser");
  setStatus(`Rendered in your browser by the server's render module in ${ms.toFixed(1)} ms.`);
  if (t0 !== null) {
    hook.timings.push(performance.now() - t0);
    requestAnimationFrame(() => hook.paintTimings.push(performance.now() - t0));
  }
  state.frame = { width: r.width, height: r.height };
  updateMetaSize();
}

let ctx2d = null;
function paint(r) {
  const canvas = $("preview-canvas");
  if (canvas.width !== r.width || canvas.height !== r.height) {
    canvas.width = r.width;
    canvas.height = r.height;
    ctx2d = null;
  }
  ctx2d ??= canvas.getContext("2d");
  if (!hook.imageData || hook.imageData.width !== r.width || hook.imageData.height !== r.height) {
    hook.imageData = new ImageData(r.width, r.height);
  }
  hook.imageData.data.set(r.pixels);
  ctx2d.putImageData(hook.imageData, 0, 0);
}

/** The server's preview; while typing, after a pause and only when no newer input came meanwhile. */
async function renderOnServer(plan, why, typing) {
  if (typing) {
    await new Promise((resolve) => setTimeout(resolve, SERVER_DELAY_MS));
    if (again) return;
  }
  await serverPreview(plan, why);
}

async function serverPreview(plan, why) {
  let res;
  let prefix = "";
  if (plan.kind === "editor") {
    const key = apiKey();
    if (!key) {
      setMode("none");
      setStatus(`No preview: ${why}, and the server previews an unsaved template only with an API key (Template JSON tab).`);
      return;
    }
    const params = Object.fromEntries(plan.params);
    prefix = "/template";
    res = await fetch("/api/v2/templates/preview", {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: `{"template":${plan.text},"params":${JSON.stringify(params)}}`,
    });
  } else {
    res = await fetch(`/api/og?${queryOf(plan)}`);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    showProblems(plan, body, false, prefix);
    return;
  }
  const blob = await res.blob();
  const img = $("preview-img");
  if (serverURL) URL.revokeObjectURL(serverURL);
  serverURL = URL.createObjectURL(blob);
  img.src = serverURL;
  await img.decode().catch(() => {});
  state.frame = { width: img.naturalWidth || 1200, height: img.naturalHeight || 630 };
  hook.drawn = hook.query;
  hook.serverRenders++;
  hook.mode = "server";
  showProblems(plan, null);
  setMode("server");
  setStatus(`Rendered by the server: ${why}.`);
  updateMetaSize();
}

function setMode(mode) {
  $("preview").dataset.mode = mode;
  $("preview-canvas").hidden = mode === "server";
  $("preview-img").hidden = mode !== "server";
  $("preview").classList.remove("stale");
}

function setStatus(text) {
  $("preview-status").textContent = text;
}

/**
 * Shows a failed render's problems: a template's at their lines in the
 * editor, the parameters' at the form. null clears them.
 */
function showProblems(plan, body, templateRefused = false, prefix = "") {
  const list = $("param-errors");
  for (const el of document.querySelectorAll("[aria-invalid='true'][data-param], [aria-invalid='true'][data-field]")) {
    el.removeAttribute("aria-invalid");
  }
  if (!body) {
    list.replaceChildren();
    if (plan.kind === "editor") showTemplateProblems([]);
    return;
  }
  $("preview").classList.add("stale");
  const details = Array.isArray(body.details) ? body.details : [];
  const templateProblems = details.filter((d) => d.field === "template" && (templateRefused || "pointer" in d));
  if (plan.kind === "editor" && templateProblems.length > 0) {
    showTemplateProblems(templateProblems.map((d) => ({ ...d, pointer: stripPrefix(d.pointer ?? "", prefix) })));
    setStatus(`The template has ${plural(templateProblems.length, "problem")} (Template JSON tab); the preview is the last card that rendered.`);
  } else {
    setStatus(`${body.error ?? "The card did not render"}; the preview is the last card that rendered.`);
  }
  const others = details.filter((d) => !templateProblems.includes(d) || plan.kind !== "editor");
  list.replaceChildren(
    ...others.map((d) => {
      const li = document.createElement("li");
      const field = document.createElement("code");
      field.textContent = d.pointer ? `${d.field} ${d.pointer}` : d.field;
      li.append(field, `: ${d.message}`);
      const input = document.querySelector(`[data-param="${cssEscape(d.field)}"]:not(div), [data-field="${cssEscape(d.field)}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
      return li;
    }),
  );
  if (others.length === 0 && !(plan.kind === "editor" && templateProblems.length > 0)) {
    const li = document.createElement("li");
    li.textContent = body.error ?? "error";
    list.replaceChildren(li);
  }
}

function stripPrefix(pointer, prefix) {
  return prefix && pointer.startsWith(prefix) ? pointer.slice(prefix.length) : pointer;
}

function cssEscape(s) {
  return typeof CSS !== "undefined" && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&");
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// ---- the editor ----------------------------------------------------------

let editorProblems = [];

/** Marks each problem at its line (gutter band) and lists it with a button that goes there. */
function showTemplateProblems(problems) {
  const ta = $("editor-text");
  const text = ta.value;
  const places = problems.length > 0 ? scan(text) : null;
  // In the text's order; problems of the whole document first.
  editorProblems = problems.map((p) => ({ ...p, at: locate(text, p, places) })).sort((a, b) => (a.at?.index ?? -1) - (b.at?.index ?? -1));
  const list = $("editor-errors");
  list.replaceChildren(
    ...editorProblems.map((p) => {
      const li = document.createElement("li");
      li.dataset.pointer = p.pointer ?? "";
      if (p.at) {
        li.dataset.line = String(p.at.line);
        const go = document.createElement("button");
        go.type = "button";
        go.className = "link";
        go.textContent = `Line ${p.at.line}`;
        go.setAttribute("aria-label", `Go to line ${p.at.line}, column ${p.at.col}`);
        go.addEventListener("click", () => goTo(p.at));
        li.append(go, " ");
      }
      const where = document.createElement("code");
      where.textContent = p.pointer || "(whole template)";
      li.append(where, `: ${p.message}`);
      return li;
    }),
  );
  if (problems.length > 0) ta.setAttribute("aria-invalid", "true");
  else ta.removeAttribute("aria-invalid");
  $("editor-summary").textContent = problems.length > 0 ? `${plural(problems.length, "problem")} in the template.` : ta.value ? "The template is valid." : "";
  drawMarks();
}

function editorMetrics() {
  const cs = getComputedStyle($("editor-text"));
  return { line: parseFloat(cs.lineHeight) || 20, top: parseFloat(cs.paddingTop) || 0 };
}

function drawMarks() {
  const ta = $("editor-text");
  const { line, top } = editorMetrics();
  const lines = new Set(editorProblems.filter((p) => p.at).map((p) => p.at.line));
  const marks = $("marks");
  marks.replaceChildren(
    ...[...lines].map((n) => {
      const band = document.createElement("div");
      band.className = "mark";
      band.dataset.line = String(n);
      band.style.top = `${top + (n - 1) * line}px`;
      band.style.height = `${line}px`;
      return band;
    }),
  );
  const gutter = $("gutter");
  const count = ta.value.split("\n").length;
  if (gutter.childElementCount !== count || gutter.dataset.marked !== [...lines].join(",")) {
    const frag = document.createDocumentFragment();
    for (let n = 1; n <= count; n++) {
      const d = document.createElement("div");
      d.textContent = String(n);
      if (lines.has(n)) d.className = "bad";
      frag.append(d);
    }
    gutter.replaceChildren(frag);
    gutter.dataset.marked = [...lines].join(",");
  }
  syncScroll();
}

function syncScroll() {
  const ta = $("editor-text");
  $("marks").style.transform = `translate(${-ta.scrollLeft}px, ${-ta.scrollTop}px)`;
  $("gutter").style.transform = `translateY(${-ta.scrollTop}px)`;
}

function goTo(at) {
  const ta = $("editor-text");
  ta.focus();
  ta.setSelectionRange(at.index, at.index);
  const { line } = editorMetrics();
  ta.scrollTop = Math.max(0, (at.line - 1) * line - ta.clientHeight / 3);
  syncScroll();
}

function setEditorText(text, saved = null) {
  $("editor-text").value = text;
  state.saved = saved;
  $("save-update").disabled = !saved;
  $("save-update").textContent = saved ? `Update ${saved.id}` : "Update";
  useSource("editor");
  showTemplateProblems([]);
}

async function loadBuiltin(name) {
  const res = await fetch(`/api/templates/${encodeURIComponent(name)}`);
  if (!res.ok) {
    $("editor-summary").textContent = `Could not load ${name}: HTTP ${res.status}.`;
    return;
  }
  setEditorText(await res.text());
  $("save-status").textContent = "";
}

// ---- the API: save, update, open ------------------------------------------

function apiKey() {
  return $("api-key").value.trim();
}

async function api(method, path, { body, headers = {} } = {}) {
  const res = await fetch(path, { method, headers: { "x-api-key": apiKey(), ...headers }, body });
  let json = null;
  try {
    json = await res.json();
  } catch {
    // no JSON body (204, or a proxy's page)
  }
  return { res, json };
}

function saveStatus(parts) {
  $("save-status").replaceChildren(...parts);
}

function apiFailure(action, res, json) {
  let msg = json?.error ?? `HTTP ${res.status}`;
  if (res.status === 401) msg = "the server did not accept this API key";
  if (res.status === 409) msg = "the template has a newer version on the server; open it again to get it";
  const details = (json?.details ?? []).filter((d) => !("pointer" in d)).map((d) => `${d.field}: ${d.message}`);
  saveStatus([`${action} failed: ${msg}${details.length ? ` (${details.join("; ")})` : ""}.`]);
  if (res.status === 400 && json?.details?.some((d) => "pointer" in d)) {
    showTemplateProblems(json.details.filter((d) => "pointer" in d));
  }
}

function needKey(action) {
  if (apiKey()) return false;
  saveStatus([`${action} needs an API key.`]);
  $("api-key").focus();
  return true;
}

function savedMessage(verb, saved) {
  const url = v1URL({ ...currentPlan(), kind: "custom", name: saved.id });
  const a = document.createElement("a");
  a.href = url;
  a.id = "saved-v1";
  a.textContent = url;
  const code = document.createElement("code");
  code.textContent = saved.id;
  saveStatus([`${verb} `, code, ` version ${saved.version}. Its image URL: `, a]);
}

/** Lists id in the template select (and this browser's list); json, when given, renders it here. */
function remember(id, json = null, version = 0) {
  if (json !== null) state.customs.set(id, { json, version });
  const ids = storedIds();
  if (!ids.includes(id)) {
    ids.push(id);
    try {
      localStorage.setItem(CUSTOM_IDS, JSON.stringify(ids.slice(-50)));
    } catch {
      // storage off: this page keeps it
    }
  }
  fillTemplateSelect();
}

function storedIds() {
  try {
    const ids = JSON.parse(localStorage.getItem(CUSTOM_IDS) ?? "[]");
    return Array.isArray(ids) ? ids.filter((s) => typeof s === "string" && validId(s)) : [];
  } catch {
    return [];
  }
}

function validId(id) {
  return /^custom_[A-Za-z0-9_-]{1,57}$/.test(id);
}

async function saveNew() {
  if (needKey("Saving")) return;
  const text = $("editor-text").value;
  saveStatus(["Saving…"]);
  const { res, json } = await api("POST", "/api/v2/templates", { body: text, headers: { "content-type": "application/json" } });
  if (res.status !== 201) return apiFailure("Saving", res, json);
  state.saved = { id: json.id, version: json.version, text };
  remember(json.id, text, json.version);
  $("save-update").disabled = false;
  $("save-update").textContent = `Update ${json.id}`;
  savedMessage("Saved as", state.saved);
  updateOutputs();
}

async function saveUpdate() {
  if (!state.saved || needKey("Updating")) return;
  const text = $("editor-text").value;
  saveStatus(["Updating…"]);
  const { id, version } = state.saved;
  const { res, json } = await api("PUT", `/api/v2/templates/${encodeURIComponent(id)}`, {
    body: text,
    headers: { "content-type": "application/json", "If-Match": `"${version}"` },
  });
  if (res.status !== 200) return apiFailure("Updating", res, json);
  state.saved = { id, version: json.version, text };
  remember(id, text, json.version);
  savedMessage("Updated", state.saved);
  updateOutputs();
}

/** Reads a saved template of this key: {json, version}, or null (after saying why). */
async function fetchSaved(id, say) {
  if (!validId(id)) {
    say(`${id || "That"} is not a custom template id (custom_…).`);
    return null;
  }
  // The key's list first: a template of another key is not asked for (404).
  const list = await api("GET", "/api/v2/templates");
  if (!list.res.ok) {
    say(list.res.status === 401 ? "The server did not accept this API key." : `Listing templates failed: HTTP ${list.res.status}.`);
    return null;
  }
  if (!list.json.templates.some((t) => t.id === id)) {
    say(`${id} is not a template of this API key.`);
    return null;
  }
  const item = await api("GET", `/api/v2/templates/${encodeURIComponent(id)}`);
  if (!item.res.ok) {
    say(`Reading ${id} failed: HTTP ${item.res.status}.`);
    return null;
  }
  return { json: JSON.stringify(item.json.template, null, 2), version: item.json.version };
}

async function openSaved() {
  if (needKey("Opening a template")) return;
  const id = $("open-id").value.trim();
  const got = await fetchSaved(id, (msg) => saveStatus([msg]));
  if (!got) return;
  remember(id, got.json, got.version);
  setEditorText(got.json, { id, version: got.version, text: got.json });
  savedMessage("Opened", state.saved);
}

/** Makes a pasted custom id the template; renders it here when this key owns it. */
async function useCustomId(id) {
  if (!validId(id)) {
    setStatus(`${id || "That"} is not a custom template id (custom_…).`);
    return;
  }
  if (!state.customs.has(id) && apiKey()) {
    const got = await fetchSaved(id, () => {});
    if (got) state.customs.set(id, got);
  }
  remember(id);
  useSource(`c:${id}`);
}

// ---- outputs: URL, meta tags, curl -----------------------------------------

function v1URL(plan) {
  return `${location.origin}/api/og?${queryOf(plan)}`;
}

function htmlAttr(s) {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function updateOutputs() {
  const plan = currentPlan();
  let url = null;
  let template = plan.name;
  if (plan.kind === "editor") {
    if (state.saved && state.saved.text === plan.text) {
      template = state.saved.id;
      url = v1URL({ ...plan, kind: "custom", name: template });
    }
  } else {
    url = v1URL(plan);
  }
  const v1 = $("out-v1");
  v1.value = url ?? "";
  v1.placeholder = url ? "" : "Save the template (Template JSON tab) to get its image URL";
  $("out-v1-open").hidden = !url;
  if (url) $("out-v1-open").href = url;
  $("out-meta").value = url ? metaTags(url) : "";
  $("out-meta").placeholder = url ? "" : "The meta tags need the image URL of a saved template.";
  $("out-curl").placeholder = url ? "" : "The V2 request needs a saved template.";
  const body = { template };
  const fields = {};
  for (const [k, v] of plan.params) {
    if (V2_FIELDS.has(k)) body[k] = v;
    else fields[k] = v;
  }
  if (Object.keys(fields).length > 0) body.fields = fields;
  $("out-curl").value = url
    ? `curl ${shellQuote(`${location.origin}/api/v2/render`)} \\\n  -H "x-api-key: $OGMINT_API_KEY" \\\n  -H 'content-type: application/json' \\\n  -d ${shellQuote(JSON.stringify(body))}`
    : "";
}

function metaTags(url) {
  const u = htmlAttr(url);
  return [
    `<meta property="og:image" content="${u}">`,
    `<meta property="og:image:width" content="${state.frame.width}">`,
    `<meta property="og:image:height" content="${state.frame.height}">`,
    `<meta name="twitter:card" content="summary_large_image">`,
    `<meta name="twitter:image" content="${u}">`,
  ].join("\n");
}

function updateMetaSize() {
  const v1 = $("out-v1").value;
  if (v1) $("out-meta").value = metaTags(v1);
}

async function copy(id) {
  const el = $(id);
  let ok = false;
  try {
    await navigator.clipboard.writeText(el.value);
    ok = true;
  } catch {
    el.select();
    ok = document.execCommand?.("copy") ?? false;
  }
  $("copy-status").textContent = ok ? "Copied." : "Copy failed: the text is selected, press Ctrl+C.";
}

async function download() {
  const plan = currentPlan();
  let blob;
  if (hook.mode === "server" && serverURL) {
    blob = await (await fetch(serverURL)).blob();
  } else if (state.module === "ready") {
    const r = await exclusive(() => renderHere(plan, { png: true }));
    if (r.status !== Status.OK) return;
    blob = new Blob([r.png], { type: "image/png" });
  } else {
    return;
  }
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${plan.kind === "editor" ? "template" : plan.name}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---- the form ------------------------------------------------------------

function fillTemplateSelect() {
  const sel = $("template");
  const groups = [];
  const builtins = document.createElement("optgroup");
  builtins.label = "Built-in";
  for (const t of state.info.templates) builtins.append(new Option(t.name, `b:${t.name}`));
  groups.push(builtins);
  const ids = storedIds();
  for (const id of state.customs.keys()) if (!ids.includes(id)) ids.push(id);
  if (state.source.startsWith("c:") && !ids.includes(state.source.slice(2))) ids.push(state.source.slice(2));
  if (ids.length > 0) {
    const custom = document.createElement("optgroup");
    custom.label = "Custom";
    for (const id of ids) custom.append(new Option(id, `c:${id}`));
    groups.push(custom);
  }
  if ($("editor-text").value || state.source === "editor") {
    const ed = document.createElement("optgroup");
    ed.label = "Editor";
    ed.append(new Option("Your template (Template JSON)", "editor"));
    groups.push(ed);
  }
  sel.replaceChildren(...groups);
  sel.value = state.source;
}

/** Makes src ("b:name", "c:id", "editor") the template and redraws the form around it. */
function useSource(src) {
  state.source = src;
  fillTemplateSelect();
  if (src.startsWith("b:")) $("start-from").value = src.slice(2);
  refreshForm();
  schedule();
}

let fieldsSignature = "";
function refreshForm() {
  const plan = currentPlan();
  const used = usedParams(plan);
  for (const name of TEXTS) {
    if (name !== "title") document.querySelector(`.row[data-param="${name}"]`).hidden = !!used && !used.has(name);
  }
  const fields = customFields(plan);
  if (fields === undefined) return; // the editor's JSON is broken: keep the inputs
  const box = $("custom-fields");
  const list = $("custom-fields-list");
  $("extra-row").hidden = fields !== null;
  box.hidden = fields !== null && fields.length === 0;
  const sig = JSON.stringify(fields);
  if (sig === fieldsSignature) return;
  fieldsSignature = sig;
  const values = {};
  for (const input of list.querySelectorAll("input[data-field]")) values[input.dataset.field] = input.value;
  list.replaceChildren(
    ...(fields ?? []).map((f) => {
      const row = document.createElement("div");
      row.className = "row";
      const id = `cf-${f.name}`;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = f.required ? `${f.name} (required)` : f.name;
      const input = document.createElement("input");
      input.id = id;
      input.dataset.field = f.name;
      input.autocomplete = "off";
      if (Number.isInteger(f.maxLength) && f.maxLength > 0) input.maxLength = f.maxLength;
      if (f.required) input.required = true;
      input.value = values[f.name] ?? "";
      input.addEventListener("input", () => schedule(true));
      row.append(label, input);
      if (typeof f.description === "string" && f.description) {
        const hint = document.createElement("p");
        hint.className = "hint";
        hint.id = `${id}-hint`;
        hint.textContent = f.description;
        input.setAttribute("aria-describedby", hint.id);
        row.append(hint);
      }
      return row;
    }),
  );
}

function paletteColours() {
  const name = $("palette").value;
  return (name && state.info.palettes[name]) || state.info.defaults;
}

function refreshColours() {
  const pal = paletteColours();
  for (const c of COLOURS) {
    const input = $(`c-${c}`);
    input.value = `#${state.colours[c] ?? pal[c]}`;
    input.closest(".colour").classList.toggle("set", !!state.colours[c]);
    document.querySelector(`[data-reset="${c}"]`).disabled = !state.colours[c];
  }
}

function wireForm() {
  $("fields-form").addEventListener("submit", (e) => e.preventDefault());
  for (const el of document.querySelectorAll("#fields-form [data-param]:not(div)")) {
    el.addEventListener("input", () => schedule(true));
  }
  $("f-extra").addEventListener("input", () => schedule(true));
  $("template").addEventListener("change", async () => {
    const v = $("template").value;
    if (v.startsWith("c:")) await useCustomId(v.slice(2));
    else useSource(v);
  });
  $("custom-add").addEventListener("click", () => useCustomId($("custom-id").value.trim()));
  $("custom-id").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      useCustomId($("custom-id").value.trim());
    }
  });
  $("palette").addEventListener("change", () => {
    refreshColours();
    schedule();
  });
  $("font").addEventListener("change", () => schedule());
  for (const c of COLOURS) {
    $(`c-${c}`).addEventListener("input", (e) => {
      state.colours[c] = e.target.value.slice(1).toLowerCase();
      refreshColours();
      schedule(true);
    });
    document.querySelector(`[data-reset="${c}"]`).addEventListener("click", () => {
      delete state.colours[c];
      refreshColours();
      $(`c-${c}`).focus();
      schedule();
    });
  }
}

function wireEditor() {
  const ta = $("editor-text");
  ta.addEventListener("input", () => {
    if (state.source !== "editor") useSource("editor");
    refreshForm();
    drawMarks();
    schedule(true);
  });
  ta.addEventListener("scroll", syncScroll);
  $("load-builtin").addEventListener("click", () => loadBuiltin($("start-from").value));
  $("save-form").addEventListener("submit", (e) => e.preventDefault());
  $("save-new").addEventListener("click", saveNew);
  $("save-update").addEventListener("click", saveUpdate);
  $("open-saved").addEventListener("click", openSaved);
  const key = $("api-key");
  try {
    key.value = sessionStorage.getItem(API_KEY) ?? "";
  } catch {
    // storage off: memory only
  }
  key.addEventListener("input", () => {
    try {
      if (key.value) sessionStorage.setItem(API_KEY, key.value);
      else sessionStorage.removeItem(API_KEY);
    } catch {
      // storage off: memory only
    }
  });
  addEventListener("resize", drawMarks);
}

function wireTabs() {
  const tabs = [$("tab-fields"), $("tab-editor")];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    if (tab.id === "tab-editor") openEditor();
  };
  for (const t of tabs) {
    t.addEventListener("click", () => select(t, false));
    t.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(t);
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length], true);
    });
  }
}

/** The editor tab: its template becomes the preview's; an empty editor starts from the current built-in. */
function openEditor() {
  if (!$("editor-text").value) {
    loadBuiltin(state.source.startsWith("b:") ? state.source.slice(2) : $("start-from").value);
  } else if (state.source !== "editor") {
    useSource("editor");
  }
  drawMarks();
}

function wireOutputs() {
  for (const b of document.querySelectorAll("[data-copy]")) b.addEventListener("click", () => copy(b.dataset.copy));
  $("download").addEventListener("click", download);
}

async function init() {
  wireTabs();
  wireForm();
  wireEditor();
  wireOutputs();
  startModule();
  const res = await fetch("/api/templates");
  if (!res.ok) {
    setStatus(`GET /api/templates answered ${res.status}: the playground cannot start.`);
    return;
  }
  state.info = await res.json();
  const font = $("font");
  for (const f of state.info.fonts) font.append(new Option(f, f));
  font.value = state.info.defaults.font;
  for (const p of Object.keys(state.info.palettes).sort()) $("palette").append(new Option(p, p));
  for (const t of state.info.templates) $("start-from").append(new Option(t.name, t.name));
  const wanted = new URLSearchParams(location.hash.slice(1)).get("template");
  const first = state.info.templates.some((t) => t.name === wanted) ? wanted : state.info.templates.some((t) => t.name === "blog") ? "blog" : state.info.templates[0].name;
  refreshColours();
  useSource(`b:${first}`);
}

init();
