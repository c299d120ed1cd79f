// The widget under the strict Content-Security-Policy a payment page should run with:
// every view, the element, auto-mount, mount() and page theming, with zero violations.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  answerMidtransHosts,
  escapeHtml,
  fixture,
  fresh,
  launch,
  STRICT_CSP,
  sendHtml,
  startServer,
  statusEndpoint,
  watchErrors,
} from "./harness.mjs";

const NO_WASM_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'";

let server, browser, status, qris, gopay;

const attr = (value) => escapeHtml(typeof value === "string" ? value : JSON.stringify(value));

function widgetsPage() {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP test</title>
<link rel="stylesheet" href="/csp/theme.css"></head><body>
<gopay-widget id="qr" data-locale="en" data-status-url="/status?order_id={order_id}" data-charge="${attr(qris)}"></gopay-widget>
<div id="png" data-gopay-widget data-mode="qr" data-environment="sandbox" data-locale="en" data-charge="${attr(gopay)}"></div>
<div id="app" data-gopay-widget data-mode="deeplink" data-environment="sandbox" data-locale="id"
  data-charge="${attr({ ...gopay, order_id: "csp-app-1" })}"></div>
<div id="bad" data-gopay-widget data-charge="{not json"></div>
<div id="mounted"></div>
<script type="module" src="/pkg/index.js"></script>
<script type="module" src="/csp/app.js"></script>
</body></html>`;
}

// The page's own script, a file as a strict CSP requires: it mounts one widget through mount().
const APP_JS = `import { mount } from "/pkg/index.js";
window.__events = [];
window.__callbacks = [];
for (const name of ["gopay-status", "gopay-success", "gopay-failure", "gopay-expire", "gopay-error"]) {
  document.addEventListener(name, (e) => window.__events.push({ type: e.type, target: e.target.id, detail: e.detail }));
}
const charge = JSON.parse(document.getElementById("qr").getAttribute("data-charge"));
window.__mounted = mount(document.getElementById("mounted"), {
  charge: { ...charge, order_id: "csp-mounted-1" },
  statusUrl: "/status?order_id={order_id}",
  locale: "id",
  onStatus: (d) => window.__callbacks.push(["status", d.transaction_status]),
  onSuccess: (d) => window.__callbacks.push(["success", d.order_id]),
}).then(() => true);
`;

const THEME_CSS = `gopay-widget { --gopay-accent: rgb(10, 20, 30); --gopay-radius: 3px; }
gopay-widget::part(qr) { outline: 5px solid rgb(200, 0, 100); }
#app { --gopay-accent: rgb(120, 20, 30); --gopay-accent-text: rgb(255, 255, 255); }
#app::part(open-button) { text-transform: uppercase; }
@media (prefers-color-scheme: dark) { #app { --gopay-accent: rgb(250, 200, 90); --gopay-accent-text: rgb(0, 0, 0); } }
`;

before(async () => {
  status = statusEndpoint();
  qris = fresh(await fixture("qris-charge-docs-shape.json"));
  qris.order_id = "csp-qr-1";
  gopay = fresh(await fixture("gopay-charge-current-shape.json"));
  const js = (body) => (_req, res) => {
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
    res.end(body);
  };
  server = await startServer(
    {
      "GET /status": status.route,
      "GET /csp/widgets.html": (_req, res) => sendHtml(res, widgetsPage()),
      "GET /csp/app.js": js(APP_JS),
      "GET /csp/theme.css": (_req, res) => {
        res.writeHead(200, { "content-type": "text/css" });
        res.end(THEME_CSS);
      },
      "GET /csp/no-wasm.html": (_req, res) =>
        sendHtml(
          res,
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>no wasm</title></head><body>
<gopay-widget id="w" data-charge="${attr(qris)}"></gopay-widget>
<script type="module" src="/csp/record-errors.js"></script>
<script type="module" src="/pkg/index.js"></script></body></html>`,
          { "content-security-policy": NO_WASM_CSP },
        ),
      "GET /csp/record-errors.js": js(
        `window.__errors = []; document.addEventListener("gopay-error", (e) => window.__errors.push(e.detail));`,
      ),
    },
    { headers: { "content-security-policy": STRICT_CSP } },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page that records every CSP violation from its first script on. */
async function openWatched(pathname, { colorScheme = "light" } = {}) {
  const page = await browser.newPage({ viewport: { width: 1024, height: 1600 }, colorScheme });
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(
        `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
      ),
    );
  });
  await answerMidtransHosts(page);
  await page.goto(server.url + pathname);
  return { page, errors };
}

async function waitForViews(page) {
  await page.locator("#qr figure > svg").waitFor();
  await page.locator("#png img").waitFor({ state: "attached" });
  await page.locator("#app a[part=open-button]").waitFor({ state: "attached" });
  await page.waitForFunction(
    () => document.getElementById("bad").getAttribute("data-state") === "error",
  );
  // Its status endpoint may already say settlement: the end screen has no QR.
  await page.locator("#mounted [part=widget]").waitFor({ state: "attached" });
}

test("the response carries the strict CSP header", async () => {
  const res = await fetch(`${server.url}/csp/widgets.html`);
  assert.equal(res.headers.get("content-security-policy"), STRICT_CSP);
  await res.arrayBuffer();
});

for (const colorScheme of ["light", "dark"]) {
  test(`every view works under the strict CSP with zero violations (${colorScheme})`, async () => {
    status.set("csp-mounted-1", "settlement");
    const { page, errors } = await openWatched("/csp/widgets.html", { colorScheme });
    await waitForViews(page);
    await page.waitForFunction(
      () => document.getElementById("mounted").getAttribute("data-state") === "success",
    );
    // Give late work (timers, the next poll, image decoding) a moment to misbehave.
    await page.waitForTimeout(500);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(errors, []);

    assert.equal(await page.getAttribute("#qr", "data-state"), "pending");
    assert.equal(await page.evaluate(() => window.__mounted), true);
    const evs = await page.evaluate(() => window.__events);
    assert.ok(evs.some((e) => e.type === "gopay-success" && e.target === "mounted"));
    assert.ok(evs.some((e) => e.type === "gopay-error" && e.target === "bad"));
    assert.deepEqual(await page.evaluate(() => window.__callbacks), [
      ["status", "pending"],
      ["status", "settlement"],
      ["success", "csp-mounted-1"],
    ]);

    // No inline styles anywhere: the stylesheet is adopted, and it applies.
    const styling = await page.evaluate(() => {
      const hosts = ["qr", "png", "app", "bad", "mounted"].map((id) => document.getElementById(id));
      return {
        styleAttributes:
          hosts
            .flatMap((h) => [h, ...h.shadowRoot.querySelectorAll("*")])
            .filter((e) => e.hasAttribute("style")).length +
          document.querySelectorAll("[style]").length,
        styleElements: hosts.reduce(
          (n, h) => n + h.shadowRoot.querySelectorAll("style").length,
          document.querySelectorAll("style").length,
        ),
        adopted: hosts.map((h) => h.shadowRoot.adoptedStyleSheets.length),
        sameSheet: hosts.every(
          (h) => h.shadowRoot.adoptedStyleSheets[0] === hosts[0].shadowRoot.adoptedStyleSheets[0],
        ),
        radius: getComputedStyle(hosts[0].shadowRoot.querySelector(".gw")).borderTopLeftRadius,
      };
    });
    assert.equal(styling.styleAttributes, 0);
    assert.equal(styling.styleElements, 0);
    assert.deepEqual(styling.adopted, [1, 1, 1, 1, 1]);
    assert.equal(styling.sameSheet, true, "one stylesheet shared by every widget");
    assert.equal(styling.radius, "3px", "the page's --gopay-radius reaches the shadow root");
    await page.close();
  });
}

test("theming from a page stylesheet: --gopay-* properties, ::part() names, dark mode", async () => {
  const { page, errors } = await openWatched("/csp/widgets.html");
  await waitForViews(page);
  const look = () =>
    page.evaluate(() => {
      const app = document.getElementById("app").shadowRoot.querySelector("[part=open-button]");
      const qr = document.getElementById("qr").shadowRoot.querySelector("[part=qr]");
      const widget = document.getElementById("qr").shadowRoot.querySelector("[part=widget]");
      const a = getComputedStyle(app);
      return {
        appBg: a.backgroundColor,
        appFg: a.color,
        transform: a.textTransform,
        qrOutline: getComputedStyle(qr).outline,
        widgetBg: getComputedStyle(widget).backgroundColor,
      };
    });
  const light = await look();
  assert.equal(light.appBg, "rgb(120, 20, 30)");
  assert.equal(light.appFg, "rgb(255, 255, 255)");
  assert.equal(light.transform, "uppercase");
  assert.match(light.qrOutline, /rgb\(200, 0, 100\) solid 5px/);
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await look();
  assert.equal(dark.appBg, "rgb(250, 200, 90)");
  assert.notEqual(
    dark.widgetBg,
    light.widgetBg,
    "the widget's own palette follows prefers-color-scheme",
  );
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("without 'wasm-unsafe-eval' the violation is seen and the widget reports load_failed", async () => {
  // The control for the tests above: the violation watcher does see a blocked wasm compile.
  const { page } = await openWatched("/csp/no-wasm.html");
  await page.waitForFunction(
    () => document.getElementById("w").getAttribute("data-state") === "error",
  );
  const violations = await page.evaluate(() => window.__violations);
  assert.ok(
    violations.some((v) => v.startsWith("script-src")),
    JSON.stringify(violations),
  );
  const errs = await page.evaluate(() => window.__errors);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].code, "load_failed");
  // Nothing took the element over.
  assert.equal(
    await page.evaluate(() => document.getElementById("w").hasAttribute("data-live")),
    false,
  );
  await page.close();
});
