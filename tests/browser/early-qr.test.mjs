// The QR before the widget's module: for a client-rendered widget, the package's script draws
// the charge's QR with the small QR module while the widget's module still loads, and the view
// takes that very drawing over. Here the widget's module is held back (a route that answers only
// when told), so what shows before it is seen on its own.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  ARTIFACTS,
  answerMidtransHosts,
  decodeQr,
  escapeHtml,
  fixture,
  fresh,
  launch,
  qrisFields,
  sealed,
  sendHtml,
  startServer,
  statusEndpoint,
  watchErrors,
} from "./harness.mjs";

const STATUS_URL = "/status?order_id={order_id}";
let server, browser, status;
const pages = new Map();

before(async () => {
  status = statusEndpoint();
  server = await startServer({
    "GET /status": status.route,
    "GET /page": (req, res) =>
      sendHtml(res, pages.get(new URL(req.url, "http://x").searchParams.get("p"))),
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page with one `<gopay-widget>` of `charge` (and `attributes`) and the package's entry. */
function widgetPage(name, charge, attributes = "") {
  pages.set(
    name,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>early QR</title></head>
<body><main><gopay-widget id="w" data-locale="en" data-status-url="${STATUS_URL}"${attributes}
data-charge="${escapeHtml(JSON.stringify(charge))}"></gopay-widget><p id="below">Below the widget</p></main>
<script type="module" src="/pkg/index.js"></script></body></html>`,
  );
  return `/page?p=${name}`;
}

/**
 * Opens `url` with the widget's module held back until `release()`; `qrLoaded` resolves once
 * the QR module has arrived.
 */
async function openHeld(url) {
  const page = await browser.newPage({ viewport: { width: 412, height: 915 } });
  const errors = watchErrors(page);
  // Midtrans' QR image (shown for an altered payload) and app links, answered here.
  await answerMidtransHosts(page);
  let release;
  const released = new Promise((resolve) => {
    release = resolve;
  });
  await page.route("**/gopay_widget_wasm_bg.wasm", async (route) => {
    await released;
    await route.continue();
  });
  const qrLoaded = page.waitForResponse((r) => r.url().endsWith("/gopay_widget_qr.wasm"));
  await page.goto(server.url + url);
  return { page, errors, release, qrLoaded };
}

const qrBox = (page) =>
  page.evaluate(() => {
    const svg = document.querySelector("#w").shadowRoot?.querySelector("figure[part=qr] > svg");
    if (!svg) return null;
    const { x, y, width, height } = svg.getBoundingClientRect();
    return { x, y, width, height };
  });

test("the QR shows before the widget's module, scans, and the view takes that very QR over", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  charge.order_id = "early-1";
  const { page, errors, release } = await openHeld(widgetPage("early-1", charge));
  await page.locator("#w figure[part=qr] > svg path").waitFor();
  // The widget's module is not there: nothing mounted, nobody asked for the status.
  assert.equal(await page.getAttribute("#w", "data-state"), null);
  assert.equal(status.hits("early-1"), 0);
  const early = await qrBox(page);
  const shot = path.join(ARTIFACTS, "qr-early.png");
  await page.locator("#w figure[part=qr] > svg").screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  await page.evaluate(() => {
    document.querySelector("#w").shadowRoot.querySelector("svg").__mark = "early";
  });

  release();
  await page.waitForFunction(
    () => document.querySelector("#w").getAttribute("data-state") === "pending",
  );
  const taken = await page.evaluate(() => {
    const root = document.querySelector("#w").shadowRoot;
    const svg = root.querySelector("figure[part=qr] > svg");
    return {
      same: svg.__mark === "early",
      drawn: root.querySelectorAll("figure[part=qr] > svg").length,
      label: svg.getAttribute("aria-label"),
      caption: Boolean(svg.parentElement.querySelector("figcaption")),
    };
  });
  assert.equal(taken.same, true, "the view keeps the early <svg>");
  assert.equal(taken.drawn, 1, "one QR drawn, not two");
  assert.match(taken.label, /IDR 789,000/);
  assert.match(taken.label, /early-1/);
  assert.equal(taken.caption, true);
  // Where the early QR was drawn is where the view shows it: nothing moves.
  const shown = await qrBox(page);
  for (const k of ["x", "y", "width", "height"]) {
    assert.ok(Math.abs(shown[k] - early[k]) < 0.5, `${k}: ${early[k]} then ${shown[k]}`);
  }
  await page.waitForFunction(() => document.querySelector("#w").hasAttribute("data-live"));
  for (let i = 0; i < 50 && status.hits("early-1") === 0; i++) await page.waitForTimeout(100);
  assert.ok(status.hits("early-1") > 0, "the view polls");
  assert.deepEqual(errors, []);
  await page.close();
});

test("no early QR for a charge its checks refuse: the view decides, and shows the error", async () => {
  const base = fresh(await fixture("qris-charge-docs-shape.json"));
  const cut = base.qr_string.slice(0, -1);
  const cases = [
    // Midtrans' image of the transaction is shown instead.
    ["altered", { ...base, qr_string: `${cut}${cut.endsWith("0") ? "1" : "0"}` }, null],
    [
      "other-amount",
      { ...base, qr_string: sealed(qrisFields("Toko Lain", "BANDUNG", "1000")) },
      "error",
    ],
    [
      "tip",
      { ...base, qr_string: sealed([...qrisFields("Toko", "JAKARTA"), ["55", "01"]]) },
      "error",
    ],
    ["settled", { ...base, transaction_status: "settlement" }, null],
  ];
  for (const [name, charge, end] of cases) {
    charge.order_id = `refused-${name}`;
    const { page, errors, release, qrLoaded } = await openHeld(widgetPage(name, charge));
    await qrLoaded;
    await page.waitForTimeout(300);
    assert.equal(
      await page.evaluate(() => document.querySelector("#w").shadowRoot),
      null,
      `${name}: nothing drawn before the widget's module`,
    );
    release();
    if (end) {
      await page.waitForFunction(
        (s) => document.querySelector("#w").getAttribute("data-state") === s,
        end,
      );
    } else {
      await page.waitForFunction(() => document.querySelector("#w").hasAttribute("data-state"));
    }
    assert.deepEqual(errors, [], name);
    await page.close();
  }
});

test("a GoPay charge's QR is drawn early only in the QR mode: elsewhere a phone shows the app first", async () => {
  const gopay = fresh(await fixture("gopay-charge-current-shape.json"));
  for (const [name, attributes, early] of [
    ["gopay-auto", ' data-environment="sandbox"', false],
    ["gopay-qr", ' data-environment="sandbox" data-mode="qr"', true],
  ]) {
    // With a QRIS payload of its amount, as Midtrans' newer GoPay charges carry.
    const charge = {
      ...gopay,
      order_id: name,
      qr_string: sealed(qrisFields("Toko", "JAKARTA", "149500")),
    };
    const { page, errors, release, qrLoaded } = await openHeld(
      widgetPage(name, charge, attributes),
    );
    await qrLoaded;
    if (early) await page.locator("#w figure[part=qr] > svg path").waitFor();
    else await page.waitForTimeout(300);
    assert.equal(
      await page.evaluate(() => Boolean(document.querySelector("#w").shadowRoot)),
      early,
      name,
    );
    release();
    await page.waitForFunction(() => document.querySelector("#w").hasAttribute("data-state"));
    assert.deepEqual(errors, [], name);
    await page.close();
  }
});
