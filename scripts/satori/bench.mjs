// Peer benchmark: satori (HTML/CSS -> SVG) + @resvg/resvg-js (SVG -> PNG)
// rendering a 1200x630 blog social card, for comparison with ogmint.
//
// Usage: node bench.mjs   (or ./run.sh)
// Env:
//   N                    measured renders (default 200); 20 warm-up renders run first
//   OUT_PNG              if set, the last rendered PNG is written to this path
//   OGMINT_FONT_REGULAR  default /usr/share/fonts/opentype/inter/Inter-Regular.otf
//   OGMINT_FONT_BOLD     default /usr/share/fonts/opentype/inter/Inter-Bold.otf
//
// Prints one JSON line to stdout:
//   {"tool":"satori+resvg","n":..,"p50_ms":..,"p90_ms":..,"p99_ms":..,"mean_ms":..,"per_sec":..}
// Diagnostics (versions, fonts) go to stderr.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import satori from 'satori'
import { Resvg } from '@resvg/resvg-js'

const require = createRequire(import.meta.url)

const WIDTH = 1200
const HEIGHT = 630
const WARMUP = 20

const COLORS = {
  background: '#0a0a0f',
  surface: '#13131a',
  accent: '#6366f1',
  text: '#f0f0f8',
  textMuted: 'rgba(240, 240, 248, 0.7)', // #f0f0f8 at 70% opacity
}

// ---------------------------------------------------------------- fonts

const FONT_REGULAR =
  process.env.OGMINT_FONT_REGULAR || '/usr/share/fonts/opentype/inter/Inter-Regular.otf'
const FONT_BOLD =
  process.env.OGMINT_FONT_BOLD || '/usr/share/fonts/opentype/inter/Inter-Bold.otf'

function loadFont(path, envName) {
  if (!existsSync(path)) {
    console.error(
      `error: font file not found: ${path}\n` +
        `  Install Inter with:  sudo apt-get install fonts-inter\n` +
        `  or point ${envName} at another TTF/OTF/WOFF file.`,
    )
    process.exit(1)
  }
  return readFileSync(path)
}

const fonts = [
  { name: 'Card', data: loadFont(FONT_REGULAR, 'OGMINT_FONT_REGULAR'), weight: 400, style: 'normal' },
  { name: 'Card', data: loadFont(FONT_BOLD, 'OGMINT_FONT_BOLD'), weight: 700, style: 'normal' },
]

// ---------------------------------------------------------------- card

// Tiny element helper: satori accepts React-element-like objects directly.
const h = (type, style, ...children) => ({
  type,
  props: { style, children: children.length === 1 ? children[0] : children },
})

function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('')
}

function card({ tag, title, description, author }) {
  // Canvas 1200x630 -> surface inset 40px -> content padding 44/56px, so all
  // text sits >= 84px from the canvas edges (>= 60px required).
  return h(
    'div',
    {
      display: 'flex',
      boxSizing: 'border-box',
      width: WIDTH,
      height: HEIGHT,
      padding: 40,
      backgroundColor: COLORS.background,
      fontFamily: 'Card',
    },
    h(
      'div',
      {
        position: 'relative',
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        flexGrow: 1,
        boxSizing: 'border-box',
        backgroundColor: COLORS.surface,
        borderRadius: 24,
        overflow: 'hidden',
        padding: '44px 56px 44px 56px',
      },
      // accent bar on the left edge of the surface
      h('div', {
        position: 'absolute',
        left: 0,
        top: 0,
        bottom: 0,
        width: 8,
        backgroundColor: COLORS.accent,
      }),
      // top block: tag, title, description
      h(
        'div',
        { display: 'flex', flexDirection: 'column', alignItems: 'flex-start' },
        h(
          'div',
          {
            display: 'flex',
            backgroundColor: COLORS.accent,
            color: '#ffffff',
            fontSize: 22,
            fontWeight: 700,
            textTransform: 'uppercase',
            letterSpacing: 1,
            padding: '8px 18px',
            borderRadius: 999,
          },
          tag,
        ),
        h(
          'div',
          {
            display: 'block',
            marginTop: 22,
            color: COLORS.text,
            fontSize: 64,
            fontWeight: 700,
            lineHeight: 1.15,
            lineClamp: 3,
            overflow: 'hidden',
            textOverflow: 'ellipsis',
          },
          title,
        ),
        h(
          'div',
          {
            display: 'block',
            marginTop: 16,
            color: COLORS.textMuted,
            fontSize: 28,
            fontWeight: 400,
            lineHeight: 1.4,
            lineClamp: 2,
            overflow: 'hidden',
            textOverflow: 'ellipsis',
          },
          description,
        ),
      ),
      // bottom: author line
      h(
        'div',
        { display: 'flex', alignItems: 'center' },
        h(
          'div',
          {
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            width: 48,
            height: 48,
            borderRadius: 24,
            backgroundColor: COLORS.accent,
            color: '#ffffff',
            fontSize: 20,
            fontWeight: 700,
          },
          initials(author),
        ),
        h(
          'div',
          { display: 'flex', marginLeft: 16, color: COLORS.text, fontSize: 26, fontWeight: 400 },
          author,
        ),
      ),
    ),
  )
}

function cardData(i) {
  return {
    tag: 'Engineering',
    title: `Benchmark card number ${i}: how we render social images at the edge without a headless browser`,
    description:
      'A look at the layout engine, text shaping and rasterisation pipeline behind our Open Graph ' +
      'image service, and what it takes to render thousands of cards per second.',
    author: 'Ada Lovelace',
  }
}

// ---------------------------------------------------------------- render

async function render(i) {
  const svg = await satori(card(cardData(i)), { width: WIDTH, height: HEIGHT, fonts })
  // As @vercel/og runs it: satori draws text as paths, so resvg needs no
  // system fonts (loading them for every card cost 2-3x the render).
  return new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng()
}

function percentile(sorted, p) {
  // nearest-rank
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]
}

const round = (x) => Math.round(x * 1000) / 1000

async function main() {
  const n = Number.parseInt(process.env.N ?? '200', 10)
  if (!Number.isFinite(n) || n < 1) {
    console.error(`error: N must be a positive integer, got ${JSON.stringify(process.env.N)}`)
    process.exit(2)
  }

  console.error(
    `satori ${require('satori/package.json').version}, ` +
      `@resvg/resvg-js ${require('@resvg/resvg-js/package.json').version}, ` +
      `node ${process.version}; fonts: ${FONT_REGULAR}, ${FONT_BOLD}`,
  )

  // Warm-up (JIT, WASM init, font parsing caches). Uses titles distinct from
  // the measured ones.
  for (let i = 0; i < WARMUP; i++) await render(-1 - i)

  const times = new Array(n)
  let png
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint()
    png = await render(i)
    times[i] = Number(process.hrtime.bigint() - s) / 1e6
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6

  const sorted = [...times].sort((a, b) => a - b)
  const mean = times.reduce((a, b) => a + b, 0) / n
  const result = {
    tool: 'satori+resvg',
    n,
    p50_ms: round(percentile(sorted, 50)),
    p90_ms: round(percentile(sorted, 90)),
    p99_ms: round(percentile(sorted, 99)),
    mean_ms: round(mean),
    per_sec: round((n * 1000) / wallMs), // sequential, single thread
  }

  if (process.env.OUT_PNG) {
    writeFileSync(process.env.OUT_PNG, png)
    console.error(`wrote ${process.env.OUT_PNG} (${png.length} bytes)`)
  }

  process.stdout.write(JSON.stringify(result) + '\n')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
