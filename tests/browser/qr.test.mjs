// The desktop QR view in headless Chromium: the drawn QR decodes back to the charge's
// qr_string at every width, with no hairlines between its stroked rows; its <svg> is no bigger
// than the qrcode npm package's for the same payload; the PNG fallback has a name, and hostile
// charges end in the error state.

import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { bytes, figures, npmSvg } from "../../scripts/qr-figures.mjs";
import {
  ARTIFACTS,
  decodeQr,
  events,
  fixture,
  fresh,
  hostState,
  launch,
  mountInPage,
  qrisFields,
  sealed,
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
  const svg = page.locator("#host figure > svg");
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
  const svg = page.locator("#host figure > svg");
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

/**
 * Mounts the QRIS fixture (with `qr_string` replaced when given) with the QR figure `width` px
 * wide (through its ::part), screenshots the <svg> and returns the file and the svg's size.
 */
async function shootQr(name, { width, qr_string, deviceScaleFactor = 1, locale = "en" } = {}) {
  const base = fresh(await fixture("qris-charge-docs-shape.json"));
  const charge = qr_string ? { ...base, qr_string } : base;
  const page = await browser.newPage({
    viewport: { width: 1024, height: 1400 },
    deviceScaleFactor,
  });
  await page.goto(`${server.url}/`);
  if (width)
    await page.addStyleTag({
      content: `#host { --gopay-max-width: ${width + 200}px } #host::part(qr) { max-width: none; width: ${width}px }`,
    });
  await mountInPage(page, { charge, locale });
  const svg = page.locator("#host figure > svg");
  await svg.waitFor();
  const shot = path.join(ARTIFACTS, `qr-${name}.png`);
  await svg.screenshot({ path: shot });
  const box = await svg.boundingBox();
  return { page, svg, shot, box, charge };
}

/**
 * Reads a screenshot's pixels in the page. `grey` counts pixels neither near black nor near
 * white (a crisp QR has none: no anti-aliased edges, no hairlines); `dark` is the column of
 * device pixels through the top-left finder pattern's left edge (modules 4..10 of `size`, all
 * dark, each row its own stroked run, so a seam between rows shows as a light pixel); `quiet`
 * is the same column above it, in the quiet zone.
 */
async function readPixels(page, shot, size) {
  const png = (await fs.readFile(shot)).toString("base64");
  return page.evaluate(
    async ({ png, size }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${png}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const luma = (x, y) => {
        const i = 4 * (y * img.width + x);
        return Math.round(0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]);
      };
      let grey = 0;
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++) {
          const l = luma(x, y);
          if (l > 16 && l < 240) grey++;
        }
      const s = img.width / size;
      const x = Math.floor(4.5 * s);
      const dark = [];
      for (let y = Math.ceil(4 * s); y < Math.floor(11 * s); y++) dark.push(luma(x, y));
      const quiet = [];
      for (let y = 0; y < Math.floor(4 * s); y++) quiet.push(luma(x, y));
      return { grey, dark, quiet };
    },
    { png, size },
  );
}

for (const [width, dpr] of [
  [180, 1],
  [264, 1],
  [280, 1],
  [333, 1],
  [264, 1.5],
  [280, 2.625],
]) {
  test(`the QR decodes at ${width} px (device pixel ratio ${dpr}), crisp, no hairlines between rows`, async () => {
    const name = `${width}px-${dpr}x`;
    const { page, shot, box, charge } = await shootQr(name, { width, deviceScaleFactor: dpr });
    assert.ok(Math.abs(box.width - width) < 1, `QR width ${box.width}`);
    assert.deepEqual(decodeQr(shot), [charge.qr_string]);
    const { grey, dark, quiet } = await readPixels(page, shot, 61);
    assert.equal(grey, 0, "grey (anti-aliased) pixels");
    assert.ok(dark.length >= 7 * dpr, `finder column ${dark.length} px`);
    assert.deepEqual(
      dark.filter((l) => l > 16),
      [],
      `light pixels inside the finder pattern's column: ${dark}`,
    );
    assert.deepEqual(
      quiet.filter((l) => l < 250),
      [],
      `dark pixels in the quiet zone: ${quiet}`,
    );
    await page.close();
  });
}

test("the QR's quiet zone stays light on a dark page", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const page = await browser.newPage({
    viewport: { width: 1024, height: 900 },
    colorScheme: "dark",
  });
  await page.goto(`${server.url}/`);
  await page.addStyleTag({ content: "html, body { background: #000 }" });
  await mountInPage(page, { charge, locale: "en" });
  const svg = page.locator("#host figure > svg");
  await svg.waitFor();
  const shot = path.join(ARTIFACTS, "qr-dark-page.png");
  await svg.screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  const { quiet } = await readPixels(page, shot, 61);
  assert.deepEqual(
    quiet.filter((l) => l < 250),
    [],
    `dark pixels in the quiet zone: ${quiet}`,
  );
  await page.close();
});

test("the rendered <svg> is one stroked path, no comment nodes, no bigger than qrcode npm's", async () => {
  // The samples and our standalone figures come from `cargo run --example qr_size`; the same
  // function backs `node scripts/qr-figures.mjs`, so its budgets are checked here too.
  const rows = await figures();
  assert.ok(rows.length >= 7, `${rows.length} samples`);
  assert.deepEqual(
    rows.flatMap((r) => r.misses.map((m) => `${r.name}: ${m}`)),
    [],
  );
  // Both locales: the <svg>'s accessible name is part of its bytes, and the Indonesian one
  // (the default) is the longer. The widget draws payable QRIS codes only: the plain ASCII
  // samples are held to the same budgets by the figures above, outside a charge.
  const drawable = rows.filter((r) => !r.name.startsWith("ascii-"));
  assert.ok(drawable.length >= 4, `${drawable.length} QRIS samples`);
  for (const [{ name, payload, size }, locale] of drawable.flatMap((r) => [
    [r, "id"],
    [r, "en"],
  ])) {
    // 4 px a module, so that zbarimg reads even the densest sample.
    const { page, svg, shot } = await shootQr(`${name}-${locale}`, {
      width: size * 4,
      qr_string: payload,
      locale,
    });
    const dom = await svg.evaluate((el) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_COMMENT);
      let comments = 0;
      while (walker.nextNode()) comments++;
      return {
        html: el.outerHTML,
        comments,
        children: [...el.children].map((c) => c.localName),
        viewBox: el.getAttribute("viewBox"),
        d: el.querySelector("path")?.getAttribute("d"),
        transform: getComputedStyle(el.querySelector("path")).transform,
        stroke: getComputedStyle(el.querySelector("path")).strokeWidth,
        cap: getComputedStyle(el.querySelector("path")).strokeLinecap,
        rendering: getComputedStyle(el.querySelector("path")).shapeRendering,
        background: getComputedStyle(el).backgroundColor,
      };
    });
    assert.equal(dom.comments, 0, `${name}: comment nodes in ${dom.html.slice(0, 300)}`);
    assert.deepEqual(dom.children, ["path"], name);
    // Half a module up (qr::view_box): the rows' runs on their centre lines, no transform.
    assert.equal(dom.viewBox, `0 -.5 ${size} ${size}`, name);
    assert.match(dom.d, /^M\d+ \d+h\d/, name);
    // Stroked 1 wide, crisp, on a light background.
    assert.deepEqual(
      [dom.transform, dom.stroke, dom.cap, dom.rendering, dom.background],
      ["none", "1px", "butt", "crispedges", "rgb(255, 255, 255)"],
      name,
    );
    const npm = bytes(await npmSvg(payload));
    const ours = bytes(dom.html);
    assert.ok(ours <= npm, `${name} (${locale}): rendered <svg> ${ours} bytes > qrcode's ${npm}`);
    assert.deepEqual(decodeQr(shot), [payload], name);
    await page.close();
  }
});

test("amount, order id, time left and instructions are shown, with a named QR", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page } = await newPage();
  await mountInPage(page, { charge, locale: "id" });
  await page.locator("#host figure > svg").waitFor();
  const text = await page.locator("#host .gw").innerText();
  assert.match(text, /Rp789\.000/);
  assert.match(text, /order102/);
  assert.match(text, /1[45]:\d\d/, "time left near 15 minutes");
  const steps = await page.locator("#host ol li").count();
  assert.ok(steps >= 3, `instruction steps: ${steps}`);
  const label = await page.locator("#host figure > svg").getAttribute("aria-label");
  assert.match(label, /Rp789\.000/);
  assert.match(label, /order102/);
  assert.equal(await page.locator("#host figure > svg").getAttribute("role"), "img");
  await page.close();
});

test("English amounts and instructions", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page } = await newPage();
  await mountInPage(page, { charge, locale: "en" });
  await page.locator("#host figure > svg").waitFor();
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
  // Its save control is a real link to that very image (fetched as a file where it can be).
  assert.equal(
    await page.locator("#host [part=save-button]").getAttribute("href"),
    await img.getAttribute("src"),
  );
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
    // Midtrans' reason is the developer's: on the event, never in the shopper's view.
    if (kind === null) assert.match(evs[0].detail.message, /cannot be authorized/);
    assert.ok(!shown.includes(evs[0].detail.message), shown);
    assert.match(shown, /This payment cannot be shown/);
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
  await page.locator("#auto figure > svg").waitFor();
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
  await page.locator("#host figure > svg").waitFor();
  await page.clock.fastForward("05:00");
  await page.waitForTimeout(100);
  assert.equal(await hostState(page), "pending");
  // Past its expiry the QR is withdrawn and the line says the time ran out, claiming no
  // check that nobody makes: the page owns the outcome.
  assert.equal(await page.locator("#host figure, #host svg").count(), 0);
  assert.equal(
    await page.locator("#host [part=status]").innerText(),
    "The time to pay has run out",
  );
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

// ---- the QRIS frame, and codes no app would pay ------------------------------------------------

/** A template holding a template holding a template..., `len` characters in all. */
function nested(len) {
  let s = "";
  while (s.length + 4 <= len) s = `26${String(s.length).padStart(2, "0")}${s}`;
  return s;
}

/** The figure's frame as the shopper reads it, and the QR's accessible name. */
const frameOf = (page) =>
  page.evaluate(() => {
    const root = document.getElementById("host").shadowRoot;
    const caption = root.querySelector("figure[part=qr] > figcaption[part=qr-caption]");
    return {
      lines: caption
        ? [...caption.children].filter((c) => c.localName === "span").map((s) => s.textContent)
        : null,
      mark: !!caption?.querySelector("svg.gw-mark path")?.getAttribute("d"),
      label: root.querySelector("figure[part=qr] > svg")?.getAttribute("aria-label"),
      markup: caption?.innerHTML ?? "",
    };
  });

test("a QRIS code is drawn in its frame (mark, merchant, city, NMID, amount) and the framed figure decodes", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const { page, errors } = await newPage();
  await mountInPage(page, { charge, locale: "en" });
  const figure = page.locator("#host figure[part=qr]");
  await page.locator("#host figure > svg").waitFor();
  const frame = await frameOf(page);
  // The fixture's payload names its merchant "Test" in BANDUNG, NMID AID060733612866.
  assert.deepEqual(frame.lines, ["Test", "BANDUNG", "NMID: AID060733612866", "IDR 789,000"]);
  assert.ok(frame.mark, "the QRIS wordmark is drawn");
  assert.equal(
    frame.label,
    "QRIS code to pay IDR 789,000 to Test, BANDUNG (NMID AID060733612866) for order " +
      charge.order_id,
  );
  // The whole frame, as the shopper sees it, scans to the exact payload.
  const shot = path.join(ARTIFACTS, "qris-frame.png");
  await figure.screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  const box = await figure.boundingBox();
  const qr = await page.locator("#host figure > svg").boundingBox();
  assert.ok(
    box.height > qr.height + 60,
    `the caption sits under the QR: ${box.height} vs ${qr.height}`,
  );
  assert.deepEqual(errors, []);
  await page.close();
  // Indonesian: the same frame, the name in Indonesian.
  const indonesian = await newPage();
  await mountInPage(indonesian.page, { charge, locale: "id" });
  await indonesian.page.locator("#host figure > svg").waitFor();
  const id = await frameOf(indonesian.page);
  assert.deepEqual(id.lines.slice(2), ["NMID: AID060733612866", "Rp789.000"]);
  assert.match(id.label, /^Kode QRIS untuk membayar Rp789\.000 ke Test, BANDUNG/);
  assert.deepEqual(indonesian.errors, []);
  await indonesian.page.close();
});

test("a merchant name with markup in the payload is shown as text, and still decodes", async () => {
  const name = "<img src=x onerror=window.__pwned=1>";
  const qr_string = sealed(qrisFields(name, "<b>KOTA</b>"));
  const charge = { ...fresh(await fixture("qris-charge-docs-shape.json")), qr_string };
  const { page, errors } = await newPage();
  await mountInPage(page, { charge, locale: "en" });
  await page.locator("#host figure > svg").waitFor();
  const frame = await frameOf(page);
  assert.deepEqual(frame.lines.slice(0, 2), [name, "<b>KOTA</b>"]);
  assert.ok(!/<img|<b>/.test(frame.markup), frame.markup);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const shot = path.join(ARTIFACTS, "qris-frame-hostile-name.png");
  await page.locator("#host figure > svg").screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [qr_string]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a qr_string no app would pay is never drawn: Midtrans' QR image instead, or the error state with its code", async () => {
  const good = fresh(await fixture("qris-charge-docs-shape.json"));
  const last = good.qr_string.at(-1) === "0" ? "1" : "0";
  const cases = [
    ["qris_crc_mismatch", good.qr_string.slice(0, -1) + last],
    ["qris_malformed", good.qr_string.slice(0, 60) + good.qr_string.slice(-8)],
    [
      "qris_not_payment",
      sealed([
        ["00", "01"],
        ["01", "12"],
        ["59", "X"],
        ["60", "Y"],
      ]),
    ],
    [
      "qris_invalid_field",
      sealed(qrisFields("Test").map(([id, v]) => [id, id === "54" ? "12.50" : v])),
    ],
    // Templates nested as deep as lengths allow (ten thousand levels are read natively;
    // the charge's 1,000-character limit comes first here): one level is read, no panic.
    [
      "qris_not_payment",
      sealed([
        ["00", "01"],
        ["26", nested(99)],
      ]),
    ],
  ];
  for (const [code, qr_string] of cases) {
    // With Midtrans' QR image of the transaction: that image, no frame of ours.
    const { page } = await newPage();
    await mountInPage(page, {
      charge: { ...good, qr_string },
      locale: "en",
      environment: "sandbox",
    });
    await page
      .locator("#host img")
      .waitFor({ state: "attached", timeout: 5_000 })
      .catch(async (e) =>
        assert.fail(`${code}: ${e.message}; ${JSON.stringify(await events(page))}`),
      );
    assert.equal(await page.locator("#host figure > svg, #host figcaption").count(), 0, code);
    assert.equal(await hostState(page), "pending", code);
    await page.close();
  }
  for (const [code, qr_string] of cases) {
    // Without one: the error state, one gopay-error with the stable code, nothing drawn.
    const { page, errors } = await newPage();
    await mountInPage(page, { charge: { ...good, qr_string, actions: [] }, locale: "en" });
    await page.waitForFunction(
      () => document.getElementById("host").getAttribute("data-state") === "error",
    );
    const evs = (await events(page)).filter((e) => e.type === "gopay-error");
    assert.deepEqual(
      evs.map((e) => e.detail.code),
      [code],
    );
    assert.ok(!evs[0].detail.message.includes(qr_string.slice(0, 20)), evs[0].detail.message);
    assert.equal(await page.locator("#host svg, #host img").count(), 0, code);
    assert.deepEqual(errors, []);
    await page.close();
  }
  // A code asking another amount than the order's: refused even with an image.
  const other = sealed(qrisFields("Test").map(([id, v]) => [id, id === "54" ? "1000" : v]));
  const { page } = await newPage();
  await mountInPage(page, {
    charge: { ...good, qr_string: other },
    locale: "en",
    environment: "sandbox",
  });
  await page.waitForFunction(
    () => document.getElementById("host").getAttribute("data-state") === "error",
  );
  assert.deepEqual(
    (await events(page)).map((e) => e.detail.code),
    ["qris_amount_mismatch"],
  );
  await page.close();
});

test("a QRIS code with a tip prompt or a fee is never drawn, image or not: the shopper would pay more", async () => {
  const good = fresh(await fixture("qris-charge-docs-shape.json"));
  // EMVCo's Tip or Convenience Indicator (ID 55) after the amount (ID 54, the order's).
  const withTip = (extra) =>
    sealed(qrisFields("Test", "BANDUNG").flatMap((f) => (f[0] === "54" ? [f, ...extra] : [f])));
  const cases = [
    ["a tip prompt", [["55", "01"]]],
    [
      "a fixed fee of Rp2.500",
      [
        ["55", "02"],
        ["56", "2500"],
      ],
    ],
    [
      "a 10% fee",
      [
        ["55", "03"],
        ["57", "10"],
      ],
    ],
    ["a fee without its indicator", [["56", "2500"]]],
  ];
  for (const [what, extra] of cases) {
    // The charge keeps Midtrans' QR image action: it is not shown instead.
    const { page, errors } = await newPage();
    await mountInPage(page, {
      charge: { ...good, qr_string: withTip(extra) },
      locale: "en",
      environment: "sandbox",
    });
    await page.waitForFunction(
      () => document.getElementById("host").getAttribute("data-state") === "error",
    );
    const evs = await events(page);
    assert.deepEqual(
      evs.map((e) => [e.type, e.detail.code]),
      [["gopay-error", "qris_tip_or_fee"]],
      what,
    );
    assert.equal(await page.locator("#host svg, #host img").count(), 0, what);
    const text = await page.locator("#host [part=widget]").innerText();
    assert.doesNotMatch(text, /IDR 789,000|Rp789\.000/, what);
    // The reason goes to the page; the shopper reads what to do.
    assert.match(evs[0].detail.message, /asks for a tip or adds a fee/, what);
    assert.doesNotMatch(text, /tip|fee/, what);
    assert.match(
      await page.locator("#host [part=error]").innerText(),
      /contact the merchant/,
      what,
    );
    assert.deepEqual(errors, [], what);
    await page.close();
  }
  // The same code without the indicator is drawn.
  const { page } = await newPage();
  await mountInPage(page, {
    charge: { ...good, qr_string: withTip([]) },
    locale: "en",
    environment: "sandbox",
  });
  await page.locator("#host figure > svg").waitFor();
  await page.close();
});
