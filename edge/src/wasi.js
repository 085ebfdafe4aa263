// A minimal WASI (wasi_snapshot_preview1) for the ogmint render module: the
// 18 imports a Go wasip1 reactor needs, no file system, no arguments, no
// environment. stdout/stderr go to the console. Runs unchanged in workerd,
// Deno and Node (only Web APIs: crypto.getRandomValues, Date, performance).
//
// Clocks: workerd freezes Date.now and performance.now during a request (and
// reads 0 in the global scope), and Go's runtime may sleep (poll_oneoff on a
// clock) waiting for time to pass. A sleep therefore advances a virtual offset
// that both clocks add, and the monotonic clock moves at least 1 ns per read,
// so time always reaches the deadline the module waits for.

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;

/** Thrown by proc_exit: the instance must not be used again. */
export class WasiExit extends Error {
  constructor(code) {
    super(`ogmint module exited with code ${code}`);
    this.code = code;
  }
}

/**
 * Random bytes from crypto.getRandomValues. Workers refuse it in the global
 * scope, where the adapter instantiates the module ahead of the first request
 * (Go's runtime init reads random bytes for its hash seeds); there, and only
 * there, Math.random (seeded per isolate) fills in. Nothing in the module
 * uses these bytes as secrets.
 */
export function fillRandom(buf) {
  try {
    crypto.getRandomValues(buf);
  } catch {
    for (let i = 0; i < buf.length; i++) buf[i] = (Math.random() * 256) | 0;
  }
}

export class Wasi {
  constructor({ log = (fd, line) => (fd === 2 ? console.error : console.log)("[ogmint]", line) } = {}) {
    /** @type {WebAssembly.Memory | null} */
    this.memory = null;
    this.offsetNs = 0n; // virtual time added by sleeps
    this.lastMono = 0n;
    this.log = log;
    this.pending = { 1: "", 2: "" };
    this.imports = this.#imports();
  }

  #view() {
    return new DataView(this.memory.buffer);
  }

  #bytes(ptr, len) {
    return new Uint8Array(this.memory.buffer, ptr, len);
  }

  #now(id) {
    if (id === 0) {
      return BigInt(Date.now()) * 1000000n + this.offsetNs;
    }
    // Monotonic (and the CPU-time clocks): strictly increasing, so never 0
    // (Go's runtime refuses to start on a zero nanotime, which is what
    // workerd's frozen performance.now gives in the global scope).
    let ns = BigInt(Math.floor(performance.now() * 1e6)) + this.offsetNs;
    if (ns <= this.lastMono) ns = this.lastMono + 1n;
    this.lastMono = ns;
    return ns;
  }

  #write(fd, data) {
    const text = this.pending[fd] + new TextDecoder().decode(data);
    const lines = text.split("\n");
    this.pending[fd] = lines.pop();
    for (const line of lines) this.log(fd, line);
  }

  #imports() {
    const zero2 = (a, b) => {
      const v = this.#view();
      v.setUint32(a, 0, true);
      v.setUint32(b, 0, true);
      return ESUCCESS;
    };
    return {
      args_sizes_get: zero2,
      args_get: () => ESUCCESS,
      environ_sizes_get: zero2,
      environ_get: () => ESUCCESS,
      sched_yield: () => ESUCCESS,
      proc_exit: (code) => {
        throw new WasiExit(code);
      },
      clock_time_get: (id, _precision, out) => {
        if (id > 3) return EINVAL;
        this.#view().setBigUint64(out, this.#now(id), true);
        return ESUCCESS;
      },
      random_get: (ptr, len) => {
        // getRandomValues takes at most 65536 bytes and may refuse views of
        // wasm memory: fill a scratch buffer and copy.
        const tmp = new Uint8Array(Math.min(len, 65536));
        for (let off = 0; off < len; off += tmp.length) {
          const n = Math.min(tmp.length, len - off);
          fillRandom(tmp.subarray(0, n));
          this.#bytes(ptr + off, n).set(tmp.subarray(0, n));
        }
        return ESUCCESS;
      },
      fd_write: (fd, iovs, iovsLen, nwritten) => {
        if (fd !== 1 && fd !== 2) return EBADF;
        const v = this.#view();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = v.getUint32(iovs + i * 8, true);
          const len = v.getUint32(iovs + i * 8 + 4, true);
          this.#write(fd, this.#bytes(ptr, len).slice());
          total += len;
        }
        v.setUint32(nwritten, total, true);
        return ESUCCESS;
      },
      fd_read: (fd, _iovs, _iovsLen, nread) => {
        if (fd !== 0) return EBADF;
        this.#view().setUint32(nread, 0, true); // stdin is empty
        return ESUCCESS;
      },
      fd_close: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
      fd_fdstat_get: (fd, out) => {
        if (fd > 2) return EBADF;
        const v = this.#view();
        v.setUint8(out, 2); // character device
        v.setUint16(out + 2, 0, true); // flags
        v.setBigUint64(out + 8, 0xffffffffn, true); // rights base
        v.setBigUint64(out + 16, 0n, true); // rights inheriting
        return ESUCCESS;
      },
      fd_fdstat_set_flags: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
      fd_seek: (fd) => (fd <= 2 ? ESPIPE : EBADF), // the standard streams do not seek
      fd_filestat_get: (fd, out) => {
        if (fd > 2) return EBADF;
        const v = this.#view();
        for (let i = 0; i < 64; i += 8) v.setBigUint64(out + i, 0n, true);
        v.setUint8(out + 16, 2); // character device
        return ESUCCESS;
      },
      fd_prestat_get: () => EBADF, // no preopened directories
      fd_prestat_dir_name: () => EBADF,
      poll_oneoff: (inPtr, outPtr, nsubs, neventsPtr) => {
        const v = this.#view();
        let n = 0;
        for (let i = 0; i < nsubs; i++) {
          const s = inPtr + i * 48;
          const tag = v.getUint8(s + 8);
          let err = ESUCCESS;
          if (tag === 0) {
            const id = v.getUint32(s + 16, true);
            const timeout = v.getBigUint64(s + 24, true);
            const absolute = (v.getUint16(s + 40, true) & 1) === 1;
            const wait = absolute ? timeout - this.#now(id) : timeout;
            if (wait > 0n) this.offsetNs += wait; // the sleep "happens" at once
          } else {
            err = ENOSYS; // no file descriptors to wait on
          }
          const e = outPtr + n * 32;
          v.setBigUint64(e, v.getBigUint64(s, true), true); // userdata
          v.setUint16(e + 8, err, true);
          v.setUint8(e + 10, tag);
          v.setBigUint64(e + 16, 0n, true);
          v.setUint16(e + 24, 0, true);
          n++;
        }
        v.setUint32(neventsPtr, n, true);
        return ESUCCESS;
      },
    };
  }
}
