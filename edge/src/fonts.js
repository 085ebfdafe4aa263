// The fallback font families (Arabic, Hebrew, Indic, Thai, CJK, colour
// emoji, ...): not inside the render module, handed to it on demand (ABI v2,
// wasm/abi). `make edge` writes them with internal/cmd/edgefonts as a
// directory of files:
//   manifest.json  {"families":[{"name","file","bytes","ranges":[[lo,hi],...]}]}
//                  in catalogue order; ranges are the runes each family owns
//                  (decided in Go by wasm/fonts.Catalog: a rune has at most
//                  one owner), sorted and disjoint
//   <index>.ogf    family index, packed for ogmint_font (fonts.Family.Pack)
// The entry point says how to read a file of that directory (Workers: the
// static assets binding; Deno: files next to the bundle). Everything is
// loaded lazily and kept per isolate: the manifest at the first text that
// needs a family, each family's bytes at the first text that needs it, once.

/** Families of the manifest, each with its ranges ready for binary search. */
export class FontCatalog {
  /** @param {{families: {name: string, file: string, bytes: number, ranges: [number, number][]}[]}} manifest */
  constructor(manifest) {
    if (!manifest || !Array.isArray(manifest.families)) throw new Error("font manifest: no families");
    this.families = manifest.families.map((f, i) => {
      if (typeof f.file !== "string" || !/^[\w.-]+$/.test(f.file) || !Array.isArray(f.ranges)) {
        throw new Error(`font manifest: family ${i} malformed`);
      }
      const flat = new Int32Array(f.ranges.length * 2);
      f.ranges.forEach(([lo, hi], k) => {
        flat[2 * k] = lo;
        flat[2 * k + 1] = hi;
      });
      return { index: i, name: String(f.name), file: f.file, bytes: f.bytes, ranges: flat };
    });
  }

  /**
   * Indices of the families that own any of runes (code points), in
   * catalogue order: wasm/fonts.Catalog.Needed.
   * @param {Iterable<number>} runes
   */
  needed(runes) {
    const rs = [...runes];
    return this.families.filter((f) => rs.some((r) => owns(f.ranges, r))).map((f) => f.index);
  }
}

/** Binary search of r in flat [lo0, hi0, lo1, hi1, ...] (fonts.Ranges.Contains). */
export function owns(flat, r) {
  let lo = 0;
  let hi = flat.length >> 1;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (r < flat[2 * m]) hi = m;
    else if (r > flat[2 * m + 1]) lo = m + 1;
    else return true;
  }
  return false;
}

/** The code points of the UTF-8 runes the module lacks (StatusNeedFonts output). */
export function decodeRunes(bytes) {
  const out = [];
  for (const ch of new TextDecoder().decode(bytes)) out.push(ch.codePointAt(0));
  return out;
}

/**
 * The families of one isolate: the manifest and the families' bytes, each
 * read once and kept (concurrent requests share a read in flight). A read
 * that fails is logged and forgotten, so a later request tries again; the
 * request that met the failure renders without that family (boxes).
 */
export class FontStore {
  /**
   * @param {(file: string) => Promise<Uint8Array | ArrayBuffer>} read reads a file of the fonts directory
   * @param {(msg: string, err?: unknown) => void} log
   */
  constructor(read, log) {
    this.read = read;
    this.log = log;
    /** @type {FontCatalog | undefined} set once the manifest is read */
    this.catalog = undefined;
    this.catalogPromise = null;
    this.files = new Map(); // index -> Promise<Uint8Array | null>
    this.stats = { manifestReads: 0, fetches: 0, fetchedBytes: 0, failures: 0 };
  }

  /** Reads the manifest (once); null when it cannot be read (logged). */
  loadCatalog() {
    if (this.catalog) return Promise.resolve(this.catalog);
    this.catalogPromise ??= this.#readCatalog().finally(() => {
      this.catalogPromise = null;
    });
    return this.catalogPromise;
  }

  async #readCatalog() {
    this.stats.manifestReads++;
    try {
      const text = new TextDecoder().decode(await this.read("manifest.json"));
      this.catalog = new FontCatalog(JSON.parse(text));
      return this.catalog;
    } catch (err) {
      this.stats.failures++;
      this.log("font manifest unavailable; rendering without fallback fonts", err);
      return null;
    }
  }

  /**
   * The packed bytes of family index (read once per isolate), or null when
   * it cannot be read (logged; the next call reads again).
   * @returns {Promise<Uint8Array | null>}
   */
  family(index) {
    let p = this.files.get(index);
    if (!p) {
      p = this.#readFamily(this.catalog.families[index]);
      this.files.set(index, p);
      p.then((b) => b || this.files.delete(index)); // forget a failure: the next request reads again
    }
    return p;
  }

  async #readFamily(f) {
    this.stats.fetches++;
    try {
      const raw = await this.read(f.file);
      const b = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
      if (typeof f.bytes === "number" && b.length !== f.bytes) {
        throw new Error(`${b.length} bytes, the manifest says ${f.bytes}`);
      }
      this.stats.fetchedBytes += b.length;
      return b;
    } catch (err) {
      this.stats.failures++;
      this.log(`font family ${f.name} (${f.file}) unavailable; its runes draw as boxes`, err);
      return null;
    }
  }
}
