// The browser half of `make bench`: builds the widget's pages and the comparison pages (the
// qrcode npm package, and a static floor with the SVG inline), starts the demo shop with the
// local Midtrans simulator for the shop's own payment page, serves every page on 127.0.0.1 with
// brotli, drives Debian's Chromium (on loopback, then as a mid-range phone on a mobile network),
// runs Lighthouse's mobile audit, and prints one table of our figures against the references,
// with a PASS/FAIL per budget. It reports and exits 0 whatever the figures are; it stops with
// an error only when it cannot measure (no browser, no shop, a page that never shows its QR).
//
// Settings (environment): BENCH_LOADS=15 (cold loads per page on loopback),
// BENCH_PHONE_LOADS=10 (cold loads per page as the phone), BENCH_MOUNTS=50 (warm mounts),
// BENCH_LIGHTHOUSE_RUNS=3 (Lighthouse runs per page, medians; 0 skips them), BENCH_PKG=pkg
// (the package to measure).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
import { rolldown } from "rolldown";
import {
  ARTIFACTS,
  CHROMIUM_ARGS,
  escapeHtml,
  fixture,
  fresh,
  ROOT,
} from "../../tests/browser/harness.mjs";
import { brotliSize } from "../size-check.mjs";
import { audit } from "./lighthouse.mjs";
import {
  PHONE,
  PHONE_NETWORK,
  PROFILE_TEXT,
  shopPaymentPage,
  throttleLikeAPhone,
} from "./phone.mjs";
import { qrSvg } from "./qrcode-svg.mjs";
import { startShop } from "./shop.mjs";

const LOADS = Number(process.env.BENCH_LOADS || 15);
const PHONE_LOADS = Number(process.env.BENCH_PHONE_LOADS || 10);
const MOUNTS = Number(process.env.BENCH_MOUNTS || 50);
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const LIGHTHOUSE_VERSION = JSON.parse(
  fs.readFileSync(path.join(ROOT, "node_modules/lighthouse/package.json"), "utf8"),
).version;
const PKG = path.resolve(ROOT, process.env.BENCH_PKG || "pkg");
const OUT = path.join(ROOT, "target/bench-pages");
const HERE = path.join(ROOT, "scripts/bench");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Nothing leaves the machine: a charge's QR image may be on a Midtrans host.
const BROWSER_ARGS = [...CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"];

const DESKTOP = {
  viewport: { width: 1280, height: 800 },
  userAgent:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
};
// The budgets, as ratios to the qrcode page's QR in the same run unless said otherwise.
const BUDGET = {
  loopbackServerVsFloor: 1.15,
  loopbackClientVsQrcode: 1.0,
  phoneServerQr: 1.0,
  phoneServerLive: 1.5,
  phoneClientQr: 1.6,
  phoneClientQrMoonshot: 1.2,
  lighthouseScore: 95,
  warmMount: 2.0,
  shippedBrotli: 90_000,
};

// ---------------------------------------------------------------------------------------------
// The pages

// On loopback, a fixture's charge made current so the widget shows it as live; two hours
// outlast the whole run. As the phone, the shop's own orders.
const qris = fresh(await fixture("qris-charge-docs-shape.json"), { minutes: 120 });
const payload = qris.qr_string;

const shell = (title, head, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${head}</head>
<body>
${body}
</body></html>
`;
// The references' QR at about the widget's size, so both paint a similar area.
const QR_BOX = "<style>.qr{width:264px}</style>";
const WIDGET_SCRIPT = `<script type="module" src="/pkg/index.js"></script>`;
// The head of every widget page, as the package README shows it: the entry, the module it
// imports and the wasm fetched while the page parses (the wasm compiles as it streams in).
const WIDGET_HINTS = `<link rel="modulepreload" href="/pkg/index.js">
<link rel="modulepreload" href="/pkg/pure.js">
<link rel="preload" href="/pkg/gopay_widget_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>`;
// A page that renders the widget in the browser also preloads the QR module, first (the
// package README): the QR is drawn with it while the widget's module loads.
const CLIENT_HINTS = `<link rel="preload" href="/pkg/gopay_widget_qr.wasm" as="fetch" type="application/wasm" crossorigin>
${WIDGET_HINTS}`;

/** `<gopay-widget>` with the charge response's JSON text as the backend has it. */
const element = (chargeText, attributes) =>
  `<gopay-widget data-locale="en"${attributes} data-charge="${escapeHtml(chargeText)}"></gopay-widget>`;

const qrcodePage = (title, qrString) =>
  shell(
    title,
    QR_BOX,
    `<div class="qr" id="qr" data-payload="${escapeHtml(qrString)}"></div>
<script type="module" src="/bench/qrcode-page.js"></script>`,
  );

/** pkg/server.js's renderToString, or why there is none. */
async function serverEntry() {
  const file = path.join(PKG, "server.js");
  if (!fs.existsSync(file)) return { missing: "n/a (no server entry)" };
  try {
    const { renderToString } = await import(pathToFileURL(file).href);
    if (typeof renderToString !== "function") return { missing: "n/a (no renderToString)" };
    return { renderToString };
  } catch (error) {
    return { missing: `n/a (server entry failed: ${error.message})` };
  }
}

/** The loopback pages (a fixture's charge, display-only) and the references. */
async function buildPages() {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  // Bundled now from the pinned package: the pages ship what the registry gave.
  const bundle = async (entry, name) => {
    const build = await rolldown({
      input: path.join(HERE, entry),
      platform: "browser",
      logLevel: "silent",
    });
    await build.write({ file: path.join(OUT, name), format: "esm", minify: true });
    await build.close();
  };
  await bundle("qrcode-page.mjs", "qrcode-page.js");
  await bundle("qrcode-svg.mjs", "qrcode-svg.js");

  const pages = {
    "widget.html": shell(
      "widget, client-only",
      CLIENT_HINTS,
      element(JSON.stringify(qris), "") + WIDGET_SCRIPT,
    ),
    "qrcode.html": qrcodePage("qrcode package", payload),
    "floor.html": shell("static floor", QR_BOX, `<div class="qr">${await qrSvg(payload)}</div>`),
    // The floor plus one subresource, the widget's stylesheet linked after the SVG as the
    // server-rendered markup links it: what fetching anything at all costs a page's first parse.
    "floor-link.html": shell(
      "static floor, one stylesheet",
      QR_BOX,
      `<div class="qr">${await qrSvg(payload)}</div>
<link rel="stylesheet" href="/pkg/gopay-widget.css">`,
    ),
    "warm.html": shell("warm mount", "", `<div id="host"></div>`),
  };

  const server = await serverEntry();
  if (server.renderToString) {
    // A CSS file in the package is what the server-rendered markup would link to.
    const css = fs.readdirSync(PKG).find((f) => f.endsWith(".css"));
    try {
      const markup = await server.renderToString({
        // As the backend has it from Midtrans: the response's JSON text.
        charge: JSON.stringify(qris),
        locale: "en",
        mode: "auto",
        environment: "production",
        // Display-only like the client-only page: no status URL, so no polling.
        statusUrl: undefined,
        userAgent: DESKTOP.userAgent,
        ...(css ? { stylesheet: `/pkg/${css}` } : {}),
      });
      pages["server.html"] = shell("widget, server-rendered", WIDGET_HINTS, markup + WIDGET_SCRIPT);
    } catch (error) {
      server.missing = `n/a (renderToString failed: ${error.message})`;
    }
  }
  for (const [name, html] of Object.entries(pages)) fs.writeFileSync(path.join(OUT, name), html);
  return { serverMissing: server.missing };
}

/**
 * The phone's pages, from the shop's orders: the client-only widget page of each charge (with
 * the shop's status endpoint, as a merchant's page has it) and the qrcode page of the QRIS
 * charge's payload. The shop's own payment pages are fetched from it (`shopPaymentPage`).
 */
function buildPhonePages({ qrisOrder, gopayOrder, environment }) {
  const widgetPage = (title, order) =>
    shell(
      title,
      CLIENT_HINTS,
      element(
        order.text,
        ` data-environment="${environment}" data-status-url="/api/orders/{order_id}/status"`,
      ) + WIDGET_SCRIPT,
    );
  const pages = {
    "phone-widget-qris.html": widgetPage("widget, client-only, QRIS", qrisOrder),
    "phone-widget-gopay.html": widgetPage("widget, client-only, GoPay", gopayOrder),
    "phone-qrcode.html": qrcodePage("qrcode package, QRIS", qrisOrder.charge.qr_string),
  };
  for (const [name, html] of Object.entries(pages)) fs.writeFileSync(path.join(OUT, name), html);
}

// ---------------------------------------------------------------------------------------------
// The server: loopback only, every file compressed as a production server would send it; the
// shop's API passed through to the shop.

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};
const STATUS_ROUTE = /^\/api\/orders\/[^/]+\/status$/;

/**
 * Serves pkg/ at /pkg/, the built pages at /bench/, `extra` routes (path and query, from
 * `shopPaymentPage`) and passes /api/ to `shopUrl`. Every status request is noted with the
 * time it arrived (ms since the epoch): `statusRequest(n)` resolves with the n-th (from 0).
 */
function serve({ shopUrl, extra = [] } = {}) {
  const files = new Map();
  const add = (route, raw, type, headers = {}) =>
    files.set(route, {
      type,
      headers,
      raw,
      br: zlib.brotliCompressSync(raw, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
      }),
      gzip: zlib.gzipSync(raw, { level: 9 }),
    });
  const addFile = (route, file) =>
    add(route, fs.readFileSync(file), TYPES[path.extname(file)] || "application/octet-stream");
  for (const f of fs.readdirSync(PKG)) addFile(`/pkg/${f}`, path.join(PKG, f));
  for (const f of fs.readdirSync(OUT)) addFile(`/bench/${f}`, path.join(OUT, f));
  for (const e of extra) add(e.route, e.body, e.type, e.headers);

  const requests = [];
  const statusRequests = [];
  const waiting = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const route = url.pathname;
    requests.push(route);
    if (shopUrl && route.startsWith("/api/")) {
      if (STATUS_ROUTE.test(route)) {
        statusRequests.push(performance.timeOrigin + performance.now());
        for (const w of waiting.splice(0)) w();
      }
      const upstream = http.request(
        shopUrl + req.url,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      return;
    }
    const file = files.get(route + url.search) ?? files.get(route);
    if (!file) {
      // Chromium asks for /favicon.ico on every page.
      res.writeHead(route === "/favicon.ico" ? 204 : 404);
      return res.end();
    }
    const accepts = String(req.headers["accept-encoding"] || "");
    const encoding = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : null;
    const headers = { ...file.headers, "content-type": file.type, vary: "accept-encoding" };
    if (encoding) headers["content-encoding"] = encoding;
    // The warm page is cross-origin isolated for performance.now()'s finer resolution.
    if (route === "/bench/warm.html") {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    res.writeHead(200, headers);
    res.end(encoding ? file[encoding] : file.raw);
  });
  const statusRequest = async (n) => {
    while (statusRequests.length <= n) await new Promise((resolve) => waiting.push(resolve));
    return statusRequests[n];
  };
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        statusRequests,
        statusRequest,
        files,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Measuring in the page

/**
 * Injected before any page script: resolves `window.__benchAt` with performance.now() (ms
 * since navigation start) when `target` first shows: "qr", an <svg> with a non-empty path,
 * or "open", a visible [part=open-button]; in the document or in any shadow root.
 */
function observer(target) {
  let done;
  window.__benchAt = new Promise((resolve) => {
    done = resolve;
  });
  let at = null;
  let frameAsked = false;
  const roots = new Set();
  const observers = [];
  const found = (root) => {
    if (target === "qr") {
      for (const p of root.querySelectorAll("svg path")) if (p.getAttribute("d")) return true;
      return false;
    }
    const button = root.querySelector("[part=open-button]");
    if (button && !button.checkVisibility()) {
      // Present but hidden: CSS or a `hidden` toggle can show it without a DOM mutation.
      if (!frameAsked) {
        frameAsked = true;
        requestAnimationFrame(() => {
          frameAsked = false;
          check();
        });
      }
      return false;
    }
    return Boolean(button);
  };
  const check = () => {
    if (at !== null) return;
    // A declarative shadow root is attached by the parser, with no call to hook: find it.
    for (const root of [...roots])
      for (const el of root.querySelectorAll("*")) if (el.shadowRoot) watch(el.shadowRoot);
    for (const root of roots) {
      if (found(root)) {
        at = performance.now();
        for (const o of observers) o.disconnect();
        done(at);
        return;
      }
    }
  };
  const watch = (root) => {
    if (roots.has(root)) return;
    roots.add(root);
    const o = new MutationObserver(check);
    o.observe(root, { childList: true, subtree: true, attributes: true });
    observers.push(o);
    check();
  };
  // A shadow root made by script is watched from the moment it exists.
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    watch(root);
    return root;
  };
  watch(document);
  document.addEventListener("DOMContentLoaded", check);
}

/** What zbarimg reads in a screenshot (its stderr, D-Bus chatter here, is dropped). */
function decode(png) {
  try {
    const out = execFileSync("zbarimg", ["--raw", "-q", png], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.replace(/\n$/, "");
  } catch {
    return null;
  }
}

/**
 * Injected before any page script of a page whose widget polls: resolves `window.__benchLive`
 * with performance.now() when an element first gets `data-live` (the widget's sign that its
 * wasm took over the page and started polling), if the package sets it.
 */
function liveObserver() {
  let done;
  window.__benchLive = new Promise((resolve) => {
    done = resolve;
  });
  const o = new MutationObserver(() => {
    o.disconnect();
    done(performance.now());
  });
  o.observe(document, { attributes: true, attributeFilter: ["data-live"], subtree: true });
}

/** Injected before any page script: keeps the page's latest largest-contentful-paint entry. */
function lcpObserver() {
  window.__benchLcp = null;
  new PerformanceObserver((list) => {
    window.__benchLcp = list.getEntries().at(-1);
  }).observe({ type: "largest-contentful-paint", buffered: true });
}

/**
 * In the page: its largest contentful paint, described. An entry names no element inside a
 * shadow root, so there the block in the page's shadow roots whose text (its own and its inline
 * children's, as Chromium aggregates text for LCP) has a box within 5% of the entry's size
 * stands in for it, marked "≈" with its own size.
 */
function describeLcp() {
  const entry = window.__benchLcp;
  if (!entry) return null;
  const name = (el) =>
    `<${el.localName}${el.id ? `#${el.id}` : ""}${[...el.classList].map((c) => `.${c}`).join("")}>`;
  const text = (el) => `"${el.textContent.replace(/\s+/g, " ").trim().slice(0, 50)}"`;
  const when = `${Math.round(entry.size)} px², at ${entry.startTime.toFixed(0)} ms`;
  if (entry.element) return `${name(entry.element)} ${text(entry.element)}, ${when}`;
  const isBlock = (el) => !/^(inline|contents)/.test(getComputedStyle(el).display);
  const inlineText = (el) =>
    [...el.childNodes].flatMap((n) =>
      n.nodeType === Node.TEXT_NODE && n.data.trim()
        ? [n]
        : n.nodeType === Node.ELEMENT_NODE && !isBlock(n)
          ? inlineText(n)
          : [],
    );
  let best = null;
  const visit = (root, inShadow) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) visit(el.shadowRoot, true);
      if (!inShadow || !isBlock(el)) continue;
      const boxes = inlineText(el)
        .map((n) => {
          const range = document.createRange();
          range.selectNodeContents(n);
          return range.getBoundingClientRect();
        })
        // Text not rendered (hidden) has an empty box at the origin.
        .filter((b) => b.width > 0 && b.height > 0);
      if (!boxes.length) continue;
      const width = Math.max(...boxes.map((b) => b.right)) - Math.min(...boxes.map((b) => b.left));
      const height = Math.max(...boxes.map((b) => b.bottom)) - Math.min(...boxes.map((b) => b.top));
      const size = width * height;
      if (!best || Math.abs(size - entry.size) < Math.abs(best.size - entry.size))
        best = { el, size };
    }
  };
  visit(document, false);
  return best && Math.abs(best.size - entry.size) <= entry.size * 0.05
    ? `≈ ${name(best.el)} ${text(best.el)} in a shadow root (${Math.round(best.size)} px²), LCP ${when}`
    : `an element in a shadow root (no text there of that size), ${when}`;
}

/**
 * In the page, once the widget is live: when its HTML and the wasm came (Resource Timing, ms
 * from navigation start), and the bytes of every body received by the wasm's last byte.
 */
function timeline() {
  const [nav] = performance.getEntriesByType("navigation");
  const resources = performance.getEntriesByType("resource");
  const wasm = resources.find((r) =>
    new URL(r.name).pathname.endsWith("gopay_widget_wasm_bg.wasm"),
  );
  if (!nav || !wasm) return null;
  const before = [nav, ...resources].filter((r) => r.responseEnd <= wasm.responseEnd);
  return {
    htmlEnd: nav.responseEnd,
    wasmAsked: wasm.startTime,
    wasmEnd: wasm.responseEnd,
    bytesByWasmEnd: before.reduce((n, r) => n + r.encodedBodySize, 0),
    htmlBytes: nav.encodedBodySize,
    wasmBytes: wasm.encodedBodySize,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const within = (promise, ms) => Promise.race([promise, sleep(ms).then(() => null)]);

/**
 * One cold load in a fresh context (empty cache, new connections), as the phone when
 * `spec.phone`: ms from navigation start to `spec.target`, and for a page whose widget polls,
 * to the widget going live: the host's `data-live` when `spec.liveVia` is "data-live", else
 * the page's first status request as the server saw it arrive.
 */
async function load(browser, server, spec, { keep, lcp, stay } = {}) {
  const context = await browser.newContext(spec.device);
  // Anything but the bench's server is answered 204, which a navigation takes as "stay": the
  // widget opening the GoPay app (the simulator's page) leaves the page there to be checked.
  if (stay)
    await context.route(
      (url) => url.origin !== server.url,
      (route) => route.fulfill({ status: 204 }),
    );
  await context.addInitScript(observer, spec.target);
  if (spec.live) await context.addInitScript(liveObserver);
  if (lcp) await context.addInitScript(lcpObserver);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (spec.phone) await throttleLikeAPhone(context, page);
  const statusFrom = server.statusRequests.length;
  // Not waiting for the load event: a phone page's widget may open the GoPay app after it.
  await page.goto(server.url + spec.path, { waitUntil: "commit" });
  const what = spec.target === "qr" ? "QR" : "Open GoPay link";
  const at = await within(
    page.evaluate(() => window.__benchAt),
    30_000,
  );
  if (typeof at !== "number") {
    await context.close();
    throw new Error(`${spec.path}: no ${what} within 30 s`);
  }
  let live = null;
  if (spec.live) {
    if (spec.liveVia === "data-live")
      live = await within(
        page.evaluate(() => window.__benchLive),
        30_000,
      );
    else {
      const arrived = await within(server.statusRequest(statusFrom), 30_000);
      if (arrived !== null) live = arrived - (await page.evaluate(() => performance.timeOrigin));
    }
    if (typeof live !== "number") {
      await context.close();
      throw new Error(`${spec.path}: the widget did not go live within 30 s`);
    }
  }
  const times = spec.live && spec.phone ? await page.evaluate(timeline) : null;
  if (keep) return { at, live, page, context, errors };
  await context.close();
  return { at, live, times };
}

/** The q-quantile of `values`, interpolated between the two nearest. */
const quantile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};
const median = (values) => quantile(values, 0.5);
const middleHalf = (values) => [0.25, 0.75].map((q) => quantile(values, q).toFixed(0)).join("–");

/**
 * Loads the pages in turns (ABCDABCD...) so a busy moment hits them all alike. Returns each
 * page's median, `live` medians, and the middle half of each page's loads to show how noisy
 * the run was.
 */
async function navigation(browser, server, specs, loads) {
  const times = Object.fromEntries(specs.map((s) => [s.key, []]));
  const lives = Object.fromEntries(specs.filter((s) => s.live).map((s) => [s.key, []]));
  const timelines = Object.fromEntries(specs.filter((s) => s.live).map((s) => [s.key, []]));
  for (let i = 0; i < loads; i++)
    for (const spec of specs) {
      const { at, live, times: t } = await load(browser, server, spec);
      times[spec.key].push(at);
      if (spec.live) lives[spec.key].push(live);
      if (t) timelines[spec.key].push({ ...t, live, at });
    }
  // Each step's median over the loads that reported it.
  const steps = Object.fromEntries(
    Object.entries(timelines)
      .filter(([, list]) => list.length)
      .map(([key, list]) => [
        key,
        Object.fromEntries(Object.keys(list[0]).map((f) => [f, median(list.map((t) => t[f]))])),
      ]),
  );
  const spread = [
    ...specs.map((s) => `${s.key} ${middleHalf(times[s.key])}`),
    ...Object.entries(lives).map(([key, v]) => `${key} live ${middleHalf(v)}`),
  ].join(", ");
  return {
    spread,
    steps,
    live: Object.fromEntries(Object.entries(lives).map(([key, v]) => [key, median(v)])),
    ...Object.fromEntries(specs.map((s) => [s.key, median(times[s.key])])),
  };
}

/**
 * Once per page, untimed and not slowed: the QR decodes to the payload (or Open GoPay is
 * visible), what the page fetched, its largest contentful paint, and for a page whose widget
 * polls whether the package marks the host `data-live`.
 */
async function verify(browser, server, spec) {
  const from = server.requests.length;
  const statusFrom = server.statusRequests.length;
  const { page, context, errors } = await load(
    browser,
    server,
    { ...spec, phone: false, live: false },
    { keep: true, lcp: true, stay: true },
  );
  const result = { errors };
  if (spec.target === "qr") {
    const svg = page.locator(spec.svg).first();
    const shot = path.join(ARTIFACTS, `bench-${spec.key}.png`);
    await svg.screenshot({ path: shot });
    result.decodes = decode(shot) === spec.payload;
    result.svgBytes = Buffer.byteLength(await svg.evaluate((el) => el.outerHTML));
    if (spec.live) {
      // The widget's first request, then time for it to mark its host.
      if ((await within(server.statusRequest(statusFrom), 30_000)) === null) {
        await context.close();
        throw new Error(`${spec.path}: the widget asked its status endpoint nothing in 30 s`);
      }
      await sleep(500);
      result.liveAttribute = await page.evaluate(() =>
        Boolean(document.querySelector("gopay-widget[data-live]")),
      );
    }
    // Give late requests (the wasm after the QR of a server-rendered page) time to show.
    await page.waitForLoadState("networkidle");
    result.lcp = await page.evaluate(describeLcp);
  } else {
    // The link the shop's charge gives, not merely some button.
    const button = page.locator("gopay-widget [part=open-button]");
    result.decodes =
      (await button.isVisible()) && (await button.getAttribute("href")) === spec.deeplink;
    await page.screenshot({ path: path.join(ARTIFACTS, `bench-${spec.key}.png`) });
  }
  result.fetched = server.requests.slice(from).filter((r) => r !== "/favicon.ico");
  await context.close();
  return result;
}

/** How long the bench watches a waiting payment's main thread. */
const WAITING_MS = 10_000;

/**
 * While a payment waits (pending, the widget live and polling), as the phone: the main
 * thread's long tasks over WAITING_MS, from a second after the widget went live, in `loads`
 * fresh loads of each page: their count and their blocking time (each task's time past
 * 50 ms, as Lighthouse's TBT counts it), medians.
 */
async function whileWaiting(browser, server, specs, loads) {
  const out = {};
  for (const spec of specs) {
    const counts = [];
    const blocking = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext(spec.device);
      await context.addInitScript(() => {
        window.__benchLong = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__benchLong.push([e.startTime, e.duration]);
        }).observe({ type: "longtask" });
      });
      const page = await context.newPage();
      await throttleLikeAPhone(context, page);
      await page.goto(server.url + spec.path, { waitUntil: "commit" });
      await page.waitForFunction(() => document.querySelector("gopay-widget[data-live]"), null, {
        timeout: 30_000,
      });
      const from = (await page.evaluate(() => performance.now())) + 1000;
      await sleep(1000 + WAITING_MS);
      const tasks = (await page.evaluate(() => window.__benchLong)).filter(
        ([start]) => start >= from && start < from + WAITING_MS,
      );
      counts.push(tasks.length);
      blocking.push(tasks.reduce((sum, [, d]) => sum + Math.max(d - 50, 0), 0));
      await context.close();
    }
    out[spec.key] = { count: median(counts), blocking: median(blocking) };
  }
  return out;
}

/** Warm: the wasm and the qrcode bundle loaded, then mount-until-drawn vs encode+insert. */
async function warm(browser, base) {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${base}/bench/warm.html`);
  const result = await page.evaluate(
    async ({ charge, payload, runs }) => {
      const { mount } = await import("/pkg/index.js");
      const { qrSvg } = await import("/bench/qrcode-svg.js");
      const host = document.getElementById("host");
      const drawn = (el) => {
        const has = () => el.shadowRoot?.querySelector("svg path")?.getAttribute("d");
        if (has()) return;
        return new Promise((resolve) => {
          const o = new MutationObserver(() => {
            if (has()) {
              o.disconnect();
              resolve();
            }
          });
          o.observe(el.shadowRoot, { childList: true, subtree: true, attributes: true });
        });
      };
      const ours = async () => {
        const el = host.appendChild(document.createElement("div"));
        const t0 = performance.now();
        const handle = await mount(el, { charge, locale: "en" });
        await drawn(el);
        const t = performance.now() - t0;
        handle.destroy();
        el.remove();
        return t;
      };
      const theirs = async () => {
        const el = host.appendChild(document.createElement("div"));
        const t0 = performance.now();
        el.innerHTML = await qrSvg(payload);
        const t = performance.now() - t0;
        el.remove();
        return t;
      };
      // Untimed rounds first: the JIT and the wasm tiers settle.
      for (let i = 0; i < 5; i++) {
        await ours();
        await theirs();
      }
      const a = [];
      const b = [];
      for (let i = 0; i < runs; i++) {
        a.push(await ours());
        b.push(await theirs());
      }
      return { ours: a, theirs: b, isolated: crossOriginIsolated };
    },
    { charge: qris, payload, runs: MOUNTS },
  );
  await context.close();
  return {
    ours: median(result.ours),
    theirs: median(result.theirs),
    isolated: result.isolated,
  };
}

// ---------------------------------------------------------------------------------------------
// Lighthouse

/** Medians of each figure over a page's Lighthouse runs, with the first run's LCP element. */
function lighthouseSummary(runs) {
  const m = (key) => {
    const values = runs.map((r) => r[key]).filter((v) => typeof v === "number");
    return values.length ? median(values) : null;
  };
  return {
    score: m("score"),
    // A run scores only when it finds a quiet 5 s for Time to Interactive, which a widget
    // that ticks and polls offers only while each of its tasks stays under 50 ms.
    scored: runs.filter((r) => typeof r.score === "number").length,
    runs: runs.length,
    fcp: m("fcp"),
    lcp: m("lcp"),
    tbt: m("tbt"),
    transfer: m("transfer"),
    lcpElement: runs[0].lcpElement,
    failed: [...new Set(runs.flatMap((r) => r.failed))],
  };
}

/**
 * One fetch of `url` as a browser asks (brotli or gzip accepted): the bytes of the body as the
 * server sent it, and brotli -q 11 of the very body it decodes to. (The shop's page holds the
 * time and a fresh CSP nonce: two fetches of it are never the same bytes.)
 */
function sentAgainstBrotli(url, userAgent) {
  return new Promise((resolve, reject) => {
    const headers = { "user-agent": userAgent, "accept-encoding": "br, gzip" };
    http
      .get(url, { headers }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const sent = Buffer.concat(chunks);
          const encoding = res.headers["content-encoding"];
          const body =
            encoding === "br"
              ? zlib.brotliDecompressSync(sent)
              : encoding === "gzip"
                ? zlib.gunzipSync(sent)
                : sent;
          resolve({ sent: sent.length, brotli: brotliSize(body) });
        });
      })
      .on("error", reject);
  });
}

/**
 * The bodies of the responses a Lighthouse run of the shop's page received, as they crossed
 * the wire; and each of them fetched again: as the shop sent it, against brotli -q 11 of the
 * same bytes.
 */
async function againstBrotli(runs, origin) {
  const sizes = new Map();
  const per = [];
  for (const run of runs) {
    const totals = { wire: 0, sent: 0, brotli: 0, headers: 0, polls: 0 };
    for (const r of run.bodies.filter((b) => b.url.startsWith(`${origin}/`))) {
      if (!sizes.has(r.url)) sizes.set(r.url, await sentAgainstBrotli(r.url, run.userAgent));
      totals.wire += r.body;
      totals.headers += r.headers;
      totals.sent += sizes.get(r.url).sent;
      totals.brotli += sizes.get(r.url).brotli;
      if (STATUS_ROUTE.test(new URL(r.url).pathname)) totals.polls += 1;
    }
    per.push(totals);
  }
  const m = (key) => median(per.map((t) => t[key]));
  return {
    wire: m("wire"),
    sent: m("sent"),
    brotli: m("brotli"),
    headers: m("headers"),
    polls: m("polls"),
  };
}

// ---------------------------------------------------------------------------------------------
// Bytes

// Sized from the bytes served, not from pkg/ again: a rebuild during the run cannot skew them.
const compressed = (raw) => ({
  raw: raw.length,
  gzip: execFileSync("gzip", ["-9", "-c"], { input: raw, maxBuffer: 1 << 26 }).length,
  // As `brotli -q 11 FILE` and scripts/size-check.mjs count it.
  brotli: brotliSize(raw),
});

/** raw, gzip -9 and brotli -q 11 totals of the routes a page fetched besides its HTML. */
function shipped(files, routes) {
  const total = { raw: 0, gzip: 0, brotli: 0, files: [] };
  for (const route of new Set(routes)) {
    if (route.endsWith(".html")) continue;
    const sizes = compressed(files.get(route).raw);
    for (const k of ["raw", "gzip", "brotli"]) total[k] += sizes[k];
    total.files.push(path.basename(route));
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// The tables

const ms = (v) => (typeof v === "number" ? `${v.toFixed(1)} ms` : v);
const bytes = (v) => `${Math.round(v).toLocaleString("en-US")} B`;
const plain = (v) => String(v);

/**
 * Where a phone page's time goes, from the page's own Resource Timing (medians over the
 * loads): its HTML, when the wasm was asked for and its last byte, what runs after it
 * (compiling, the first mount or the take-over, the first status request), and the bytes the
 * page had received by then with the time they take on the phone's link alone. For each
 * budget in `budgets`, the bytes the page could receive and still meet it.
 */
function printWhereTheTimeGoes(slow, budgets) {
  const rate = PHONE_NETWORK.downloadThroughput / 1000; // bytes per ms
  const ms = (v) => `${v.toFixed(0)} ms`; // whole milliseconds here
  const rows = Object.entries(slow.steps).map(([key, t]) => [
    key,
    ms(t.htmlEnd),
    ms(t.wasmAsked),
    ms(t.wasmEnd),
    ms(t.at),
    ms(t.live),
    ms(Math.max(t.at, t.live) - t.wasmEnd),
    bytes(t.bytesByWasmEnd),
    ms(t.bytesByWasmEnd / rate),
  ]);
  if (!rows.length) return;
  console.log();
  console.log(
    "Where the phone's time goes (Resource Timing in the page, ms from navigation start, medians over the loads):",
  );
  printTable(
    [
      "page",
      "HTML last byte",
      "wasm asked",
      "wasm last byte",
      "QR visible",
      "live",
      "wasm last byte → QR and live",
      "bodies by the wasm's last byte",
      "those bytes at 1.6 Mbps",
    ],
    rows,
  );
  // What a budget leaves for the download: the same start (the wasm asked when it was), the
  // same fixed wait of the download (its time less the time of its bytes at the link's rate)
  // and the same work after the last byte; the bytes the link carries in what remains.
  for (const { key, figure, limit, name } of budgets) {
    const t = slow.steps[key];
    if (!t) continue;
    const target = limit * slow.Qp;
    const after = t[figure] - t.wasmEnd;
    const carried = t.bytesByWasmEnd - t.htmlBytes;
    const wait = t.wasmEnd - t.wasmAsked - carried / rate;
    const room = Math.max(target - after - t.wasmAsked - wait, 0) * rate;
    console.log(
      `${key}, ${name} by ${ms(target)} (${limit.toFixed(1)}x): with the same start, wait (${ms(wait)}) and work after the last byte (${ms(after)}), ` +
        `the page could receive ${bytes(room)} after its HTML; it receives ${bytes(carried)}, the wasm ${bytes(t.wasmBytes)} of them.`,
    );
  }
}

function printTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));
}

function main() {
  return run().catch((error) => {
    console.error(`bench pages: ${error.stack || error}`);
    process.exitCode = 1;
  });
}

async function run() {
  const started = Date.now();
  let { serverMissing } = await buildPages();
  const shop = await startShop({ pkg: PKG });
  let server;
  let browser;
  try {
    // Orders as the shop's page places them: QRIS for a computer, GoPay for a phone.
    const qrisOrder = await shop.order("desktop");
    const gopayOrder = await shop.order("phone");
    buildPhonePages({ qrisOrder, gopayOrder, environment: shop.environment });
    const shopPages = {
      qris: await shopPaymentPage(shop.url, qrisOrder.charge.order_id),
      gopay: await shopPaymentPage(shop.url, gopayOrder.charge.order_id),
    };
    server = await serve({
      shopUrl: shop.url,
      extra: [...shopPages.qris, ...shopPages.gopay],
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: BROWSER_ARGS,
    });

    const qrPage = (key, file, svg) => ({
      key,
      path: `/bench/${file}`,
      svg,
      target: "qr",
      device: DESKTOP,
      payload,
    });
    const isServer = (spec) => spec.key === "S";
    let desktop = [
      qrPage("W", "widget.html", "gopay-widget svg"),
      ...(serverMissing ? [] : [qrPage("S", "server.html", "gopay-widget svg")]),
      qrPage("Q", "qrcode.html", ".qr svg"),
      qrPage("F", "floor.html", ".qr svg"),
      qrPage("F1", "floor-link.html", ".qr svg"),
    ];
    // As the phone: QR visible and the widget live on the QRIS charge, Open GoPay visible on
    // the GoPay charge; the shop's payment pages (P) and the client-only pages (C).
    const qrisPayload = qrisOrder.charge.qr_string;
    const deeplink = gopayOrder.charge.actions.find((a) => a.name === "deeplink-redirect")?.url;
    const onPhone = { phone: true, device: PHONE };
    const phone = [
      {
        key: "Pq",
        path: shopPages.qris[0].route,
        target: "qr",
        live: true,
        svg: "gopay-widget svg",
      },
      {
        key: "Cq",
        path: "/bench/phone-widget-qris.html",
        target: "qr",
        live: true,
        svg: "gopay-widget svg",
      },
      { key: "Qp", path: "/bench/phone-qrcode.html", target: "qr", svg: ".qr svg" },
      { key: "Pg", path: shopPages.gopay[0].route, target: "open", deeplink },
      { key: "Cg", path: "/bench/phone-widget-gopay.html", target: "open", deeplink },
    ].map((spec) => ({ ...onPhone, payload: qrisPayload, ...spec }));

    const checks = {};
    for (const spec of [...desktop, ...phone]) {
      try {
        checks[spec.key] = await verify(browser, server, spec);
      } catch (error) {
        // The server entry is new: a page of it that cannot be measured is reported, not fatal.
        if (!isServer(spec)) throw error;
        serverMissing ??= `n/a (server page: ${error.message.split("\n")[0]})`;
      }
    }
    if (serverMissing) desktop = desktop.filter((spec) => !isServer(spec));
    // The package marks its host once live, or the server's log of status requests tells.
    const liveVia = checks.Pq.liveAttribute && checks.Cq.liveAttribute ? "data-live" : "server";
    for (const spec of phone) if (spec.live) spec.liveVia = liveVia;

    const fast = await navigation(browser, server, desktop, LOADS);
    const slow = await navigation(browser, server, phone, PHONE_LOADS);
    const mounts = await warm(browser, server.url);
    const waiting = await whileWaiting(
      browser,
      server,
      phone.filter((spec) => spec.live),
      Math.min(PHONE_LOADS, 3),
    );
    await browser.close();
    browser = null;

    // Lighthouse after the bench's own browser is gone: the shop's payment page as the shop
    // serves it, the client-only page and the qrcode page as the bench serves them (brotli).
    const lighthouse = {};
    const lighthousePages = [
      [
        "shop",
        `${shop.url}${shopPages.qris[0].route}`,
        "shop's payment page, as the shop serves it",
      ],
      ["client", `${server.url}/bench/phone-widget-qris.html`, "client-only widget page, brotli"],
      ["qrcode", `${server.url}/bench/phone-qrcode.html`, "qrcode package page, brotli"],
    ];
    let transfer = null;
    if (LIGHTHOUSE_RUNS > 0) {
      for (const [key, url] of lighthousePages) {
        try {
          const runs = await audit(url, {
            executable: CHROMIUM,
            args: BROWSER_ARGS,
            runs: LIGHTHOUSE_RUNS,
          });
          lighthouse[key] = lighthouseSummary(runs);
          if (key === "shop") transfer = await againstBrotli(runs, shop.url);
        } catch (error) {
          // Lighthouse's own failure leaves its rows n/a; the rest of the run still counts.
          lighthouse[key] = { error: error.message.split("\n")[0], failed: [] };
        }
      }
    }

    // What either page of ours fetched from the package on loopback, and its stylesheet even
    // when only a server-rendered page would link it.
    const ours = shipped(
      server.files,
      [
        ...checks.W.fetched,
        ...(checks.S?.fetched ?? []),
        ...[...server.files.keys()].filter((r) => r.startsWith("/pkg/") && r.endsWith(".css")),
      ].filter((r) => r.startsWith("/pkg/")),
    );
    const theirs = shipped(server.files, checks.Q.fetched);

    const rows = [];
    let met = 0;
    let missed = 0;
    let na = 0;
    // ratio = ours / reference; `limit` makes it a budget, `budget` one of another kind.
    const row = (figure, a, b, { limit, fmt = ms, valid = true, budget, note = "" } = {}) => {
      const absent = typeof a !== "number";
      const ratio = absent || typeof b !== "number" ? null : a / b;
      let verdict = "";
      if (limit !== undefined || budget !== undefined) {
        if (absent) {
          verdict = "n/a";
          na += 1;
        } else {
          const ok = valid && (budget ? budget.ok : ratio <= limit);
          verdict = ok ? "PASS" : valid ? "FAIL" : "FAIL (page check failed)";
          if (ok) met += 1;
          else missed += 1;
        }
      }
      rows.push([
        figure,
        absent ? (a ?? "n/a") : fmt(a),
        typeof b === "number" ? fmt(b) : (b ?? ""),
        ratio === null ? "" : `${ratio.toFixed(2)}x`,
        (budget ? budget.text : limit !== undefined ? `≤ ${limit.toFixed(2)}x` : "") + note,
        verdict,
      ]);
    };
    const valid = (...keys) => keys.every((k) => checks[k]?.decodes !== false);
    const S = (times, key) => (serverMissing ? serverMissing : times[key]);
    const lh = (key, figure) =>
      LIGHTHOUSE_RUNS === 0
        ? "n/a (skipped)"
        : lighthouse[key].error
          ? "n/a (Lighthouse failed)"
          : lighthouse[key][figure];

    row("nav → QR, loopback: server-rendered (S) vs static floor (F)", S(fast, "S"), fast.F, {
      limit: BUDGET.loopbackServerVsFloor,
      valid: valid("S", "F"),
    });
    row(
      "nav → QR, loopback: server-rendered (S) vs the floor with one stylesheet link (F1)",
      S(fast, "S"),
      fast.F1,
    );
    row("nav → QR, loopback: client-only (W) vs qrcode page (Q)", fast.W, fast.Q, {
      limit: BUDGET.loopbackClientVsQrcode,
      valid: valid("W", "Q"),
    });
    row("phone: QR visible, shop's payment page (Pq) vs qrcode page (Qp)", slow.Pq, slow.Qp, {
      limit: BUDGET.phoneServerQr,
      valid: valid("Pq", "Qp"),
    });
    row("phone: widget live, shop's payment page (Pq) vs Qp's QR", slow.live.Pq, slow.Qp, {
      limit: BUDGET.phoneServerLive,
    });
    row("phone: QR visible, client-only page (Cq) vs qrcode page (Qp)", slow.Cq, slow.Qp, {
      limit: BUDGET.phoneClientQr,
      valid: valid("Cq", "Qp"),
      note: ` (moonshot ${BUDGET.phoneClientQrMoonshot.toFixed(2)}x)`,
    });
    row("phone: widget live, client-only page (Cq) vs Qp's QR", slow.live.Cq, slow.Qp);
    row("phone: Open GoPay visible, shop's payment page (Pg) vs Qp's QR", slow.Pg, slow.Qp);
    row("phone: Open GoPay visible, client-only page (Cg) vs Qp's QR", slow.Cg, slow.Qp);
    const score = (key) => {
      const v = lh(key, "score");
      return {
        ok: typeof v === "number" && v >= BUDGET.lighthouseScore,
        text: `≥ ${BUDGET.lighthouseScore}`,
      };
    };
    row(
      "Lighthouse mobile score: shop's payment page (as the shop serves it)",
      lh("shop", "score"),
      null,
      {
        fmt: plain,
        budget: score("shop"),
      },
    );
    row("Lighthouse mobile score: client-only page", lh("client", "score"), null, {
      fmt: plain,
      budget: score("client"),
    });
    row(
      "Lighthouse FCP: client-only page vs qrcode page",
      lh("client", "fcp"),
      lh("qrcode", "fcp"),
    );
    // Compared on the same bytes: each body as the shop sent it, and brotli -q 11 of it.
    row(
      "Lighthouse: shop's payment page, its bodies as the shop sends them vs brotli -q 11 of the same bytes",
      transfer ? transfer.sent : lh("shop", "transfer"),
      transfer?.brotli,
      { fmt: bytes, limit: 1.0 },
    );
    row("mount → QR drawn, warm: mount() vs qrcode toString + insert", mounts.ours, mounts.theirs, {
      limit: BUDGET.warmMount,
    });
    row(
      `shipped raw: widget (${ours.files.join(" + ")}) vs qrcode page script`,
      ours.raw,
      theirs.raw,
      { fmt: bytes },
    );
    row("shipped gzip -9: widget vs qrcode page script", ours.gzip, theirs.gzip, { fmt: bytes });
    row("shipped brotli -q 11: widget vs qrcode page script", ours.brotli, theirs.brotli, {
      fmt: bytes,
      budget: {
        ok: ours.brotli <= BUDGET.shippedBrotli,
        text: `≤ ${BUDGET.shippedBrotli.toLocaleString("en-US")} B`,
      },
    });
    row("QR SVG in the DOM (outerHTML): ours vs qrcode's", checks.W.svgBytes, checks.Q.svgBytes, {
      fmt: bytes,
    });

    const loadAverage = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ");
    if (LIGHTHOUSE_RUNS > 0) {
      console.log(
        `Lighthouse ${LIGHTHOUSE_VERSION}, mobile, applied throttling (--throttling-method=devtools), ` +
          `${LIGHTHOUSE_RUNS === 1 ? "one run" : `medians of ${LIGHTHOUSE_RUNS} runs`} a page:`,
      );
      console.log();
      printTable(
        ["page", "score", "FCP", "LCP", "TBT", "transfer", "LCP element (Lighthouse)"],
        lighthousePages.map(([key, , name]) => {
          const r = lighthouse[key];
          const t = (v, f) => (typeof v === "number" ? f(v) : "n/a");
          return [
            name,
            r.runs > 1 && typeof r.score === "number"
              ? `${plain(r.score)} (${r.scored} of ${r.runs} runs scored)`
              : t(r.score, plain),
            t(r.fcp, ms),
            t(r.lcp, ms),
            t(r.tbt, ms),
            t(r.transfer, bytes),
            r.error ? `n/a (Lighthouse failed: ${r.error})` : r.lcpElement,
          ];
        }),
      );
      if (transfer)
        console.log(
          `The shop's payment page: ${bytes(transfer.wire)} of bodies on the wire (+ ${bytes(transfer.headers)} of headers; ` +
            `${transfer.polls} status polls among them). Each fetched again: ${bytes(transfer.sent)} as the shop sent them, ` +
            `against ${bytes(transfer.brotli)} for the same bytes at brotli -q 11.`,
        );
      for (const [key, , name] of lighthousePages) {
        const { failed } = lighthouse[key];
        if (failed.length)
          console.log(
            `note: Lighthouse audits that failed on the ${name} (metrics above stand): ` +
              `${failed.slice(0, 8).join(", ")}${failed.length > 8 ? ` and ${failed.length - 8} more` : ""}.`,
          );
      }
      console.log();
    }
    console.log(
      `Cold loads per page, medians: ${LOADS} on loopback (desktop), ${PHONE_LOADS} as a phone (${PROFILE_TEXT}); ` +
        `warm mounts: median of ${MOUNTS}${mounts.isolated ? "" : " (timer not isolated: 0.1 ms steps)"}. ` +
        `Widget live: ${liveVia === "data-live" ? "the host's data-live" : "the first status request, as the server saw it arrive"}.`,
    );
    console.log(`Load average at the end: ${loadAverage} on ${os.cpus().length} cores.`);
    console.log();
    printTable(["figure", "ours", "reference", "ratio", "budget", "verdict"], rows);
    console.log();
    console.log(`Middle half of the loads (p25–p75, ms): loopback ${fast.spread};`);
    console.log(`  phone ${slow.spread}.`);
    const decodes = [...desktop, ...phone]
      .map((s) => `${s.key} ${checks[s.key].decodes ? "yes" : "NO"}`)
      .join(", ");
    console.log(
      `Checked once per page (zbarimg decodes the QR screenshot to the qr_string; Pg/Cg: Open GoPay visible, linking to the charge's deeplink): ${decodes}.`,
    );
    console.log();
    console.log(
      `While the payment waits, as the phone (pending, the widget live and polling; ${WAITING_MS / 1000} s from a second after it went live; medians of ${Math.min(PHONE_LOADS, 3)} loads): ` +
        Object.entries(waiting)
          .map(([key, w]) => `${key} ${w.count} long tasks, ${ms(w.blocking)} blocking`)
          .join("; ") +
        ".",
    );
    printWhereTheTimeGoes(slow, [
      { key: "Pq", figure: "live", limit: BUDGET.phoneServerLive, name: "live" },
      { key: "Cq", figure: "at", limit: BUDGET.phoneClientQr, name: "QR visible" },
    ]);
    for (const key of ["Pq", "Cq", "Qp"])
      console.log(
        `Largest contentful paint, ${key} (phone viewport): ${checks[key].lcp ?? "none"}.`,
      );
    console.log(
      "Pages: W <gopay-widget> + pkg/index.js; S renderToString from pkg/server.js + pkg/index.js; " +
        "Q the qrcode package bundled with rolldown; F the qrcode SVG inline; " +
        "F1 F with the widget's stylesheet linked after the SVG (W, S: a fixture's charge, display-only). " +
        "Pq, Pg the demo shop's payment page of a QRIS and a GoPay order, as the shop renders it for the phone; " +
        "Cq, Cg W with the same charges and the shop's status endpoint; Qp Q with the QRIS order's payload. " +
        "All served with brotli by the bench, the shop's API passed through to it.",
    );
    for (const spec of [...desktop, ...phone])
      for (const e of checks[spec.key].errors) console.log(`note: ${spec.path}: page error: ${e}`);
    console.log(`budgets: ${met} met, ${missed} missed${na ? ` (${na} n/a)` : ""}`);
    console.log(`(browser bench: ${((Date.now() - started) / 60_000).toFixed(1)} minutes)`);
  } finally {
    await browser?.close();
    server?.close();
    await shop.stop();
  }
}

await main();
