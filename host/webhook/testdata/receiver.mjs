// Webhook receiver for host/webhook's tests. It is the product document's
// Node.js verification example, run on node built-ins only: express.json()
// is replaced by reading the raw body and JSON.parse, so the handler below
// sees req.body exactly as the document's handler does. It also checks the
// Standard Webhooks signature on the raw bytes.
//
// Replies: 200 {"ok":true,...} when both signatures verify; 401 with
// {"error":"Invalid signature","scheme":...} naming the one that failed.
// Listens on 127.0.0.1 only, prints {"port":N} on its first stdout line,
// and exits by itself after RECEIVER_LIFETIME_MS.
import crypto from "node:crypto";
import http from "node:http";

const SECRET = process.env.WEBHOOK_SECRET;

// From the product document (types removed, nothing else changed).
function verifyWebhook(body, secret, signature) {
  const expected = crypto
    .createHmac("sha256", secret)
    .update(body)
    .digest("hex");
  return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(expected)
  );
}

// Standard Webhooks: key from a whsec_ secret when its tail is canonical
// base64, else the secret's UTF-8 bytes; HMAC over "id.timestamp." + raw body.
function standardKey(secret) {
  if (secret.startsWith("whsec_")) {
    const rest = secret.slice(6);
    const key = Buffer.from(rest, "base64");
    if (rest.length > 0 && key.length > 0 && key.toString("base64") === rest) return key;
  }
  return Buffer.from(secret, "utf8");
}

function verifyStandard(raw, headers, secret) {
  const id = headers["webhook-id"];
  const ts = headers["webhook-timestamp"];
  const sigs = headers["webhook-signature"];
  if (!id || !ts || !sigs) return false;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const expected = crypto
    .createHmac("sha256", standardKey(secret))
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`, "utf8"), raw]))
    .digest();
  return sigs.split(" ").some((s) => {
    if (!s.startsWith("v1,")) return false;
    const got = Buffer.from(s.slice(3), "base64");
    return got.length === expected.length && crypto.timingSafeEqual(got, expected);
  });
}

const server = http.createServer((req, res) => {
  const reply = (status, obj) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(obj));
  };
  if (req.method !== "POST") return reply(405, { error: "POST only" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    // What express.json() does for the document's handler.
    try {
      req.body = JSON.parse(raw.toString("utf8"));
    } catch (e) {
      return reply(400, { error: "invalid JSON" });
    }

    // The document's handler.
    const rawBody = JSON.stringify(req.body);
    const signature = req.headers["x-ogmint-signature"];
    let valid = false;
    try {
      valid = verifyWebhook(rawBody, SECRET, signature);
    } catch (e) {
      valid = false; // timingSafeEqual throws on a missing or short signature
    }
    if (!valid) {
      return reply(401, {
        error: "Invalid signature",
        scheme: "x-ogmint-signature",
        reserialisedEqualsRaw: rawBody === raw.toString("utf8"),
      });
    }

    if (!verifyStandard(raw, req.headers, SECRET)) {
      return reply(401, { error: "Invalid signature", scheme: "webhook-signature" });
    }

    const { url, slug, metadata } = req.body.data;
    reply(200, {
      ok: true,
      url,
      slug,
      cached: req.body.cached === true,
      metadataKeys: Object.keys(metadata),
      userAgent: req.headers["user-agent"],
    });
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
setTimeout(() => process.exit(0), Number(process.env.RECEIVER_LIFETIME_MS || 60000)).unref();
