// The request line as the Go host (fasthttp) sees it, so the edge hands the
// render module exactly the parameters the host would validate. Not a rule of
// validation: those all live in the module (wasm/params), reached through
// ogmint_validate.
//
// fasthttp splits the query on '&' only (';' is an ordinary byte), splits
// each pair at its first '=', turns '+' into a space, decodes a valid %XX and
// keeps an invalid '%' literally, and drops pairs whose key and value are both
// empty. The module parses with Go's url.ParseQuery, which is stricter (it
// rejects ';' and bad escapes), so requestBytes re-escapes the decoded pairs
// in a form url.ParseQuery reads back to the same bytes.

const AMP = 0x26;
const EQ = 0x3d;
const PCT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;
const SEMI = 0x3b;
const HEX = "0123456789ABCDEF";

function hexVal(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** fasthttp's decodeArgAppend: lenient %XX decoding, '+' as space when plus. */
export function decodeComponent(src, plus = true) {
  const out = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === PCT) {
      if (i + 3 > src.length) {
        for (; i < src.length; i++) out.push(src[i]);
        break;
      }
      const hi = hexVal(src[i + 1]);
      const lo = hexVal(src[i + 2]);
      if (hi < 0 || lo < 0) {
        out.push(PCT);
      } else {
        out.push((hi << 4) | lo);
        i += 2;
      }
    } else if (c === PLUS && plus) {
      out.push(SPACE);
    } else {
      out.push(c);
    }
  }
  return out;
}

/** The (key, value) byte pairs fasthttp's Args.VisitAll yields for a query. */
export function hostArgs(query) {
  const b = new TextEncoder().encode(query);
  const pairs = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i < b.length && b[i] !== AMP) continue;
    const seg = b.subarray(start, i);
    start = i + 1;
    const eq = seg.indexOf(EQ);
    const key = decodeComponent(eq < 0 ? seg : seg.subarray(0, eq));
    const value = eq < 0 ? [] : decodeComponent(seg.subarray(eq + 1));
    if (key.length > 0 || value.length > 0) pairs.push([key, value]);
  }
  return pairs;
}

function escapeInto(out, bytes) {
  for (const c of bytes) {
    if (c === PCT || c === AMP || c === PLUS || c === EQ || c === SEMI || c === 0x23) {
      out.push(PCT, HEX.charCodeAt(c >> 4), HEX.charCodeAt(c & 15));
    } else if (c === SPACE) {
      out.push(PLUS);
    } else {
      out.push(c);
    }
  }
}

/**
 * The module request for a raw query string (without '?'): the host's
 * parameters, escaped for url.ParseQuery. For a query that is already plainly
 * percent-encoded the result is no longer than the input.
 */
export function requestBytes(query) {
  const out = [];
  for (const [k, v] of hostArgs(query)) {
    if (out.length > 0) out.push(AMP);
    escapeInto(out, k);
    out.push(EQ);
    escapeInto(out, v);
  }
  return Uint8Array.from(out);
}

/** fasthttp's normalizePath: %XX decoded, duplicate slashes and dot segments removed. */
export function normalizePath(pathname) {
  if (pathname === "/") return "/";
  const bytes = decodeComponent(new TextEncoder().encode(pathname), false);
  let p = new TextDecoder().decode(Uint8Array.from(bytes));
  if (!p.startsWith("/")) p = "/" + p;
  p = p.replace(/\/{2,}/g, "/");
  if (!p.includes("/.")) return p;
  const segs = [];
  const parts = p.split("/").slice(1);
  parts.forEach((s, i) => {
    const last = i === parts.length - 1;
    if (s === ".") {
      if (last) segs.push("");
    } else if (s === "..") {
      segs.pop();
      if (last) segs.push("");
    } else {
      segs.push(s);
    }
  });
  return "/" + segs.join("/");
}
