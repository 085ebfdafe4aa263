// Turns run.sh's results.jsonl into the markdown table for
// docs/benchmarks.md.
//
//   node table.mjs results.jsonl "<load average at start>" <out dir>
//
// Every ratio is ogmint / peer, computed within each round (whose
// measurements ran seconds apart, interleaved), then the median of the
// rounds' ratios is shown in bold with the rounds' own in parentheses. For
// times, CPU, memory and bytes below 1 is ogmint ahead; for renders/s above 1.
import { readFileSync } from 'node:fs'
import { execSync } from 'node:child_process'

// The installed (package-lock.json) version of a peer package.
const version = (pkg) =>
  JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version

const [file, load, outDir] = process.argv.slice(2)
const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
const rounds = [...new Set(rows.filter((r) => r.round > 0).map((r) => r.round))].sort()
const PEERS = ['takumi', 'satori']

// latency returns, per round, who's p50.
const latency = (who) => rounds.map((r) => rows.find((x) => x.round === r && x.who === who && x.mode === 'latency')?.p50_ms)

// throughput returns, per round, who's throughput slices added up:
// renders/s over the slices' total time, CPU per render over all renders,
// the highest RSS sampled.
function throughput(who) {
  return rounds.map((r) => {
    const slices = rows.filter((x) => x.round === r && x.who === who && x.mode === 'throughput')
    let renders = 0, secs = 0, cpu = 0, rss = 0
    for (const x of slices) {
      const n = x.renders ?? x.n // bench.mjs : loadgen
      renders += n
      secs += n / x.per_sec
      cpu += n * (x.cpu_ms_per_render ?? x.server_cpu_ms_per_render)
      rss = Math.max(rss, x.peak_rss_mib)
    }
    return { per_sec: renders / secs, cpu_ms: cpu / renders, cores: cpu / 1000 / secs, rss_mib: rss }
  })
}
const tp = Object.fromEntries(['ogmint', ...PEERS].map((w) => [w, throughput(w)]))
const once = (who, field) => rows.find((x) => x.round === 0 && x.who === who && field in x)?.[field]

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmt = (x) => (x == null ? '?' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const list = (xs) => xs.map(fmt).join(' / ')
const ratios = (a, b) => a.map((x, i) => x / b[i])
const cellRatio = (rs) => `**${fmt(median(rs))}** (${list(rs)})`

// One row per measure: per-round values, per-round ratios, the target.
const lines = []
const row = (label, who2vals, target) => {
  const og = who2vals.ogmint
  const rs = PEERS.map((p) => ratios(og, who2vals[p]))
  let verdict = ''
  if (target) verdict = `${target.text}: ${target.ok(median(rs[0])) ? 'met' : '**not met**'}${target.caveat?.() ?? ''}`
  lines.push(
    `| ${label} | ${list(og)} | ${list(who2vals.takumi)} | ${list(who2vals.satori)} | ${cellRatio(rs[0])} | ${cellRatio(rs[1])} | ${verdict} |`,
  )
}
const each = (f) => Object.fromEntries(['ogmint', ...PEERS].map((w) => [w, f(w)]))
const field = (k) => each((w) => tp[w].map((x) => x[k]))

row('one card at a time, p50 ms', each(latency), { text: '≤ 0.5x Takumi', ok: (r) => r <= 0.5 })
// Renders/s compare renderers only when each had both cores; on a busy
// machine the verdict says it was not.
const starved = () => {
  const got = ['ogmint', 'takumi'].map((w) => median(tp[w].map((x) => x.cores)))
  return Math.min(...got) < 1.7 ? ` (but cores got: ogmint ${fmt(got[0])}, Takumi ${fmt(got[1])} of 2: other jobs decided much of it)` : ''
}
row('renders/s, both cores busy', field('per_sec'), { text: '≥ 2x Takumi', ok: (r) => r >= 2, caveat: starved })
row('CPU per card, ms', field('cpu_ms'))
row('cores it got while busy (CPU s / s)', field('cores'))
row('peak RSS under load, MiB', field('rss_mib'))
const bytes = Object.fromEntries(['ogmint', ...PEERS].map((w) => [w, [once(w, 'bytes')]]))
const pngRatios = PEERS.map((p) => bytes.ogmint[0] / bytes[p][0])
const rssMax = Math.max(...tp.ogmint.map((x) => x.rss_mib))
const diff = (w) => `${fmt(once(w, 'mean_abs_diff'))} / ${fmt(once(w, 'pct_px_over_32'))}%`

let commit = '?'
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim()
  if (execSync('git status --porcelain', { encoding: 'utf8' }).trim()) commit += ' + uncommitted changes'
} catch {}

const rssOk = rssMax < 150
const kb = (b) => `${b.toLocaleString('en')} (${(b / 1000).toFixed(1)} KB)`
console.log(`### Peers — run of ${new Date().toISOString().slice(0, 16)}Z, commit ${commit}

\`make bench\` (\`scripts/peers/run.sh\`): ${rounds.length} round${rounds.length > 1 ? 's' : ''}, renderers interleaved in
an order that rotates per round; load average at the start ${load}.
ogmint: \`bin/ogmint serve\`, cold V1 \`GET /api/og\` over HTTP (a title never rendered before
each time; 1 client, then 4). Takumi: \`@takumi-rs/core\` ${version('@takumi-rs/core')} in-process, one
\`Renderer\`, fonts registered once, 8 renders in flight when both cores are busy.
satori ${version('satori')} + \`@resvg/resvg-js\` ${version('@resvg/resvg-js')} in-process as @vercel/og runs them (fonts parsed
once, \`loadSystemFonts: false\`), 2 worker threads when both cores are busy. All render
the blog card of \`internal/benchcard\` in Inter (templates/fonts) with the same titles.
Throughput: each round adds up slices taken in turn (renderers rotating), so other jobs
on the machine land on all three alike. Per round: values r1 / r2 / …; ratios
ogmint / peer per round, their median in bold.

| measure | ogmint | Takumi | satori + resvg | ogmint / Takumi | ogmint / satori | target |
|---|---|---|---|---|---|---|
${lines.join('\n')}
| PNG bytes, card 1234567 | ${kb(bytes.ogmint[0])} | ${kb(bytes.takumi[0])} | ${kb(bytes.satori[0])} | **${fmt(pngRatios[0])}** | **${fmt(pngRatios[1])}** | ≤ 40 KB: ${bytes.ogmint[0] <= 40000 ? 'met' : '**not met**'} |
| pixels vs ogmint's: mean abs. diff / px off > 32 | — | ${diff('takumi')} | ${diff('satori')} | | | same card |

ogmint's CPU is the server process's user+sys time (\`/proc/<pid>/stat\`) over the
throughput window per card, HTTP included, the load generator's not; the peers' is
their whole Node process's (\`process.cpuUsage\`). "Cores it got" is that CPU time over
the throughput windows' length: 2 on a quiet machine; well below 2 it says how much of
the renders/s figure is other jobs' doing rather than the renderer's (CPU per card is
the figure other jobs move least). RSS: VmRSS sampled every 100 ms
(ogmint: the server; peers: the Node process); server peak over the rounds
${fmt(rssMax)} MiB (< 150 MiB: ${rssOk ? 'met' : '**not met**'}). satori's RSS grows by about one
frame (~3 MB) per card without bound, also with forced GCs: resvg-js 2.6 keeps each
pixmap outside V8's view (thx/resvg-js#216; a fix is only in 2.7.0-alpha), so that
figure grows with the length of the run.
The three PNGs and \`sidebyside.png\`: \`${outDir}\`.`)
