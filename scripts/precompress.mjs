// Writes the `.br` (brotli -q 11) and `.gz` (gzip -9) copies of the package's browser files
// beside them, for servers that send a precompressed file when the browser accepts it (the
// demo shop, nginx's brotli_static/gzip_static, express-static-gzip): the best compression,
// paid once at build time instead of on every request. npm publishes neither copy (the
// package's `files` list names the files it ships).
//   node scripts/precompress.mjs pkg

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { brotliCompressed } from "./size-check.mjs";

const dir = process.argv[2] || "pkg";
const BROWSER = /\.(js|wasm|css)$/;
// The server entry runs in Node, which never fetches it.
const SERVER_ONLY = new Set(["server.js", "server-unavailable.js"]);

for (const name of fs.readdirSync(dir).sort()) {
  if (!BROWSER.test(name) || SERVER_ONLY.has(name)) continue;
  const file = path.join(dir, name);
  const raw = fs.readFileSync(file);
  fs.writeFileSync(`${file}.br`, brotliCompressed(raw));
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
}
