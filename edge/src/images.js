// The avatar and logo images: fetched by the adapter with fetch(), under the
// contract's SSRF guard and limits, then handed to the render module
// (ogmint_image) for the next render.
//
// The guard is the Go host's (host/ssrf) as far as fetch() allows:
//   - https only; plain http only to hosts in OGMINT_IMAGE_ALLOW_HOSTS;
//   - no user info; no host name that is reserved for internal use
//     (localhost, *.localhost, single-label names, .local, .internal,
//     .localdomain, .home.arpa, metadata.google.internal);
//   - no IP literal (in any spelling: the URL parser normalises 0x7f.1 and
//     2130706433 to 127.0.0.1) in a loopback, private, link-local, CGNAT,
//     unique-local, documentation, multicast or otherwise reserved range,
//     IPv6 forms that embed an IPv4 address judged by that address;
//   - hosts in OGMINT_IMAGE_ALLOW_HOSTS are exempt from all of the above.
//   - redirects are followed by hand (redirect: "manual"), at most
//     MAX_REDIRECTS, and every Location is checked again.
// What fetch() does not let JavaScript check: the address a host name
// resolves to. workerd (and Cloudflare) cannot reach private networks from
// fetch() at all; Deno can, so a public name that resolves to a private
// address is not caught here (see edge/README.md).
//
// Limits: one timeout for the whole fetch of one image (redirects and body
// included), a byte limit enforced while the body streams in (never above
// the module's MaxImageBytes), status 200 and an image/* Content-Type.

/** abi.MaxImageBytes: the most a module image slot takes. */
export const MAX_IMAGE_BYTES = 4 << 20;
export const DEFAULT_TIMEOUT_MS = 3000;
/** The host's MaxImageTimeout: a fetch holds the request that needs it open. */
export const MAX_TIMEOUT_MS = 30_000;
export const MAX_REDIRECTS = 3;

/** Image parameters and their module slots (abi.SlotAvatar, abi.SlotLogo). */
export const IMAGE_FIELDS = Object.freeze([
  ["avatar", 0],
  ["logo", 1],
]);

/** A fetch that failed or was refused: HTTP 400 naming field. */
export class ImageError extends Error {
  /**
   * @param {string} field
   * @param {string} message what the caller reads: a stable category
   * @param {string} [detail] what happened, for the log only (addresses,
   *   connection errors): never sent to the caller
   */
  constructor(field, message, detail = "") {
    super(message);
    this.field = field;
    this.detail = detail || message;
  }
}

// ---------------------------------------------------------------- settings

/**
 * Parses the settings (raw strings from the Worker's env or Deno's
 * environment). Bad values are reported through warn and replaced by the
 * defaults; never throws.
 * @param {{allowHosts?: string, timeoutMs?: string | number, maxBytes?: string | number}} raw
 * @param {(msg: string) => void} [warn]
 */
export function imageSettings(raw = {}, warn = () => {}) {
  const allow = [];
  for (const part of String(raw.allowHosts ?? "").split(",")) {
    const entry = part.trim();
    if (!entry) continue;
    const a = parseAllowEntry(entry);
    if (a) allow.push(a);
    else warn(`OGMINT_IMAGE_ALLOW_HOSTS: ignoring ${JSON.stringify(entry)} (want host or host:port)`);
  }
  const int = (name, v, def, min, max) => {
    if (v === undefined || v === null || String(v).trim() === "") return def;
    const n = Number(String(v).trim());
    if (!Number.isInteger(n) || n < min) {
      warn(`${name}: ignoring ${JSON.stringify(String(v))} (want an integer >= ${min}); using ${def}`);
      return def;
    }
    if (n > max) {
      warn(`${name}: ${n} is above ${max}; using ${max}`);
      return max;
    }
    return n;
  };
  return {
    allow,
    timeoutMs: int("OGMINT_IMAGE_TIMEOUT_MS", raw.timeoutMs, DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
    maxBytes: int("OGMINT_IMAGE_MAX_BYTES", raw.maxBytes, MAX_IMAGE_BYTES, 1, MAX_IMAGE_BYTES),
  };
}

/** "host", "host:port", "[v6]" or "[v6]:port" -> {host, port|null}, or null. */
function parseAllowEntry(entry) {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]/?#@\s]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!m) return null;
  let host;
  try {
    host = new URL(`http://${m[1]}/`).hostname; // lower case, IPv4/IPv6 in canonical form
  } catch {
    return null;
  }
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host: trimDot(host), port };
}

function trimDot(h) {
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

function effectivePort(u) {
  if (u.port) return Number(u.port);
  return u.protocol === "https:" ? 443 : 80;
}

function allowListed(u, settings) {
  const host = trimDot(u.hostname);
  const port = effectivePort(u);
  return settings.allow.some((a) => a.host === host && (a.port === null || a.port === port));
}

// ---------------------------------------------------------------- the guard

/**
 * Why the adapter must not fetch u, or "" when it may.
 * @param {URL} u
 */
export function refusal(u, settings) {
  if (u.protocol !== "https:" && u.protocol !== "http:") return "not an https URL";
  if (u.username || u.password) return "invalid URL: URL must not contain credentials (user@host)";
  if (!u.hostname) return "invalid URL: URL has no host";
  if (allowListed(u, settings)) return "";
  if (u.protocol === "http:") return "not an https URL (plain http only to hosts in OGMINT_IMAGE_ALLOW_HOSTS)";
  const host = trimDot(u.hostname);
  const denied = (why) => (why ? `refused by the SSRF guard: ${host} is denied: ${why}` : "");
  if (host.startsWith("[")) {
    const a = parseIPv6(host.slice(1, -1));
    return a ? denied(deniedReason6(a)) : "invalid URL: invalid IPv6 address";
  }
  const v4 = parseDottedIPv4(host);
  if (v4 !== null) return denied(deniedReason4(v4));
  return denied(deniedName(host));
}

// IANA IPv4 special-purpose blocks that are not globally reachable, plus
// multicast, reserved and cloud-internal endpoints (host/ssrf/ranges.go).
const DENY4 = [
  ["0.0.0.0/8", '"this network"'],
  ["10.0.0.0/8", "private-use"],
  ["100.64.0.0/10", "shared address space / CGNAT"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local, cloud metadata"],
  ["172.16.0.0/12", "private-use"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.0.2.0/24", "documentation TEST-NET-1"],
  ["192.88.99.0/24", "6to4 relay anycast, deprecated"],
  ["192.168.0.0/16", "private-use"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation TEST-NET-2"],
  ["203.0.113.0/24", "documentation TEST-NET-3"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["255.255.255.255/32", "limited broadcast"],
  ["168.63.129.16/32", "cloud platform endpoint (Azure WireServer)"],
].map(([cidr, name]) => {
  const [ip, bits] = cidr.split("/");
  const a = parseDottedIPv4(ip);
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return { net: (a & mask) >>> 0, mask, name: `${name} (${cidr})` };
});

// IANA IPv6 special-purpose blocks; IPv4-embedding forms are handled first,
// everything outside 2000::/3 after.
const DENY6 = [
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["::/96", "IPv4-compatible, deprecated"],
  ["::ffff:0:0:0/96", "IPv4-translated"],
  ["64:ff9b:1::/48", "local-use NAT64"],
  ["100::/64", "discard-only"],
  ["100:0:0:1::/64", "dummy prefix"],
  ["2001:db8::/32", "documentation"],
  ["2001::/23", "IETF protocol assignments"],
  ["3fff::/20", "documentation"],
  ["5f00::/16", "segment routing SIDs"],
  ["fc00::/7", "unique local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local, deprecated"],
  ["ff00::/8", "multicast"],
].map(([cidr, name]) => {
  const [ip, bits] = cidr.split("/");
  return { net: parseIPv6(ip), bits: Number(bits), name: `${name} (${cidr})` };
});

/** Dotted-quad IPv4 (what the URL parser leaves of any IPv4 spelling) -> uint32, or null. */
function parseDottedIPv4(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return null;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function fmt4(a) {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
}

function deniedReason4(a) {
  for (const d of DENY4) if (((a & d.mask) >>> 0) === d.net) return d.name;
  return "";
}

/** IPv6 text (no brackets, no zone) -> 16 bytes, or null. */
function parseIPv6(s) {
  if (s.includes("%")) return null;
  let tail = [];
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    const v4 = parseDottedIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = s.slice(0, lastColon + 1) + "0"; // placeholder group, dropped below
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (tail.length) (halves.length === 2 ? rest : head).pop();
  const parsed = [...head, ...rest].map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : -1));
  if (parsed.includes(-1)) return null;
  const n = parsed.length + tail.length;
  let words;
  if (halves.length === 2) {
    if (n > 7) return null;
    const h = head.length;
    words = [...parsed.slice(0, h), ...new Array(8 - n).fill(0), ...parsed.slice(h), ...tail];
  } else {
    if (n !== 8) return null;
    words = [...parsed, ...tail];
  }
  const b = new Uint8Array(16);
  words.forEach((w, i) => {
    b[2 * i] = w >> 8;
    b[2 * i + 1] = w & 255;
  });
  return b;
}

function inPrefix6(a, net, bits) {
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & m) !== (net[i] & m)) return false;
  }
  return true;
}

const V4 = (b, i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const MAPPED4 = parseIPv6("::ffff:0:0");
const NAT64 = parseIPv6("64:ff9b::");
const TEREDO = parseIPv6("2001::");
const SIX_TO_FOUR = parseIPv6("2002::");
const GLOBAL6 = parseIPv6("2000::");

function deniedReason6(a) {
  const embedded = (label, v4) => {
    const why = deniedReason4(v4);
    return why ? `${label} ${fmt4(v4)}: ${why}` : "";
  };
  if (inPrefix6(a, MAPPED4, 96)) return embedded("IPv4-mapped", V4(a, 12));
  if (inPrefix6(a, NAT64, 96)) return embedded("NAT64 of", V4(a, 12));
  if (inPrefix6(a, TEREDO, 32)) {
    return embedded("Teredo client", ~V4(a, 12) >>> 0) || embedded("Teredo server", V4(a, 4));
  }
  if (inPrefix6(a, SIX_TO_FOUR, 16)) return embedded("6to4 of", V4(a, 2));
  for (const d of DENY6) if (inPrefix6(a, d.net, d.bits)) return d.name;
  if (!inPrefix6(a, GLOBAL6, 3)) return "reserved, outside global unicast 2000::/3";
  return "";
}

/** Why a (lower-case, no trailing dot) host name is denied, or "". */
function deniedName(h) {
  if (h === "localhost" || h.endsWith(".localhost")) return "localhost name";
  if (h === "metadata.google.internal") return "cloud metadata name";
  if (!h.includes(".")) return "single-label host name (resolved through local search domains)";
  for (const suffix of [".local", ".internal", ".localdomain", ".home.arpa"]) {
    if (h.endsWith(suffix)) return `reserved internal name (${suffix})`;
  }
  return "";
}

// ---------------------------------------------------------------- fetching

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sent with every image request (the Go host's imagefetch.DefaultUserAgent). */
export const USER_AGENT = "ogmint-image-fetcher (+https://github.com/ogmint/ogmint)";
const ACCEPT = "image/png, image/jpeg, image/gif, image/*;q=0.8";

/**
 * The caller's category for a refusal by the guard (the detail goes to the log).
 * @param {string} why refusal()'s answer
 */
function refusalCategory(why) {
  if (why.startsWith("not an https URL")) return "not an https URL";
  if (why.startsWith("invalid URL")) return "invalid URL";
  return "blocked address";
}

/**
 * Whether the first bytes of a body are an image file (what Go's
 * http.DetectContentType calls image/*): PNG, JPEG, GIF, WebP, BMP, ICO.
 * @param {Uint8Array} b
 */
export function sniffImage(b) {
  const at = (i, ...xs) => xs.every((x, k) => b[i + k] === x);
  const ascii = (i, str) => at(i, ...[...str].map((c) => c.charCodeAt(0)));
  return (
    at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) ||
    at(0, 0xff, 0xd8, 0xff) ||
    ascii(0, "GIF87a") ||
    ascii(0, "GIF89a") ||
    (ascii(0, "RIFF") && ascii(8, "WEBPVP")) ||
    ascii(0, "BM") ||
    at(0, 0x00, 0x00, 0x01, 0x00) ||
    at(0, 0x00, 0x00, 0x02, 0x00)
  );
}

/**
 * Fetches one image under the guard and the limits. Failure messages are
 * the Go host's (host/imagefetch) stable categories — "blocked address",
 * "could not connect", "timed out", "HTTP 404", "too large (over N bytes)",
 * "not an image", "empty response", "more than 3 redirects", "invalid URL",
 * "not an https URL" — after "after a redirect to URL: " when redirected,
 * prefixed with "could not be fetched: ". What exactly happened (a guard's
 * reason, a connection error) is the error's detail, for the log: callers
 * may be anonymous, and must not learn addresses or probe ports through us.
 * @param {string} field "avatar" or "logo" (for the error)
 * @param {string} raw the URL, as validated by the module
 * @param {{allow: {host: string, port: number|null}[], timeoutMs: number, maxBytes: number}} settings
 * @param {typeof fetch} [fetchFn]
 * @returns {Promise<Uint8Array>} the file's bytes; throws ImageError
 */
export async function fetchImage(field, raw, settings, fetchFn = (u, init) => fetch(u, init)) {
  let u = null;
  let hop = 0;
  const fail = (category, detail = category) => {
    const where = hop > 0 ? `after a redirect to ${clean(u.href, 200)}: ` : "";
    return new ImageError(field, `could not be fetched: ${where}${category}`, `${where}${detail}`);
  };
  try {
    u = new URL(raw);
  } catch {
    throw new ImageError(field, "could not be fetched: invalid URL");
  }
  const signal = AbortSignal.timeout(settings.timeoutMs);
  const timedOut = () => fail("timed out", `no complete answer within ${goDuration(settings.timeoutMs)}`);
  try {
    for (;; hop++) {
      const why = refusal(u, settings);
      if (why) throw fail(refusalCategory(why), why);
      let res;
      try {
        res = await fetchFn(u.href, {
          method: "GET",
          redirect: "manual",
          signal,
          headers: { Accept: ACCEPT, "User-Agent": USER_AGENT },
        });
      } catch (err) {
        if (signal.aborted) throw timedOut();
        throw fail("could not connect", `request failed: ${connectError(err)}`);
      }
      if (REDIRECTS.has(res.status)) {
        discard(res);
        const loc = res.headers.get("Location");
        if (!loc) throw fail(`HTTP ${res.status}`, `HTTP ${res.status} without a Location`);
        if (hop >= MAX_REDIRECTS) throw fail(`more than ${MAX_REDIRECTS} redirects`);
        let next;
        try {
          next = new URL(loc, u);
        } catch {
          throw fail("invalid URL", `HTTP ${res.status} to an invalid Location ${JSON.stringify(clean(loc, 200))}`);
        }
        next.hash = "";
        u = next;
        continue;
      }
      if (res.status !== 200) {
        discard(res);
        throw fail(`HTTP ${res.status}`);
      }
      // An image/* type is taken at its word; a missing or generic binary
      // one is judged by the body (as the Go host does).
      const ct = res.headers.get("Content-Type") || "";
      const mt = ct.split(";")[0].trim().toLowerCase();
      const sniff = mt === "" || mt === "application/octet-stream" || mt === "binary/octet-stream";
      const notImage = () => fail("not an image", `Content-Type ${JSON.stringify(clean(ct, 100))} is not an image`);
      if (!sniff && !mt.startsWith("image/")) {
        discard(res);
        throw notImage();
      }
      const tooLarge = () => fail(`too large (over ${settings.maxBytes} bytes)`, `larger than ${settings.maxBytes} bytes`);
      const len = (res.headers.get("Content-Length") || "").trim();
      if (/^\d+$/.test(len) && Number(len) > settings.maxBytes) {
        discard(res);
        throw tooLarge();
      }
      const bytes = await readLimited(res, settings.maxBytes, tooLarge, signal);
      if (bytes.length === 0) throw fail("empty response", "empty response body");
      if (sniff && !sniffImage(bytes)) throw notImage();
      return bytes;
    }
  } catch (err) {
    if (err instanceof ImageError) throw err;
    if (signal.aborted) throw timedOut();
    throw fail("could not connect", `request failed: ${connectError(err)}`);
  }
}

/** Milliseconds the way Go prints a time.Duration (the host's messages): 800ms, 3s, 1.5s. */
export function goDuration(ms) {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

/** Printable text of at most n characters. */
function clean(s, n) {
  // eslint-disable-next-line no-control-regex
  s = String(s).replace(/[\x00-\x1f\x7f]/g, " ");
  return s.length > n ? s.slice(0, n) + "…" : s;
}

/** A short, fixed description: the runtime's own message may name internal details. */
function connectError(err) {
  if (err && err.name === "AbortError") return "aborted";
  if (err && /NotCapable|PermissionDenied|net access/i.test(`${err.name} ${err.message}`)) return "network access not permitted";
  return "connection failed";
}

function discard(res) {
  try {
    res.body?.cancel().catch(() => {});
  } catch {
    // already consumed or locked
  }
}

/**
 * The body, at most max bytes: tooLarge() is thrown as soon as it grows past
 * that. The timeout's signal also stops the read here: workerd and Deno
 * abort the body with the fetch's signal already, this does not rely on it.
 */
async function readLimited(res, max, tooLarge, signal) {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  let onAbort;
  const aborted = new Promise((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  const chunks = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      n += value.length;
      if (n > max) throw tooLarge();
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (signal.aborted) throw signal.reason;
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Fetches every image the canonical query names, concurrently. Resolves to
 * [{field, slot, bytes}]; rejects with an ImageError list (all failures).
 * @param {string} canonical the module's canonical query (ogmint_validate)
 */
export async function fetchImages(canonical, settings, fetchFn = (u, init) => fetch(u, init)) {
  const q = new URLSearchParams(canonical);
  const wanted = IMAGE_FIELDS.filter(([field]) => q.get(field));
  if (wanted.length === 0) return [];
  const results = await Promise.allSettled(wanted.map(([field]) => fetchImage(field, q.get(field), settings, fetchFn)));
  const errors = [];
  const images = [];
  results.forEach((r, i) => {
    const [field, slot] = wanted[i];
    if (r.status === "fulfilled") images.push({ field, slot, bytes: r.value });
    else if (r.reason instanceof ImageError) errors.push(r.reason);
    else errors.push(new ImageError(field, "could not be fetched: could not connect", `request failed: ${connectError(r.reason)}`));
  });
  if (errors.length) throw new ImageErrors(errors);
  return images;
}

/** Every image that failed, for one 400 naming each field. */
export class ImageErrors extends Error {
  constructor(errors) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join("; "));
    this.errors = errors;
  }
}
