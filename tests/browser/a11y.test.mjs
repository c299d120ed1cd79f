// Accessibility in headless Chromium: axe-core on every view in light and dark, contrast of
// the widget's own colours, keyboard order with a visible focus, the QR's name, live regions.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  answerMidtransHosts,
  escapeHtml,
  fixture,
  fresh,
  launch,
  ROOT,
  sendHtml,
  startServer,
  statusEndpoint,
  watchErrors,
} from "./harness.mjs";

const AXE = path.join(ROOT, "node_modules/axe-core/axe.min.js");

let server, browser, status, qris, gopay;
const attr = (value) => escapeHtml(typeof value === "string" ? value : JSON.stringify(value));

function doc(body, lang = "en") {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Checkout</title></head>
<body><main><h1>Checkout</h1>${body}</main><script type="module" src="/pkg/index.js"></script></body></html>`;
}

before(async () => {
  status = statusEndpoint();
  qris = fresh(await fixture("qris-charge-docs-shape.json"));
  gopay = fresh(await fixture("gopay-charge-current-shape.json"));
  status.set("a11y-paid", "settlement");
  const views = () =>
    doc(`
<gopay-widget id="qr" data-locale="en" data-charge="${attr(qris)}"></gopay-widget>
<gopay-widget id="png" data-locale="en" data-mode="qr" data-environment="sandbox" data-charge="${attr({ ...gopay, order_id: "a11y-png" })}"></gopay-widget>
<gopay-widget id="app" data-locale="id" data-mode="deeplink" data-environment="sandbox" data-charge="${attr(gopay)}"></gopay-widget>
<gopay-widget id="bad" data-locale="en" data-charge="{not json"></gopay-widget>
<gopay-widget id="bad-id" data-locale="id" data-charge="[]"></gopay-widget>
<gopay-widget id="paid" data-locale="en" data-status-url="/status?order_id={order_id}"
  data-charge="${attr({ ...qris, order_id: "a11y-paid" })}"></gopay-widget>`);
  server = await startServer({
    "GET /status": status.route,
    "GET /views.html": (_req, res) => sendHtml(res, views()),
    "GET /keyboard.html": (_req, res) =>
      sendHtml(
        res,
        doc(`<button id="before">Back to cart</button>
<gopay-widget id="app" data-locale="en" data-mode="deeplink" data-environment="sandbox" data-charge="${attr(gopay)}"></gopay-widget>
<button id="after">Help</button>`),
      ),
    "GET /countdown.html": (_req, res) =>
      sendHtml(
        res,
        doc(`<gopay-widget id="w" data-locale="en" data-status-url="/status?order_id={order_id}"
  data-charge="${attr({ ...fresh(qris, { minutes: 5 + 2.5 / 60 }), order_id: "a11y-countdown" })}"></gopay-widget>`),
      ),
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(
  pathname,
  { colorScheme = "light", viewport = { width: 1024, height: 2400 } } = {},
) {
  const page = await browser.newPage({ viewport, colorScheme });
  const errors = watchErrors(page);
  await answerMidtransHosts(page);
  await page.goto(server.url + pathname);
  return { page, errors };
}

async function waitForViews(page) {
  await page.locator("#qr figure > svg").waitFor();
  await page.locator("#png img").waitFor({ state: "attached" });
  await page.locator("#app a[part=open-button]").waitFor();
  await page.waitForFunction(
    () =>
      document.getElementById("bad").getAttribute("data-state") === "error" &&
      document.getElementById("paid").getAttribute("data-state") === "success",
  );
}

// WCAG relative luminance and contrast ratio of two computed "rgb(r, g, b)" colours.
function luminance(color) {
  const [r, g, b] = color
    .match(/[\d.]+/g)
    .slice(0, 3)
    .map(Number)
    .map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core finds no serious or critical violation in any view (${colorScheme})`, async () => {
    const { page, errors } = await open("/views.html", { colorScheme });
    await waitForViews(page);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return {
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.map((n) => n.target.join(" ")),
        })),
        passes: r.passes.map((p) => p.id),
      };
    });
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad, [], JSON.stringify(bad, null, 1));
    // axe did look inside the shadow roots and checked colours there.
    assert.ok(result.passes.includes("color-contrast"), "color-contrast was checked");
    assert.ok(result.passes.includes("svg-img-alt"), "the SVG QR was checked for a name");
    assert.ok(result.passes.includes("image-alt"), "the PNG QR was checked for alt text");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`the widget's own colours meet WCAG AA (${colorScheme})`, async () => {
    const { page } = await open("/views.html", { colorScheme });
    await waitForViews(page);
    const colors = await page.evaluate(() => {
      const q = (id, sel) => document.getElementById(id).shadowRoot.querySelector(sel);
      const cs = (el) => getComputedStyle(el);
      const bg = cs(q("qr", ".gw")).backgroundColor;
      return {
        bg,
        text: cs(q("qr", ".gw-amount")).color,
        muted: cs(q("qr", "dt")).color,
        steps: cs(q("qr", ".gw-steps li")).color,
        link: cs(q("png", "[part=app-button]")).color,
        linkBg: cs(q("png", ".gw")).backgroundColor,
        buttonBg: cs(q("app", "[part=open-button]")).backgroundColor,
        buttonFg: cs(q("app", "[part=open-button]")).color,
        success: cs(q("paid", ".gw-status")).color,
        successBg: cs(q("paid", ".gw")).backgroundColor,
        danger: cs(q("bad", ".gw-status")).color,
        dangerBg: cs(q("bad", ".gw")).backgroundColor,
        errorText: cs(q("bad", ".gw-error")).color,
        focus: cs(q("qr", ".gw")).getPropertyValue("--_focus").trim(),
        // What paints the QR: the runs' stroke on the svg's own background.
        qrDark: cs(q("qr", "svg path")).stroke,
        qrLight: cs(q("qr", "svg")).backgroundColor,
      };
    });
    const pairs = {
      text: [colors.text, colors.bg, 4.5],
      muted: [colors.muted, colors.bg, 4.5],
      steps: [colors.steps, colors.bg, 4.5],
      link: [colors.link, colors.linkBg, 4.5],
      button: [colors.buttonFg, colors.buttonBg, 4.5],
      success: [colors.success, colors.successBg, 4.5],
      danger: [colors.danger, colors.dangerBg, 4.5],
      errorText: [colors.errorText, colors.dangerBg, 4.5],
      qr: [colors.qrDark, colors.qrLight, 7],
    };
    for (const [name, [fg, bg, min]] of Object.entries(pairs)) {
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= min, `${name}: ${fg} on ${bg} is ${ratio.toFixed(2)}:1, needs ${min}:1`);
    }
    const focusRgb = await page.evaluate((c) => {
      const probe = document.createElement("i");
      probe.style.color = c;
      document.body.append(probe);
      const rgb = getComputedStyle(probe).color;
      probe.remove();
      return rgb;
    }, colors.focus);
    assert.ok(contrast(focusRgb, colors.bg) >= 3, `focus ring ${focusRgb} on ${colors.bg}`);
    await page.close();
  });
}

test("the QR is an image named with what it pays and how much; the app link is named", async () => {
  const { page } = await open("/views.html");
  await waitForViews(page);
  const svg = page.locator("#qr").getByRole("img", { name: /IDR 789,000/ });
  assert.equal(await svg.count(), 1);
  assert.match(await svg.getAttribute("aria-label"), /order102/);
  const png = page.locator("#png").getByRole("img", { name: /IDR 149,500/ });
  assert.equal(await png.count(), 1);
  assert.match(await png.getAttribute("alt"), /a11y-png/);
  const link = page.locator("#app").getByRole("link", { name: /GoPay/ });
  assert.equal(await link.count(), 1);
  assert.equal(
    await link.getAttribute("href"),
    gopay.actions.find((a) => a.name === "deeplink-redirect").url,
  );
  // The widget is a labelled region of the page.
  const region = page.locator("#qr").getByRole("region");
  assert.equal(await region.count(), 1);
  assert.ok((await region.getAttribute("aria-labelledby")).length > 0);
  await page.close();
});

test("the widget declares the language of its text (WCAG 3.1.2)", async () => {
  const { page } = await open("/views.html");
  await waitForViews(page);
  await page.waitForFunction(
    () => document.getElementById("bad-id").getAttribute("data-state") === "error",
  );
  const langs = await page.evaluate(() => {
    const widget = (id) => document.getElementById(id).shadowRoot.querySelector("[part=widget]");
    return {
      qr: widget("qr").lang,
      app: widget("app").lang,
      badId: widget("bad-id").lang,
      badIdMessage: document
        .getElementById("bad-id")
        .shadowRoot.querySelector("[part=error]")
        .closest("[lang]").lang,
    };
  });
  // The page is in English; the widgets in Indonesian say so. The error view's words are
  // the widget's own, in its language (the developer's English reason is never shown).
  assert.deepEqual(langs, { qr: "en", app: "id", badId: "id", badIdMessage: "id" });
  await page.close();
});

test("keyboard: Tab goes page -> Open GoPay -> Pay with QR -> page, with a visible focus ring", async () => {
  const { page, errors } = await open("/keyboard.html");
  await page.locator("#app a[part=open-button]").waitFor();
  const focused = () =>
    page.evaluate(() => {
      const outer = document.activeElement;
      const inner = outer?.shadowRoot?.activeElement;
      const el = inner || outer;
      const s = getComputedStyle(el);
      return {
        id: outer?.id,
        part: inner ? inner.getAttribute("part") : null,
        outline: `${s.outlineStyle} ${s.outlineWidth}`,
        outlineColor: s.outlineColor,
        visible: el.checkVisibility(),
      };
    });
  await page.focus("#before");
  const order = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press("Tab");
    order.push(await focused());
  }
  assert.deepEqual(
    order.map((f) => f.part ?? f.id),
    ["open-button", "qr-button", "after"],
  );
  for (const f of order.slice(0, 2)) {
    assert.equal(f.visible, true);
    assert.match(f.outline, /^solid (\d+)px$/);
    assert.ok(parseInt(f.outline.split(" ")[1], 10) >= 2, f.outline);
  }
  // Enter on "Pay with QR" shows the QR and leaves focus inside the widget.
  await page.keyboard.press("Shift+Tab");
  assert.equal((await focused()).part, "qr-button");
  await page.keyboard.press("Enter");
  await page.locator("#app img").waitFor();
  assert.equal(await page.locator("#app a[part=open-button]").isVisible(), false);
  const after = await focused();
  assert.equal(after.id, "app", "focus stays in the widget after switching views");
  assert.equal(after.visible, true, "focus is on something visible");
  // Focus lands on the QR view's first control: saving the linked PNG, with a visible ring.
  assert.equal(after.part, "save-button", JSON.stringify(after));
  assert.match(after.outline, /^solid (\d+)px$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("state changes reach a polite live region; countdown thresholds are announced", async () => {
  const { page, errors } = await open("/countdown.html");
  await page.locator("#w figure > svg").waitFor();
  const live = await page.evaluate(() => {
    const root = document.getElementById("w").shadowRoot;
    return {
      polite: root.querySelectorAll('[aria-live="polite"]').length,
      status: root.querySelectorAll('[role="status"]').length,
      statusText: root.querySelector('[role="status"]').textContent,
    };
  });
  assert.ok(live.polite >= 1, "an aria-live=polite region");
  assert.equal(live.status, 1, "one role=status (polite) for the payment status");
  assert.ok(live.statusText.length > 0);
  // The charge expires in 5 minutes and 2.5 seconds: the 5-minute mark is announced.
  await page.waitForFunction(
    () =>
      document
        .getElementById("w")
        .shadowRoot.querySelector('[aria-live="polite"]')
        .textContent.trim().length > 0,
    null,
    { timeout: 8000 },
  );
  const announced = await page.evaluate(
    () => document.getElementById("w").shadowRoot.querySelector('[aria-live="polite"]').textContent,
  );
  assert.match(announced, /5/);
  status.set("a11y-countdown", "settlement");
  await page.waitForFunction(
    () => document.getElementById("w").getAttribute("data-state") === "success",
    null,
    { timeout: 15_000 },
  );
  const after = await page.evaluate(
    () => document.getElementById("w").shadowRoot.querySelector('[role="status"]').textContent,
  );
  assert.notEqual(after, live.statusText, "the status region says the payment went through");
  assert.deepEqual(errors, []);
  await page.close();
});
