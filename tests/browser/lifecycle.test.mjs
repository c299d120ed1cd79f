// The payment lifecycle in headless Chromium against a real loopback status endpoint with
// scripted answers: status changes, errors and their budget, one request at a time, the
// phone flow (app opened once, QR instead, saved QR image), the return from the app, resume
// after a reload (with and without sessionStorage), a hidden tab, destroy() and the countdown.

import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ARTIFACTS,
  decodeQr,
  fixture,
  jakarta,
  launch,
  sendHtml,
  startServer,
  watchErrors,
} from "./harness.mjs";

const PHONE = {
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const IPAD = {
  userAgent:
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  viewport: { width: 820, height: 1180 },
  isMobile: true,
  hasTouch: true,
};
const ANDROID_TABLET = {
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  viewport: { width: 800, height: 1280 },
  isMobile: true,
  hasTouch: true,
};
const DESKTOP = { viewport: { width: 1024, height: 900 } };

// Emulation gives every context with isMobile the UA-CH `mobile: true`. Real tablets do not:
// Safari on iPad has no navigator.userAgentData, Chrome on an Android tablet says mobile false.
const SAFARI_HINTS = () => {
  delete Navigator.prototype.userAgentData;
};
const TABLET_CHROME_HINTS = () => {
  const real = Object.getOwnPropertyDescriptor(Navigator.prototype, "userAgentData").get;
  Object.defineProperty(Navigator.prototype, "userAgentData", {
    configurable: true,
    get() {
      const data = real.call(this);
      return {
        brands: data.brands,
        platform: data.platform,
        mobile: false,
        getHighEntropyValues: (h) => data.getHighEntropyValues(h),
      };
    },
  });
};

const EVENTS = [
  "gopay-status",
  "gopay-success",
  "gopay-failure",
  "gopay-expire",
  "gopay-error",
  "gopay-retry",
];
const CADENCE_MS = 2_400;
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server, browser, qris, gopay;

// ---- the merchant's status endpoint, scripted per order -------------------------------------

/** order -> { steps, i, skewMs, delayMs, charge }; each request takes the next step, the last repeats. */
const scripts = new Map();
/** Every status request: { order, start, end (answer sent), aborted (when the browser gave up) }. */
const hits = [];

/**
 * A step is a status string or `{ status, http, raw, order, hold }`: `http` answers that HTTP
 * status, `raw` sends that body as it is, `order` answers for another order, `hold` never answers.
 * A function step is asked for the step to take, with the order's script.
 */
function script(order, steps, { skewMs = 0, delayMs = 0 } = {}) {
  const s = { steps, i: 0, skewMs, delayMs };
  scripts.set(order, s);
  return s;
}

function statusRoute(_req, res, url) {
  const order = url.searchParams.get("order_id");
  const hit = { order, start: Date.now(), end: null, aborted: false };
  hits.push(hit);
  res.on("close", () => {
    if (!res.writableFinished) hit.aborted = Date.now();
  });
  const s = scripts.get(order) || { steps: ["pending"], i: 0, skewMs: 0, delayMs: 0 };
  let step = s.steps[Math.min(s.i, s.steps.length - 1)];
  s.i += 1;
  if (typeof step === "function") step = step(s);
  if (typeof step === "string") step = { status: step };
  if (step.hold) return;
  const answer = () => {
    if (res.destroyed) return;
    const status = step.status || "pending";
    const code = { settlement: "200", capture: "200", pending: "201" }[status] || "202";
    const paid = s.charge || qris;
    const body =
      step.raw ??
      JSON.stringify({
        status_code: code,
        order_id: step.order || order,
        transaction_id: paid.transaction_id,
        gross_amount: paid.gross_amount,
        transaction_status: status,
      });
    const headers = { "content-type": "application/json", "cache-control": "no-store" };
    if (s.skewMs) headers.date = new Date(Date.now() + s.skewMs).toUTCString();
    hit.end = Date.now();
    res.writeHead(step.http || 200, headers);
    res.end(body);
  };
  if (s.delayMs) setTimeout(answer, s.delayMs);
  else answer();
}

const hitsOf = (order) => hits.filter((h) => h.order === order);

// ---- the merchant's pages ---------------------------------------------------------------------

/** key -> mount() options; the page `/pay?k=<key>` mounts a widget with them on load. */
const pages = new Map();

function payPage({ loadMs, ...options }) {
  const json = JSON.stringify(options).replace(/</g, "\\u003c");
  // A slow image holds the load event (and pageshow) until after the widget has mounted.
  const slow = loadMs ? `<img alt="" src="/slow-image?ms=${loadMs}">` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Pay</title></head>
<body><div id="host"></div>${slow}
<script type="application/json" id="options">${json}</script>
<script type="module">
const options = JSON.parse(document.getElementById("options").textContent);
const host = document.getElementById("host");
window.__events = [];
window.__callbacks = [];
window.__states = [];
for (const name of ${JSON.stringify(EVENTS)}) {
  window.addEventListener(name, (e) => window.__events.push({ type: e.type, detail: e.detail, at: Date.now() }));
}
// Every value data-state takes, in order (records carry the value each one replaced).
new MutationObserver((records) => {
  records.forEach((r, i) => {
    const value = i + 1 < records.length ? records[i + 1].oldValue : host.getAttribute("data-state");
    if (value !== window.__states.at(-1)) window.__states.push(value);
  });
}).observe(host, { attributes: true, attributeFilter: ["data-state"], attributeOldValue: true });
const { mount } = await import("/pkg/index.js");
const cb = (name) => (detail) => window.__callbacks.push({ name, detail });
window.__handle = await mount(host, {
  ...options,
  onStatus: cb("status"), onSuccess: cb("success"), onFailure: cb("failure"), onExpire: cb("expire"), onError: cb("error"),
});
window.__mountedBeforeLoad = document.readyState !== "complete";
// Every text the polite live region, the countdown and the status line take, in order.
window.__announced = [];
window.__countdowns = [];
window.__statuses = [];
const root = host.shadowRoot;
const record = () => {
  for (const [list, selector] of [[window.__announced, "[aria-live=polite]"], [window.__countdowns, "[part=countdown]"],
    [window.__statuses, "[part=status]"]]) {
    const el = root.querySelector(selector);
    if (el && el.textContent !== list.at(-1)) list.push(el.textContent);
  }
};
record();
new MutationObserver(record).observe(root, { subtree: true, childList: true, characterData: true });
</script></body></html>`;
}

/**
 * A charge for `order` made now, expiring in `seconds`: the QRIS fixture (or `base`), with a
 * deeplink action added, or with `actions` instead of its own.
 */
function charge(order, { seconds = 900, deeplink, base = qris, actions = base.actions } = {}) {
  const now = Date.now();
  const c = {
    ...base,
    order_id: order,
    transaction_time: jakarta(now),
    expiry_time: jakarta(now + seconds * 1000),
    actions,
  };
  if (deeplink)
    c.actions = [...actions, { name: "deeplink-redirect", method: "GET", url: deeplink }];
  return c;
}

/** Registers the page for `order` and returns its path. */
function pageFor(order, { seconds, deeplink, base, actions, stampOnServe, ...options } = {}) {
  const stamp = () => {
    const c = charge(order, { seconds, deeplink, base, actions });
    if (scripts.has(order)) Object.assign(scripts.get(order), { charge: c, stampedAt: Date.now() });
    return c;
  };
  pages.set(order, {
    charge: stamp(),
    statusUrl: "/status?order_id={order_id}",
    locale: "en",
    ...options,
  });
  // A charge whose seconds count from when the page is served, not from when the test asked:
  // a busy machine can take seconds to open a browser context.
  if (stampOnServe) stampers.set(order, stamp);
  return `/pay?k=${encodeURIComponent(order)}`;
}
const stampers = new Map();

/** A new context (device) and page; waits for the widget's handle unless told not to. */
async function open(
  pathname,
  { device = DESKTOP, init = [], clock = false, wait = true, waitUntil = "load" } = {},
) {
  const context = await browser.newContext(device);
  for (const script of init) await context.addInitScript(script);
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (process.env.DEBUG_PAGES) page.on("console", (m) => console.log(`[${m.type()}] ${m.text()}`));
  if (clock) await page.clock.install();
  await page.goto(server.url + pathname, { waitUntil });
  if (wait) await mounted(page).catch((e) => assert.fail(`${e.message}; page errors: ${errors}`));
  return { context, page, errors };
}

const mounted = (page) =>
  page.waitForFunction(() => window.__handle !== undefined, null, { timeout: 10_000 });
const state = (page) => page.getAttribute("#host", "data-state");
const waitState = (page, value, timeout = 10_000) =>
  page.waitForFunction(
    (v) => document.getElementById("host").getAttribute("data-state") === v,
    value,
    { timeout },
  );
const events = (page, type) =>
  page.evaluate((t) => window.__events.filter((e) => !t || e.type === t), type);
const callbacks = (page, name) =>
  page.evaluate((n) => window.__callbacks.filter((c) => !n || c.name === n), name);
const states = (page) => page.evaluate(() => window.__states);
const part = (page, name) => page.locator(`#host [part=${name}]`);
const shown = (page, selector) =>
  page.evaluate((s) => {
    const el = document.getElementById("host").shadowRoot?.querySelector(s);
    return !!el && el.checkVisibility();
  }, selector);

async function until(check, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(40);
  }
}

before(async () => {
  qris = await fixture("qris-charge-docs-shape.json");
  gopay = await fixture("gopay-charge-current-shape.json");
  server = await startServer({
    "GET /status": statusRoute,
    "GET /pay": (_req, res, url) => {
      const k = url.searchParams.get("k");
      const options = pages.get(k);
      if (!options) {
        res.writeHead(404);
        return res.end();
      }
      const stamp = stampers.get(k);
      sendHtml(res, payPage(stamp ? { ...options, charge: stamp() } : options));
    },
    "GET /slow-image": (_req, res, url) =>
      setTimeout(
        () => {
          res.writeHead(200, { "content-type": "image/png" });
          res.end(PIXEL);
        },
        Number(url.searchParams.get("ms")),
      ),
    // The PNG of a GoPay charge's generate-qr-code-v2 action.
    "GET /qr.png": (_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(PIXEL);
    },
    // Where the sandbox deeplink points: stands in for the GoPay app.
    "GET /app": (_req, res) => sendHtml(res, "<!doctype html><title>GoPay</title><p>GoPay app</p>"),
  });
  browser = await launch();
  await fs.mkdir(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// Outcomes, devices and storage do not depend on tight timing: they run side by side.
/**
 * After an answer that does not agree with the charge: the error state stays, nothing more is
 * asked (waited long enough for several polls at the usual cadence), one status event and one
 * `gopay-error` with `code` for this order reached the page and its callbacks, and the QR to
 * pay is withdrawn.
 */
async function assertStoppedForGood(page, order, code) {
  await waitState(page, "error", 10_000);
  await sleep(3 * CADENCE_MS);
  assert.equal(await state(page), "error");
  assert.equal(hitsOf(order).length, 1, "asked again after the error");
  const evs = await events(page);
  assert.deepEqual(
    evs.map((e) => e.type),
    ["gopay-status", "gopay-error"],
    JSON.stringify(evs),
  );
  assert.equal(evs[1].detail.code, code);
  assert.equal(evs[1].detail.order_id, order);
  assert.deepEqual(
    (await callbacks(page)).map((c) => c.name),
    ["status", "error"],
  );
  assert.equal(await part(page, "qr").count(), 0);
}

describe("answers, devices and storage", { concurrency: true }, () => {
  test("pending -> settlement: data-state, one gopay-success with its detail, a status event per change", async () => {
    const order = "life-paid-1";
    script(order, ["pending", "pending", "settlement"]);
    const { context, page, errors } = await open(pageFor(order));
    await waitState(page, "success", 15_000);
    assert.deepEqual(
      (await states(page)).filter((s) => s !== "loading"),
      ["pending", "success"],
    );
    assert.equal(hitsOf(order).length, 3, "two pending answers, then the settlement");
    assert.match(await part(page, "status").innerText(), /Payment received/);

    const want = {
      order_id: order,
      transaction_id: qris.transaction_id,
      transaction_status: "settlement",
      status_code: "200",
      gross_amount: qris.gross_amount,
    };
    const success = await events(page, "gopay-success");
    assert.equal(success.length, 1);
    assert.deepEqual({ ...success[0].detail, message: undefined }, { ...want, message: undefined });
    const onSuccess = await callbacks(page, "success");
    assert.equal(onSuccess.length, 1);
    for (const [key, value] of Object.entries(want))
      assert.equal(onSuccess[0].detail[key], value, key);
    // A status event for each change, not for each answer: pending (from the charge), settlement.
    const status = await events(page, "gopay-status");
    assert.deepEqual(
      status.map((e) => e.detail.transaction_status),
      ["pending", "settlement"],
    );
    assert.equal(status[0].detail.order_id, order);
    assert.equal((await callbacks(page, "status")).length, 2);
    assert.equal((await events(page)).length, 3, "status, status, success and nothing else");

    // Nothing is asked after a terminal answer.
    await sleep(CADENCE_MS + 800);
    assert.equal(hitsOf(order).length, 3);
    assert.equal(await state(page), "success");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("deny and expire from the endpoint end in failure and expire, each event once", async () => {
    const cases = [
      ["life-deny-1", ["pending", "deny"], "failure", "gopay-failure", "failure", /Payment failed/],
      ["life-expire-1", ["expire"], "expire", "gopay-expire", "expire", /expired/],
    ];
    await Promise.all(
      cases.map(async ([order, steps, final, event, callback, text]) => {
        script(order, steps);
        const { context, page, errors } = await open(pageFor(order));
        await waitState(page, final);
        assert.deepEqual(
          (await states(page)).filter((s) => s !== "loading"),
          ["pending", final],
        );
        assert.match(await part(page, "status").innerText(), text);
        const asked = hitsOf(order).length;
        assert.equal(asked, steps.length);
        await sleep(CADENCE_MS + 800);
        assert.equal(hitsOf(order).length, asked, "no request after the end");
        const terminal = await events(page, event);
        assert.equal(terminal.length, 1, `${order}: one ${event}`);
        assert.equal(terminal[0].detail.transaction_status, steps.at(-1));
        assert.equal(terminal[0].detail.status_code, "202");
        assert.equal((await callbacks(page, callback)).length, 1);
        assert.equal((await events(page, "gopay-success")).length, 0);
        const status = (await events(page, "gopay-status")).map((e) => e.detail.transaction_status);
        assert.deepEqual(status, ["pending", steps.at(-1)]);
        assert.deepEqual(errors, []);
        await context.close();
      }),
    );
  });

  test("500 and malformed JSON are retried (never an error, never an outcome); then settlement wins", async () => {
    const order = "life-errors-1";
    script(order, [{ http: 500 }, { raw: "{not json" }, "settlement"]);
    const { context, page, errors } = await open(pageFor(order));
    const trouble = [];
    const watch = setInterval(() => {
      const at = Date.now();
      shown(page, "[part=trouble]").then(
        (v) => trouble.push({ at, v }),
        () => {},
      );
    }, 250);
    await waitState(page, "success", 20_000);
    clearInterval(watch);
    assert.deepEqual(
      (await states(page)).filter((s) => s !== "loading"),
      ["pending", "success"],
    );
    assert.equal(hitsOf(order).length, 3);
    const evs = await events(page);
    assert.deepEqual(
      evs.map((e) => e.type),
      ["gopay-status", "gopay-status", "gopay-success"],
      JSON.stringify(evs),
    );
    assert.equal(evs[2].detail.order_id, order);
    // Two failures within a few seconds are not yet "trouble": never shown, and looked for
    // after the second failure too (between the second request and the third).
    const [, second, third] = hitsOf(order);
    assert.ok(
      trouble.every((s) => s.v === false) &&
        trouble.some((s) => s.at >= second.start && s.at < third.start),
      JSON.stringify({ trouble, second: second.start, third: third.start }),
    );
    assert.deepEqual(
      errors.filter((e) => !/status of 500/.test(e)),
      [],
    );
    await context.close();
  });

  test("an answer for another order stops the widget for good: one gopay-error, no more requests", async () => {
    const order = "life-mismatch-1";
    script(order, [{ order: "someone-else", status: "settlement" }, "settlement"]);
    const { context, page, errors } = await open(pageFor(order));
    // Never taken as this order's settlement.
    await assertStoppedForGood(page, order, "order_mismatch");
    // The shopper is told not to pay again.
    assert.match(await part(page, "result").innerText(), /do not pay again/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a settlement for another amount stops the widget: amount_mismatch, never a success, the QR withdrawn", async () => {
    const order = "life-amount-1";
    // Everything else agrees: this order, this transaction, settled; only the amount differs.
    script(order, [
      (s) => ({
        raw: JSON.stringify({
          status_code: "200",
          order_id: order,
          transaction_id: s.charge.transaction_id,
          gross_amount: "1.00",
          transaction_status: "settlement",
        }),
      }),
      "settlement",
    ]);
    const { context, page, errors } = await open(pageFor(order));
    await assertStoppedForGood(page, order, "amount_mismatch");
    // What the shopper sees: no "received", whom to contact.
    const text = await page.locator("#host [part=widget]").innerText();
    assert.doesNotMatch(text, /Payment received/);
    assert.match(await part(page, "status").innerText(), /cannot be checked/);
    assert.match(
      await part(page, "result").innerText(),
      /contact the merchant with this order ID: do not pay again/,
    );
    assert.match(text, new RegExp(order));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a charge that has already ended, shown without a status URL: an error at once, never a success", async () => {
    const cells = ["settlement", "expire", "deny"].map((status) => {
      const order = `life-ended-${status}`;
      const path = pageFor(order, { statusUrl: undefined });
      pages.get(order).charge.transaction_status = status;
      return { order, status, path };
    });
    await Promise.all(
      cells.map(async ({ order, status, path }) => {
        const { context, page, errors } = await open(path);
        await waitState(page, "error", 5_000);
        const evs = await events(page);
        assert.deepEqual(
          evs.map((e) => e.type),
          ["gopay-error"],
          `${status}: ${JSON.stringify(evs)}`,
        );
        assert.equal(evs[0].detail.code, "charge_not_pending");
        assert.match(evs[0].detail.message, new RegExp(status));
        assert.equal(hitsOf(order).length, 0);
        assert.equal(await part(page, "qr").count(), 0, status);
        assert.deepEqual(errors, [], status);
        await context.close();
      }),
    );
  });

  test("phone, GoPay charge with a PNG QR: the QR and the app button, both ways, focus kept", async () => {
    const order = "life-png-1";
    script(order, ["pending"]);
    const image = `${server.url}/qr.png?order_id=${order}`;
    const deeplink = `${server.url}/app?order_id=${order}`;
    const pay = pageFor(order, {
      environment: "sandbox",
      mode: "qr",
      base: gopay,
      actions: [{ name: "generate-qr-code-v2", method: "GET", url: image }],
      deeplink,
    });
    const { context, page, errors } = await open(pay, { device: PHONE });
    const img = page.locator("#host [part=qr] img");
    await img.waitFor();
    assert.equal(await img.getAttribute("src"), image);
    assert.match(await img.getAttribute("alt"), /IDR 149,500/);
    assert.equal(await part(page, "save-button").getAttribute("href"), image);
    await part(page, "app-button").click();
    assert.equal(await part(page, "open-button").getAttribute("href"), deeplink);
    assert.equal(await shown(page, "[part=open-button]"), true);
    assert.equal(await shown(page, "[part=qr] img"), false);
    await part(page, "qr-button").focus();
    await page.keyboard.press("Enter");
    const focused = () =>
      document.getElementById("host").shadowRoot.activeElement?.getAttribute("part");
    // The view switches in a later task; wait until focus has moved, or time out and report.
    // It lands on the first control of the QR view: saving the image.
    await page
      .waitForFunction(
        () =>
          document.getElementById("host").shadowRoot.activeElement?.getAttribute("part") ===
          "save-button",
        null,
        { timeout: 3_000 },
      )
      .catch(() => {});
    assert.equal(await page.evaluate(focused), "save-button", "focus stays in the widget");
    assert.equal(await shown(page, "[part=qr] img"), true);
    assert.equal(new URL(page.url()).pathname, "/pay", "the app was never opened by itself");
    assert.equal(await state(page), "pending");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("phone, a GoPay charge's PNG: saved as the PNG it is where CORS allows it, else a link that opens it", async () => {
    // Another origin serves the image, as Midtrans' host does: once with CORS, once without.
    const png = PIXEL;
    const images = await startServer({
      "GET /cors/qr.png": (_req, res) => {
        res.writeHead(200, { "content-type": "image/png", "access-control-allow-origin": "*" });
        res.end(png);
      },
      "GET /plain/qr.png": (_req, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(png);
      },
    });
    try {
      for (const cors of [true, false]) {
        const order = `life-save-${cors ? "cors" : "plain"}`;
        script(order, ["pending"]);
        const image = `${images.url}/${cors ? "cors" : "plain"}/qr.png?order_id=${order}`;
        const pay = pageFor(order, {
          environment: "sandbox",
          mode: "qr",
          base: gopay,
          actions: [{ name: "generate-qr-code-v2", method: "GET", url: image }],
          deeplink: `${server.url}/app?order_id=${order}`,
        });
        const { context, page, errors } = await open(pay, { device: PHONE });
        await page.locator("#host [part=qr] img").waitFor();
        const save = part(page, "save-button");
        assert.equal(await save.innerText(), "Save QR image");
        assert.equal(await save.getAttribute("href"), image);
        assert.equal(await save.getAttribute("rel"), "noopener");
        if (cors) {
          const [download] = await Promise.all([
            page.waitForEvent("download", { timeout: 5_000 }),
            save.click(),
          ]);
          assert.equal(download.suggestedFilename(), `gopay-qr-${order}.png`);
          const file = path.join(ARTIFACTS, "lifecycle-saved-image.png");
          await download.saveAs(file);
          assert.deepEqual(await fs.readFile(file), png, "the saved file is the served PNG");
          assert.equal(context.pages().length, 1, "no tab opened");
          assert.equal(await save.innerText(), "Save QR image");
          assert.deepEqual(errors, []);
        } else {
          let downloads = 0;
          page.on("download", () => {
            downloads += 1;
          });
          await save.click();
          // The image cannot be read here: the control says what it does now, and did nothing.
          await until(
            async () => (await save.innerText()) !== "Save QR image",
            "the save control to change",
          );
          assert.equal(
            await save.innerText(),
            "Open the QR image in a new tab, then press and hold it to save it",
          );
          assert.equal(context.pages().length, 1, "the refused save opened nothing");
          // The next tap follows the link: the image itself, in a tab without an opener.
          const [tab] = await Promise.all([context.waitForEvent("page"), save.click()]);
          await tab.waitForLoadState();
          assert.equal(tab.url(), image);
          assert.equal(await tab.evaluate(() => document.contentType), "image/png");
          assert.equal(await tab.evaluate(() => window.opener), null);
          assert.equal(downloads, 0);
          assert.equal(new URL(page.url()).pathname, "/pay", "the payment page stays");
          // The browser reports the refused read; nothing else went wrong.
          assert.deepEqual(
            errors.filter((e) => !/CORS policy|net::ERR_FAILED/.test(e)),
            [],
          );
        }
        await context.close();
      }
    } finally {
      await images.close();
    }
  });

  test("tablets (iPad, Android without Mobile) get the QR view and no app opening", async () => {
    await Promise.all(
      [
        ["life-ipad-1", IPAD, SAFARI_HINTS],
        ["life-tablet-1", ANDROID_TABLET, TABLET_CHROME_HINTS],
      ].map(async ([order, device, hints]) => {
        const deeplink = `${server.url}/app?order_id=${order}`;
        const { context, page, errors } = await open(
          pageFor(order, { environment: "sandbox", deeplink }),
          {
            device,
            init: [hints],
          },
        );
        await page.locator("#host figure > svg").waitFor();
        await sleep(800);
        assert.equal(await shown(page, "svg"), true, order);
        assert.equal(await shown(page, "[part=open-button]"), false, order);
        assert.equal(new URL(page.url()).pathname, "/pay");
        assert.equal(
          server.requests.filter((r) => r.path === "/app" && r.search.includes(order)).length,
          0,
        );
        assert.deepEqual(errors, []);
        await context.close();
      }),
    );
  });

  test("without sessionStorage (throwing getItem/setItem, or no storage at all) the widget still works", async () => {
    const throwing = () => {
      const deny = () => {
        throw new DOMException("The operation is insecure.", "SecurityError");
      };
      Storage.prototype.getItem = deny;
      Storage.prototype.setItem = deny;
    };
    const missing = () => {
      Object.defineProperty(window, "sessionStorage", {
        get() {
          throw new DOMException("Access is denied for this document.", "SecurityError");
        },
      });
    };
    await Promise.all(
      [
        ["life-nostore-1", throwing],
        ["life-nostore-2", missing],
      ].map(async ([order, init]) => {
        script(order, ["pending", "settlement"]);
        const { context, page, errors } = await open(pageFor(order), { init: [init] });
        await waitState(page, "success");
        assert.equal((await events(page, "gopay-success")).length, 1, order);
        assert.deepEqual(
          (await states(page)).filter((s) => s !== "loading"),
          ["pending", "success"],
        );
        assert.deepEqual(errors, [], order);
        await context.close();
      }),
    );
  });
});

test("a failing endpoint: trouble after 20 s, one status_unreachable gopay-status past the budget, recovery (fake clock)", async () => {
  const order = "life-budget-1";
  const s = script(order, [
    { http: 500 },
    { http: 503 },
    { raw: "<html>" },
    { http: 500 },
    { http: 502 },
    { raw: "{}" },
    { http: 500 },
  ]);
  const { context, page, errors } = await open(pageFor(order), { clock: true });
  await until(() => hitsOf(order).length === 1 && hitsOf(order)[0].end, "the first request");
  await page.waitForTimeout(100);
  assert.equal(await shown(page, "[part=trouble]"), false, "one failure is no trouble");
  // Each step: 30 s of page time (more than any back-off) and exactly one more request.
  const step = async () => {
    const n = hitsOf(order).length;
    await page.clock.fastForward(30_000);
    await until(() => hitsOf(order).length === n + 1 && hitsOf(order)[n].end, `request ${n + 1}`);
    await page.waitForTimeout(150);
    await page.clock.fastForward(1_000);
    await page.waitForTimeout(50);
  };
  await step();
  // Two failures over 30 s: the shopper is told, the state stays pending.
  assert.equal(await shown(page, "[part=trouble]"), true);
  assert.match(await part(page, "trouble").innerText(), /Having trouble reaching the shop/);
  assert.equal(await state(page), "pending");
  // The 3rd and 4th failures, 60 and 90 s in: still within the 120 s budget.
  await step();
  await step();
  const unreachable = async () =>
    (await events(page, "gopay-status")).filter((e) => e.detail.code === "status_unreachable");
  assert.equal((await unreachable()).length, 0, "nothing reported inside the budget");
  await step(); // 5th failure, 120 s after the first
  // Still trying: reported on gopay-status (and onStatus), never as gopay-error.
  await until(async () => (await unreachable()).length === 1, "status_unreachable", 3_000);
  const [report] = await unreachable();
  assert.equal(report.detail.order_id, order);
  assert.equal(report.detail.transaction_status, "pending");
  assert.match(report.detail.message, /still retrying/);
  assert.equal(
    (await callbacks(page, "status")).filter((c) => c.detail.code === "status_unreachable").length,
    1,
  );
  await step();
  await step();
  assert.equal((await unreachable()).length, 1, "reported once");
  assert.equal((await events(page, "gopay-error")).length, 0, "failures it retries are no error");
  assert.equal((await callbacks(page, "error")).length, 0);
  assert.equal(await state(page), "pending", "failures never end the payment");
  // The endpoint recovers: polling went on, so the payment is seen.
  s.steps = ["settlement"];
  s.i = 0;
  await step();
  await waitState(page, "success", 3_000);
  assert.equal(await shown(page, "[part=trouble]"), false);
  assert.equal((await events(page, "gopay-success")).length, 1);
  assert.equal(
    (await events(page, "gopay-failure")).length + (await events(page, "gopay-expire")).length,
    0,
  );
  assert.deepEqual(
    errors.filter((e) => !/status of 50\d/.test(e)),
    [],
  );
  await context.close();
});

test("a request that hangs is given up at its timeout and the next one goes out (fake clock)", async () => {
  const order = "life-timeout-1";
  script(order, [{ hold: true }, "settlement"]);
  const { context, page, errors } = await open(pageFor(order), { clock: true });
  await until(() => hitsOf(order).length === 1, "the first request");
  await page.clock.fastForward(8_000);
  await sleep(300);
  assert.equal(hitsOf(order)[0].aborted, false, "still waiting before the 10 s timeout");
  assert.equal(hitsOf(order).length, 1, "and nothing else asked meanwhile");
  await page.clock.fastForward(2_500);
  await until(() => hitsOf(order)[0].aborted, "the timeout to abort the request", 3_000);
  await page.clock.fastForward(5_000);
  await waitState(page, "success", 5_000);
  const [first, second] = hitsOf(order);
  assert.ok(second.start >= first.aborted, "the next request only after the first was given up");
  assert.equal(hitsOf(order).length, 2);
  assert.equal((await events(page, "gopay-success")).length, 1);
  assert.equal(
    (await events(page, "gopay-error")).length,
    0,
    "one timeout is not the error budget",
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("never two requests at once: a slow endpoint and a storm of online events", async () => {
  const order = "life-slow-1";
  script(order, ["pending"], { delayMs: 1_500 });
  const { context, page, errors } = await open(pageFor(order));
  await page.evaluate(() => {
    window.__storm = setInterval(() => window.dispatchEvent(new Event("online")), 150);
  });
  await until(
    () => hitsOf(order).filter((h) => h.end).length >= 3,
    "three answered requests",
    20_000,
  );
  await page.evaluate(() => clearInterval(window.__storm));
  const seen = hitsOf(order);
  for (let i = 1; i < seen.length; i += 1) {
    assert.ok(seen[i - 1].end !== null, `request ${i} was answered before request ${i + 1}`);
    assert.ok(
      seen[i].start >= seen[i - 1].end,
      `request ${i + 1} started before request ${i} ended`,
    );
  }
  assert.ok(
    seen.every((h) => !h.aborted),
    "no request was given up",
  );
  // The signals did ask for checks: each came soon after the previous answer, not a cadence later.
  const gaps = seen.slice(1, 3).map((h, i) => h.start - seen[i].end);
  assert.ok(
    gaps.every((g) => g >= 900 && g < CADENCE_MS - 200),
    `gaps ${gaps}`,
  );
  assert.equal(await state(page), "pending");
  assert.deepEqual(errors, []);
  await context.close();
});

test("phone: Open GoPay with the exact deeplink, the app opened once, QR instead, saved QR image", async () => {
  const order = "life-phone-1";
  const deeplink = `${server.url}/app?order_id=${order}&tref=A1`;
  script(order, ["pending"]);
  const pay = pageFor(order, { environment: "sandbox", deeplink });
  const appHits = () =>
    server.requests.filter((r) => r.path === "/app" && r.search.includes(order)).length;

  // The first visit tries the app by itself: the page goes to the deeplink.
  const { context, page, errors } = await open(pay, {
    device: PHONE,
    wait: false,
    waitUntil: "commit",
  });
  await page.waitForURL((u) => u.pathname === "/app");
  assert.equal(appHits(), 1);
  // Back on the payment page (a new load, as after the app): no second attempt.
  await page.goto(server.url + pay);
  await mounted(page);
  await waitState(page, "pending");
  const link = part(page, "open-button");
  assert.equal(await link.getAttribute("href"), deeplink);
  assert.equal(await link.innerText(), "Open GoPay");
  assert.equal(await shown(page, "[part=open-button]"), true);
  assert.equal(await shown(page, "svg"), false, "the phone sees the app button, not the QR");
  const steps = await page.locator("#host .gw-app [part=instructions] li").allInnerTexts();
  assert.ok(steps.length >= 3 && steps.some((s) => /Open GoPay/.test(s)), JSON.stringify(steps));
  await page.reload();
  await mounted(page);
  await sleep(1_500);
  assert.equal(new URL(page.url()).pathname, "/pay");
  assert.equal(appHits(), 1, "a reload does not open the app again");

  // Pay with QR instead: the QR shows, and can be saved to pay from another app on this phone.
  await part(page, "qr-button").click();
  await page.locator("#host figure > svg").waitFor();
  assert.equal(await shown(page, "[part=open-button]"), false);
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 5_000 }),
    part(page, "save-button").click(),
  ]);
  assert.match(download.suggestedFilename(), /\.png$/);
  const file = path.join(ARTIFACTS, "lifecycle-saved-qr.png");
  await download.saveAs(file);
  const png = await fs.readFile(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual(decodeQr(file), [qris.qr_string]);
  // The QRIS frame under the code, as on the page: the image is taller than wide.
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  assert.ok(height > width + 150, `saved ${width}x${height}`);

  // Coming back through callback_url does not open the app either.
  await page.goto(`${server.url}${pay}&order_id=${order}&result=success`);
  await mounted(page);
  await sleep(1_200);
  assert.equal(new URL(page.url()).pathname, "/pay");
  assert.equal(appHits(), 1, "a return does not open the app again");
  assert.deepEqual(errors, []);
  await context.close();
});

test("return from the app: confirming at once, result=success is no proof, settlement is", async () => {
  const order = "life-return-1";
  const s = script(order, ["pending"]);
  const pay = pageFor(order, {
    environment: "sandbox",
    deeplink: `${server.url}/app?order_id=${order}`,
  });
  const started = Date.now();
  const { context, page, errors } = await open(`${pay}&order_id=${order}&result=success`, {
    device: PHONE,
  });
  assert.equal(await state(page), "confirming");
  assert.match(await part(page, "status").innerText(), /Checking your payment/);
  await until(() => hitsOf(order).length >= 1, "a status request");
  assert.ok(hitsOf(order)[0].start - started < 2_000, "asked at once");
  // The merchant still says pending: checking goes on, nothing is declared.
  await until(() => hitsOf(order).filter((h) => h.end).length >= 2, "two pending answers");
  await sleep(200);
  assert.equal(await state(page), "confirming");
  assert.deepEqual(
    (await states(page)).filter((v) => v !== "loading"),
    ["confirming"],
  );
  assert.equal((await events(page, "gopay-success")).length, 0);
  s.steps = ["settlement"];
  s.i = 0;
  await waitState(page, "success", 5_000);
  assert.equal((await events(page, "gopay-success")).length, 1);
  assert.equal(
    server.requests.filter((r) => r.path === "/app" && r.search.includes(order)).length,
    0,
    "no app opening",
  );
  assert.deepEqual(errors, []);
  await context.close();

  // A result for another order is not a return for this one.
  const other = "life-return-2";
  script(other, ["pending"]);
  const second = await open(`${pageFor(other)}&order_id=someone-else&result=success`);
  await until(() => hitsOf(other).some((h) => h.end), "a pending answer");
  await sleep(200);
  assert.deepEqual(
    (await states(second.page)).filter((v) => v !== "loading"),
    ["pending"],
  );
  assert.match(await part(second.page, "status").innerText(), /Waiting for payment/);
  assert.deepEqual(second.errors, []);
  await second.context.close();
});

const timeLeft = async (page) => {
  const [m, s] = (await part(page, "countdown").innerText()).split(":").map(Number);
  return m * 60 + s;
};

test("reload resumes: the same countdown (skew kept), terminal events once across reloads", async () => {
  const order = "life-resume-1";
  // The server's clock is 40 s ahead of this one.
  const s = script(order, ["pending"], { skewMs: 40_000 });
  const { context, page, errors } = await open(pageFor(order, { seconds: 600 }));
  await until(() => hitsOf(order).some((h) => h.end), "an answer with a Date");
  await page.waitForFunction(() => {
    const t = document
      .getElementById("host")
      .shadowRoot.querySelector("[part=countdown]").textContent;
    return t < "09:25";
  });
  const before = await timeLeft(page);
  assert.ok(before <= 560 && before >= 550, `time left ${before} s (10 min less 40 s of skew)`);
  // After the reload the endpoint is slow: what shows first comes from the saved state.
  s.delayMs = 3_000;
  const asked = hitsOf(order).length;
  await page.reload();
  await mounted(page);
  const after = await timeLeft(page);
  assert.ok(
    after <= before && after >= before - 4,
    `time left ${before} s, then ${after} s after the reload`,
  );
  assert.equal((await events(page, "gopay-status")).length, 1, "pending is reported once per page");

  s.delayMs = 0;
  s.steps = ["settlement"];
  s.i = 0;
  await waitState(page, "success", 10_000);
  assert.equal((await events(page, "gopay-success")).length, 1);
  assert.ok(hitsOf(order).length > asked);
  const total = hitsOf(order).length;
  // Reloaded after success: shown as paid, nothing fired again, nothing asked.
  await page.reload();
  await mounted(page);
  assert.equal(await state(page), "success");
  assert.match(await part(page, "status").innerText(), /Payment received/);
  await sleep(1_500);
  assert.deepEqual(await events(page), []);
  assert.deepEqual(await callbacks(page), []);
  assert.equal(hitsOf(order).length, total);
  assert.deepEqual(errors, []);
  await context.close();
});

const VISIBILITY = () => {
  window.__hidden = new URLSearchParams(location.search).has("hidden");
  Object.defineProperty(Document.prototype, "hidden", {
    configurable: true,
    get: () => window.__hidden,
  });
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true,
    get: () => (window.__hidden ? "hidden" : "visible"),
  });
  window.__setHidden = (hidden) => {
    window.__hidden = hidden;
    document.dispatchEvent(new Event("visibilitychange"));
  };
};

test("a hidden tab asks nothing; visible again, it asks at once", async () => {
  const order = "life-hidden-1";
  const late = "life-hidden-2";
  script(order, ["pending"]);
  script(late, ["pending"]);
  const [{ context, page, errors }, hiddenFromStart] = await Promise.all([
    open(pageFor(order), { init: [VISIBILITY] }),
    // Mounted before the load event, so the pageshow that comes with it finds a hidden page.
    open(`${pageFor(late, { loadMs: 1_500 })}&hidden`, { init: [VISIBILITY] }),
  ]);
  assert.equal(await hiddenFromStart.page.evaluate(() => window.__mountedBeforeLoad), true);
  await until(() => hitsOf(order).some((h) => h.end), "an answer");
  await page.evaluate(() => window.__setHidden(true));
  const hiddenAt = Date.now();
  const asked = hitsOf(order).length;
  await sleep(CADENCE_MS + 1_000);
  assert.equal(hitsOf(order).length, asked, "no request while hidden");
  assert.equal(hitsOf(late).length, 0, "a page loaded hidden asks nothing");
  assert.ok(Date.now() - hiddenAt > CADENCE_MS + 500);
  const shownAt = Date.now();
  await page.evaluate(() => window.__setHidden(false));
  await hiddenFromStart.page.evaluate(() => window.__setHidden(false));
  await until(() => hitsOf(order).length > asked, "a request after becoming visible", 3_000);
  assert.ok(hitsOf(order)[asked].start - shownAt < 600, "at once");
  await until(() => hitsOf(late).length > 0, "the first request of the page loaded hidden", 3_000);
  assert.ok(hitsOf(late)[0].start - shownAt < 600);
  assert.equal(await state(page), "pending");
  assert.deepEqual(errors, []);
  assert.deepEqual(hiddenFromStart.errors, []);
  await Promise.all([context.close(), hiddenFromStart.context.close()]);
});

// Tracks the listeners on window and document and the timers that the package's own code
// (the module under /pkg/) adds, so the test runner's own instrumentation does not count.
const TRACKING = () => {
  const fromWidget = () => /\/pkg\//.test(new Error().stack);
  const listeners = [];
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const same = (e, target, type, fn) => e.target === target && e.type === type && e.fn === fn;
  EventTarget.prototype.addEventListener = function (type, fn, options) {
    const global = this === window || this === document;
    if (global && fromWidget() && !listeners.some((e) => same(e, this, type, fn))) {
      listeners.push({
        target: this,
        type,
        fn,
        name: `${this === window ? "window" : "document"}:${type}`,
      });
    }
    return add.call(this, type, fn, options);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, options) {
    const i = listeners.findIndex((e) => same(e, this, type, fn));
    if (i >= 0) listeners.splice(i, 1);
    return remove.call(this, type, fn, options);
  };
  const timers = new Set();
  const [setT, clearT, setI, clearI] = [
    window.setTimeout,
    window.clearTimeout,
    window.setInterval,
    window.clearInterval,
  ];
  window.setTimeout = (fn, ms, ...args) => {
    const tracked = fromWidget();
    const id = setT.call(
      window,
      (...a) => {
        timers.delete(id);
        if (typeof fn === "function") fn(...a);
      },
      ms,
      ...args,
    );
    if (tracked) timers.add(id);
    return id;
  };
  window.setInterval = (fn, ms, ...args) => {
    const id = setI.call(window, fn, ms, ...args);
    if (fromWidget()) timers.add(id);
    return id;
  };
  window.clearTimeout = (id) => {
    timers.delete(id);
    clearT.call(window, id);
  };
  window.clearInterval = (id) => {
    timers.delete(id);
    clearI.call(window, id);
  };
  window.__tracked = () => ({
    listeners: listeners.map((e) => e.name).sort(),
    timers: timers.size,
  });
};

test("destroy() aborts the request in flight, removes DOM, timers and listeners; nothing after", async () => {
  const order = "life-destroy-1";
  script(order, [{ hold: true }]);
  const { context, page, errors } = await open(pageFor(order), { init: [TRACKING] });
  await until(() => hitsOf(order).length === 1, "the request in flight");
  const during = await page.evaluate(() => window.__tracked());
  for (const name of ["window:online", "window:pageshow", "document:visibilitychange"]) {
    assert.ok(during.listeners.includes(name), `${name} in ${during.listeners}`);
  }
  // The countdown's interval, the next wake-up and the request's timeout.
  assert.ok(during.timers >= 3, `timers while mounted: ${during.timers}`);
  const eventsBefore = (await events(page)).length;
  await page.evaluate(() => window.__handle.destroy());
  await until(() => hitsOf(order)[0].aborted, "the held request to be aborted", 3_000);
  assert.equal(
    await page.evaluate(() => document.getElementById("host").shadowRoot.childElementCount),
    0,
  );
  assert.equal(
    await page.evaluate(() => document.getElementById("host").hasAttribute("data-state")),
    false,
  );
  await sleep(200);
  assert.deepEqual(
    await page.evaluate(() => window.__tracked()),
    { listeners: [], timers: 0 },
    "all removed",
  );
  // Signals that would make a live widget ask at once, then twice the cadence of silence.
  await page.evaluate(() => {
    window.dispatchEvent(new Event("online"));
    window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }));
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await sleep(2 * CADENCE_MS + 400);
  assert.equal(hitsOf(order).length, 1, "no request after destroy");
  assert.equal((await events(page)).length, eventsBefore, "no event after destroy");
  await page.evaluate(() => window.__handle.destroy());
  assert.deepEqual(errors, []);
  await context.close();
});

test("countdown: skew-corrected by the Date header; the live region hears thresholds only", async () => {
  const skewed = "life-count-1";
  const lastMinute = "life-count-2";
  const ending = "life-count-3";
  // The server is 2 minutes ahead: 7 min 8 s on the charge are 5 min 8 s on the server's clock.
  script(skewed, ["pending"], { skewMs: 120_000 });
  script(lastMinute, ["pending"]);
  // Pending until the charge's time is up, then expire: the widget must see the end locally first.
  script(ending, [(s) => (Date.now() - s.stampedAt >= 8_000 ? "expire" : "pending")]);
  const [a, b, c] = await Promise.all([
    open(pageFor(skewed, { seconds: 428, stampOnServe: true })),
    open(pageFor(lastMinute, { seconds: 68, stampOnServe: true })),
    open(pageFor(ending, { seconds: 8, stampOnServe: true })),
  ]);
  const heard = (page, text) =>
    page
      .waitForFunction((t) => window.__announced.at(-1) === t, text, { timeout: 20_000 })
      .catch(async (e) => {
        const seen = await page.evaluate(() => [window.__announced, window.__countdowns.slice(-3)]);
        throw new Error(`waiting for "${text}": ${e.message}; heard ${JSON.stringify(seen)}`);
      });
  await Promise.all([
    heard(a.page, "5 minutes left"),
    heard(b.page, "1 minute left"),
    heard(c.page, "Time is up"),
  ]);
  await sleep(1_200);
  const announced = async (p) => p.evaluate(() => window.__announced);
  // Nothing on load, then the threshold and nothing else: never the ticking time.
  assert.deepEqual(await announced(a.page), ["", "5 minutes left"]);
  assert.deepEqual(await announced(b.page), ["", "1 minute left"]);
  assert.deepEqual(await announced(c.page), ["", "Time is up"]);
  // The skewed page counted from the local clock until the first answer, then from the server's.
  const times = await a.page.evaluate(() => window.__countdowns);
  assert.match(times[0], /^07:0\d$/, times.join(" "));
  const after = times.slice(times.findIndex((t) => !t.startsWith("07:")));
  assert.ok(after.length >= 3 && after.every((t) => /^0[45]:\d\d$/.test(t)), times.join(" "));
  assert.match(after.at(-1), /^04:5\d$/);
  // Time ran out locally: confirming with the merchant, which then says expire.
  await waitState(c.page, "expire", 12_000);
  assert.deepEqual(
    (await states(c.page)).filter((s) => s !== "loading"),
    ["pending", "confirming", "expire"],
  );
  assert.deepEqual(await c.page.evaluate(() => window.__statuses), [
    "Waiting for payment",
    "Time ran out here, confirming with the merchant",
    "This payment has expired",
  ]);
  assert.equal((await events(c.page, "gopay-expire")).length, 1);
  for (const { context, errors } of [a, b, c]) {
    assert.deepEqual(errors, []);
    await context.close();
  }
});

// ---- the end of a transaction, a new QR, and an app that did not open --------------------------

/** True when zbarimg finds no QR code in the PNG. */
function noQrIn(file) {
  try {
    decodeQr(file);
    return false;
  } catch {
    return true;
  }
}

/** What of the payment part is left in the widget's DOM (not just hidden). */
const leftovers = (page) =>
  page.evaluate(() => {
    const root = document.getElementById("host").shadowRoot;
    const count = (s) => root.querySelectorAll(s).length;
    return {
      qr: count("figure[part=qr], svg, img"),
      open: count("[part=open-button]"),
      steps: count("[part=instructions]"),
      countdown: root.querySelector("[part=countdown]").checkVisibility(),
    };
  });
const GONE = { qr: 0, open: 0, steps: 0, countdown: false };

test("end screens: the QR and the app button leave the DOM; each end says what next, once", async () => {
  const ends = [
    ["end-success", ["pending", "settlement"], "success", /received your payment.*close this page/],
    ["end-failure", ["pending", "deny"], "failure", /did not go through.*go back to the shop/],
    ["end-expire", ["pending", "expire"], "expire", /time to pay ran out.*go back to the shop/],
    ["end-reversed", ["refund"], "reversed", /refunded or reversed/],
  ];
  for (const [order, steps, end, next] of ends) {
    script(order, steps);
    const pay = pageFor(order, { deeplink: "gojek://gopay/merchanttransfer?tref=T1" });
    const { context, page } = await open(pay);
    if (end === "success") {
      await page.locator("#host figure > svg").waitFor();
      // The same screenshot decodes while the QR is offered: "no QR" below is not a blind spot.
      const live = path.join(ARTIFACTS, "end-before.png");
      await part(page, "widget").screenshot({ path: live });
      assert.deepEqual(decodeQr(live), [qris.qr_string]);
      // The shopper is on the widget: the focus must not be lost when the QR goes.
      await part(page, "save-button").focus();
    }
    await waitState(page, end, 15_000);
    assert.deepEqual(await leftovers(page), GONE, order);
    assert.match(await part(page, "result").innerText(), next, order);
    assert.equal(await shown(page, "[part=retry-button]"), false, `${order}: retry is off`);
    const shot = path.join(ARTIFACTS, `${order}.png`);
    await part(page, "widget").screenshot({ path: shot });
    assert.ok(noQrIn(shot), `${order}: a QR is still readable in the screenshot`);
    if (end === "success") {
      // Announced once: the status line took the end's text one time.
      const said = await page.evaluate(() => window.__statuses);
      assert.equal(said.filter((t) => t === "Payment received").length, 1, JSON.stringify(said));
      const focused = await page.evaluate(() =>
        document.getElementById("host").shadowRoot.activeElement?.getAttribute("part"),
      );
      assert.equal(focused, "result", "the focus moves to what happened");
    }
    await context.close();
  }
});

test("time run out here: the QR is withdrawn while the shop is asked; a late settlement is a success", async () => {
  const order = "end-late-1";
  const s = script(order, ["pending"]);
  const pay = pageFor(order, { seconds: 3 });
  const { context, page, errors } = await open(pay);
  await page.locator("#host figure > svg").waitFor();
  await waitState(page, "confirming", 10_000);
  assert.deepEqual(await leftovers(page), GONE);
  assert.match(await part(page, "result").innerText(), /do not pay again/);
  await part(page, "widget").screenshot({ path: path.join(ARTIFACTS, "end-confirming.png") });
  s.steps = ["settlement"];
  s.i = 0;
  await waitState(page, "success", 20_000);
  assert.match(await part(page, "result").innerText(), /received your payment/);
  assert.equal((await events(page, "gopay-success")).length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Get a new QR: gopay-retry with the ending detail, a new charge starts over; nothing after destroy", async () => {
  const order = "retry-1";
  script(order, ["pending", "expire"]);
  const pay = pageFor(order, { retry: true });
  const { context, page, errors } = await open(pay);
  await waitState(page, "expire", 15_000);
  assert.deepEqual(await leftovers(page), GONE);
  assert.match(await part(page, "result").innerText(), /Get a new QR to try again/);
  const button = part(page, "retry-button");
  assert.equal(await button.innerText(), "Get a new QR");
  await part(page, "widget").screenshot({ path: path.join(ARTIFACTS, "retry-offered.png") });
  await button.click();
  const [retry] = await events(page, "gopay-retry");
  assert.equal(retry.detail.order_id, order);
  assert.equal(retry.detail.transaction_status, "expire");
  assert.equal(retry.detail.transaction_id, qris.transaction_id);
  // Until the page hands a new charge over, the button says so and takes no second tap.
  assert.equal(await button.innerText(), "Getting a new QR…");
  assert.equal(await button.isDisabled(), true);

  // The page's new charge, mounted in the same element: a fresh transaction with a QR.
  const next = "retry-2";
  script(next, ["pending", "deny"]);
  const renewed = charge(next);
  await page.evaluate(async (c) => {
    const { mount } = await import("/pkg/index.js");
    window.__handle = await mount(document.getElementById("host"), {
      charge: c,
      statusUrl: "/status?order_id={order_id}",
      locale: "en",
      retry: true,
    });
  }, renewed);
  await page.locator("#host figure > svg").waitFor();
  const shot = path.join(ARTIFACTS, "retry-new-qr.png");
  await part(page, "qr").screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [renewed.qr_string]);
  assert.equal(await part(page, "order-id").innerText(), next);
  await waitState(page, "failure", 15_000);
  assert.match(await part(page, "result").innerText(), /did not go through.*Get a new QR/);
  // A tap that reaches the button after destroy() asks for nothing.
  const before = (await events(page, "gopay-retry")).length;
  await page.evaluate(() => {
    const b = document.getElementById("host").shadowRoot.querySelector("[part=retry-button]");
    window.__handle.destroy();
    b.click();
  });
  await sleep(300);
  assert.equal((await events(page, "gopay-retry")).length, before);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the app that did not open: a hint while the page stays visible, none when it was hidden", async () => {
  const hint = (page) => shown(page, "[part=app-hint]");

  // The automatic attempt at a gojek:// deeplink, with no app to take it: the page stays
  // visible and focused, and 3 s later the hint shows.
  const gojek = "gojek://gopay/merchanttransfer?tref=HINT1";
  script("hint-1", ["pending"]);
  let { context, page } = await open(pageFor("hint-1", { deeplink: gojek }), { device: PHONE });
  await waitState(page, "pending");
  assert.equal(await hint(page), false);
  await until(() => hint(page), "the hint", 8_000);
  assert.match(await part(page, "app-hint").innerText(), /GoPay didn't open\? Pay with the QR/);
  assert.equal(await part(page, "get-gopay").getAttribute("href"), "https://gopay.co.id/");
  await part(page, "widget").screenshot({ path: path.join(ARTIFACTS, "app-not-opened.png") });
  await context.close();

  // Hidden right after the automatic attempt (the app came up): no hint, then or later.
  script("hint-2", ["pending"]);
  ({ context, page } = await open(pageFor("hint-2", { deeplink: gojek }), {
    device: PHONE,
    init: [VISIBILITY],
  }));
  await page.evaluate(() => window.__setHidden(true));
  await sleep(3_600);
  await page.evaluate(() => window.__setHidden(false));
  await sleep(500);
  assert.equal(await hint(page), false, "no hint after the app came up");
  await context.close();

  // Taps. The first visit goes to the (loopback) deeplink by itself; back on the page, the
  // taps are held on the page, as when the app is missing.
  const order = "hint-3";
  script(order, ["pending"]);
  const pay = pageFor(order, {
    environment: "sandbox",
    deeplink: `${server.url}/app?order_id=${order}`,
  });
  ({ context, page } = await open(pay, {
    device: PHONE,
    init: [VISIBILITY],
    wait: false,
    waitUntil: "commit",
  }));
  await page.waitForURL((u) => u.pathname === "/app");
  await page.goto(server.url + pay);
  await mounted(page);
  await page.evaluate(() =>
    document.addEventListener("click", (e) => e.preventDefault(), { capture: true }),
  );
  await sleep(3_500);
  assert.equal(await hint(page), false, "no tap, no attempt, no hint");
  await part(page, "open-button").click();
  await until(() => hint(page), "the hint after a tap", 8_000);
  // Another tap starts the check again; the app opens (the page is hidden): no hint.
  await part(page, "open-button").click();
  assert.equal(await hint(page), false, "a new attempt clears the hint");
  await page.evaluate(() => window.__setHidden(true));
  await sleep(3_600);
  await page.evaluate(() => window.__setHidden(false));
  await sleep(300);
  assert.equal(await hint(page), false, "no hint after the app opened");
  // The app's prompt takes the focus (iOS): no hint either.
  await part(page, "open-button").click();
  await page.evaluate(() => window.dispatchEvent(new Event("blur")));
  await sleep(3_600);
  assert.equal(await hint(page), false, "no hint after a prompt took the focus");
  await context.close();
});
