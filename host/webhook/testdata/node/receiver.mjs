// An Express webhook receiver for the Go tests of host/webhook/dispatch,
// written the way a user would: express.raw() keeps the body's bytes, and the
// npm standardwebhooks package verifies them. The HTTP server is Node's, with
// its default keep-alive (keepAliveTimeout 5 s) unless KEEPALIVE_MS says
// otherwise.
//
// Environment:
//   SECRETS       JSON object: hook name -> webhookSecret. POST /hooks/<name>
//                 is verified with that secret; a name not listed is not.
//   KEEPALIVE_MS  the server's keepAliveTimeout in ms (default: Node's).
//   LIFETIME_MS   exit after this long (default 120000).
//
// POST /hooks/<name>: 200 {"ok":true} when the signatures verify, else 401
// {"error":"Invalid signature","detail":...}. GET /log: every hook request
// received, in order. Listens on 127.0.0.1 only and prints {"port":N} as its
// first line on stdout.
import crypto from "node:crypto";
import express from "express";
import { Webhook } from "standardwebhooks";

const secrets = JSON.parse(process.env.SECRETS || "{}");
const received = [];

// As ogmint's README says: a whsec_ secret is given to the library as it is
// (it decodes the base64 after whsec_); any other secret is its UTF-8 bytes,
// given raw (the library would otherwise base64-decode it).
function standardWebhook(secret) {
  if (secret.startsWith("whsec_")) return new Webhook(secret);
  return new Webhook(Buffer.from(secret, "utf8"), { format: "raw" });
}

// The product document's scheme on the raw body: hex HMAC-SHA256 keyed with
// the secret's UTF-8 bytes.
function verifyOgmint(raw, secret, given) {
  const expected = crypto.createHmac("sha256", secret).update(raw).digest();
  const got = Buffer.from(String(given ?? ""), "hex");
  if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) {
    throw new Error("x-ogmint-signature does not match");
  }
}

const app = express();
app.post("/hooks/:name", express.raw({ type: "application/json", limit: "1mb" }), (req, res) => {
  const entry = {
    name: req.params.name,
    webhookId: req.get("webhook-id") ?? "",
    userAgent: req.get("user-agent") ?? "",
    remotePort: req.socket.remotePort,
    ok: false,
  };
  received.push(entry);
  const secret = secrets[req.params.name];
  if (secret !== undefined) {
    try {
      standardWebhook(secret).verify(req.body, req.headers);
      verifyOgmint(req.body, secret, req.get("x-ogmint-signature"));
    } catch (e) {
      entry.error = String(e?.message ?? e);
      return res.status(401).json({ error: "Invalid signature", detail: entry.error });
    }
  }
  entry.ok = true;
  res.json({ ok: true });
});
app.get("/log", (_req, res) => res.json(received));

const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
if (process.env.KEEPALIVE_MS) server.keepAliveTimeout = Number(process.env.KEEPALIVE_MS);
setTimeout(() => process.exit(0), Number(process.env.LIFETIME_MS || 120000)).unref();
