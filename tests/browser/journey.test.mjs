// End-to-end journeys through the demo shop and the local Midtrans simulator: real processes
// on loopback, Debian's Chromium driven by playwright-core. A desktop pays a QRIS code on the
// simulator's phone page; a phone follows the deeplink to the simulated GoPay app and back;
// deny, expiry, a forged notification, a shop restarted mid-payment and a failing status
// endpoint each end in the right state and never show a false one.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, decodeQr, freePort, launch, ROOT } from "./harness.mjs";

const BIN = path.join(ROOT, "target", "debug");
const SERVER_KEY = `SB-Mid-server-JOURNEY-${crypto.randomBytes(6).toString("hex")}`;
const TERMINAL = ["success", "failure", "expire", "reversed", "error"];
const ANDROID_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/126.0.0.0 Mobile Safari/537.36";
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent: ANDROID_UA,
};

let browser;
const stacks = [];
const children = new Set();
const tempDirs = [];

// ---------------------------------------------------------------------------------------------
// Processes

/** The environment of a child: ours, without anything that configures the shop or simulator. */
function childEnv(extra) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(SHOP_|MIDTRANS_|SIMULATOR_|EXPIRY_SECONDS$)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A binary of the workspace run from the repository root, its output kept for diagnostics. */
class Proc {
  constructor(name, bin, env) {
    this.name = name;
    this.bin = bin;
    this.env = env;
    this.output = "";
    this.child = null;
  }

  start() {
    const child = spawn(path.join(BIN, this.bin), [], {
      cwd: ROOT,
      env: childEnv(this.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk) => {
      this.output = (this.output + chunk).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    children.add(child);
    child.exited.then(() => children.delete(child));
    this.child = child;
    return this;
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if it has not stopped within `graceMs`. */
  async stop(graceMs = 5_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return { graceful: true };
    child.kill("SIGTERM");
    const timer = new Promise((resolve) => setTimeout(() => resolve(null), graceMs));
    const done = await Promise.race([child.exited, timer]);
    if (done) return { graceful: true, ...done };
    child.kill("SIGKILL");
    return { graceful: false, ...(await child.exited) };
  }
}

/** Waits until `url` answers 2xx, failing early when the process has exited. */
async function waitReady(proc, url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running) throw new Error(`${proc.name} exited before answering:\n${proc.output}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`${proc.name} did not answer ${url}:\n${proc.output}`);
    await sleep(50);
  }
}

const usedPorts = new Set();
async function distinctPort() {
  for (;;) {
    const port = await freePort();
    if (!usedPorts.has(port)) {
      usedPorts.add(port);
      return port;
    }
  }
}

/**
 * A shop with its own simulator, notifications going from one to the other. `restartShop()`
 * stops the shop and starts it again with the same database and address.
 */
async function startStack(name, { expirySeconds } = {}) {
  const shopPort = await distinctPort();
  const simPort = await distinctPort();
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gopay-journey-"));
  tempDirs.push(dir);
  const sim = new Proc(`${name} simulator`, "gopay-simulator", {
    SIMULATOR_ADDR: `127.0.0.1:${simPort}`,
    SIMULATOR_PUBLIC_URL: simUrl,
    SIMULATOR_NOTIFY_URL: `${shopUrl}/api/midtrans/notification`,
    SIMULATOR_LATE_EXPIRE_SECONDS: "1",
    MIDTRANS_SERVER_KEY: SERVER_KEY,
  });
  const shopEnv = {
    SHOP_ADDR: `127.0.0.1:${shopPort}`,
    SHOP_PUBLIC_URL: shopUrl,
    SHOP_DB: path.join(dir, "shop.db"),
    SHOP_WWW_DIR: path.join(ROOT, "www"),
    SHOP_PKG_DIR: path.join(ROOT, "pkg"),
    MIDTRANS_SERVER_KEY: SERVER_KEY,
    MIDTRANS_BASE_URL: simUrl,
    SHOP_TEST_CONTROLS: "1",
  };
  if (expirySeconds) shopEnv.EXPIRY_SECONDS = String(expirySeconds);
  const stack = {
    name,
    shopUrl,
    simUrl,
    sim,
    shop: new Proc(`${name} shop`, "gopay-demo", shopEnv),
    async startShop() {
      this.shop = new Proc(`${name} shop`, "gopay-demo", shopEnv).start();
      await waitReady(this.shop, `${shopUrl}/api/config`);
    },
  };
  stacks.push(stack);
  sim.start();
  await waitReady(sim, `${simUrl}/simulator/transactions`);
  await stack.startShop();
  return stack;
}

process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

// ---------------------------------------------------------------------------------------------
// HTTP helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(url) {
  const response = await fetch(url);
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** Polls `probe` until it returns something truthy. */
async function eventually(what, probe, timeoutMs = 15_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function signature(orderId, statusCode, grossAmount, key) {
  return crypto
    .createHash("sha512")
    .update(orderId + statusCode + grossAmount + key)
    .digest("hex");
}

/** Jakarta time as Midtrans writes it, in epoch milliseconds. */
function jakartaMs(text) {
  return Date.parse(`${text.replace(" ", "T")}+07:00`);
}

// ---------------------------------------------------------------------------------------------
// Pages

/**
 * Installed before the page's scripts: records every value of the widget host's data-state
 * and of the message's data-outcome, including changes within one task.
 */
function recordStates() {
  const seen = { widget: [], message: [] };
  const observer = new MutationObserver((records) => take(records));
  function take(records) {
    for (const r of records) {
      if (r.target.id === "widget" && r.attributeName === "data-state")
        seen.widget.push(r.oldValue);
      if (r.target.id === "message" && r.attributeName === "data-outcome")
        seen.message.push(r.oldValue);
    }
  }
  observer.observe(document, {
    subtree: true,
    attributes: true,
    attributeOldValue: true,
    attributeFilter: ["data-state", "data-outcome"],
  });
  // Each record holds the value before its change, so the values taken are the old values of
  // the later records and the current value.
  const values = (olds, element, name) => {
    const all = [...olds.slice(1), element ? element.getAttribute(name) : null];
    return all.filter((v, i) => v !== null && v !== all[i - 1]);
  };
  window.__journey = () => {
    take(observer.takeRecords());
    return {
      states: seen.widget.length
        ? values(seen.widget, document.getElementById("widget"), "data-state")
        : [],
      outcomes: seen.message.length
        ? values(seen.message, document.getElementById("message"), "data-outcome")
        : [],
    };
  };
}

/**
 * Console errors and page errors. `allowed(text, url)` names the expected ones (failed status
 * requests while the shop is down or failing on purpose); they are counted, not reported.
 */
function watch(page, allowed = () => false) {
  const errors = [];
  const expected = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = m.location().url || "";
    if (allowed(m.text(), url)) expected.push(m.text());
    else errors.push(`console: ${m.text()} (${url})`);
  });
  return { errors, expected };
}

async function openShop(stack, context, query = "", allowed) {
  const page = await context.newPage();
  const seen = watch(page, allowed);
  await page.goto(`${stack.shopUrl}/${query}`);
  await page.locator("li[data-product-id] button.buy").first().waitFor();
  return { page, ...seen };
}

/**
 * Waits until the shop page has its config and the widget has taken the server's paint over
 * (the host's data-live): the payment page says pending from its first paint, before either.
 */
async function waitStarted(page) {
  await page.waitForFunction(
    () =>
      document.getElementById("device-auto")?.textContent.startsWith("this device (") &&
      document.getElementById("widget")?.hasAttribute("data-live"),
    null,
    { timeout: 10_000 },
  );
}

async function newContext(options) {
  const context = await browser.newContext(options);
  await context.addInitScript(recordStates);
  return context;
}

/** Clicks a product's buy button; answers the charge the shop returned and what was asked. */
async function buy(page, stack, product = null) {
  const button = product
    ? page.locator(`li[data-product-id="${product}"] button.buy`)
    : page.locator("li[data-product-id] button.buy").first();
  // The body is read on its way to the page: on a phone the widget may leave for the app
  // right after, and a response the page navigated away from has no body any more.
  const ordersUrl = `${stack.shopUrl}/api/orders`;
  let body = null;
  await page.route(ordersUrl, async (route) => {
    const fetched = await route.fetch();
    body = await fetched.text();
    await route.fulfill({ response: fetched, body });
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === ordersUrl && r.request().method() === "POST"),
    button.click(),
  ]);
  await page.unroute(ordersUrl);
  assert.equal(response.status(), 200, body);
  const charge = JSON.parse(body);
  assert.equal(charge.status_code, "201");
  assert.equal(charge.transaction_status, "pending");
  assert.match(charge.order_id, /^SHOP-\d+-[A-Z0-9]{6}$/);
  return { charge, request: JSON.parse(response.request().postData()) };
}

async function state(page) {
  return page.locator("#widget").getAttribute("data-state");
}

async function journey(page) {
  return page.evaluate(() => window.__journey());
}

// A bought charge shows as pending once both of the package's modules have loaded and the
// widget has mounted: a few hundred ms alone, seconds on a machine busy with other tests.
const PENDING_WITHIN = 15_000;

async function waitState(page, wanted, timeoutMs) {
  await page.waitForFunction(
    (wanted) => document.getElementById("widget")?.getAttribute("data-state") === wanted,
    wanted,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Waits for a terminal data-state and answers it with the time it took. */
async function waitTerminal(page, timeoutMs) {
  const started = Date.now();
  const handle = await page.waitForFunction(
    (terminal) => {
      const s = document.getElementById("widget")?.getAttribute("data-state");
      return terminal.includes(s) ? s : null;
    },
    TERMINAL,
    { timeout: timeoutMs, polling: 100 },
  );
  return { state: await handle.jsonValue(), ms: Date.now() - started };
}

function assertNoFalseResult(states, wanted) {
  const wrong = states.filter((s) => TERMINAL.includes(s) && s !== wanted);
  assert.deepEqual(wrong, [], `states seen: ${states.join(" → ")}`);
  assert.equal(states.at(-1), wanted, `states seen: ${states.join(" → ")}`);
}

const statusPath = (orderId) => `/api/orders/${encodeURIComponent(orderId)}/status`;

// ---------------------------------------------------------------------------------------------

let main, expiring, restarting, faulty;

before(async () => {
  execFileSync("cargo", ["build", "-q", "-p", "gopay-demo", "-p", "gopay-simulator"], {
    cwd: ROOT,
    // Compiler output goes to stderr, away from the test runner's report.
    stdio: ["ignore", 2, 2],
  });
  await fs.access(path.join(ROOT, "pkg", "index.js")).catch(() => {
    throw new Error("pkg/index.js is missing: build the package first (scripts/build.sh)");
  });
  await fs.mkdir(ARTIFACTS, { recursive: true });
  // One shop and simulator for the journeys that cannot disturb each other; the expiry setting,
  // the restart and the injected faults act on a whole shop, so each of those gets its own.
  [main, expiring, restarting, faulty, browser] = await Promise.all([
    startStack("main"),
    startStack("expiry", { expirySeconds: 20 }),
    startStack("restart"),
    startStack("faults"),
    launch(),
  ]);
});

after(async () => {
  await browser?.close().catch(() => {});
  await Promise.all(stacks.flatMap((s) => [s.shop.stop(), s.sim.stop()]));
  await Promise.all(tempDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe("shop journeys", { concurrency: true }, () => {
  test("desktop: the QR of the charge, paid on the simulator's phone page, ends in success", {
    timeout: 60_000,
  }, async () => {
    const context = await newContext(DESKTOP);
    const simContext = await browser.newContext({ viewport: { width: 480, height: 900 } });
    try {
      const { page, errors } = await openShop(main, context);
      const { charge, request } = await buy(page, main);
      assert.equal(request.device, "desktop");
      assert.equal(charge.payment_type, "qris");
      assert.ok(charge.qr_string, "a QRIS charge carries qr_string");

      const svg = page.locator("#widget figure > svg");
      await svg.waitFor();
      await waitState(page, "pending", PENDING_WITHIN);
      // Shot once the widget runs the view: not while its take-over or the page's start moves it.
      await waitStarted(page);
      assert.match(await page.locator("#summary").innerText(), new RegExp(charge.order_id));
      const qrShot = path.join(ARTIFACTS, "journey-desktop-qr.png");
      await svg.screenshot({ path: qrShot });
      assert.deepEqual(decodeQr(qrShot), [charge.qr_string]);
      assert.equal(await page.locator("#simulator-link").getAttribute("href"), `${main.simUrl}/`);
      await page.screenshot({ path: path.join(ARTIFACTS, "journey-desktop.png"), fullPage: true });
      // The payment page is rendered by the shop with the widget in it: the QR is in the HTML.
      assert.equal(new URL(page.url()).searchParams.get("order"), charge.order_id);
      const served = await (await fetch(page.url())).text();
      assert.match(
        served,
        /<gopay-widget id="widget" data-charge="[^"]+"[^>]*data-state="pending"/,
      );
      // The package under its versioned name: the stylesheet the view links, the hints and
      // the entry itself, a module script of the page.
      const base =
        /<script type="module" src="(\/static\/gopay-widget\/[0-9a-f]{16}\/)index\.js"/.exec(
          served,
        )?.[1];
      assert.ok(base, "the page loads the package's entry from its versioned folder");
      assert.match(
        served,
        /<template shadowrootmode="open"><div>.*<svg [^>]*>.*<\/figure><link rel="stylesheet" href="([^"]+)">/s,
      );
      assert.ok(served.includes(`<link rel="stylesheet" href="${base}gopay-widget.css">`));
      assert.match(served, /<svg [^>]*role="img"/);
      assert.ok(served.includes(`<link rel="preload" href="${base}gopay_widget_wasm_bg.wasm"`));

      // The customer's phone: the simulator page lists the pending transaction; pay it.
      const phone = await simContext.newPage();
      const phoneSeen = watch(phone);
      await phone.goto(`${main.simUrl}/`);
      const card = phone.locator(`div[data-order-id="${charge.order_id}"]`);
      await card.waitFor();
      assert.equal(await state(page), "pending", "nothing is paid before the click");
      const clicked = Date.now();
      await card.locator("button[value=pay]").click();
      await phone.waitForURL((u) => u.searchParams.has("msg"));
      assert.match(await phone.locator(".flash").innerText(), /settlement/);

      const { state: end } = await waitTerminal(page, 10_000);
      assert.equal(end, "success");
      const took = Date.now() - clicked;
      assert.ok(took < 10_000, `success ${took} ms after paying`);
      const message = page.locator("#message");
      await message.waitFor();
      assert.equal(await message.getAttribute("data-outcome"), "success");
      assert.match(await message.innerText(), new RegExp(`Payment received.*${charge.order_id}`));
      const { states, outcomes } = await journey(page);
      assert.ok(states.includes("pending"), states.join(" → "));
      assertNoFalseResult(states, "success");
      assert.deepEqual(outcomes, ["success"]);
      await page.screenshot({
        path: path.join(ARTIFACTS, "journey-desktop-success.png"),
        fullPage: true,
      });

      const stored = await getJson(`${main.shopUrl}${statusPath(charge.order_id)}`);
      assert.equal(stored.body.transaction_status, "settlement");
      assert.deepEqual(errors, []);
      assert.deepEqual(phoneSeen.errors, []);
    } finally {
      await context.close();
      await simContext.close();
    }
  });

  test("phone: Open GoPay, pay in the simulated app, back to the shop: confirming, then success", {
    timeout: 60_000,
  }, async (t) => {
    const context = await newContext(PHONE);
    try {
      const { page, errors } = await openShop(main, context);
      const isApp = (u) => u.origin === main.simUrl && u.pathname === "/app/deeplink";
      const appOpenings = [];
      page.on("request", (r) => {
        if (r.isNavigationRequest() && r.frame() === page.mainFrame() && isApp(new URL(r.url()))) {
          appOpenings.push(r.url());
        }
      });

      const { charge, request } = await buy(page, main);
      assert.equal(request.device, "phone", "a phone is detected without asking");
      assert.equal(charge.payment_type, "gopay");
      const deeplink = charge.actions.find((a) => a.name === "deeplink-redirect").url;
      assert.ok(deeplink.startsWith(`${main.simUrl}/app/deeplink?`), deeplink);

      // The widget may open the app by itself, once, a task after the page's load event (on a
      // busy machine that is later than any fixed wait): wait until it is live on a loaded
      // page, or the page has gone to the app, then a moment more. The customer comes back to
      // the shop without paying and finds the Open GoPay button, which does not open the app
      // again.
      await page
        .waitForFunction(
          () =>
            document.readyState === "complete" &&
            document.getElementById("widget")?.hasAttribute("data-live"),
          null,
          { timeout: 30_000 },
        )
        .catch(() => {}); // the page navigated to the app meanwhile
      await sleep(1_000);
      const autoOpened = appOpenings.length > 0;
      if (autoOpened) await page.waitForURL(isApp, { timeout: 10_000 });
      t.diagnostic(
        autoOpened ? "the widget opened the app by itself" : "the app was opened by a tap",
      );
      if (autoOpened) {
        assert.deepEqual(appOpenings, [deeplink]);
        await page.goBack();
        assert.equal(new URL(page.url()).origin, main.shopUrl);
      }
      const open = page.locator("#widget a[part=open-button]");
      await open.waitFor();
      assert.equal(await open.getAttribute("href"), deeplink);
      assert.match(await open.innerText(), /Open GoPay/);
      assert.equal(
        await page.locator("#widget figure > svg").isVisible(),
        false,
        "the phone sees the button, not the QR",
      );
      assert.equal(await state(page), "pending");
      await page.screenshot({ path: path.join(ARTIFACTS, "journey-phone.png") });
      await sleep(1_500);
      assert.equal(
        appOpenings.length,
        autoOpened ? 1 : 0,
        "the app is opened automatically at most once",
      );
      assert.equal(new URL(page.url()).origin, main.shopUrl);

      await Promise.all([page.waitForURL(isApp), open.click()]);
      assert.equal(appOpenings.at(-1), deeplink);
      assert.match(await page.locator("main").innerText(), new RegExp(charge.order_id));

      await Promise.all([
        page.waitForURL(
          (u) => u.origin === main.shopUrl && u.searchParams.get("result") === "success",
        ),
        page.locator("button[value=pay]").click(),
      ]);
      const back = new URL(page.url());
      assert.equal(back.pathname, "/");
      assert.equal(back.searchParams.get("order_id"), charge.order_id);

      const { state: end, ms } = await waitTerminal(page, 10_000);
      assert.equal(end, "success", `after ${ms} ms`);
      const { states, outcomes } = await journey(page);
      const confirming = states.indexOf("confirming");
      assert.ok(confirming >= 0 && confirming < states.indexOf("success"), states.join(" → "));
      assertNoFalseResult(states, "success");
      assert.deepEqual(outcomes, ["success"]);
      assert.match(await page.locator("#message").innerText(), new RegExp(charge.order_id));
      await page.screenshot({ path: path.join(ARTIFACTS, "journey-phone-success.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("deny: the simulator denies the payment and the widget shows the failure", {
    timeout: 60_000,
  }, async () => {
    const context = await newContext(DESKTOP);
    try {
      const { page, errors } = await openShop(main, context, "?lang=id");
      const { charge } = await buy(page, main, "sambal-trio");
      await waitState(page, "pending", PENDING_WITHIN);
      assert.equal(await page.locator("#widget [part=widget]").getAttribute("lang"), "id");
      const denied = await postJson(
        `${main.simUrl}/simulator/transactions/${charge.order_id}/deny`,
      );
      assert.equal(denied.status, 200, JSON.stringify(denied.body));

      const { state: end } = await waitTerminal(page, 10_000);
      assert.equal(end, "failure");
      const message = page.locator("#message");
      assert.equal(await message.getAttribute("data-outcome"), "failure");
      assert.match(await message.innerText(), /did not go through \(deny\)/);
      const { states } = await journey(page);
      assertNoFalseResult(states, "failure");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("short expiry: a 20 s charge left unpaid ends in expire, not before its time; a new QR is then paid", {
    timeout: 90_000,
  }, async () => {
    const context = await newContext(DESKTOP);
    const simContext = await browser.newContext({ viewport: { width: 480, height: 900 } });
    try {
      const { page, errors } = await openShop(expiring, context);
      const bought = Date.now();
      const { charge } = await buy(page, expiring);
      const lifetime = jakartaMs(charge.expiry_time) - jakartaMs(charge.transaction_time);
      assert.equal(lifetime, 20_000);
      await waitState(page, "pending", PENDING_WITHIN);

      const { state: end } = await waitTerminal(page, 40_000);
      const took = Date.now() - bought;
      assert.equal(end, "expire");
      assert.ok(took >= 19_000, `expired after only ${took} ms`);
      assert.ok(took <= 35_000, `expired after ${took} ms`);
      assert.equal(await page.locator("#message").getAttribute("data-outcome"), "expire");
      const { states } = await journey(page);
      assertNoFalseResult(states, "expire");
      const stored = await getJson(`${expiring.shopUrl}${statusPath(charge.order_id)}`);
      assert.equal(stored.body.transaction_status, "expire");
      // The expired QR has left the page.
      assert.equal(await page.locator("#widget figure > svg").count(), 0);
      await page.screenshot({ path: path.join(ARTIFACTS, "journey-expired.png"), fullPage: true });

      // "Get a new QR": the shop orders the same cart again and the same element starts over.
      await page.locator("#widget [part=retry-button]").click();
      await page.waitForFunction(
        (old) => {
          const order = new URL(location.href).searchParams.get("order");
          return order && order !== old;
        },
        charge.order_id,
        { timeout: 10_000 },
      );
      const renewed = new URL(page.url()).searchParams.get("order");
      await waitState(page, "pending", 10_000);
      await waitStarted(page);
      const svg = page.locator("#widget figure > svg");
      await svg.waitFor();
      const shot = path.join(ARTIFACTS, "journey-new-qr.png");
      await svg.screenshot({ path: shot });
      const [payload] = decodeQr(shot);
      assert.notEqual(payload, charge.qr_string, "a new code for the new order");
      const order = await getJson(`${expiring.shopUrl}${statusPath(renewed)}`);
      assert.equal(order.body.transaction_status, "pending");

      // Paid on the customer's phone: the new order ends in success.
      const phone = await simContext.newPage();
      await phone.goto(`${expiring.simUrl}/`);
      const card = phone.locator(`div[data-order-id="${renewed}"]`);
      await card.waitFor();
      await card.locator("button[value=pay]").click();
      await phone.waitForURL((u) => u.searchParams.has("msg"));
      const { state: paid } = await waitTerminal(page, 15_000);
      assert.equal(paid, "success");
      assert.equal(await page.locator("#message").getAttribute("data-outcome"), "success");
      await page.screenshot({
        path: path.join(ARTIFACTS, "journey-retry-success.png"),
        fullPage: true,
      });
      const settled = await getJson(`${expiring.shopUrl}${statusPath(renewed)}`);
      assert.equal(settled.body.transaction_status, "settlement");
      // The expired order stays expired.
      const old = await getJson(`${expiring.shopUrl}${statusPath(charge.order_id)}`);
      assert.equal(old.body.transaction_status, "expire");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await simContext.close();
    }
  });

  test("forged notifications are refused with 401 and change nothing", {
    timeout: 30_000,
  }, async () => {
    const created = await postJson(`${main.shopUrl}/api/orders`, {
      items: [{ id: "batik-tote", qty: 1 }],
      device: "desktop",
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const charge = created.body;
    const { order_id: orderId, gross_amount: amount } = charge;
    const paid = {
      order_id: orderId,
      transaction_id: charge.transaction_id,
      transaction_status: "settlement",
      status_code: "200",
      gross_amount: amount,
      payment_type: "qris",
      fraud_status: "accept",
    };
    const forgeries = {
      "signed with another key": {
        ...paid,
        signature_key: signature(orderId, "200", amount, "SB-Mid-server-GUESS"),
      },
      "without a signature": paid,
      "signature of another amount": {
        ...paid,
        gross_amount: "1.00",
        signature_key: signature(orderId, "200", amount, SERVER_KEY),
      },
      // The pending notification's genuine signature, replayed with a paid status.
      "pending signature replayed as settlement": {
        ...paid,
        status_code: "201",
        signature_key: signature(orderId, "201", amount, SERVER_KEY),
      },
    };
    for (const [what, body] of Object.entries(forgeries)) {
      const answer = await postJson(`${main.shopUrl}/api/midtrans/notification`, body);
      assert.equal(answer.status, 401, `${what}: ${JSON.stringify(answer.body)}`);
      const now = await getJson(`${main.shopUrl}${statusPath(orderId)}`);
      assert.equal(now.status, 200);
      assert.equal(now.body.transaction_status, "pending", what);
      assert.equal(now.body.settlement_time, undefined, what);
    }
    // The genuine pending notification from the simulator was accepted by the same endpoint.
    const tx = await eventually("the pending notification's delivery", async () => {
      const { body } = await getJson(`${main.simUrl}/simulator/transactions/${orderId}`);
      return (
        body.notifications.some((n) => n.transaction_status === "pending" && n.delivered) && body
      );
    });
    assert.equal(tx.transaction_status, "pending");
  });

  test("shop restarted mid-payment: paid while it is down, the widget still ends in success", {
    timeout: 90_000,
  }, async () => {
    const context = await newContext(DESKTOP);
    let statusUrl = "";
    // A poll in flight when the shop stops can be cut instead (reset, empty response).
    const downErrors = (text, url) =>
      url.startsWith(statusUrl) &&
      /Failed to load resource: net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|CONNECTION_CLOSED)/.test(
        text,
      );
    try {
      const { page, errors, expected } = await openShop(restarting, context, "", downErrors);
      const { charge } = await buy(page, restarting);
      statusUrl = `${restarting.shopUrl}${statusPath(charge.order_id)}`;
      await waitState(page, "pending", PENDING_WITHIN);
      // Stopped once the page has started, so the outage refuses only the widget's polls.
      await waitStarted(page);
      const failedPolls = [];
      page.on("requestfailed", (r) => {
        if (r.url() === statusUrl) failedPolls.push(r.failure()?.errorText);
      });

      const stopped = await restarting.shop.stop();
      assert.ok(stopped.graceful, "the shop stops on SIGTERM");
      const paid = await postJson(
        `${restarting.simUrl}/simulator/transactions/${charge.order_id}/pay`,
      );
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      // The settlement notification found nobody, and the widget's polls failed meanwhile.
      const settlement = async () => {
        const { body } = await getJson(
          `${restarting.simUrl}/simulator/transactions/${charge.order_id}`,
        );
        return body.notifications.find((n) => n.transaction_status === "settlement");
      };
      await eventually("a failed settlement delivery", async () => {
        const n = await settlement();
        return n && !n.delivered && /merchant unreachable/.test(n.outcome);
      });
      // Refused: asked while the shop was down (not only a poll cut by the stop).
      await eventually(
        "a status poll refused",
        () => failedPolls.some((e) => /CONNECTION_REFUSED/.test(e)),
        15_000,
        100,
      );
      assert.equal(await state(page), "pending", "no result while the shop is down");

      await restarting.startShop();
      const { state: end, ms } = await waitTerminal(page, 30_000);
      assert.equal(end, "success", `after ${ms} ms`);
      const { states, outcomes } = await journey(page);
      assertNoFalseResult(states, "success");
      assert.deepEqual(outcomes, ["success"]);
      // The simulator's retries reach the restarted shop, which kept the order.
      await eventually(
        "the settlement delivered after the restart",
        async () => (await settlement()).delivered,
        20_000,
        250,
      );
      assert.ok(
        expected.length >= 1,
        `the outage was seen by the page (failed polls: ${failedPolls.join(", ")})`,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("status endpoint failing for a while: the widget recovers to success with no false result", {
    timeout: 60_000,
  }, async () => {
    const context = await newContext(DESKTOP);
    let statusUrl = "";
    const injected = (text, url) => url.startsWith(statusUrl) && /status of 500/.test(text);
    try {
      const { page, errors, expected } = await openShop(faulty, context, "", injected);
      const { charge } = await buy(page, faulty);
      statusUrl = `${faulty.shopUrl}${statusPath(charge.order_id)}`;
      await waitState(page, "pending", PENDING_WITHIN);
      const answers = [];
      page.on("response", (r) => {
        if (r.url() === statusUrl) answers.push(r.status());
      });

      const armed = await postJson(`${faulty.shopUrl}/api/test/faults`, { status_failures: 4 });
      assert.equal(armed.status, 200, JSON.stringify(armed.body));
      const paid = await postJson(`${faulty.simUrl}/simulator/transactions/${charge.order_id}/pay`);
      assert.equal(paid.status, 200, JSON.stringify(paid.body));

      const { state: end, ms } = await waitTerminal(page, 40_000);
      assert.equal(end, "success", `after ${ms} ms`);
      // A poll already on its way when the faults were armed may still answer 200 first.
      const firstFailure = answers.indexOf(500);
      assert.ok(firstFailure === 0 || firstFailure === 1, `answers: ${answers}`);
      assert.deepEqual(
        answers.slice(firstFailure, firstFailure + 4),
        [500, 500, 500, 500],
        `answers: ${answers}`,
      );
      assert.equal(answers.filter((s) => s === 500).length, 4, `answers: ${answers}`);
      assert.equal(answers.at(-1), 200);
      const { states, outcomes } = await journey(page);
      assertNoFalseResult(states, "success");
      assert.deepEqual(outcomes, ["success"], "no error message either");
      assert.equal(expected.length, 4);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
