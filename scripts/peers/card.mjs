// The benchmark card, written once and handed to both peers.
//
// It is ogmint's `blog` template (templates/builtin/blog.json, midnight
// palette) with the text of internal/benchcard, laid out with the template's
// own numbers so the three renderers draw the same pixels' worth of work:
//   surface   rect (40,40) 1120x550, radius 24, #13131a on #0a0a0f
//   accent    bar (40,64) 8x502, radius 4, #6366f1
//   stack     at (100,80), 1000 wide, 22 px between children:
//     tag pill   20 px bold upper case, 16/8 px padding, radius 18
//     title      58 px bold, line 67 px, balanced, at most 3 lines
//     description 27 px regular, line 36 px, at most 2 lines, 70% text
//   (the template lets title and description shrink together from 68/28 px
//   until the stack fits its 400 px; for benchmark titles numbered 100000 and
//   up ogmint settles on 58/27 px, so the peers get those sizes directly: a
//   peer's user picks the size that fits, no shrink loop is charged to them)
//   initials  disc (100,498) 48x48 with "AL", 20 px bold
//   author    (164,502) 720x40, 26 px regular, centred vertically
//
// The tree is built from two helpers (box, text) and converted to each
// peer's input format: satori's React-like elements, Takumi's node tree.
// Building a tree per card is what both peers' users do; it costs
// microseconds next to a render.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const WIDTH = 1200
export const HEIGHT = 630

const C = {
  bg: '#0a0a0f',
  surface: '#13131a',
  accent: '#6366f1',
  text: '#f0f0f8',
  muted: 'rgba(240, 240, 248, 0.7)',
}

// Inter Regular and Bold: the very files ogmint's module embeds.
const FONT_DIR = fileURLToPath(new URL('../../templates/fonts/', import.meta.url))
export const FONTS = [
  { name: 'Inter', weight: 400, style: 'normal', data: readFileSync(FONT_DIR + 'Inter-Regular.otf') },
  { name: 'Inter', weight: 700, style: 'normal', data: readFileSync(FONT_DIR + 'Inter-Bold.otf') },
]

// cardText mirrors internal/benchcard.Values(i): a title distinct per i.
export function cardText(i) {
  return {
    tag: 'Engineering',
    title: `Benchmark card number ${i}: how we render social images at the edge without a headless browser`,
    description:
      'A deep dive into WebAssembly, wazero and glyph caches that make Open Graph cards render in ' +
      'milliseconds on two cores, with room to spare.',
    author: 'Ada Lovelace',
  }
}

const initials = (name) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .filter((_, k, a) => k === 0 || k === a.length - 1)
    .map((w) => w[0].toUpperCase())
    .join('')

// A neutral tree: {style, children} boxes and {style, text} leaves.
const box = (style, ...children) => ({ style: { display: 'flex', ...style }, children })
const text = (style, s) => ({ style, text: s })
const at = (left, top, width, height) => ({ position: 'absolute', left, top, width, height })

function tree({ tag, title, description, author }) {
  return box(
    { position: 'relative', width: WIDTH, height: HEIGHT, backgroundColor: C.bg, fontFamily: 'Inter' },
    box({ ...at(40, 40, 1120, 550), borderRadius: 24, backgroundColor: C.surface }),
    box({ ...at(40, 64, 8, 502), borderRadius: 4, backgroundColor: C.accent }),
    box(
      { ...at(100, 80, 1000, 400), flexDirection: 'column', alignItems: 'flex-start' },
      box(
        { padding: '8px 16px', borderRadius: 18, backgroundColor: C.accent },
        text({ color: C.bg, fontSize: 20, fontWeight: 700, lineHeight: '20px', textTransform: 'uppercase' }, tag),
      ),
      text(
        {
          marginTop: 22, width: 1000, color: C.text, fontSize: 58, fontWeight: 700, lineHeight: '67px',
          textWrap: 'balance', lineClamp: 3, overflow: 'hidden', textOverflow: 'ellipsis',
        },
        title,
      ),
      text(
        {
          marginTop: 22, width: 1000, color: C.muted, fontSize: 27, fontWeight: 400, lineHeight: '36px',
          lineClamp: 2, overflow: 'hidden', textOverflow: 'ellipsis',
        },
        description,
      ),
    ),
    box(
      { ...at(100, 498, 48, 48), borderRadius: 24, backgroundColor: C.accent, alignItems: 'center', justifyContent: 'center' },
      text({ color: C.bg, fontSize: 20, fontWeight: 700 }, initials(author)),
    ),
    box({ ...at(164, 502, 720, 40), alignItems: 'center' }, text({ color: C.text, fontSize: 26, fontWeight: 400 }, author)),
  )
}

// satoriCard: React-like elements, as satori (and @vercel/og) take them.
// satori wants display:block on a text leaf for line clamping, and its
// text-wrap: balance ignores line-clamp (it balanced this title into three
// short lines cut after "how we render..."), so satori wraps greedily,
// which for these titles gives the very lines ogmint's balancing gives.
function toSatori(n) {
  if ('text' in n) {
    const { textWrap, ...style } = n.style
    return { type: 'div', props: { style: { display: 'block', ...style }, children: n.text } }
  }
  return { type: 'div', props: { style: n.style, children: n.children.map(toSatori) } }
}
export const satoriCard = (i) => toSatori(tree(cardText(i)))

// takumiCard: Takumi's node tree (container / text nodes), as its docs build
// one by hand without JSX.
function toTakumi(n) {
  if ('text' in n) return { type: 'text', text: n.text, style: { display: 'block', ...n.style } }
  return { type: 'container', style: n.style, children: n.children.map(toTakumi) }
}
export const takumiCard = (i) => toTakumi(tree(cardText(i)))
