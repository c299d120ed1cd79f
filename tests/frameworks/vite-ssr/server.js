// The shop's Node server: the client build (dist/client) as static files, each page's HTML
// from the SSR build (dist/server/entry-server.js) in the client build's index.html, and the
// API routes the pages call.
import fs from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { createCharge, decoded, orderStatus, render } from "./dist/server/entry-server.js";

const client = path.resolve(import.meta.dirname, "dist/client");
const template = await fs.readFile(path.join(client, "index.html"), "utf8");
const TYPES = { ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };

/** @param {http.ServerResponse} res */
const json = (res, value) => {
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(value));
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://shop.invalid");
  try {
    const api = url.pathname.match(/^\/api\/orders\/([^/]+)\/(charge|status)$/);
    const order = api && decoded(api[1]);
    if (api && order) {
      return json(res, api[2] === "charge" ? await createCharge(order) : await orderStatus(order));
    }
    if (url.pathname.startsWith("/assets/")) {
      const file = path.join(client, url.pathname);
      const type = TYPES[path.extname(file)];
      if (!file.startsWith(`${client}${path.sep}`) || !type) return res.writeHead(404).end();
      const body = await fs.readFile(file).catch(() => null);
      if (!body) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": type, "cache-control": "max-age=31536000, immutable" });
      return res.end(body);
    }
    const page = await render(url, req.headers["user-agent"]);
    if (page === undefined) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(template.replace("<!--app-html-->", page));
  } catch (error) {
    console.error(error);
    res.writeHead(500).end();
  }
});
server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");
