// Writes edge/test/fixtures/: the world-script cards the edge tests compare
// with (test/fonts.test.mjs), rendered natively by Go (scripts/worldcards.go:
// module.RenderWithFonts with templates/fontpack's catalogue, as the host
// does). Run after a change to the renderer or the font pack:
//   node scripts/fixtures.mjs        (npm run fixtures)
// Needs Go (GO=path overrides `go`).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { EDGE } from "./runtime.mjs";

export const FIXTURES = path.join(EDGE, "test", "fixtures");

const q = (o) => new URLSearchParams(o).toString();

/** {name, query, fonts?}: fonts false renders without fallback families (boxes). */
export const CASES = [
  {
    name: "world-ja",
    query: q({
      template: "blog",
      title: "東京で会いましょう：日本語のタイトル",
      description: "ひらがな、カタカナと漢字",
      author: "山田太郎",
    }),
  },
  {
    name: "world-ar",
    query: q({
      template: "article",
      title: "مرحبا بالعالم: عنوان عربي",
      description: "نص عربي من اليمين إلى اليسار",
      tag: "Arabic",
    }),
  },
  { name: "world-emoji", query: q({ template: "minimal", title: "Family 👨‍👩‍👧 flag 🇯🇵 keycap 1️⃣", palette: "paper" }) },
  // Three families in one request: CJK, Arabic and emoji.
  { name: "world-mixed", query: q({ template: "blog", title: "東京 مرحبا 👨‍👩‍👧 🇯🇵 1️⃣", palette: "ocean" }) },
  // A rune no family owns (Linear A): a box, after one question.
  { name: "world-missing", query: q({ template: "blog", title: "Linear A 𐘀 has no font" }) },
  // world-ja without fallback families: what a failed font read draws.
  { name: "world-ja-nofonts", query: "", fonts: false },
];
CASES.at(-1).query = CASES[0].query;

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.mkdirSync(FIXTURES, { recursive: true });
  const casesFile = path.join(FIXTURES, "cases.json");
  fs.writeFileSync(casesFile, JSON.stringify(CASES, null, 2) + "\n");
  execFileSync(
    process.env.GO || "go",
    ["run", "./edge/scripts/worldcards.go", "-cases", casesFile, "-out", FIXTURES],
    { cwd: path.resolve(EDGE, ".."), stdio: "inherit" },
  );
  console.log(`fixtures: ${CASES.length} cards in ${path.relative(process.cwd(), FIXTURES) || "."}`);
}
