// The desktop QR view in headless Chromium: the drawn QR decodes back to the charge's
// qr_string, the PNG fallback has a name, and hostile charges end in the error state.

import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  ARTIFACTS,
  decodeQr,
  events,
  fixture,
  fresh,
  hostState,
  launch,
  mountInPage,
  startServer,
  watchErrors,
} from "./harness.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
  await fs.mkdir(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(viewport = { width: 1024, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = watchErrors(page);
  await page.goto(`${server.url}/`);
  return { page, errors };
}

test("the rendered QR decodes back to exactly the qr_string", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page, errors } = await newPage();
  await mountInPage(page, { charge, locale: "en" });
  const svg = page.locator("#host svg");
  await svg.waitFor();
  assert.equal(await hostState(page), "pending");
  const shot = path.join(ARTIFACTS, "qr-desktop.png");
  await svg.screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  await page.locator("#host").screenshot({ path: path.join(ARTIFACTS, "widget-desktop.png") });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the QR still decodes at the smallest supported width (280 px)", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page } = await newPage({ width: 280, height: 900 });
  await page.addStyleTag({ content: "body { margin: 0 }" });
  await mountInPage(page, { charge, locale: "id" });
  const svg = page.locator("#host svg");
  await svg.waitFor();
  const box = await svg.boundingBox();
  assert.ok(box.width <= 280 && box.width > 150, `QR width ${box.width}`);
  const shot = path.join(ARTIFACTS, "qr-280.png");
  await svg.screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 280, `page scrolls sideways: ${overflow}px`);
  await page.close();
});

test("amount, order id, time left and instructions are shown, with a named QR", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page } = await newPage();
  await mountInPage(page, { charge, locale: "id" });
  await page.locator("#host svg").waitFor();
  const text = await page.locator("#host .gw").innerText();
  assert.match(text, /Rp789\.000/);
  assert.match(text, /order102/);
  assert.match(text, /1[45]:\d\d/, "time left near 15 minutes");
  const steps = await page.locator("#host ol li").count();
  assert.ok(steps >= 3, `instruction steps: ${steps}`);
  const label = await page.locator("#host svg").getAttribute("aria-label");
  assert.match(label, /Rp789\.000/);
  assert.match(label, /order102/);
  assert.equal(await page.locator("#host svg").getAttribute("role"), "img");
  await page.close();
});

test("English amounts and instructions", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page } = await newPage();
  await mountInPage(page, { charge, locale: "en" });
  await page.locator("#host svg").waitFor();
  assert.match(await page.locator("#host .gw").innerText(), /IDR 789,000/);
  await page.close();
});

test("a GoPay charge without qr_string shows the PNG with alt text", async () => {
  const charge = fresh(await fixture("gopay-charge-current-shape.json"));
  const { page } = await newPage();
  await mountInPage(page, { charge, locale: "en", mode: "qr", environment: "sandbox" });
  const img = page.locator("#host img");
  await img.waitFor({ state: "attached" });
  assert.equal(
    await img.getAttribute("src"),
    "https://api.sandbox.midtrans.com/v2/qris/7f1c1d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f/qr-code",
  );
  assert.match(await img.getAttribute("alt"), /IDR 149,500/);
  // A linked PNG is saved with the browser's long-press: no save button that could do nothing.
  assert.equal(await page.locator("#host [part=save-button]").count(), 0);
  assert.equal(await page.locator("#host [part=app-button]").count(), 1);
  await page.close();
});

const HOSTILE = [
  ["not JSON", "{not json"],
  ["an array", "[1,2,3]"],
  ["a Midtrans 401", null],
  ["HTML in order_id", "html"],
  ["a 1 MB string", "huge"],
  ["a number for a string", "number"],
];

for (const [name, kind] of HOSTILE) {
  test(`hostile charge (${name}) -> error state, one gopay-error, no injection`, async () => {
    const good = fresh(await fixture("qris-charge-docs-shape.json"));
    let charge = kind;
    if (kind === null) charge = JSON.stringify(await fixture("charge-error-401.json"));
    if (kind === "html")
      charge = JSON.stringify({
        ...good,
        order_id: "<img src=x onerror=window.__pwned=1>",
        qr_string: 42,
      });
    if (kind === "huge") charge = JSON.stringify({ ...good, order_id: "A".repeat(1 << 20) });
    if (kind === "number") charge = JSON.stringify({ ...good, order_id: 12345 });
    const { page, errors } = await newPage();
    await mountInPage(page, { charge, locale: "en" });
    await page.waitForFunction(
      () => document.getElementById("host").getAttribute("data-state") === "error",
    );
    await page.waitForTimeout(100);
    const evs = await events(page);
    assert.equal(evs.length, 1, JSON.stringify(evs));
    assert.equal(evs[0].type, "gopay-error");
    assert.match(evs[0].detail.code, /^[a-z_]+$/);
    assert.ok(evs[0].detail.message.length > 0 && evs[0].detail.message.length < 400);
    const callbacks = await page.evaluate(() => window.__callbacks);
    assert.deepEqual(
      callbacks.map((c) => c.name),
      ["error"],
    );
    const shown = await page.locator("#host .gw").innerText();
    assert.ok(shown.trim().length > 0, "error view is not blank");
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator("#host img").count(), 0);
    if (kind === null) assert.match(shown, /cannot be authorized/);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("data-gopay-widget elements auto-mount from their attributes", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page } = await newPage();
  await page.evaluate(async (charge) => {
    const el = document.createElement("div");
    el.id = "auto";
    el.setAttribute("data-gopay-widget", "");
    el.setAttribute("data-charge", JSON.stringify(charge));
    el.setAttribute("data-locale", "en");
    document.body.append(el);
    const bad = document.createElement("div");
    bad.id = "bad";
    bad.setAttribute("data-gopay-widget", "");
    bad.setAttribute("data-charge", "nope");
    bad.addEventListener("gopay-error", (e) => (window.__autoError = e.detail.code));
    document.body.append(bad);
    await import("/pkg/index.js");
  }, charge);
  await page.locator("#auto svg").waitFor();
  assert.equal(await page.getAttribute("#auto", "data-state"), "pending");
  await page.waitForFunction(
    () => document.getElementById("bad").getAttribute("data-state") === "error",
  );
  assert.equal(await page.evaluate(() => window.__autoError), "invalid_json");
  await page.close();
});

test("without a status endpoint the widget only displays: no requests, no trouble, no errors", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"), { minutes: 2 });
  const page = await browser.newPage();
  await page.clock.install();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/`);
  const before = server.requests.length;
  await mountInPage(page, { charge, locale: "en" });
  await page.locator("#host svg").waitFor();
  await page.clock.fastForward("05:00");
  await page.waitForTimeout(100);
  assert.equal(await hostState(page), "pending");
  assert.equal(await page.locator("#host [part=trouble]").isVisible(), false);
  const kinds = (await events(page)).map((e) => e.type);
  assert.deepEqual(kinds, ["gopay-status"]);
  const asked = server.requests
    .slice(before)
    .filter((r) => !r.path.startsWith("/pkg/") && r.path !== "/favicon.ico");
  assert.deepEqual(asked, []);
  assert.deepEqual(errors, []);
  await page.close();
});
