// The render module's ABI (wasm/abi/abi.go) from JavaScript: one instance per
// isolate, reused for every request; any trap or WASI exit drops it and the
// next request instantiates a fresh one. Every method is synchronous, so calls
// from concurrent requests never interleave inside a call sequence.

import { Wasi } from "./wasi.js";

// Mirrors of wasm/abi. Checked against the module's ogmint_abi_version.
export const ABI_VERSION = 3;
export const WIDTH = 1200;
export const HEIGHT = 630;
export const FRAME_SIZE = WIDTH * HEIGHT * 4;
export const MAX_REQUEST = 64 << 10;
export const MAX_IMAGE_BYTES = 4 << 20;
export const MAX_FONT_BYTES = 48 << 20;
export const MAX_TEMPLATE_BYTES = 4 << 20;
export const MAX_FRAME_SIDE = 2400;
export const MAX_FRAME_PIXELS = 4_000_000;
export const Status = Object.freeze({ OK: 0, INVALID: 1, NOT_FOUND: 2, TOO_LARGE: 3, INTERNAL: 4, NEED_FONTS: 5, NEED_TEMPLATE: 6, NEED_FAMILIES: 7 });

/** A failure of the module itself (trap, exit, bad pointer): HTTP 500. */
export class ModuleFault extends Error {}

export class Instance {
  /** @param {WebAssembly.Module} wasmModule */
  static async create(wasmModule, options = {}) {
    const wasi = new Wasi(options);
    const inst = await WebAssembly.instantiate(wasmModule, { wasi_snapshot_preview1: wasi.imports });
    return Instance.#init(inst, wasi);
  }

  /**
   * Synchronous create, for Workers' global scope (no promises settle there
   * before the first request).
   * @param {WebAssembly.Module} wasmModule
   */
  static createSync(wasmModule, options = {}) {
    const wasi = new Wasi(options);
    const inst = new WebAssembly.Instance(wasmModule, { wasi_snapshot_preview1: wasi.imports });
    return Instance.#init(inst, wasi);
  }

  static #init(inst, wasi) {
    wasi.memory = inst.exports.memory;
    const self = new Instance(inst.exports);
    self.#guard(() => inst.exports._initialize());
    const v = self.#call("ogmint_abi_version");
    if (v !== ABI_VERSION) {
      throw new ModuleFault(`module ABI version ${v}, adapter speaks ${ABI_VERSION}`);
    }
    return self;
  }

  constructor(exports) {
    this.x = exports;
    this.broken = false;
    /** Fallback families handed over (manifest indices): an instance keeps them. */
    this.fonts = new Set();
  }

  #guard(fn) {
    if (this.broken) throw new ModuleFault("instance is broken");
    try {
      return fn();
    } catch (err) {
      this.broken = true;
      throw new ModuleFault(`module call failed: ${err && err.message}`, { cause: err });
    }
  }

  #call(name, arg = 0) {
    return this.#guard(() => this.x[name](arg)) >>> 0;
  }

  #mem(ptr, len) {
    const buf = this.x.memory.buffer;
    if (ptr + len > buf.byteLength) {
      this.broken = true;
      throw new ModuleFault(`pointer ${ptr}+${len} out of memory range`);
    }
    return new Uint8Array(buf, ptr, len);
  }

  /** Writes the request bytes; returns their length, or -1 when too large. */
  #request(bytes) {
    const n = bytes.length;
    if (n > MAX_REQUEST) return -1;
    const ptr = this.#call("ogmint_request", n);
    if (ptr === 0) {
      if (n > 0) return -1;
      return 0;
    }
    this.#mem(ptr, n).set(bytes);
    return n;
  }

  /** The output buffer of the last call, copied. */
  output() {
    const n = this.#call("ogmint_output_len");
    if (n === 0) return new Uint8Array(0);
    const ptr = this.#call("ogmint_output");
    return this.#mem(ptr, n).slice();
  }

  #run(exp, bytes) {
    const n = this.#request(bytes);
    if (n < 0) return Status.TOO_LARGE;
    return this.#call(exp, n);
  }

  /**
   * Parses a request. On OK, body is the canonical query string; otherwise
   * the module's JSON error body.
   * @returns {{status: number, body: Uint8Array}}
   */
  validate(bytes) {
    const status = this.#run("ogmint_validate", bytes);
    if (status === Status.TOO_LARGE && bytes.length > MAX_REQUEST) {
      return { status, body: tooLargeBody() };
    }
    return { status, body: this.output() };
  }

  /**
   * Renders a request. On OK the frame is ready (pixels()); on NEED_FONTS
   * body holds the runes (UTF-8) no font of the instance draws (hand over
   * the families that own them, then render again, or call renderAgain);
   * otherwise body is the module's JSON error body.
   * @param {Uint8Array} bytes the request
   * @param {{field: string, slot: number, bytes: Uint8Array}[]} [images] fetched
   *   image files for the module's slots (abi.SlotAvatar, abi.SlotLogo)
   */
  render(bytes, images = []) {
    const n = this.#request(bytes);
    if (n < 0) return { status: Status.TOO_LARGE, body: tooLargeBody() };
    // Between ogmint_request (which empties the slots) and ogmint_render.
    for (const img of images) {
      const len = img.bytes.length;
      const ptr = len > 0 && len <= MAX_IMAGE_BYTES ? this.#call("ogmint_image", ((img.slot << 24) | len) >>> 0) : 0;
      if (ptr === 0) {
        return { status: Status.INVALID, body: invalidBody(img.field, `image of ${len} bytes refused by the renderer`) };
      }
      this.#mem(ptr, len).set(img.bytes);
    }
    const status = this.#call("ogmint_render", n);
    if (status === Status.OK) return { status, body: null };
    if (status === Status.TOO_LARGE && bytes.length > MAX_REQUEST) {
      return { status, body: tooLargeBody() };
    }
    return { status, body: this.output() };
  }

  /**
   * Right after render() answered NEED_FONTS, with no call in between:
   * renders the same request (and images) again. The module asks for fonts
   * at most once per request, so this draws what it still lacks as boxes.
   * @param {Uint8Array} bytes the request given to render()
   */
  renderAgain(bytes) {
    const status = this.#call("ogmint_render", bytes.length);
    return { status, body: status === Status.OK ? null : this.output() };
  }

  /**
   * Hands a packed fallback family (fonts.Family.Pack) to the instance,
   * which keeps it. Returns null, or the module's reason for refusing it.
   * @param {number} index the family's index in the font manifest
   * @param {Uint8Array} packed
   * @returns {string | null}
   */
  addFont(index, packed) {
    const n = packed.length;
    const ptr = n > 0 && n <= MAX_FONT_BYTES ? this.#call("ogmint_font", n) : 0;
    if (ptr === 0) return `family of ${n} bytes refused by the renderer`;
    this.#mem(ptr, n).set(packed);
    const st = this.#call("ogmint_font_add", n);
    if (st !== Status.OK) return new TextDecoder().decode(this.output());
    this.fonts.add(index);
    return null;
  }

  /**
   * Hands over a custom template (its JSON) right after render() or
   * validate() answered NEED_TEMPLATE: it takes the name and version the
   * request asked for, and the instance keeps it. Returns null, or the
   * module's JSON error body (an invalid template).
   * @param {Uint8Array} json
   * @returns {Uint8Array | null}
   */
  addTemplate(json) {
    const n = json.length;
    const ptr = n > 0 && n <= MAX_TEMPLATE_BYTES ? this.#call("ogmint_template", n) : 0;
    if (ptr === 0) return invalidBody("template", `template of ${n} bytes refused by the renderer`);
    this.#mem(ptr, n).set(json);
    const st = this.#call("ogmint_template_add", n);
    return st === Status.OK ? null : this.output();
  }

  /** The frame's size: the template's canvas (WIDTH x HEIGHT by default). */
  frameSize() {
    const v = this.#call("ogmint_frame_size");
    const width = v >>> 16, height = v & 0xffff;
    if (width < 1 || height < 1 || width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE || width * height > MAX_FRAME_PIXELS) {
      this.broken = true;
      throw new ModuleFault(`frame size ${width}x${height} out of bounds`);
    }
    return { width, height };
  }

  /** A view of the frame (RGBA, width*height*4 of frameSize()): valid until the next call. */
  pixels() {
    const { width, height } = this.frameSize();
    return this.#mem(this.#call("ogmint_pixels"), width * height * 4);
  }

  /** PNG of the last rendered frame from the module's portable encoder. */
  encodePNG() {
    const st = this.#call("ogmint_encode_png");
    const out = this.output();
    if (st !== Status.OK) {
      throw new ModuleFault(`ogmint_encode_png: status ${st}: ${new TextDecoder().decode(out)}`);
    }
    return out;
  }

  /** JSON describing templates, palettes and fonts (GET /api/templates). */
  info() {
    const st = this.#call("ogmint_info");
    const out = this.output();
    if (st !== Status.OK) throw new ModuleFault(`ogmint_info: status ${st}`);
    return out;
  }
}

/** The module's 400 body shape (wasm/module ErrorBody) for one field. */
export function invalidBody(field, message) {
  return new TextEncoder().encode(JSON.stringify({ error: "invalid parameters", details: [{ field, message }] }));
}

function tooLargeBody() {
  return new TextEncoder().encode(JSON.stringify({ error: "request too large" }));
}

/**
 * Keeps one warm instance and replaces it after a fault.
 * @param {() => Promise<WebAssembly.Module> | WebAssembly.Module} load
 */
export class InstanceHolder {
  constructor(load, options = {}) {
    this.load = load;
    this.options = options;
    this.current = null;
    this.pending = null;
    this.compiled = null;
    this.stats = { instances: 0, replaced: 0, renders: 0 };
  }

  /**
   * Instantiates now, synchronously, when the compiled module is at hand
   * (loadModule returns it directly): Workers run this in the global scope,
   * which counts against the start-up limit (1 s) instead of the first
   * request's CPU time.
   */
  prewarmSync() {
    if (this.current || this.pending) return;
    const m = (this.compiled ??= this.load()); // a Module, or a Promise of one (kept for get)
    if (!(m instanceof WebAssembly.Module)) throw new Error("prewarmSync: module not compiled yet");
    this.current = Instance.createSync(m, this.options);
    this.stats.instances++;
  }

  /** @returns {Promise<Instance>} */
  async get() {
    if (this.current && !this.current.broken) return this.current;
    if (this.current && this.current.broken) {
      this.current = null;
      this.stats.replaced++;
    }
    if (!this.pending) {
      this.pending = (async () => {
        this.compiled ??= this.load();
        let m;
        try {
          m = await this.compiled;
        } catch (err) {
          this.compiled = null; // let the next request try again
          throw err;
        }
        const inst = await Instance.create(m, this.options);
        this.stats.instances++;
        return inst;
      })().finally(() => {
        this.pending = null;
      });
      this.current = await this.pending;
      return this.current;
    }
    return await this.pending;
  }
}
