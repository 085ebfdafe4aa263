// Where a template's validation problems are in its JSON text. The render
// module (and the API) give each problem a JSON Pointer (RFC 6901) into the
// document, or, for a syntax error, the byte offset in its message
// ("invalid JSON at byte 14: ..."); these map them to a place in the text.

/** A JSON Pointer token for an object key: "~" as "~0", "/" as "~1". */
export function escapeToken(key) {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * The place of every value of a JSON text by its pointer: index is where the
 * value starts, key where its member starts (the key's opening quote; the
 * value's start for array elements and the document). A text that is not
 * JSON gives the places up to its first error. A key given twice has the
 * place of the second (the module reports "given twice" at it).
 * @param {string} text
 * @returns {Map<string, {index: number, key: number}>}
 */
export function scan(text) {
  const places = new Map();
  let i = 0;
  const fail = () => {
    throw new SyntaxError(`unexpected character at ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    let out = "";
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += ESCAPES[e] ?? e;
          i += 2;
        }
        continue;
      }
      out += c;
      i++;
    }
    fail();
  };
  const value = (pointer, key) => {
    ws();
    places.set(pointer, { index: i, key: key ?? i });
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        const k = i;
        const name = string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value(`${pointer}/${escapeToken(name)}`, k);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${pointer}/${n}`);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail();
    i += m[0].length;
  };
  try {
    value("");
  } catch {
    // The places found so far; too deep a nesting ends here too.
  }
  return places;
}

/** The string index of a UTF-8 byte offset into text (clamped to its length). */
export function indexOfByte(text, offset) {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < offset) {
    const cp = text.codePointAt(i);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** 1-based line and column of index in text. */
export function lineCol(text, index) {
  let line = 1;
  let start = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  }
  return { line, col: index - start + 1 };
}

/**
 * Where a problem {pointer, message} is in text: {index, line, col}, or null
 * for a problem of the whole document with no place (a template that never
 * shows {title}). A syntax error is at the byte its message names; an
 * unknown field at its key in the object the pointer names; any other
 * problem at the member its pointer names (its key), or at the nearest
 * enclosing value that is there.
 * @param {string} text
 * @param {{pointer?: string, message?: string}} problem
 * @param {Map<string, {index: number, key: number}>} [places] scan(text), when at hand
 */
export function locate(text, problem, places) {
  const pointer = problem.pointer ?? "";
  const message = problem.message ?? "";
  let index = null;
  const byte = /invalid JSON at byte (\d+)/.exec(message);
  if (pointer === "" && byte) {
    // encoding/json's offset is just past the character it stopped at.
    index = indexOfByte(text, Math.max(0, Number(byte[1]) - 1));
  } else {
    places ??= scan(text);
    const unknown = /^unknown field (".*")$/.exec(message);
    if (unknown) {
      let name = null;
      try {
        name = JSON.parse(unknown[1]);
      } catch {
        // a quoting JSON does not read: stay at the object
      }
      const member = name === null ? undefined : places.get(`${pointer}/${escapeToken(name)}`);
      if (member) index = member.key;
    }
    if (index === null) {
      for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
        const at = places.get(p);
        if (at) {
          index = p === "" && pointer === "" ? null : at.key;
          break;
        }
        if (p === "") break;
      }
    }
  }
  if (index === null) return null;
  return { index, ...lineCol(text, index) };
}
