// A peer renderer kept warm in one process, measured on command.
//
//   node bench.mjs <takumi|satori>                 commands from stdin, one a line
//   node bench.mjs <takumi|satori> <command...>    one command, then exit
//
// Commands, each answered with one JSON line on stdout:
//   latency <first> <n>           20 untimed renders, then n timed, one at a time
//   throughput <first> <seconds>  renders/s with both cores busy for <seconds>
//   png <number> <out.png>        writes card <number>
//   ready                         answers once the peer is warmed up
//
// Cards are numbered first+1, first+2, ... (the latency warm-up included),
// the very titles `scripts/loadgen -first <first>` asks ogmint for, so every
// renderer draws the same text and no timed render repeats a title. run.sh
// keeps one process per peer for the whole run: fonts are loaded once and
// every thread is warmed up (JIT, glyph caches) once, at start, as in a
// long-running service; then latency runs and short throughput slices
// alternate with ogmint's.
//
// How each peer is set up, as its best users run it:
//   takumi  @takumi-rs/core (Rust, native Node bindings): one Renderer,
//           Inter registered once with registerFont, render(node, {format:
//           'png'}) -> PNG Buffer. render() runs on libuv's thread pool, so
//           with both cores busy we keep TAKUMI_CONCURRENCY (default 8)
//           renders in flight from one thread (README.md: why 8).
//   satori  satori + @resvg/resvg-js as @vercel/og runs them: fonts parsed
//           once and passed to every satori() call, new Resvg(svg, {font:
//           {loadSystemFonts: false}}) (satori draws text as paths; resvg
//           would otherwise scan every system font per card). Both are
//           synchronous on the calling thread, so with both cores busy two
//           worker_threads (one per core) render and the main thread waits.
import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { Renderer } from '@takumi-rs/core'
import satori from 'satori'
import { Resvg } from '@resvg/resvg-js'
import { FONTS, HEIGHT, WIDTH, satoriCard, takumiCard } from './card.mjs'

const START_WARMUP = 50 // renders per thread at start, numbered apart from every timed card
const LATENCY_WARMUP = 20 // as loadgen's latency mode

// renderer returns render(number) -> Promise<PNG bytes> for a peer.
async function renderer(peer) {
  if (peer === 'takumi') {
    const r = new Renderer()
    for (const f of FONTS) await r.registerFont(f)
    return (i) => r.render(takumiCard(i), { width: WIDTH, height: HEIGHT, format: 'png' })
  }
  if (peer === 'satori') {
    return async (i) => {
      const svg = await satori(satoriCard(i), { width: WIDTH, height: HEIGHT, fonts: FONTS })
      return new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng()
    }
  }
  throw new Error(`unknown peer ${peer}`)
}

const warm = async (render, from) => {
  for (let k = 0; k < START_WARMUP; k++) await render(from + k)
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6
const pct = (sorted, p) => sorted[Math.floor(p * (sorted.length - 1))] // as scripts/loadgen
const round3 = (x) => Math.round(x * 1000) / 1000

// RSS of the whole process (all threads), VmRSS as loadgen reads the
// server's, sampled every 100 ms; peak is reset at each throughput slice.
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1])
let peak = 0
setInterval(() => (peak = Math.max(peak, rssKiB())), 100).unref()

// Peer is one warmed-up peer: a renderer on the main thread (latency, png)
// and what runs throughput slices (Takumi: the same renderer; satori: two
// warmed-up workers).
class Peer {
  static async start(peer) {
    const p = new Peer()
    p.peer = peer
    p.render = await renderer(peer)
    await warm(p.render, 9_500_000)
    if (peer === 'satori') {
      p.workers = [0, 1].map((w) => new Worker(new URL(import.meta.url), { workerData: { peer, w } }))
      p.workers.forEach((w) => w.on('error', (e) => (console.error(e), process.exit(1))))
      await Promise.all(p.workers.map((w) => reply(w))) // warmed up
    }
    return p
  }

  // latency: one render at a time; p50 of each render's time (tree, layout,
  // raster, PNG encode), the in-process equivalent of one request to ogmint.
  async latency(first, n) {
    for (let k = 1; k <= LATENCY_WARMUP; k++) await this.render(first + k)
    const times = []
    const t0 = process.hrtime.bigint()
    for (let k = LATENCY_WARMUP + 1; k <= LATENCY_WARMUP + n; k++) {
      const s = process.hrtime.bigint()
      await this.render(first + k)
      times.push(ms(s))
    }
    const wall = ms(t0)
    times.sort((a, b) => a - b)
    return { n, p50_ms: round3(pct(times, 0.5)), p90_ms: round3(pct(times, 0.9)), per_sec: round3((n * 1000) / wall) }
  }

  // throughput: renders finished in a window of <seconds> with both cores
  // busy (renders in flight at the deadline finish and count, their time
  // too), the process's CPU time per render and its peak RSS.
  async throughput(first, seconds) {
    peak = rssKiB()
    const cpu0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    const end = Date.now() + seconds * 1000
    let count = 0
    if (this.workers) {
      // Worker w renders first+1+w, first+3+w, ...
      const done = this.workers.map((w) => reply(w))
      this.workers.forEach((w) => w.postMessage({ first, end }))
      count = (await Promise.all(done)).reduce((a, b) => a + b, 0)
    } else {
      let next = first + 1
      const lane = async () => {
        while (Date.now() < end) {
          await this.render(next++)
          count++
        }
      }
      await Promise.all(Array.from({ length: Number(process.env.TAKUMI_CONCURRENCY || 8) }, lane))
    }
    const wall = ms(t0)
    const cpu = process.cpuUsage(cpu0) // whole process, every thread (getrusage)
    peak = Math.max(peak, rssKiB())
    return {
      renders: count,
      per_sec: round3((count * 1000) / wall),
      cpu_ms_per_render: round3((cpu.user + cpu.system) / 1000 / count),
      peak_rss_mib: round3(peak / 1024),
    }
  }

  async png(number, path) {
    const png = await this.render(number)
    writeFileSync(path, png)
    return { bytes: png.length }
  }

  async run(line) {
    const [cmd, a, b] = line.trim().split(/\s+/)
    let out
    if (cmd === 'latency') out = await this.latency(Number(a), Number(b))
    else if (cmd === 'throughput') out = await this.throughput(Number(a), Number(b))
    else if (cmd === 'png') out = await this.png(Number(a), b)
    else if (cmd === 'ready') out = {} // answered once warmed up
    else throw new Error(`unknown command: ${line}`)
    return JSON.stringify({ peer: this.peer, mode: cmd, ...out })
  }
}

const reply = (w) => new Promise((ok) => w.once('message', ok))

// A satori throughput worker: warm up once, then for each slice render
// until the deadline and answer with the count.
async function worker({ peer, w }) {
  const render = await renderer(peer)
  await warm(render, 9_600_000 + w * 10_000)
  parentPort.postMessage('ready')
  parentPort.on('message', async ({ first, end }) => {
    let count = 0
    while (Date.now() < end) {
      await render(first + 1 + w + 2 * count)
      count++
    }
    parentPort.postMessage(count)
  })
}

async function main() {
  const [name, ...cmd] = process.argv.slice(2)
  const peer = await Peer.start(name)
  if (cmd.length) console.log(await peer.run(cmd.join(' ')))
  else for await (const line of createInterface({ input: process.stdin })) if (line.trim()) console.log(await peer.run(line))
  process.exit(0) // the workers too
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
} else {
  worker(workerData)
}
