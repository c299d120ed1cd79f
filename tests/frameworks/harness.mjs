// Shared pieces of the framework tests: the shop backend the apps talk to (charges from the
// Midtrans fixtures with fresh times, and a status the test sets), the apps' builds and servers
// as real processes, the checks each framework gets, and the table of what was observed.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import {
  ARTIFACTS,
  decodeQr,
  fixture,
  freePort,
  fresh,
  ROOT,
  sendJson,
  startServer,
  statusEndpoint,
  watchErrors,
} from "../browser/harness.mjs";

export { ARTIFACTS, decodeQr, ROOT, watchErrors };
export const APPS = path.join(ROOT, "tests/frameworks");
const run = promisify(execFile);

/** The table's columns, in order. */
export const COLUMNS = {
  builds: "builds, no config",
  ssr: "server first paint",
  clientOnly: "client-only",
  success: "success handler (hydrated)",
  navigation: "client navigation keeps paint",
  types: "types incl. failing cases",
};

/** Records what the test observed for `framework` (true, false, or a word such as "n/a"). */
export function record(framework, column, value) {
  const dir = path.join(ARTIFACTS, "frameworks");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${framework.replace(/[^\w.-]+/g, "_")}.json`);
  const seen = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { framework };
  seen[column] = value;
  fs.writeFileSync(file, JSON.stringify(seen, null, 1));
}

/**
 * Runs `check` and records whether it passed under `column` (a failure as `failed`, e.g. the
 * words of a known gap), for one framework or for each of several rows that share the check
 * (one build serving several of them); rethrows its failure.
 */
export async function observe(framework, column, check, failed = false) {
  const rows = [framework].flat();
  try {
    const value = await check();
    for (const row of rows) record(row, column, value ?? true);
  } catch (error) {
    for (const row of rows) record(row, column, failed);
    throw error;
  }
}

/**
 * The merchant's backend as the apps see it (`SHOP_API`): `GET /charge?order_id=` answers the
 * QRIS fixture for that order, made current; `GET /status?order_id=` a Midtrans-shaped status,
 * `pending` until the test says otherwise (`status.set(order, "settlement")`).
 */
export async function startShopApi() {
  const status = statusEndpoint({ cors: true });
  const qris = await fixture("qris-charge-docs-shape.json");
  const charges = new Map();
  const chargeOf = (order_id) => {
    if (!charges.has(order_id)) charges.set(order_id, { ...fresh(qris), order_id });
    return charges.get(order_id);
  };
  const api = await startServer({
    "GET /status": status.route,
    "GET /charge": (_req, res, url) =>
      sendJson(res, chargeOf(url.searchParams.get("order_id") ?? ""), {
        headers: { "access-control-allow-origin": "*" },
      }),
  });
  return { url: api.url, status, chargeOf, close: api.close, requests: api.requests };
}

/** Runs a command of an app's toolchain (from the workspace's node_modules/.bin) to the end. */
export async function tool(dir, bin, args, env = {}) {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run(path.join(APPS, "node_modules/.bin", bin), args, {
      cwd: dir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NUXT_TELEMETRY_DISABLED: "1", ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: true, output: stdout + stderr, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return {
      ok: false,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`,
      seconds: (Date.now() - started) / 1000,
    };
  }
}

const servers = new Set();

/**
 * Starts an app's server (`command` with `args`, `PORT` and `HOST` set) on a free loopback
 * port and waits until `probe` answers. Returns `{ origin, stop, output }`.
 */
export async function startApp(dir, command, args, { env = {}, probe = "/" } = {}) {
  const port = await freePort();
  const child = spawn(command, args(port), {
    cwd: dir,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      NUXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.add(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${origin}${probe}`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error(`${command} ${args(port).join(" ")} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const stop = () =>
    new Promise((resolve) => {
      servers.delete(child);
      if (child.exitCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill();
    });
  return { origin, stop, output: () => output };
}

/** Stops every app server still running (a failed test's). */
export async function stopAll() {
  await Promise.all(
    [...servers].map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", resolve);
          child.kill();
        }),
    ),
  );
  servers.clear();
}

/** The config files of an app: none may name gopay-widget (it needs no configuration). */
export async function assertNoConfigFor(dir, names) {
  for (const name of names) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    assert.doesNotMatch(
      await fsp.readFile(file, "utf8"),
      /gopay/i,
      `${name} configures gopay-widget`,
    );
  }
}

/** Every file under `dir`, recursively. */
async function files(dir) {
  const out = [];
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(full)));
    else out.push(full);
  }
  return out;
}

// The browser's two modules: the widget's and the QR module.
const BROWSER_WASM = ["gopay_widget_wasm_bg.wasm", "gopay_widget_qr.wasm"].map((f) =>
  fs.readFileSync(path.join(ROOT, "pkg", f)),
);
const isBrowserWasm = (body) => BROWSER_WASM.some((w) => body.equals(w));
// The start of any wasm module in base64 ("\0asm", version 1, and a section id below 64), as
// it is inside a longer text: no padding.
const WASM_BASE64 = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1])
  .toString("base64")
  .slice(0, 11);

/**
 * What a browser may fetch from the framework's client output: no server wasm, neither as a
 * file nor inlined (base64) in a script. The browser's own modules are the ones allowed.
 */
export async function assertNoServerWasm(dirs) {
  let scanned = 0;
  for (const dir of dirs) {
    for (const file of await files(dir)) {
      scanned += 1;
      const body = await fsp.readFile(file);
      if (file.endsWith(".wasm")) {
        assert.ok(isBrowserWasm(body), `${file} is not one of the browser's modules`);
        continue;
      }
      assert.ok(!body.includes(WASM_BASE64), `${file} holds a wasm module in base64`);
      assert.ok(!body.includes("renderFirstPaint"), `${file} holds the server entry`);
    }
  }
  assert.ok(scanned > 0, `nothing in ${dirs.join(", ")}`);
}

/**
 * Server bundles that must not hold the server's wasm (an edge runtime's files): no module
 * inlined as base64 and no .wasm file but the browser's modules.
 */
export async function assertNoInlinedWasm(bundle) {
  assert.ok(bundle.length > 0, "no files");
  for (const file of bundle) {
    const body = await fsp.readFile(file);
    if (file.endsWith(".wasm")) assert.ok(isBrowserWasm(body), `${file} is a server wasm`);
    else assert.ok(!body.includes(WASM_BASE64), `${file} holds a wasm module in base64`);
  }
}

/** Removes `dir` (a build output) if there. */
export async function clean(dir) {
  await fsp.rm(dir, { recursive: true, force: true });
}

// ---- The checks in Chromium -------------------------------------------------------------------

const QR = "gopay-widget figure[part=qr] > svg";
/** The widget has mounted in the element (its stylesheet adopted): the package took over. */
const live = () =>
  [...document.querySelectorAll("gopay-widget")].some(
    (el) => (el.shadowRoot?.adoptedStyleSheets.length ?? 0) > 0,
  );

/** Screenshots the QR in the page and decodes it. */
async function decodedQr(page, name) {
  const shot = path.join(ARTIFACTS, `frameworks-${name}.png`);
  await page.locator(QR).first().screenshot({ path: shot });
  return decodeQr(shot);
}

/** With JavaScript off: the QR is in the server's HTML, and decodes to the charge's code. */
export async function checkServerFirstPaint(browser, url, charge, name) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    const response = await page.goto(url);
    assert.equal(response.status(), 200);
    const html = await response.text();
    assert.match(html, /<gopay-widget[^>]*>(<!--[^>]*-->)*<template shadowrootmode="open">/);
    assert.ok(!html.includes("<!>"), "the server's HTML holds <!> markers");
    await page.locator(QR).waitFor({ timeout: 5000 });
    assert.deepEqual(await decodedQr(page, `${name}-no-js`), [charge.qr_string]);
    // Styled with no script: the widget's card has its own layout.
    await page.waitForFunction(
      () =>
        getComputedStyle(document.querySelector("gopay-widget").shadowRoot.querySelector(".gw"))
          .display === "flex",
      null,
      { timeout: 5000 },
    );
  } finally {
    await context.close();
  }
}

/** A page that shows the widget from the browser only: the QR decodes, nothing is logged. */
export async function checkClientOnly(browser, url, charge, name) {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  try {
    const response = await page.goto(url);
    assert.equal(response.status(), 200);
    await page.locator(QR).waitFor();
    assert.deepEqual(await decodedQr(page, `${name}-client`), [charge.qr_string]);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
}

/**
 * A server-rendered page, hydrated: once the package has taken the element over, a settlement
 * at the status endpoint runs the merchant's success handler (it writes `#result`), and a
 * failure on another order runs the failure handler (when `failed` is given).
 */
export async function checkSuccessHandler(browser, url, { order, status, failed }) {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  try {
    await page.goto(url(order));
    await page.waitForFunction(live);
    status.set(order, "settlement");
    await page.waitForFunction(
      (text) => document.getElementById("result")?.textContent === text,
      `Paid: ${order}`,
    );
    assert.equal(await page.getAttribute("gopay-widget", "data-state"), "success");
    if (failed) {
      await page.goto(url(failed));
      await page.waitForFunction(live);
      status.set(failed, "deny");
      await page.waitForFunction(
        (text) => document.getElementById("result")?.textContent === text,
        `Not paid: ${failed} (deny)`,
      );
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
}

/**
 * From the shop's home page, the framework's own link to the payment page (client-side
 * navigation, the server's paint inserted by script): no dead `<template shadowrootmode>`
 * stays in the light DOM, the painted QR is the one shown, and once the package has taken the
 * element over, a settlement runs the merchant's success handler there too.
 */
export async function checkClientNavigation(browser, homeUrl, charge, name, status) {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  try {
    await page.goto(homeUrl);
    await page.waitForLoadState("networkidle");
    await page.locator("#pay-link").click();
    await page.locator(QR).waitFor();
    await page.waitForFunction(live);
    const dead = await page.evaluate(
      () => document.querySelectorAll("gopay-widget > template[shadowrootmode]").length,
    );
    assert.equal(dead, 0, "a <template shadowrootmode> is left in the light DOM");
    assert.deepEqual(await decodedQr(page, `${name}-navigation`), [charge.qr_string]);
    status.set(charge.order_id, "settlement");
    await page.waitForFunction(
      (text) => document.getElementById("result")?.textContent === text,
      `Paid: ${charge.order_id}`,
    );
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
}

/**
 * The four checks of a server-rendering framework app, whose routes all follow the same plan:
 * `/checkout/{order}` (the server's first paint, then the handlers once hydrated),
 * `/client-only/{order}`, and the home page `/?order={order}` with its client-side link to a
 * checkout. `orders` prefixes the orders' ids, `name` the screenshots.
 */
export async function checkServerRenderingApp(
  t,
  browser,
  { framework, origin, api, orders, name, clientOnly = "client-only page" },
) {
  const order = (what) => `${orders}-${what}`;
  await t.test("the QR is in the server's HTML (JavaScript off)", () =>
    observe(framework, "ssr", () =>
      checkServerFirstPaint(
        browser,
        `${origin}/checkout/${order("ssr")}`,
        api.chargeOf(order("ssr")),
        name,
      ),
    ),
  );
  await t.test(clientOnly, () =>
    observe(framework, "clientOnly", () =>
      checkClientOnly(
        browser,
        `${origin}/client-only/${order("client")}`,
        api.chargeOf(order("client")),
        name,
      ),
    ),
  );
  await t.test("the success and failure handlers run on the hydrated page", () =>
    observe(framework, "success", () =>
      checkSuccessHandler(browser, (o) => `${origin}/checkout/${o}`, {
        order: order("paid"),
        failed: order("denied"),
        status: api.status,
      }),
    ),
  );
  await t.test("client navigation keeps the first paint, no dead template", () =>
    observe(framework, "navigation", () =>
      checkClientNavigation(
        browser,
        `${origin}/?order=${order("nav")}`,
        api.chargeOf(order("nav")),
        name,
        api.status,
      ),
    ),
  );
}
