// The browser half of `make bench`: builds the widget's pages and the comparison pages (the
// qrcode npm package, and a static floor with the SVG inline), serves them on 127.0.0.1,
// drives Debian's Chromium and prints one table of our figures against the references, with
// a PASS/FAIL per budget. It reports and exits 0 whatever the figures are; it stops with an
// error only when it cannot measure (no browser, a page that never shows its QR).
//
// Settings (environment): BENCH_LOADS=15 (cold loads per page on loopback),
// BENCH_THROTTLED_LOADS=15 (per page, throttled), BENCH_MOUNTS=50 (warm mounts), BENCH_PKG=pkg
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
import { qrSvg } from "./qrcode-svg.mjs";

const LOADS = Number(process.env.BENCH_LOADS || 15);
const THROTTLED_LOADS = Number(process.env.BENCH_THROTTLED_LOADS || 15);
const MOUNTS = Number(process.env.BENCH_MOUNTS || 50);
const PKG = path.resolve(ROOT, process.env.BENCH_PKG || "pkg");
const OUT = path.join(ROOT, "target/bench-pages");
const HERE = path.join(ROOT, "scripts/bench");

// A mid-range phone on a mobile network (Network.emulateNetworkConditions).
const THROTTLE = {
  offline: false,
  latency: 150,
  downloadThroughput: 200_000, // 1.6 Mbps
  uploadThroughput: 93_750, // 750 kbps
};
const DESKTOP = {
  viewport: { width: 1280, height: 800 },
  userAgent:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
};
const PHONE = {
  viewport: { width: 412, height: 915 },
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
  deviceScaleFactor: 2.625,
  isMobile: true,
  hasTouch: true,
};

// ---------------------------------------------------------------------------------------------
// The pages

// Charges made current so the widget shows them as live; two hours outlast the whole run.
const qris = fresh(await fixture("qris-charge-docs-shape.json"), { minutes: 120 });
// Its deeplink is on Midtrans' simulator host, which only the sandbox environment admits.
const gopay = fresh(await fixture("gopay-charge-current-shape.json"), { minutes: 120 });
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
// The head of every widget page, as the README shows it: the entry, the module it imports and
// the wasm fetched while the page parses (the wasm compiles as it streams in).
const WIDGET_HINTS = `<link rel="modulepreload" href="/pkg/index.js">
<link rel="modulepreload" href="/pkg/pure.js">
<link rel="preload" href="/pkg/gopay_widget_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>`;

const element = (charge, attributes) =>
  `<gopay-widget data-locale="en"${attributes} data-charge="${escapeHtml(JSON.stringify(charge))}"></gopay-widget>`;

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
    "widget.html": shell("widget, client-only", WIDGET_HINTS, element(qris, "") + WIDGET_SCRIPT),
    "widget-phone.html": shell(
      "widget, client-only, phone",
      WIDGET_HINTS,
      element(gopay, ` data-environment="sandbox"`) + WIDGET_SCRIPT,
    ),
    "qrcode.html": shell(
      "qrcode package",
      QR_BOX,
      `<div class="qr" id="qr" data-payload="${escapeHtml(payload)}"></div>
<script type="module" src="/bench/qrcode-page.js"></script>`,
    ),
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
    const render = (charge, environment, device) =>
      server.renderToString({
        // As the backend has it from Midtrans: the response's JSON text.
        charge: JSON.stringify(charge),
        locale: "en",
        mode: "auto",
        environment,
        // Display-only like the client-only page: no status URL, so no polling and no
        // automatic app opening on the phone.
        statusUrl: undefined,
        userAgent: device.userAgent,
        ...(css ? { stylesheet: `/pkg/${css}` } : {}),
      });
    try {
      pages["server.html"] = shell(
        "widget, server-rendered",
        WIDGET_HINTS,
        (await render(qris, "production", DESKTOP)) + WIDGET_SCRIPT,
      );
      pages["server-phone.html"] = shell(
        "widget, server-rendered, phone",
        WIDGET_HINTS,
        (await render(gopay, "sandbox", PHONE)) + WIDGET_SCRIPT,
      );
    } catch (error) {
      server.missing = `n/a (renderToString failed: ${error.message})`;
    }
  }
  for (const [name, html] of Object.entries(pages)) fs.writeFileSync(path.join(OUT, name), html);
  return { serverMissing: server.missing };
}

// ---------------------------------------------------------------------------------------------
// The server: loopback only, every file compressed as a production server would send it.

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};

function serve() {
  const files = new Map();
  const add = (route, file) => {
    const raw = fs.readFileSync(file);
    files.set(route, {
      type: TYPES[path.extname(file)] || "application/octet-stream",
      raw,
      br: zlib.brotliCompressSync(raw, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
      }),
      gzip: zlib.gzipSync(raw, { level: 9 }),
    });
  };
  for (const f of fs.readdirSync(PKG)) add(`/pkg/${f}`, path.join(PKG, f));
  for (const f of fs.readdirSync(OUT)) add(`/bench/${f}`, path.join(OUT, f));

  const requests = [];
  const server = http.createServer((req, res) => {
    const route = new URL(req.url, "http://127.0.0.1").pathname;
    requests.push(route);
    const file = files.get(route);
    if (!file) {
      // Chromium asks for /favicon.ico on every page.
      res.writeHead(route === "/favicon.ico" ? 204 : 404);
      return res.end();
    }
    const accepts = String(req.headers["accept-encoding"] || "");
    const encoding = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : null;
    const headers = { "content-type": file.type, vary: "accept-encoding" };
    if (encoding) headers["content-encoding"] = encoding;
    // The warm page is cross-origin isolated for performance.now()'s finer resolution.
    if (route === "/bench/warm.html") {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    res.writeHead(200, headers);
    res.end(encoding ? file[encoding] : file.raw);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One cold load in a fresh context (empty cache, new connections): ms to `target`. */
async function load(browser, base, spec, { throttled, keep } = {}) {
  const context = await browser.newContext(spec.device);
  await context.addInitScript(observer, spec.target);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (throttled) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", THROTTLE);
  }
  await page.goto(`${base}/bench/${spec.file}`);
  const at = await Promise.race([page.evaluate(() => window.__benchAt), sleep(30_000)]);
  if (typeof at !== "number") {
    await context.close();
    const what = spec.target === "qr" ? "QR" : "Open GoPay link";
    throw new Error(`${spec.file}: no ${what} within 30 s`);
  }
  if (keep) return { at, page, context, errors };
  await context.close();
  return { at };
}

/** The q-quantile of `values`, interpolated between the two nearest. */
const quantile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};
const median = (values) => quantile(values, 0.5);

/** Loads the pages in turns (ABCDABCD...) so a busy moment hits them all alike. */
async function navigation(browser, base, specs, loads, throttled) {
  const times = Object.fromEntries(specs.map((s) => [s.key, []]));
  for (let i = 0; i < loads; i++)
    for (const spec of specs)
      times[spec.key].push((await load(browser, base, spec, { throttled })).at);
  // The medians, and the middle half of each page's loads to show how noisy the run was.
  const spread = specs
    .map((s) => {
      const [a, b] = [0.25, 0.75].map((q) => quantile(times[s.key], q).toFixed(0));
      return `${s.key} ${a}–${b}`;
    })
    .join(", ");
  return { spread, ...Object.fromEntries(specs.map((s) => [s.key, median(times[s.key])])) };
}

/** Once per page, untimed: the QR decodes to the payload, and what the page fetched. */
async function verify(browser, server, spec) {
  const from = server.requests.length;
  const { page, context, errors } = await load(browser, server.url, spec, { keep: true });
  const result = { errors };
  if (spec.target === "qr") {
    const svg = page.locator(spec.svg).first();
    const shot = path.join(ARTIFACTS, `bench-${spec.key}.png`);
    await svg.screenshot({ path: shot });
    result.decodes = decode(shot) === payload;
    result.svgBytes = Buffer.byteLength(await svg.evaluate((el) => el.outerHTML));
  } else {
    result.decodes = await page.locator("gopay-widget [part=open-button]").isVisible();
    await page.screenshot({ path: path.join(ARTIFACTS, `bench-${spec.key}.png`) });
  }
  // Give late requests (the wasm after the QR of a server-rendered page) time to show.
  await page.waitForLoadState("networkidle");
  result.fetched = server.requests.slice(from).filter((r) => r !== "/favicon.ico");
  await context.close();
  return result;
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
// Bytes

// Sized from the bytes served, not from pkg/ again: a rebuild during the run cannot skew them.
const compressed = (raw) => ({
  raw: raw.length,
  gzip: execFileSync("gzip", ["-9", "-c"], { input: raw, maxBuffer: 1 << 26 }).length,
  brotli: execFileSync("brotli", ["-q", "11", "-c"], { input: raw, maxBuffer: 1 << 26 }).length,
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
// The table

const ms = (v) => (typeof v === "number" ? `${v.toFixed(1)} ms` : v);
const bytes = (v) => `${v.toLocaleString("en-US")} B`;

function main() {
  return run().catch((error) => {
    console.error(`bench pages: ${error.stack || error}`);
    process.exitCode = 1;
  });
}

async function run() {
  let { serverMissing } = await buildPages();
  const server = await serve();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // Nothing leaves the machine: the phone view's QR image is on a Midtrans host.
    args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  });
  try {
    const qrPage = (key, file, svg) => ({ key, file, svg, target: "qr", device: DESKTOP });
    const phonePage = (key, file) => ({ key, file, target: "open", device: PHONE });
    const isServer = (spec) => spec.key.startsWith("S");
    let desktop = [
      qrPage("W", "widget.html", "gopay-widget svg"),
      ...(serverMissing ? [] : [qrPage("S", "server.html", "gopay-widget svg")]),
      qrPage("Q", "qrcode.html", ".qr svg"),
      qrPage("F", "floor.html", ".qr svg"),
      qrPage("F1", "floor-link.html", ".qr svg"),
    ];
    let phone = [
      phonePage("Wp", "widget-phone.html"),
      ...(serverMissing ? [] : [phonePage("Sp", "server-phone.html")]),
    ];

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
    if (serverMissing) {
      desktop = desktop.filter((spec) => !isServer(spec));
      phone = phone.filter((spec) => !isServer(spec));
    }
    const fast = await navigation(browser, server.url, desktop, LOADS, false);
    const slow = await navigation(browser, server.url, desktop, THROTTLED_LOADS, true);
    const phoneSlow = await navigation(browser, server.url, phone, THROTTLED_LOADS, true);
    const mounts = await warm(browser, server.url);

    // What either page of ours fetched from the package, and its stylesheet even when only a
    // server-rendered page would link it.
    const ours = shipped(
      server.files,
      [
        ...checks.W.fetched,
        ...(checks.S?.fetched ?? []),
        ...[...server.files.keys()].filter((r) => r.endsWith(".css")),
      ].filter((r) => r.startsWith("/pkg/")),
    );
    const theirs = shipped(server.files, checks.Q.fetched);

    const rows = [];
    let met = 0;
    let missed = 0;
    let na = 0;
    // ratio = ours / reference; `limit` makes it a budget.
    const row = (figure, a, b, { limit, fmt = ms, valid = true, budget } = {}) => {
      const absent = typeof a !== "number";
      const ratio = absent || typeof b !== "number" ? null : a / b;
      let verdict = "";
      if (limit !== undefined || budget !== undefined) {
        if (absent) {
          verdict = "n/a";
          na += 1;
        } else {
          const ok = valid && (budget ? budget.ok : ratio <= limit);
          verdict = ok ? "PASS" : valid ? "FAIL" : "FAIL (QR did not decode)";
          if (ok) met += 1;
          else missed += 1;
        }
      }
      rows.push([
        figure,
        absent ? a : fmt(a),
        typeof b === "number" ? fmt(b) : (b ?? ""),
        ratio === null ? "" : `${ratio.toFixed(2)}x`,
        budget ? budget.text : limit !== undefined ? `≤ ${limit.toFixed(2)}x` : "",
        verdict,
      ]);
    };
    const valid = (...keys) => keys.every((k) => checks[k]?.decodes !== false);
    const S = (times, key) => (serverMissing ? serverMissing : times[key]);

    row("nav → QR, loopback: server-rendered (S) vs static floor (F)", S(fast, "S"), fast.F, {
      limit: 1.15,
      valid: valid("S", "F"),
    });
    row(
      "nav → QR, loopback: server-rendered (S) vs the floor with one stylesheet link (F1)",
      S(fast, "S"),
      fast.F1,
    );
    row("nav → QR, loopback: client-only (W) vs qrcode page (Q)", fast.W, fast.Q, {
      limit: 1.0,
      valid: valid("W", "Q"),
    });
    row("nav → QR, throttled: server-rendered (S) vs static floor (F)", S(slow, "S"), slow.F, {
      limit: 1.15,
      valid: valid("S", "F"),
    });
    row("nav → QR, throttled: client-only (W) vs qrcode page (Q)", slow.W, slow.Q);
    row(
      "phone, throttled: Open GoPay visible, server-rendered vs client-only",
      S(phoneSlow, "Sp"),
      phoneSlow.Wp,
    );
    row("mount → QR drawn, warm: mount() vs qrcode toString + insert", mounts.ours, mounts.theirs, {
      limit: 2.0,
    });
    row(
      `shipped raw: widget (${ours.files.join(" + ")}) vs qrcode page script`,
      ours.raw,
      theirs.raw,
      {
        fmt: bytes,
      },
    );
    row("shipped gzip -9: widget vs qrcode page script", ours.gzip, theirs.gzip, { fmt: bytes });
    row("shipped brotli -q 11: widget vs qrcode page script", ours.brotli, theirs.brotli, {
      fmt: bytes,
      budget: { ok: ours.brotli <= 50_000, text: "≤ 50,000 B" },
    });
    row("QR SVG in the DOM (outerHTML): ours vs qrcode's", checks.W.svgBytes, checks.Q.svgBytes, {
      fmt: bytes,
    });

    const head = ["figure", "ours", "reference", "ratio", "budget", "verdict"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    const throttleText = "150 ms, 1.6 Mbps down, 750 kbps up";
    console.log(
      `Cold loads per page, medians: ${LOADS} on loopback, ${THROTTLED_LOADS} throttled (${throttleText}); ` +
        `warm mounts: median of ${MOUNTS}${mounts.isolated ? "" : " (timer not isolated: 0.1 ms steps)"}.`,
    );
    console.log(
      `Load average while measuring: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")} on ${os.cpus().length} cores.`,
    );
    console.log();
    console.log(line(head));
    console.log(line(widths.map((w) => "-".repeat(w))));
    for (const r of rows) console.log(line(r));
    console.log();
    console.log(`Middle half of the loads (p25–p75, ms): loopback ${fast.spread};`);
    console.log(`  throttled ${slow.spread}; phone ${phoneSlow.spread}.`);
    const decodes = [...desktop, ...phone]
      .map((s) => `${s.key} ${checks[s.key].decodes ? "yes" : "NO"}`)
      .join(", ");
    console.log(
      `Checked once per page (zbarimg decodes the QR screenshot to the qr_string; Wp/Sp: Open GoPay visible): ${decodes}.`,
    );
    console.log(
      "Pages: W <gopay-widget> + pkg/index.js; S renderToString from pkg/server.js + pkg/index.js; " +
        "Q the qrcode package bundled with rolldown; F the qrcode SVG inline; " +
        "F1 F with the widget's stylesheet linked after the SVG. Served with brotli.",
    );
    for (const spec of [...desktop, ...phone])
      for (const e of checks[spec.key].errors) console.log(`note: ${spec.file}: page error: ${e}`);
    console.log(`budgets: ${met} met, ${missed} missed${na ? ` (${na} n/a)` : ""}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
