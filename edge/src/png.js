// PNG encoding. The default is the render module's own encoder
// (ogmint_encode_png: wasm/pngenc, the code the Go host runs): a palette PNG
// when the card has at most 256 colours, else RGB; rows equal to the row
// above filtered Up, the others None; a deflate made for cards. The other two
// deflate RGB rows with filter byte 0 (None) with the runtime's native
// deflate, and are what an operator can force (OGMINT_ENCODER). The bytes of
// the three differ, the decoded pixels do not.
//
// Measured on the benchmark blog card (internal/benchcard) on the project's
// 2-core machine, CPU per request of the whole runtime process, three rounds
// (docs/benchmarks.md, "PNG encoder (issue 11)"):
//   module  the default: 77 KB; workerd 3.45-3.55 ms, Deno 3.3-3.55 ms.
//   zlib    node:zlib deflateSync at level 1 (workerd with nodejs_compat,
//           Deno): 89 KB in workerd, 100 KB in Deno; workerd 3.5-3.7 ms,
//           Deno 2.8-2.95 ms.
//   stream  CompressionStream("deflate"), the Web-standard API: zlib's
//           default level 6, which cannot be changed: ~6-11 ms in workerd.
// Each has its own tag in the ETag, since each gives different PNG bytes.

export const ENCODER_TAGS = Object.freeze({
  zlib: "edge-zlib1-1",
  stream: "edge-deflate-1",
  module: "edge-module-3",
});

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as in PNG) of the given byte arrays, in order. */
export function crc32(...parts) {
  let c = 0xffffffff;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** True when the runtime has a working CompressionStream("deflate"). */
export function hasCompressionStream() {
  if (typeof CompressionStream !== "function") return false;
  try {
    new CompressionStream("deflate");
    return true;
  } catch {
    // Also what workerd says in the global scope.
    return false;
  }
}

/**
 * Copies an opaque RGBA frame into PNG scanlines: per row a filter byte 0
 * then RGB. Synchronous, so the caller can hand the module instance to the
 * next request as soon as it returns.
 * @param {Uint8Array} rgba width*height*4 bytes
 * @param {Uint8Array} [out] reused output of (1+width*3)*height bytes
 */
export function scanlines(rgba, width, height, out) {
  const rowLen = 1 + width * 3;
  out ??= new Uint8Array(rowLen * height);
  if (rgba.byteOffset % 4 !== 0 || width % 4 !== 0) return scanlinesBytes(rgba, width, height, out);
  // Four little-endian RGBA words make three RGB words, built in an aligned
  // row buffer and copied after the row's filter byte.
  const src = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  const row = new Uint32Array((width * 3) / 4);
  const rowBytes = new Uint8Array(row.buffer);
  let s = 0;
  for (let y = 0; y < height; y++) {
    let d = 0;
    for (let x = 0; x < width; x += 4) {
      const p0 = src[s];
      const p1 = src[s + 1];
      const p2 = src[s + 2];
      const p3 = src[s + 3];
      s += 4;
      row[d] = (p0 & 0xffffff) | (p1 << 24);
      row[d + 1] = ((p1 >>> 8) & 0xffff) | (p2 << 16);
      row[d + 2] = ((p2 >>> 16) & 0xff) | (p3 << 8);
      d += 3;
    }
    out[y * rowLen] = 0;
    out.set(rowBytes, y * rowLen + 1);
  }
  return out;
}

function scanlinesBytes(rgba, width, height, out) {
  let s = 0;
  let d = 0;
  for (let y = 0; y < height; y++) {
    out[d++] = 0;
    for (let x = 0; x < width; x++, s += 4, d += 3) {
      out[d] = rgba[s];
      out[d + 1] = rgba[s + 1];
      out[d + 2] = rgba[s + 2];
    }
  }
  return out;
}

/** zlib-compresses data with the runtime's CompressionStream. */
export async function deflateStream(data) {
  const cs = new CompressionStream("deflate");
  const writer = cs.writable.getWriter();
  // Do not await the write before reading: the stream applies backpressure.
  const written = writer.write(data).then(() => writer.close());
  const out = new Uint8Array(await new Response(cs.readable).arrayBuffer());
  await written;
  return out;
}

function chunk(type, data) {
  const t = new TextEncoder().encode(type);
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(t, 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(t, data));
  return out;
}

/** Assembles a PNG (8-bit RGB) around a zlib stream of filtered scanlines. */
export function assemble(width, height, zlibData) {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const parts = [SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", zlibData), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
