// A satori + resvg batch of the same cards `ogmint render -batch` gets in
// scripts/batch-bench.sh: cards first+1 .. first+n written as PNG files,
// two worker threads (one per core), as a static-site build would run it
// (fonts parsed once per thread, no system fonts).
//
//   node batch.mjs jsonl <first> <n>            prints the JSONL rows for ogmint
//   node batch.mjs satori <first> <n> <outdir>  renders them; prints {"cards","seconds"}
import { mkdirSync, writeFileSync } from 'node:fs'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import satori from 'satori'
import { Resvg } from '@resvg/resvg-js'
import { FONTS, HEIGHT, WIDTH, cardText, satoriCard } from './card.mjs'

if (!isMainThread) {
  const { from, to, out } = workerData
  for (let i = from; i < to; i++) {
    const svg = await satori(satoriCard(i), { width: WIDTH, height: HEIGHT, fonts: FONTS })
    writeFileSync(`${out}/card-${i}.png`, new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng())
  }
  parentPort.postMessage('done')
} else {
  const [mode, firstArg, nArg, out] = process.argv.slice(2)
  const first = Number(firstArg), n = Number(nArg)
  if (mode === 'jsonl') {
    for (let i = first + 1; i <= first + n; i++) {
      process.stdout.write(JSON.stringify({ template: 'blog', ...cardText(i), output: `card-${i}` }) + '\n')
    }
  } else if (mode === 'satori') {
    mkdirSync(out, { recursive: true })
    const t0 = performance.now()
    const half = Math.ceil(n / 2)
    const parts = [[first + 1, first + 1 + half], [first + 1 + half, first + n + 1]]
    await Promise.all(parts.map(([from, to]) => new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { from, to, out } })
      w.on('message', resolve)
      w.on('error', reject)
    })))
    console.log(JSON.stringify({ cards: n, seconds: (performance.now() - t0) / 1000 }))
  } else {
    console.error('usage: node batch.mjs jsonl|satori <first> <n> [outdir]')
    process.exit(2)
  }
}
