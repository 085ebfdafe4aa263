// A small in-memory stand-in for Cloudflare's cache, for the local workerd
// only (config.capnp's cacheApiOutbound; never deployed): caches.default in
// the Worker talks to it as to the real one. workerd sends
//   match: GET <key URL>, answered with Cf-Cache-Status HIT (and the stored
//          response) or MISS;
//   put:   PUT <key URL> whose body is the serialized HTTP/1.1 response;
//   delete: PURGE <key URL>.
// Expiry is not modelled (cards are cached for a day); at most MAX entries.
const MAX = 512;
const store = new Map(); // key URL -> {status, headers, body}

function parse(bytes) {
  let end = -1;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const [statusLine, ...lines] = new TextDecoder("latin1").decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers = new Headers();
  for (const l of lines) {
    const i = l.indexOf(":");
    if (i > 0) headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
  }
  if (headers.has("transfer-encoding")) return null; // not needed by the adapter
  return { status, headers, body: bytes.slice(end + 4) };
}

export default {
  async fetch(req) {
    const key = req.url;
    if (req.method === "PUT") {
      const entry = parse(new Uint8Array(await req.arrayBuffer()));
      if (!entry) return new Response(null, { status: 413 });
      store.delete(key);
      store.set(key, entry);
      if (store.size > MAX) store.delete(store.keys().next().value);
      return new Response(null, { status: 204 });
    }
    if (req.method === "PURGE") {
      return new Response(null, { status: store.delete(key) ? 200 : 404 });
    }
    const hit = store.get(key);
    if (!hit) return new Response(null, { headers: { "Cf-Cache-Status": "MISS" } });
    const headers = new Headers(hit.headers);
    headers.set("Cf-Cache-Status", "HIT");
    return new Response(hit.body, { status: hit.status, headers });
  },
};
