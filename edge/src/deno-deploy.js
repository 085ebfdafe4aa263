// Deno entry point that starts its own server (Deno.serve), for hosts that run
// a plain script rather than `deno serve`'s default export. Same handler.
import server from "./main.js";

Deno.serve(server.fetch);
