// Server-rendered first paint: renderToString from the packed entry (pkg/server.js) in Node,
// served under the strict CSP. The QR (or the phone's Open GoPay link) is on screen before any
// script runs; the package then takes the view over without redrawing the QR; the server's
// markup and the client's own first render are the same; hostile charges render the error view.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { HtmlValidate } from "html-validate";
import {
  ARTIFACTS,
  decodeQr,
  fixture,
  fresh,
  launch,
  ROOT,
  STRICT_CSP,
  sendHtml,
  startServer,
  statusEndpoint,
  watchErrors,
} from "./harness.mjs";

const { renderFirstPaint, renderToString } = await import("../../pkg/server.js");

const PHONE_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

let server;
let browser;
let status;
const pages = new Map();
/** Page name -> its Content-Security-Policy, when not the strict one. */
const policies = new Map();

function page(body, { script = false } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SSR test</title>
<link rel="modulepreload" href="/pkg/index.js"></head><body>${body}
${script ? '<script type="module" src="/pkg/index.js"></script>' : ""}</body></html>`;
}

before(async () => {
  status = statusEndpoint();
  server = await startServer(
    {
      "GET /status": status.route,
      "GET /ssr": (_req, res, url) =>
        sendHtml(res, pages.get(url.searchParams.get("p")), {
          "content-security-policy": policies.get(url.searchParams.get("p")) ?? STRICT_CSP,
        }),
    },
    { headers: {} },
  );
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Serves `html` as page `name` under the strict CSP and opens it; CSP violations recorded. */
async function open(name, html, { userAgent, viewport } = {}) {
  pages.set(name, html);
  const context = await browser.newContext({ userAgent, viewport, javaScriptEnabled: true });
  const p = await context.newPage();
  const errors = watchErrors(p);
  await p.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
    window.__events = [];
    for (const name of ["gopay-status", "gopay-error", "gopay-success"]) {
      window.addEventListener(name, (e) =>
        window.__events.push({ type: e.type, detail: e.detail }),
      );
    }
  });
  await p.goto(`${server.url}/ssr?p=${name}`);
  return { p, context, errors };
}

test("the QR is on screen and decodable before any script runs, under the strict CSP", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const html = renderToString({
    charge,
    locale: "en",
    statusUrl: "/status?order_id={order_id}",
    stylesheet: "/pkg/gopay-widget.css",
  });
  const { p, context, errors } = await open("first-paint", page(html));
  const svg = p.locator("gopay-widget figure[part=qr] > svg");
  await svg.waitFor();
  const shot = path.join(ARTIFACTS, "ssr-first-paint.png");
  await svg.screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  await p.locator("gopay-widget").screenshot({ path: path.join(ARTIFACTS, "ssr-widget.png") });
  assert.equal(await p.getAttribute("gopay-widget", "data-state"), "pending");
  assert.match(await p.locator("gopay-widget [part=amount]").innerText(), /IDR 789,000/);
  // Styled by the linked stylesheet: the card has the widget's own layout.
  const display = await p.evaluate(
    () =>
      getComputedStyle(document.querySelector("gopay-widget").shadowRoot.querySelector(".gw"))
        .display,
  );
  assert.equal(display, "flex");
  assert.deepEqual(await p.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the QR paints before the widget's stylesheet has loaded, and the rest waits for it", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  pages.set(
    "stalled-css",
    page(renderToString({ charge, locale: "en", stylesheet: "/stalled.css" })),
  );
  const context = await browser.newContext();
  let release;
  const released = new Promise((resolve) => {
    release = resolve;
  });
  // The stylesheet answers only when the test lets it.
  await context.route("**/stalled.css", async (route) => {
    await released;
    await route.fulfill({ path: path.join(ROOT, "pkg/gopay-widget.css") });
  });
  const p = await context.newPage();
  const errors = watchErrors(p);
  await p.goto(`${server.url}/ssr?p=stalled-css`, { waitUntil: "commit" });
  const svg = p.locator("gopay-widget figure[part=qr] > svg");
  await svg.waitFor();
  const shot = path.join(ARTIFACTS, "ssr-before-css.png");
  await svg.screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [charge.qr_string]);
  // The parser waits at the link, right after the QR: the title is not there yet.
  const parts = () =>
    p.evaluate(() => {
      const root = document.querySelector("gopay-widget").shadowRoot;
      return { title: Boolean(root.querySelector(".gw-title")), sheets: root.styleSheets.length };
    });
  assert.deepEqual(await parts(), { title: false, sheets: 0 });
  release();
  await p.locator("gopay-widget .gw-title").waitFor();
  assert.deepEqual(await parts(), { title: true, sheets: 1 });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a phone's first paint is the Open GoPay link, before any script", async () => {
  const charge = fresh(await fixture("gopay-charge-current-shape.json"));
  const html = renderToString({
    charge,
    locale: "en",
    environment: "sandbox",
    userAgent: PHONE_UA,
    stylesheet: "/pkg/gopay-widget.css",
  });
  const { p, context } = await open("phone", page(html), {
    userAgent: PHONE_UA,
    viewport: { width: 412, height: 915 },
  });
  const link = p.locator("gopay-widget [part=open-button]");
  await link.waitFor({ state: "visible" });
  assert.match(await link.getAttribute("href"), /^https:\/\/simulator\.sandbox\.midtrans\.com\//);
  assert.equal(await p.locator("gopay-widget figure[part=qr]").isVisible(), false);
  await p.screenshot({ path: path.join(ARTIFACTS, "ssr-phone.png") });
  await context.close();
});

test("the package takes the server's view over: the same QR element, then polling and events", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"), { minutes: 20 });
  charge.order_id = "ssr-takeover-1";
  const html = renderToString({
    charge,
    locale: "en",
    statusUrl: "/status?order_id={order_id}",
    stylesheet: "/pkg/gopay-widget.css",
  });
  const { p, context, errors } = await open("takeover", page(html));
  await p.locator("gopay-widget figure > svg").waitFor();
  // Mark the painted QR, then load the package as the page would.
  await p.evaluate(() => {
    const root = document.querySelector("gopay-widget").shadowRoot;
    window.__painted = root.querySelector("figure[part=qr] > svg");
    window.__painted.__mark = "painted";
  });
  const before = status.hits("ssr-takeover-1");
  const qrModuleLoads = () =>
    server.requests.filter((r) => r.path === "/pkg/gopay_widget_qr.wasm").length;
  const qrBefore = qrModuleLoads();
  await p.addScriptTag({ type: "module", url: "/pkg/index.js" });
  await p.waitForFunction(
    () => document.querySelector("gopay-widget").shadowRoot.adoptedStyleSheets.length > 0,
  );
  const same = await p.evaluate(() => {
    const root = document.querySelector("gopay-widget").shadowRoot;
    const svg = root.querySelector("figure[part=qr] > svg");
    return {
      same: svg === window.__painted && svg.__mark === "painted",
      count: root.querySelectorAll("figure > svg").length,
      link: root.querySelectorAll("link").length,
    };
  });
  assert.deepEqual(same, { same: true, count: 1, link: 0 });
  // The QR was drawn already: the QR module is never fetched.
  assert.equal(qrModuleLoads(), qrBefore, "no QR module for a taken-over QR");
  await p.waitForFunction(() => window.__events.some((e) => e.type === "gopay-status"));
  for (let i = 0; i < 50 && status.hits("ssr-takeover-1") <= before; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(status.hits("ssr-takeover-1") > before, "the widget polls the status endpoint");
  // The countdown ticks.
  const t0 = await p.locator("gopay-widget [part=countdown]").innerText();
  await p.waitForFunction(
    (t) =>
      document.querySelector("gopay-widget").shadowRoot.querySelector("[part=countdown]")
        .textContent !== t,
    t0,
  );
  // A settlement ends it as usual.
  status.set("ssr-takeover-1", "settlement");
  await p.waitForFunction(() => window.__events.some((e) => e.type === "gopay-success"));
  assert.equal(await p.getAttribute("gopay-widget", "data-state"), "success");
  assert.deepEqual(await p.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * A canonical form of a subtree: elements with sorted attributes and trimmed text, no comments.
 * A path's `d` is the set of modules it strokes: the server writes the shortest path, the
 * browser's QR module the runs in reading order.
 */
function canonical(root) {
  const out = [];
  const strokes = (d) => {
    const cells = new Set();
    let [x, y] = [0, 0];
    for (const [, c, a, b] of d.matchAll(/([Mmh])(-?\d+)(?: ?(-?\d+))?/g)) {
      if (c === "M") [x, y] = [+a, +b];
      else if (c === "m") [x, y] = [x + +a, y + +b];
      else {
        for (let i = Math.min(x, x + +a); i < Math.max(x, x + +a); i++) cells.add(`${i},${y}`);
        x += +a;
      }
    }
    return `strokes:${[...cells].sort().join(" ")}`;
  };
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) {
        const text = child.textContent.trim();
        if (text)
          out.push(`#${child.parentElement?.getAttribute("part") === "countdown" ? "T" : text}`);
      } else if (child.nodeType === 1) {
        const qr = child.localName === "path" && child.closest("figure[part=qr]");
        const attrs = [...child.attributes]
          .map((a) => `${a.name}=${qr && a.name === "d" ? strokes(a.value) : a.value}`)
          .sort()
          .join(" ");
        out.push(`<${child.localName} ${attrs}>`);
        walk(child);
        out.push(`</${child.localName}>`);
      }
    }
  };
  walk(root);
  return out.join("\n");
}

test("the server's markup and the client's own first render are the same", async () => {
  for (const [name, options] of [
    ["qris", { charge: fresh(await fixture("qris-charge-docs-shape.json")), locale: "en" }],
    [
      "gopay-phone",
      {
        charge: fresh(await fixture("gopay-charge-current-shape.json")),
        locale: "id",
        environment: "sandbox",
        // Display-only: with a status endpoint the phone view would open the app by itself.
        mode: "deeplink",
      },
    ],
    ["error", { charge: "{not json", locale: "en" }],
  ]) {
    const html = renderToString(options);
    pages.set(`compare-${name}`, page(`${html}<div id="host"></div>`));
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${server.url}/ssr?p=compare-${name}`);
    await p.evaluate(async (o) => {
      const { mount } = await import("/pkg/index.js");
      window.__handle = await mount(document.getElementById("host"), o);
    }, options);
    const [serverSide, clientSide] = await p.evaluate((canon) => {
      const fn = new Function(`return (${canon})`)();
      // The server's view as parsed from its HTML; the client's as mounted.
      const server = document.querySelector("gopay-widget").shadowRoot.querySelector("div");
      const client = document.getElementById("host").shadowRoot.querySelector("div");
      return [fn(server), fn(client)];
    }, canonical.toString());
    assert.ok(serverSide.length > 200, name);
    assert.equal(serverSide, clientSide, name);
    await context.close();
  }
});

test("the browser's first screen is the server's: the view and data-state the first event sees", async () => {
  const qris = fresh(await fixture("qris-charge-docs-shape.json"));
  const gopay = fresh(await fixture("gopay-charge-current-shape.json"));
  const statusUrl = "/status?order_id={order_id}";
  for (const [name, options, userAgent] of [
    ["qris, polling, retry", { charge: qris, locale: "en", statusUrl, retry: true }],
    [
      "gopay on a phone, no automatic opening",
      { charge: gopay, locale: "id", environment: "sandbox", statusUrl, autoOpen: false },
      PHONE_UA,
    ],
    ["error", { charge: "{not json", locale: "en", statusUrl }],
  ]) {
    const html = renderToString({ ...options, userAgent });
    pages.set(`first-${name}`, page(`${html}<div id="host"></div>`));
    const context = await browser.newContext({ userAgent });
    const p = await context.newPage();
    await p.goto(`${server.url}/ssr?p=${encodeURIComponent(`first-${name}`)}`);
    const seen = await p.evaluate(
      async ([o, canon]) => {
        const view = new Function(`return (${canon})`)();
        // Texts the server's renderer wrote side by side are one text node once parsed.
        const screen = (el) => {
          const copy = el.shadowRoot.querySelector("div").cloneNode(true);
          copy.normalize();
          return { state: el.getAttribute("data-state"), view: view(copy) };
        };
        // The server's first paint as parsed, taken out before the package could take it over.
        const painted = document.querySelector("gopay-widget");
        const server = screen(painted);
        painted.remove();
        // The browser's first screen: what the page sees when the widget first tells it.
        const host = document.getElementById("host");
        let first;
        const look = () => {
          first ??= screen(host);
        };
        host.addEventListener("gopay-status", look);
        host.addEventListener("gopay-error", look);
        const { mount } = await import("/pkg/index.js");
        window.__handle = await mount(host, o);
        return { server, first };
      },
      [options, canonical.toString()],
    );
    assert.ok(seen.server.view.length > 200, name);
    assert.ok(seen.first, `${name}: no event`);
    assert.deepEqual(seen.first, seen.server, name);
    await context.close();
  }
});

test("a hostile charge renders the error view, never markup from the charge", async () => {
  for (const charge of [
    '"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">',
    { order_id: "<img src=x onerror=window.__pwned=1>", status_code: "201" },
    { status_code: "401", status_message: "<b>nope</b><script>window.__pwned=1</script>" },
  ]) {
    const html = renderToString({ charge, locale: "en" });
    assert.ok(!/<script|<img|<b>/.test(html.replace(/data-charge="[^"]*"/, "")), html);
    const { p, context } = await open("hostile", page(html, { script: true }));
    await p.waitForFunction(() => window.__events.some((e) => e.type === "gopay-error"));
    assert.equal(await p.getAttribute("gopay-widget", "data-state"), "error");
    assert.equal(await p.evaluate(() => window.__pwned), undefined);
    assert.equal(await p.locator("gopay-widget img").count(), 0);
    await context.close();
  }
});

test("the server's HTML is valid HTML5: html-validate reports nothing on a page around it", async () => {
  const validator = new HtmlValidate({ extends: ["html-validate:standard"] });
  const qris = fresh(await fixture("qris-charge-docs-shape.json"));
  const gopay = fresh(await fixture("gopay-charge-current-shape.json"));
  const statusUrl = "/status?order_id={order_id}";
  const renders = {
    "QRIS, stylesheet linked": renderToString({
      charge: qris,
      locale: "en",
      statusUrl,
      stylesheet: "/pkg/gopay-widget.css",
    }),
    "QRIS, CSS inlined with a nonce": renderToString({
      charge: qris,
      locale: "en",
      nonce: "n0nce",
    }),
    "GoPay on a phone": renderToString({
      charge: gopay,
      locale: "id",
      environment: "sandbox",
      userAgent: PHONE_UA,
      statusUrl,
    }),
    error: renderToString({ charge: "{not json", locale: "en" }),
    "first paint in an element a framework writes": `<gopay-widget data-locale="en">${renderFirstPaint(
      { charge: qris, locale: "en" },
    )}</gopay-widget>`,
  };
  for (const [name, html] of Object.entries(renders)) {
    const report = await validator.validateString(page(html));
    const messages = report.results
      .flatMap((r) => r.messages)
      .map((m) => `${m.ruleId}: ${m.message}`);
    assert.deepEqual(messages, [], name);
  }
});

test("without a stylesheet URL the inlined styles run under a nonce-only CSP", async () => {
  const charge = fresh(await fixture("qris-charge-docs-shape.json"));
  const nonced =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'nonce-r4nd0m'";
  const styled = async (name, html) => {
    policies.set(name, nonced);
    const { p, context } = await open(name, page(html));
    await p.locator("gopay-widget figure[part=qr] > svg").waitFor();
    const seen = await p.evaluate(() => ({
      display: getComputedStyle(
        document.querySelector("gopay-widget").shadowRoot.querySelector(".gw"),
      ).display,
      violations: window.__violations.length,
    }));
    await context.close();
    return seen;
  };
  assert.deepEqual(
    await styled("nonce", renderToString({ charge, locale: "en", nonce: "r4nd0m" })),
    { display: "flex", violations: 0 },
  );
  // The policy is enforced: without the nonce the same styles are refused.
  const refused = await styled("no-nonce", renderToString({ charge, locale: "en" }));
  assert.notEqual(refused.display, "flex");
  assert.ok(refused.violations > 0);
});
