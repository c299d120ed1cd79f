// The npm package as merchants get it: `npm pack` of pkg/, installed offline into a plain
// HTML page and into a Vite app; both render the QR and receive the events in Chromium.
// The declarations are checked with tsc against the installed package and with attw.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import zlib from "node:zlib";
import {
  ARTIFACTS,
  decodeQr,
  escapeHtml,
  fixture,
  freePort,
  fresh,
  launch,
  ROOT,
  sendJson,
  startServer,
  statusEndpoint,
  watchErrors,
} from "./harness.mjs";

const run = promisify(execFile);
const BIN = {
  vite: path.join(ROOT, "node_modules/vite/bin/vite.js"),
  tsc: path.join(ROOT, "node_modules/typescript/bin/tsc"),
  attw: path.join(ROOT, "node_modules/@arethetypeswrong/cli/dist/index.js"),
};
const SHIPPED = [
  "LICENSE",
  "README.md",
  "gopay-widget.css",
  "gopay_widget_qr.wasm",
  "gopay_widget_wasm_bg.wasm",
  "index.d.ts",
  "index.js",
  "package.json",
  "pure.d.ts",
  "pure.js",
  "react.d.ts",
  "react.js",
  "server-unavailable.js",
  "server.d.ts",
  "server.js",
  "svelte.d.ts",
  "svelte.js",
  "vue.d.ts",
  "vue.js",
];
/** One component (and the element's typings) per framework. */
const FRAMEWORKS = ["react", "vue", "svelte"];
/** The framework type packages they augment, from the workspace's pinned devDependencies. */
const FRAMEWORK_TYPES = ["@types/react", "vue", "svelte"];
/** What a browser fetches for the widget (the server entry runs in Node only). */
const BROWSER_FILES = [
  "index.js",
  "pure.js",
  "gopay_widget_wasm_bg.wasm",
  "gopay_widget_qr.wasm",
  "gopay-widget.css",
];

let tmp, tarball, packed, browser, status, charge;
const children = [];

/** Installs the tarball into `dir` from the local file only: no registry, no network. */
async function installTarball(dir) {
  await run(
    "npm",
    [
      "install",
      tarball,
      "--offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
    ],
    {
      cwd: dir,
      env: { ...process.env, npm_config_update_notifier: "false" },
    },
  );
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "gopay-widget-package-"));
  const { stdout } = await run(
    "npm",
    ["pack", path.join(ROOT, "pkg"), "--pack-destination", tmp, "--json", "--loglevel=error"],
    { cwd: tmp },
  );
  packed = JSON.parse(stdout)[0];
  tarball = path.join(tmp, packed.filename);
  status = statusEndpoint({ cors: true });
  charge = fresh(await fixture("qris-charge-docs-shape.json"));
  browser = await launch();
  await fs.mkdir(ARTIFACTS, { recursive: true });
});
after(async () => {
  for (const child of children) child.kill();
  await browser?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

test("the tarball holds exactly the shipped files, with a complete package.json", async (t) => {
  assert.deepEqual(packed.files.map((f) => f.path).sort(), SHIPPED);
  assert.equal(packed.name, "gopay-widget");
  const manifest = JSON.parse(await fs.readFile(path.join(ROOT, "pkg/package.json"), "utf8"));
  assert.equal(manifest.type, "module");
  assert.equal(manifest.license, "MIT");
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(manifest.exports["."], { types: "./index.d.ts", default: "./index.js" });
  assert.deepEqual(manifest.exports["./pure"], { types: "./pure.d.ts", default: "./pure.js" });
  // Only the main entry does something on import (and a stylesheet imported for its effect).
  assert.deepEqual(manifest.sideEffects, ["./index.js", "*.css"]);
  for (const name of FRAMEWORKS) {
    assert.deepEqual(manifest.exports[`./${name}`], {
      types: `./${name}.d.ts`,
      default: `./${name}.js`,
    });
  }
  // Edge runtimes, workers and browser bundles get the module that says where the server
  // entry runs, never the one with the wasm; "types" first, "default" last.
  const server = manifest.exports["./server"];
  assert.deepEqual(Object.keys(server), ["types", "edge-light", "worker", "browser", "default"]);
  for (const condition of ["edge-light", "worker", "browser"]) {
    assert.equal(server[condition], "./server-unavailable.js");
  }
  assert.equal(server.default, "./server.js");
  // No framework is needed to install or use the package.
  assert.equal(manifest.dependencies, undefined);
  for (const name of FRAMEWORK_TYPES) {
    assert.deepEqual(manifest.peerDependenciesMeta[name], { optional: true });
  }
  let raw = 0;
  let brotli = 0;
  for (const f of packed.files.filter((f) => BROWSER_FILES.includes(f.path))) {
    const body = await fs.readFile(path.join(ROOT, "pkg", f.path));
    raw += body.length;
    brotli += zlib.brotliCompressSync(body, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
    }).length;
  }
  t.diagnostic(
    `tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`,
  );
  t.diagnostic(`what a browser loads (JS + wasm + CSS): ${raw} bytes raw, ${brotli} bytes brotli`);
});

test("gopay-widget/server from the installed tarball renders in Node", async () => {
  const dir = path.join(tmp, "node-server");
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "package.json"), '{"type":"module","private":true}');
  await installTarball(dir);
  const script = `import { renderFirstPaint, renderToString, stylesheet } from "gopay-widget/server";
const charge = JSON.parse(process.argv[2]);
process.stdout.write(JSON.stringify({
  html: renderToString({ charge, locale: "en", stylesheet: "/gopay-widget.css" }),
  inlined: renderToString({ charge, locale: "en", nonce: "n0nce" }),
  paint: renderFirstPaint({ charge, locale: "en" }),
  css: stylesheet(),
}));`;
  await fs.writeFile(path.join(dir, "render.mjs"), script);
  const { stdout } = await run(process.execPath, ["render.mjs", JSON.stringify(charge)], {
    cwd: dir,
  });
  const { html, inlined, paint, css } = JSON.parse(stdout);
  assert.match(html, /^<gopay-widget data-charge="[^"]+"/);
  assert.match(html, /<template shadowrootmode="open"><div><section [^>]*data-state="pending"/);
  assert.match(html, /<svg [^>]*role="img"/);
  assert.match(html, /IDR 789,000/);
  assert.match(html, /<link rel="stylesheet" href="\/gopay-widget.css">/);
  // Without a stylesheet URL the CSS comes inlined, with the page's nonce.
  assert.ok(
    inlined.includes(`<template shadowrootmode="open"><style nonce="n0nce">${css}</style><div>`),
    inlined,
  );
  assert.ok(paint.startsWith('<template shadowrootmode="open"><style>'), paint);
  assert.ok(
    inlined.endsWith(`${paint.replace("<style>", '<style nonce="n0nce">')}</gopay-widget>`),
  );
  for (const text of [html, inlined, paint]) assert.ok(!text.includes("<!>"), text);
  assert.equal(
    css,
    await fs.readFile(path.join(dir, "node_modules/gopay-widget/gopay-widget.css"), "utf8"),
  );
  assert.match(css, /\.gw\{/);
  // The wasm is inside the module: nothing read from disk, no URL for a bundler to follow.
  const server = await fs.readFile(path.join(dir, "node_modules/gopay-widget/server.js"), "utf8");
  assert.doesNotMatch(server, /node:fs|readFileSync|import\.meta/);
  // Where the runtime is not Node (edge, worker, browser), the entry says so when called.
  const edge = await run(
    process.execPath,
    [
      "--conditions=edge-light",
      "--input-type=module",
      "-e",
      `import { renderFirstPaint } from "gopay-widget/server";
try { renderFirstPaint({ charge: {} }); } catch (e) { process.stdout.write(e.message); }`,
    ],
    { cwd: dir },
  );
  assert.match(edge.stdout, /^gopay-widget\/server runs in Node\.js \(>= 20\)/);
  assert.match(edge.stdout, /export const runtime = "nodejs"/);
});

test("attw: the packed types resolve for ESM consumers (node16 ESM, bundler)", async () => {
  // The package is ESM-only by design (it needs import.meta.url for the wasm), so the
  // esm-only profile leaves out the CommonJS-require resolution; everything else must pass.
  const result = await run(
    process.execPath,
    // The stylesheet export is a file for <link>, not a module with types.
    [
      BIN.attw,
      tarball,
      "--profile",
      "esm-only",
      "--no-definitely-typed",
      "--exclude-entrypoints",
      "./gopay-widget.css",
      "--format",
      "json",
    ],
    { cwd: tmp },
  ).catch((e) => e);
  const report = JSON.parse(result.stdout);
  const problems = (report.analysis?.problems ?? []).filter(
    (p) => p.resolutionKind !== "node16-cjs",
  );
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 1));
  assert.equal(result.code ?? 0, 0, result.stderr);
  const kinds = Object.values(report.analysis.entrypoints["."].resolutions).map(
    (r) => r.resolutionKind,
  );
  assert.ok(kinds.includes("bundler") && kinds.includes("node16-esm"), JSON.stringify(kinds));
});

test("framework typings from the installed tarball: React 19 JSX, Vue 3 and Svelte 5", async () => {
  // Each file opts in with one `import type {} from "gopay-widget/<framework>"` and holds
  // @ts-expect-error lines (a wrong data-locale, data-mode, handler detail...): the check fails
  // when the element's attributes or events stop being typed.
  const dir = path.join(tmp, "frameworks");
  await fs.cp(path.join(ROOT, "tests/package/frameworks"), dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "framework-shop", private: true, type: "module" }),
  );
  await installTarball(dir);
  // The framework types come from the workspace (its pinned devDependencies), linked in.
  await fs.mkdir(path.join(dir, "node_modules/@types"), { recursive: true });
  for (const name of FRAMEWORK_TYPES) {
    await fs.symlink(path.join(ROOT, "node_modules", name), path.join(dir, "node_modules", name));
  }
  for (const name of FRAMEWORKS) {
    const tsc = await run(process.execPath, [BIN.tsc, "-p", `tsconfig.${name}.json`], {
      cwd: dir,
    }).catch((e) => e);
    assert.equal(tsc.code ?? 0, 0, `tsc (${name}):\n${tsc.stdout}${tsc.stderr}`);
  }
});

test("plain HTML page: the installed package renders the QR and sends the events", async () => {
  const dir = path.join(tmp, "plain");
  await fs.mkdir(dir);
  await fs.writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "plain-shop", private: true }),
  );
  await installTarball(dir);
  const attr = (v) => escapeHtml(JSON.stringify(v));
  const orders = ["plain-element", "plain-data", "plain-mount"];
  const ofOrder = (order_id) => ({ ...charge, order_id });
  await fs.writeFile(
    path.join(dir, "index.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Plain shop</title><link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "gopay-widget": "./node_modules/gopay-widget/index.js" } }</script>
<script type="module" src="./node_modules/gopay-widget/index.js"></script>
<script type="module" src="./app.js"></script>
</head><body><main>
<gopay-widget id="element" data-locale="en" data-status-url="/status?order_id={order_id}" data-charge="${attr(ofOrder(orders[0]))}"></gopay-widget>
<div id="data" data-gopay-widget data-locale="id" data-status-url="/status?order_id={order_id}" data-charge="${attr(ofOrder(orders[1]))}"></div>
<div id="mounted"></div>
</main></body></html>`,
  );
  await fs.writeFile(
    path.join(dir, "app.js"),
    `import { mount } from "gopay-widget";
window.seen = [];
for (const type of ["gopay-status", "gopay-success", "gopay-error"]) {
  document.addEventListener(type, (e) => window.seen.push({ type, target: e.target.id, order: e.detail.order_id }));
}
window.callbacks = [];
const charge = JSON.parse(document.getElementById("element").getAttribute("data-charge"));
window.mounted = mount(document.getElementById("mounted"), {
  charge: { ...charge, order_id: "plain-mount" },
  statusUrl: "/status?order_id={order_id}",
  onSuccess: (d) => window.callbacks.push(d.order_id),
}).then(() => true);
`,
  );
  const server = await startServer({ "GET /status": status.route }, { root: dir });
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 1600 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/`);
    for (const id of ["element", "data", "mounted"])
      await page.locator(`#${id} figure > svg`).waitFor();
    const shot = path.join(ARTIFACTS, "package-plain-qr.png");
    await page.locator("#element figure > svg").screenshot({ path: shot });
    assert.deepEqual(decodeQr(shot), [charge.qr_string]);
    for (const order of orders) status.set(order, "settlement");
    await page.waitForFunction(
      () => window.seen.filter((e) => e.type === "gopay-success").length === 3,
    );
    const seen = await page.evaluate(() => window.seen);
    assert.deepEqual(
      seen
        .filter((e) => e.type === "gopay-success")
        .map((e) => e.target)
        .sort(),
      ["data", "element", "mounted"],
    );
    assert.equal(seen.filter((e) => e.type === "gopay-error").length, 0);
    assert.deepEqual(await page.evaluate(() => window.callbacks), ["plain-mount"]);
    assert.equal(await page.evaluate(() => window.mounted), true);
    const wasm = server.requests.filter((r) => r.path.endsWith(".wasm"));
    // The widget's module and the QR module it draws with, each once for the three widgets.
    assert.deepEqual(wasm.map((r) => r.path).sort(), [
      "/node_modules/gopay-widget/gopay_widget_qr.wasm",
      "/node_modules/gopay-widget/gopay_widget_wasm_bg.wasm",
    ]);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await server.close();
  }
});

test("gopay-widget/pure does nothing on import; with the main entry, one wasm instance", async () => {
  const server = await startServer({ "GET /status": status.route });
  try {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/`);
    const attr = JSON.stringify({ ...charge, order_id: "pure-1" });
    const seen = await page.evaluate(async (attr) => {
      const host = document.getElementById("host");
      host.outerHTML = `<gopay-widget id="host" data-locale="en"></gopay-widget>`;
      document.getElementById("host").setAttribute("data-charge", attr);
      const pure = await import("/pkg/pure.js");
      await new Promise((r) => setTimeout(r, 300));
      const before = {
        defined: Boolean(customElements.get("gopay-widget")),
        shadow: Boolean(document.getElementById("host").shadowRoot),
        wasm: performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm"))
          .length,
      };
      pure.define();
      pure.define();
      await customElements.whenDefined("gopay-widget");
      const main = await import("/pkg/index.js");
      return { before, same: main.mount === pure.mount && main.define === pure.define };
    }, attr);
    assert.deepEqual(seen, { before: { defined: false, shadow: false, wasm: 0 }, same: true });
    // The element already in the page upgraded with define() and shows the charge.
    await page.locator("#host figure > svg").waitFor();
    const wasm = server.requests.filter((r) => r.path.endsWith(".wasm")).map((r) => r.path);
    assert.deepEqual(wasm.sort(), ["/pkg/gopay_widget_qr.wasm", "/pkg/gopay_widget_wasm_bg.wasm"]);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await server.close();
  }
});

test("Vite app: typed consumer code checks, builds, and works from vite preview", async (t) => {
  const dir = path.join(tmp, "vite-app");
  await fs.cp(path.join(ROOT, "tests/package/vite-app"), dir, { recursive: true });
  await installTarball(dir);
  const installed = JSON.parse(
    await fs.readFile(path.join(dir, "node_modules/gopay-widget/package.json"), "utf8"),
  );
  assert.equal(installed.name, "gopay-widget");

  // Types: the consumer's code and the compile-time expectations, against the installed package.
  const tsc = await run(process.execPath, [BIN.tsc, "-p", dir], { cwd: dir }).catch((e) => e);
  assert.equal(tsc.code ?? 0, 0, `tsc:\n${tsc.stdout}${tsc.stderr}`);

  await run(process.execPath, [BIN.vite, "build", "--logLevel", "warn"], { cwd: dir });
  const assets = await fs.readdir(path.join(dir, "dist/assets"));
  // The widget's module and the QR module, each emitted once under a hashed name.
  const wasmAssets = assets.filter((f) => f.endsWith(".wasm")).sort();
  assert.deepEqual(
    wasmAssets.map((f) => f.replace(/-[\w-]{8}\.wasm$/, ".wasm")),
    ["gopay_widget_qr.wasm", "gopay_widget_wasm_bg.wasm"],
    `built assets: ${assets.join(", ")}`,
  );
  t.diagnostic(`vite build: ${assets.join(", ")}`);

  const api = await startServer({
    "GET /status": status.route,
    "GET /charge": (_req, res) =>
      sendJson(
        res,
        { ...charge, order_id: "vite-1" },
        { headers: { "access-control-allow-origin": "*" } },
      ),
  });
  const { origin, stop } = await startVite(dir, ["preview"]);
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 1600 } });
    const errors = watchErrors(page);
    const wasmLoads = [];
    page.on("request", (r) => r.url().endsWith(".wasm") && wasmLoads.push(r.url()));
    await page.goto(`${origin}/?api=${encodeURIComponent(api.url)}`);
    await page.locator("#element figure > svg").waitFor();
    await page.locator("#mounted figure > svg").waitFor();
    await page.evaluate(() => window.shopReady);
    const shot = path.join(ARTIFACTS, "package-vite-qr.png");
    await page.locator("#element figure > svg").screenshot({ path: shot });
    assert.deepEqual(decodeQr(shot), [charge.qr_string]);
    status.set("vite-1", "settlement");
    status.set("vite-1-m", "settlement");
    await page.waitForFunction(
      () => window.shopLog.filter((e) => e.type.endsWith("success")).length === 2,
    );
    const log = await page.evaluate(() => window.shopLog);
    assert.ok(
      log.some(
        (e) => e.source === "element" && e.type === "gopay-status" && e.order_id === "vite-1",
      ),
    );
    assert.ok(
      log.some(
        (e) =>
          e.source === "element" &&
          e.type === "gopay-success" &&
          e.transaction_status === "settlement",
      ),
    );
    assert.ok(
      log.some((e) => e.source === "mount" && e.type === "success" && e.order_id === "vite-1-m"),
    );
    assert.equal(log.filter((e) => e.type.endsWith("error")).length, 0, JSON.stringify(log));
    assert.equal(await page.locator("#result").textContent(), "Paid: vite-1");
    assert.equal(wasmLoads.length, 2);
    for (const url of wasmLoads) assert.ok(url.startsWith(`${origin}/assets/`), url);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    stop();
    await api.close();
  }
});

test("Vite app: the dev server serves the package and its wasm as they are", async () => {
  const dir = path.join(tmp, "vite-app");
  const api = await startServer({
    "GET /status": status.route,
    "GET /charge": (_req, res) =>
      sendJson(
        res,
        { ...charge, order_id: "vite-dev-1" },
        { headers: { "access-control-allow-origin": "*" } },
      ),
  });
  const { origin, stop } = await startVite(dir, []);
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 1600 } });
    const errors = watchErrors(page);
    await page.goto(`${origin}/?api=${encodeURIComponent(api.url)}`);
    await page.locator("#element figure > svg").waitFor();
    await page.locator("#mounted figure > svg").waitFor();
    status.set("vite-dev-1", "settlement");
    await page.waitForFunction(() => window.shopLog.some((e) => e.type === "gopay-success"));
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    stop();
    await api.close();
  }
});

/** Starts `vite <args>` (dev server or preview) for the app in `dir` on a free loopback port. */
async function startVite(dir, args) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN.vite, ...args, "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${origin}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error(`vite ${args.join(" ")} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { origin, stop: () => child.kill() };
}
