// Shared pieces of the browser tests: a real static HTTP server on loopback, Debian's
// Chromium driven by playwright-core, and fixtures with times made current.

import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES = path.resolve(ROOT, "tests/fixtures/midtrans");
export const ARTIFACTS = path.join(ROOT, "artifacts");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** The Content-Security-Policy a payment page should run with (the widget needs no more). */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'";

export const BLANK_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>widget test</title></head>
<body><div id="host"></div></body></html>`;

/**
 * Starts a server on 127.0.0.1 with a free port. `routes` maps "METHOD /path" to a handler
 * `(req, res, url) => void`; everything else is a static file under `root` (default: the
 * repository root), and `/` is a blank page unless `root` has an index.html.
 * Returns `{ url, close, requests }` (every request seen, in order).
 */
export async function startServer(routes = {}, { headers = {}, root = ROOT } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    requests.push({ method: req.method, path: url.pathname, search: url.search, at: Date.now() });
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const route = routes[`${req.method} ${url.pathname}`] || routes[`* ${url.pathname}`];
    if (route) return route(req, res, url);
    if (url.pathname === "/favicon.ico") {
      // Chromium asks for it on every page; a 404 would show up as a console error.
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname === "/" && root === ROOT) {
      res.writeHead(200, { "content-type": TYPES[".html"] });
      return res.end(BLANK_PAGE);
    }
    const file = path.join(
      root,
      decodeURIComponent(url.pathname),
      url.pathname.endsWith("/") ? "index.html" : "",
    );
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403);
      return res.end();
    }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] || "application/octet-stream",
      });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

export function sendHtml(res, html, headers = {}) {
  res.writeHead(200, { "content-type": TYPES[".html"], ...headers });
  res.end(html);
}

export function sendJson(res, value, { status = 200, headers = {} } = {}) {
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(value));
}

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A scripted merchant status endpoint, mounted as the route `GET /status` and used as
 * `statusUrl: "/status?order_id={order_id}"`. It answers `pending` until `set(order, status)`
 * says otherwise; `hold(order)` leaves that order's next requests unanswered (to see aborts).
 * `hits` lists every request as `{ order, at }`; `aborted` counts requests the browser gave up.
 */
export function statusEndpoint({ cors = false } = {}) {
  const statuses = new Map();
  const held = new Set();
  const state = { hits: [], aborted: 0 };
  const route = (_req, res, url) => {
    const order = url.searchParams.get("order_id");
    state.hits.push({ order, at: Date.now() });
    const headers = cors ? { "access-control-allow-origin": "*" } : {};
    if (held.has(order)) {
      res.on("close", () => {
        if (!res.writableFinished) state.aborted += 1;
      });
      return;
    }
    const status = statuses.get(order) || "pending";
    const code =
      status === "settlement" || status === "capture"
        ? "200"
        : status === "pending"
          ? "201"
          : "202";
    sendJson(res, { status_code: code, order_id: order, transaction_status: status }, { headers });
  };
  return {
    route,
    state,
    hits: (order) => state.hits.filter((h) => order === undefined || h.order === order).length,
    set: (order, status) => statuses.set(order, status),
    hold: (order) => held.add(order),
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Collects console errors and page errors; tests assert there are none. */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function fixture(name) {
  return JSON.parse(await fs.readFile(path.join(FIXTURES, name), "utf8"));
}

/** Jakarta wall-clock time (UTC+7) as Midtrans writes it. */
export function jakarta(ms) {
  return new Date(ms + 7 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** The fixture with a transaction that started now and expires in `minutes`. */
export function fresh(charge, { minutes = 15, now = Date.now() } = {}) {
  return {
    ...charge,
    transaction_time: jakarta(now),
    expiry_time: jakarta(now + minutes * 60_000),
  };
}

/** Decodes every QR code in a PNG file with zbarimg; returns the payloads. */
export function decodeQr(pngPath) {
  const out = execFileSync("zbarimg", ["--raw", "-q", pngPath], { encoding: "utf8" });
  return out.replace(/\n$/, "").split("\n");
}

/**
 * Mounts a widget in the page's #host through the package's mount() and records every
 * gopay-* event that reaches `window` and every callback call.
 */
export async function mountInPage(page, options) {
  await page.evaluate(async (options) => {
    window.__events = [];
    window.__callbacks = [];
    for (const name of [
      "gopay-status",
      "gopay-success",
      "gopay-failure",
      "gopay-expire",
      "gopay-error",
    ]) {
      window.addEventListener(name, (e) =>
        window.__events.push({ type: e.type, detail: e.detail }),
      );
    }
    const { mount } = await import("/pkg/index.js");
    const cb = (name) => (detail) => window.__callbacks.push({ name, detail });
    window.__handle = await mount(document.getElementById("host"), {
      ...options,
      onStatus: cb("status"),
      onSuccess: cb("success"),
      onFailure: cb("failure"),
      onExpire: cb("expire"),
      onError: cb("error"),
    });
  }, options);
}

/**
 * The rendered text of the widget in the host `selector`. A shadow host's own innerText
 * leaves its shadow tree out, so this reads the widget's card inside it.
 */
export async function widgetText(page, selector) {
  return page.locator(`${selector} [part=widget]`).innerText();
}

export async function hostState(page) {
  return page.getAttribute("#host", "data-state");
}

/** Waits until the host's data-state is `value`. */
export function waitHostState(page, value, timeout = 10_000) {
  return page.waitForFunction(
    (v) => document.getElementById("host").getAttribute("data-state") === v,
    value,
    { timeout },
  );
}

export async function events(page) {
  return page.evaluate(() => window.__events);
}

// A 1x1 PNG standing in for the QR image Midtrans would serve.
const STAND_IN_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

/** No network in tests: Midtrans' sandbox QR images and deeplink pages are answered here. */
export async function answerMidtransHosts(page) {
  await page.route("https://api.sandbox.midtrans.com/**", (route) =>
    route.fulfill({ status: 200, contentType: "image/png", body: STAND_IN_PNG }),
  );
  await page.route("https://simulator.sandbox.midtrans.com/**", (route) =>
    route.fulfill({ status: 204 }),
  );
}

// ---- QRIS payloads -----------------------------------------------------------------------------

/** CRC-16/CCITT-FALSE of `text`, as QRIS closes a payload (ID 63). */
function crc16(text) {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, "latin1")) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, "0");
}

/** A QRIS payload from [id, value] fields, sealed with its CRC. */
export function sealed(fields) {
  const objects = fields.map(([id, v]) => `${id}${String(v.length).padStart(2, "0")}${v}`);
  const body = `${objects.join("")}6304`;
  return body + crc16(body);
}

/** The fields of a dynamic GoPay QRIS code for `amount` rupiah at `name` in `city`. */
export const qrisFields = (name, city = "JAKARTA", amount = "789000") => [
  ["00", "01"],
  ["01", "12"],
  ["26", "0014COM.GO-JEK.WWW01189360091400000000010303UKE"],
  ["51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"],
  ["52", "5999"],
  ["53", "360"],
  ["54", amount],
  ["58", "ID"],
  ["59", name],
  ["60", city],
];
