// The playground's JSON Pointer -> line mapping (host/pages/static/jsonpos.js),
// without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeToken, indexOfByte, lineCol, locate, scan } from "../../host/pages/static/jsonpos.js";

const doc = `{
  "name": "Pricing ✨",
  "a/b": {"~x": [1, 2.5e3, {"k": "v\\"w"}]},
  "elements": [
    {"type": "text", "box": [40, 40, 500, 80]},
    {"type": "rect", "padding": 4,
     "fill": "accent"}
  ],
  "fields": {"price": {"maxLength": -1}},
  "fields": {"price": {"maxLength": 2}}
}`;

test("scan finds every value at its key", () => {
  const places = scan(doc);
  const at = (p) => lineCol(doc, places.get(p).key).line;
  assert.equal(at(""), 1);
  assert.equal(at("/name"), 2);
  assert.equal(at("/a~1b/~0x/2/k"), 3);
  assert.equal(at("/elements/0/box"), 5);
  assert.equal(at("/elements/0/box/3"), 5);
  assert.equal(at("/elements/1/fill"), 7);
  // A key given twice: the second, where the module reports it.
  assert.equal(at("/fields/price/maxLength"), 10);
  assert.equal(escapeToken("a/b~c"), "a~1b~0c");
});

test("locate: values, unknown fields at their key, syntax errors at their byte, the whole document", () => {
  const line = (p) => locate(doc, p)?.line ?? null;
  assert.equal(line({ pointer: "/elements/0/box", message: "[40 40 500 80]: text must keep 60 px from every edge" }), 5);
  assert.equal(line({ pointer: "/elements/1", message: 'unknown field "padding"' }), 6);
  assert.equal(line({ pointer: "/elements/1", message: 'unknown field "nope"' }), 6); // not there: the object
  assert.equal(line({ pointer: "/elements/1/children/3/size", message: "x" }), 6); // nearest enclosing value
  assert.equal(line({ pointer: "", message: "the template never shows {title}" }), null);
  // encoding/json's offset is past the character it stopped at; bytes, not UTF-16 units.
  const bad = '{\n  "name": "✨✨",\n  "version": 1\n  "x": 2\n}';
  const offset = new TextEncoder().encode(bad.slice(0, bad.indexOf('"x"') + 1)).length;
  assert.deepEqual(locate(bad, { pointer: "", message: `invalid JSON at byte ${offset}: invalid character '"' after object key:value pair` }), {
    index: bad.indexOf('"x"'),
    line: 4,
    col: 3,
  });
  assert.equal(indexOfByte("a✨b😀c", 1 + 3 + 1 + 4), 5);
});

test("scan of a broken text keeps what it read", () => {
  const places = scan('{"a": [1, 2,, 3], "b": 1}');
  assert.ok(places.has("/a/1"));
  assert.ok(!places.has("/b"));
  const deep = "[".repeat(20000);
  assert.ok(scan(deep).size > 0);
});
