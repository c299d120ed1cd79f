// The <gopay-widget> element and [data-gopay-widget] auto-mount in headless Chromium:
// upgrade before and after the script, moves, removal, attribute changes, one wasm instance,
// events that bubble out of shadow roots, and locale changes.

import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  escapeHtml,
  fixture,
  fresh,
  launch,
  qrisFields,
  ROOT,
  sealed,
  sendHtml,
  startServer,
  statusEndpoint,
  watchErrors,
  widgetText,
} from "./harness.mjs";

const STATUS_URL = "/status?order_id={order_id}";
let server, browser, status, qris, qrisB;
let wasmDelayMs = 0;

function page(body, { script = true } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>element test</title></head>
<body>${body}${script ? '<script type="module" src="/pkg/index.js"></script>' : ""}</body></html>`;
}

before(async () => {
  status = statusEndpoint();
  qris = fresh(await fixture("qris-charge-docs-shape.json"));
  qrisB = {
    ...fresh(await fixture("qris-charge-docs-shape.json")),
    order_id: "order-B-77",
    gross_amount: "25000.00",
    qr_string: sealed(qrisFields("Toko B", "BANDUNG", "25000")),
  };
  const wasmFile = path.join(ROOT, "pkg/gopay_widget_wasm_bg.wasm");
  server = await startServer({
    "GET /status": status.route,
    "GET /before.html": (_req, res) =>
      sendHtml(
        res,
        page(`<main><gopay-widget id="w" data-locale="en" data-status-url="${STATUS_URL}"
        data-charge="${escapeHtml(JSON.stringify(qris))}"></gopay-widget></main>`),
      ),
    "GET /three.html": (_req, res) =>
      sendHtml(
        res,
        page(`<gopay-widget id="a" data-charge="${escapeHtml(JSON.stringify(qris))}"></gopay-widget>
        <gopay-widget id="b" data-charge="${escapeHtml(JSON.stringify(qrisB))}"></gopay-widget>
        <div id="c" data-gopay-widget data-charge="${escapeHtml(JSON.stringify(qris))}"></div>`),
      ),
    "GET /empty.html": (_req, res) =>
      sendHtml(res, page(`<div id="box"></div><div id="other"></div>`)),
    "GET /late.html": (_req, res) => sendHtml(res, page(`<div id="box"></div>`, { script: false })),
    // The wasm, optionally slowed down to test what happens while it loads.
    "GET /slow/gopay_widget_wasm_bg.wasm": async (_req, res) => {
      await new Promise((r) => setTimeout(r, wasmDelayMs));
      res.writeHead(200, { "content-type": "application/wasm" });
      res.end(await fs.readFile(wasmFile));
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(pathname) {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(server.url + pathname);
  return { page, errors };
}

const waitState = (page, selector, state) =>
  page.waitForFunction(
    ([s, st]) => document.querySelector(s)?.getAttribute("data-state") === st,
    [selector, state],
  );

/** Records the gopay-* events that reach `document`, as `window.__events`. */
async function recordEvents(page) {
  await page.evaluate(() => {
    window.__events = [];
    for (const name of [
      "gopay-status",
      "gopay-success",
      "gopay-failure",
      "gopay-expire",
      "gopay-error",
    ]) {
      document.addEventListener(name, (e) =>
        window.__events.push({
          type: e.type,
          detail: e.detail,
          target: e.target.id,
          composed: e.composed,
          bubbles: e.bubbles,
        }),
      );
    }
  });
}

test("an element in the page before the script loads is upgraded, mounted and polls", async () => {
  const { page, errors } = await open("/before.html");
  await page.locator("#w figure > svg").waitFor();
  await waitState(page, "#w", "pending");
  assert.equal(await page.evaluate(() => document.getElementById("w").shadowRoot.mode), "open");
  assert.equal(await page.evaluate(() => customElements.get("gopay-widget") !== undefined), true);
  assert.match(await widgetText(page, "#w"), /IDR 789,000/);
  const deadline = Date.now() + 5000;
  while (status.hits(qris.order_id) === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  assert.ok(status.hits(qris.order_id) > 0, "the widget asked the status endpoint");
  assert.deepEqual(errors, []);
  await page.close();
});

test("while the state stays, the view renders each second without rewriting the host's data-state", async () => {
  const { page, errors } = await open("/before.html");
  await page.locator("#w figure > svg").waitFor();
  await waitState(page, "#w", "pending");
  await page.waitForFunction(() => document.getElementById("w").hasAttribute("data-live"));
  // Every write of an attribute, even of the same value, is a mutation record: the page's
  // observers and the widget's styles would run each second for nothing.
  const seen = await page.evaluate(async () => {
    const host = document.getElementById("w");
    const time = () => host.shadowRoot.querySelector("[part=countdown]")?.textContent;
    const records = [];
    const observer = new MutationObserver((list) => {
      for (const r of list) records.push(r.attributeName);
    });
    observer.observe(host, { attributes: true });
    const before = time();
    await new Promise((r) => setTimeout(r, 2500));
    observer.disconnect();
    return { records, before, after: time(), state: host.getAttribute("data-state") };
  });
  assert.equal(seen.state, "pending");
  assert.notEqual(seen.after, seen.before, "the countdown moved on: the view rendered");
  assert.deepEqual(seen.records, [], "no attribute of the host was written");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an element created after the script loaded, attributes set after insertion, mounts once", async () => {
  const { page, errors } = await open("/empty.html");
  await page.waitForFunction(() => customElements.get("gopay-widget") !== undefined);
  await recordEvents(page);
  await page.evaluate((charge) => {
    const el = document.createElement("gopay-widget");
    el.id = "w";
    document.getElementById("box").append(el);
    // Set in the same task as the insertion: the widget must see them, and mount only once.
    el.setAttribute("data-locale", "en");
    el.setAttribute("data-charge", JSON.stringify(charge));
  }, qris);
  await page.locator("#w figure > svg").waitFor();
  await waitState(page, "#w", "pending");
  await page.waitForTimeout(300);
  const evs = await page.evaluate(() => window.__events);
  assert.equal(evs.filter((e) => e.type === "gopay-error").length, 0, JSON.stringify(evs));
  assert.equal(evs.filter((e) => e.type === "gopay-status").length, 1, JSON.stringify(evs));
  assert.deepEqual(errors, []);
  await page.close();
});

test("an element without data-charge waits for it; removing data-charge stops the widget", async () => {
  const { page, errors } = await open("/empty.html");
  await page.waitForFunction(() => customElements.get("gopay-widget") !== undefined);
  await recordEvents(page);
  await page.evaluate(() => {
    const el = document.createElement("gopay-widget");
    el.id = "w";
    el.setAttribute("data-locale", "en");
    document.getElementById("box").append(el);
    const div = document.createElement("div");
    div.id = "d";
    div.setAttribute("data-gopay-widget", "");
    document.getElementById("other").append(div);
  });
  await page.waitForTimeout(300);
  assert.deepEqual(
    await page.evaluate(() => window.__events),
    [],
    "no error while there is no charge yet",
  );
  assert.equal(await page.evaluate(() => document.getElementById("w").shadowRoot), null);
  assert.equal(
    await page.evaluate(() => document.getElementById("w").hasAttribute("data-state")),
    false,
  );
  await page.evaluate(
    (charge) => {
      document.getElementById("w").setAttribute("data-charge", JSON.stringify(charge));
      document.getElementById("d").setAttribute("data-charge", JSON.stringify(charge));
    },
    { ...qris, order_id: "wait-1" },
  );
  await page.locator("#w figure > svg").waitFor();
  await page.locator("#d figure > svg").waitFor();
  await waitState(page, "#w", "pending");
  await page.evaluate(() => {
    document.getElementById("w").removeAttribute("data-charge");
    document.getElementById("d").removeAttribute("data-charge");
  });
  await page.waitForFunction(() =>
    ["w", "d"].every((id) => document.getElementById(id).shadowRoot.childElementCount === 0),
  );
  assert.equal(
    await page.evaluate(() => document.getElementById("w").hasAttribute("data-state")),
    false,
  );
  assert.equal(
    (await page.evaluate(() => window.__events)).filter((e) => e.type === "gopay-error").length,
    0,
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("several widgets on one page share one wasm instance", async () => {
  const before = server.requests.length;
  const { page, errors } = await open("/three.html");
  for (const id of ["a", "b", "c"]) await page.locator(`#${id} figure > svg`).waitFor();
  const seen = server.requests.slice(before);
  assert.equal(seen.filter((r) => r.path === "/pkg/gopay_widget_wasm_bg.wasm").length, 1);
  assert.equal(seen.filter((r) => r.path === "/pkg/gopay_widget_qr.wasm").length, 1);
  assert.equal(seen.filter((r) => r.path === "/pkg/index.js").length, 1);
  assert.match(await widgetText(page, "#b"), /order-B-77/);
  assert.equal(
    await page.evaluate(
      () => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).length,
    ),
    2,
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("moving the element does not restart the payment", async () => {
  const { page, errors } = await open("/empty.html");
  await recordEvents(page);
  await page.evaluate(
    ([charge, url]) => {
      const el = document.createElement("gopay-widget");
      el.id = "w";
      el.setAttribute("data-charge", JSON.stringify(charge));
      el.setAttribute("data-status-url", url);
      document.getElementById("box").append(el);
    },
    [{ ...qris, order_id: "move-1" }, STATUS_URL],
  );
  await page.locator("#w figure > svg").waitFor();
  await waitState(page, "#w", "pending");
  // Mark the rendered DOM: a restart would replace it.
  await page.evaluate(() => {
    const root = document.getElementById("w").shadowRoot;
    root.querySelector("svg").__marked = true;
  });
  const statusEvents = (await page.evaluate(() => window.__events)).length;
  await page.evaluate(() => {
    const el = document.getElementById("w");
    document.getElementById("other").append(el);
    const wrap = document.createElement("section");
    document.body.append(wrap);
    wrap.append(el);
  });
  await page.waitForTimeout(400);
  assert.equal(
    await page.evaluate(() => document.getElementById("w").parentElement.localName),
    "section",
  );
  assert.equal(
    await page.evaluate(
      () => document.getElementById("w").shadowRoot.querySelector("svg")?.__marked,
    ),
    true,
  );
  assert.equal(await page.getAttribute("#w", "data-state"), "pending");
  assert.equal(
    (await page.evaluate(() => window.__events)).length,
    statusEvents,
    "no new gopay-status",
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("removing the element destroys it: the open request is aborted and polling stops", async () => {
  const [held, polling] = ["remove-held", "remove-polling"];
  status.hold(held);
  const { page, errors } = await open("/empty.html");
  await page.evaluate(
    ([charge, url, orders]) => {
      window.__els = orders.map((order) => {
        const el = document.createElement("gopay-widget");
        el.setAttribute("data-charge", JSON.stringify({ ...charge, order_id: order }));
        el.setAttribute("data-status-url", url);
        document.getElementById("box").append(el);
        return el;
      });
    },
    [qris, STATUS_URL, [held, polling]],
  );
  // One request hangs; the other widget polls on its cadence (two answered requests seen).
  const deadline = Date.now() + 15_000;
  while ((status.hits(held) < 1 || status.hits(polling) < 2) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status.hits(held), 1, "one status request in flight");
  assert.ok(status.hits(polling) >= 2, "the other widget polls");
  const gap = status.state.hits
    .filter((h) => h.order === polling)
    .map((h) => h.at)
    .slice(-2)
    .reduce((a, b) => b - a);
  const abortedBefore = status.state.aborted;
  await page.evaluate(() => {
    for (const el of window.__els) el.remove();
  });
  const until = Date.now() + 3000;
  while (status.state.aborted === abortedBefore && Date.now() < until)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(status.state.aborted, abortedBefore + 1, "the in-flight status request was aborted");
  const hits = [status.hits(held), status.hits(polling)];
  assert.deepEqual(
    await page.evaluate(() => window.__els.map((el) => el.shadowRoot.childElementCount)),
    [0, 0],
    "DOM gone",
  );
  assert.deepEqual(
    await page.evaluate(() => window.__els.map((el) => el.hasAttribute("data-state"))),
    [false, false],
  );
  // Twice the polling gap seen, and at least 4 s: a widget still alive would have asked again.
  await page.waitForTimeout(Math.max(4000, 2 * gap + 500));
  assert.deepEqual(
    [status.hits(held), status.hits(polling)],
    hits,
    "no status request after removal",
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("an element removed while the wasm loads is never mounted", async () => {
  const order = "never-1";
  wasmDelayMs = 600;
  const { page, errors } = await open("/late.html");
  await page.evaluate(
    async ([charge, url]) => {
      // A copy of the package (pure.js, where the wasm is located) whose wasm comes from the
      // slow route; its define() stands for the main entry's.
      const entry = await (await fetch("/pkg/pure.js")).text();
      // Each module the entry locates with new URL("…", import.meta.url), which a blob cannot.
      const located = (file) =>
        new RegExp(`new URL\\([^)]*${file.replace(".", "\\.")}[^)]*import\\.meta\\.url\\)`);
      const wasmUrl = new URL("/slow/gopay_widget_wasm_bg.wasm", location.href).href;
      const qrUrl = new URL("/pkg/gopay_widget_qr.wasm", location.href).href;
      const slowEntry = entry
        .replace(located("gopay_widget_wasm_bg.wasm"), JSON.stringify(wasmUrl))
        .replace(located("gopay_widget_qr.wasm"), JSON.stringify(qrUrl));
      if (slowEntry.includes("import.meta.url"))
        throw new Error(
          "the entry no longer locates its modules with new URL(..., import.meta.url)",
        );
      const entryUrl = URL.createObjectURL(new Blob([slowEntry], { type: "text/javascript" }));
      const kept = document.createElement("gopay-widget");
      kept.id = "kept";
      kept.setAttribute("data-charge", JSON.stringify({ ...charge, order_id: "kept-1" }));
      const gone = document.createElement("gopay-widget");
      gone.id = "gone";
      gone.setAttribute("data-charge", JSON.stringify(charge));
      gone.setAttribute("data-status-url", url);
      document.getElementById("box").append(kept, gone);
      window.__gone = gone;
      import(entryUrl).then((copy) => copy.define());
      await new Promise((r) => setTimeout(r, 100));
      gone.remove();
    },
    [{ ...qris, order_id: order }, STATUS_URL],
  );
  await page.locator("#kept figure > svg").waitFor();
  await page.waitForTimeout(300);
  wasmDelayMs = 0;
  // At most the QR drawn while the modules loaded, never the view.
  assert.equal(
    await page.evaluate(() => Boolean(window.__gone.shadowRoot?.querySelector("[part=status]"))),
    false,
    "never mounted",
  );
  assert.equal(await page.evaluate(() => window.__gone.hasAttribute("data-state")), false);
  assert.equal(status.hits(order), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a new data-charge tears the old transaction down and starts the new one", async () => {
  const first = { ...qris, order_id: "swap-A" };
  const second = { ...qrisB, order_id: "swap-B" };
  status.hold(first.order_id);
  const { page, errors } = await open("/empty.html");
  await recordEvents(page);
  await page.evaluate(
    ([charge, url]) => {
      const el = document.createElement("gopay-widget");
      el.id = "w";
      el.setAttribute("data-locale", "en");
      el.setAttribute("data-charge", JSON.stringify(charge));
      el.setAttribute("data-status-url", url);
      document.getElementById("box").append(el);
    },
    [first, STATUS_URL],
  );
  await page.locator("#w figure > svg").waitFor();
  assert.match(await widgetText(page, "#w"), /swap-A/);
  const deadline = Date.now() + 10_000;
  while (status.hits(first.order_id) === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const abortedBefore = status.state.aborted;
  status.set(second.order_id, "settlement");
  await page.evaluate(
    (charge) => document.getElementById("w").setAttribute("data-charge", JSON.stringify(charge)),
    second,
  );
  await waitState(page, "#w", "success");
  const text = await widgetText(page, "#w");
  assert.match(text, /swap-B/);
  assert.doesNotMatch(text, /swap-A/);
  assert.match(text, /IDR 25,000/);
  assert.equal(
    status.state.aborted,
    abortedBefore + 1,
    "the old transaction's request was aborted",
  );
  const hitsA = status.hits(first.order_id);
  await page.waitForTimeout(2500);
  assert.equal(status.hits(first.order_id), hitsA, "the old transaction no longer polls");
  const evs = await page.evaluate(() => window.__events);
  const success = evs.filter((e) => e.type === "gopay-success");
  assert.equal(success.length, 1);
  assert.equal(success[0].detail.order_id, "swap-B");
  assert.equal(success[0].detail.transaction_status, "settlement");
  // One widget in the element, on its end screen (the QR withdrawn).
  assert.equal(await page.locator("#w [part=result]").count(), 1, "one widget in the element");
  assert.equal(await page.locator("#w figure > svg").count(), 0, "the QR is gone after success");
  assert.deepEqual(errors, []);
  await page.close();
});

test("[data-gopay-widget] elements added later mount; removed ones are destroyed", async () => {
  const { page, errors } = await open("/empty.html");
  await page.waitForFunction(() => customElements.get("gopay-widget") !== undefined);
  await page.evaluate(
    (charge) => {
      const wrap = document.createElement("div");
      wrap.id = "wrap";
      wrap.innerHTML = `<article><div id="auto" data-gopay-widget data-locale="en"></div></article>`;
      wrap.querySelector("#auto").setAttribute("data-charge", JSON.stringify(charge));
      document.getElementById("box").append(wrap);
    },
    { ...qris, order_id: "auto-1" },
  );
  await page.locator("#auto figure > svg").waitFor();
  await waitState(page, "#auto", "pending");
  assert.match(await widgetText(page, "#auto"), /auto-1/);
  // Gaining the marker later mounts too.
  await page.evaluate(
    (charge) => {
      const el = document.createElement("div");
      el.id = "marked-later";
      el.setAttribute("data-charge", JSON.stringify(charge));
      document.getElementById("other").append(el);
      setTimeout(() => el.setAttribute("data-gopay-widget", ""), 50);
    },
    { ...qris, order_id: "auto-2" },
  );
  await page.locator("#marked-later figure > svg").waitFor();
  await page.evaluate(() => {
    window.__auto = document.getElementById("auto");
    document.getElementById("wrap").remove();
  });
  await page.waitForFunction(() => window.__auto.shadowRoot.childElementCount === 0);
  assert.equal(await page.evaluate(() => window.__auto.hasAttribute("data-state")), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("events bubble to document and cross an enclosing shadow root; mount() calls back", async () => {
  const order = "events-1";
  status.set(order, "settlement");
  const { page, errors } = await open("/empty.html");
  await recordEvents(page);
  await page.evaluate(
    async ([charge, url]) => {
      const outer = document.createElement("div");
      outer.id = "outer";
      document.getElementById("box").append(outer);
      const shadow = outer.attachShadow({ mode: "open" });
      const el = document.createElement("gopay-widget");
      el.id = "inner";
      shadow.append(el);
      window.__inner = [];
      el.addEventListener("gopay-success", (e) => window.__inner.push(e.target === el));
      el.setAttribute("data-status-url", url);
      el.setAttribute("data-charge", JSON.stringify(charge));
      const { mount } = await import("/pkg/index.js");
      const host = document.createElement("div");
      host.id = "mounted";
      shadow.append(host);
      window.__callbacks = [];
      const cb = (name) => (detail) => window.__callbacks.push({ name, detail });
      await mount(host, {
        charge: { ...charge, order_id: "events-2" },
        statusUrl: url,
        onStatus: cb("status"),
        onSuccess: cb("success"),
        onFailure: cb("failure"),
        onExpire: cb("expire"),
        onError: cb("error"),
      });
    },
    [{ ...qris, order_id: order }, STATUS_URL],
  );
  status.set("events-2", "deny");
  await page.waitForFunction(() => window.__events.some((e) => e.type === "gopay-success"));
  await page.waitForFunction(() => window.__callbacks.some((c) => c.name === "failure"));
  await page.waitForTimeout(200);
  const evs = await page.evaluate(() => window.__events);
  const success = evs.filter((e) => e.type === "gopay-success");
  assert.equal(success.length, 1);
  assert.equal(success[0].target, "outer", "retargeted to the shadow host at document level");
  assert.equal(success[0].bubbles, true);
  assert.equal(success[0].composed, true);
  assert.equal(success[0].detail.order_id, order);
  assert.equal(success[0].detail.transaction_id, qris.transaction_id);
  assert.equal(success[0].detail.transaction_status, "settlement");
  assert.ok(evs.some((e) => e.type === "gopay-status" && e.detail.order_id === order));
  assert.deepEqual(await page.evaluate(() => window.__inner), [true]);
  assert.ok(
    evs.some((e) => e.type === "gopay-failure" && e.detail.order_id === "events-2"),
    "mount()ed widget dispatches too",
  );
  const callbacks = await page.evaluate(() => window.__callbacks);
  assert.ok(callbacks.some((c) => c.name === "status"));
  const failure = callbacks.filter((c) => c.name === "failure");
  assert.equal(failure.length, 1);
  assert.equal(failure[0].detail.transaction_status, "deny");
  assert.equal(failure[0].detail.order_id, "events-2");
  assert.equal(callbacks.filter((c) => c.name === "success" || c.name === "error").length, 0);
  assert.equal(await page.getAttribute("#inner", "data-state"), "success");
  assert.equal(await page.getAttribute("#mounted", "data-state"), "failure");
  assert.deepEqual(errors, []);
  await page.close();
});

test("changing data-locale re-renders in the other language", async () => {
  const { page, errors } = await open("/empty.html");
  await page.evaluate(
    (charge) => {
      const el = document.createElement("gopay-widget");
      el.id = "w";
      el.setAttribute("data-locale", "id");
      el.setAttribute("data-charge", JSON.stringify(charge));
      document.getElementById("box").append(el);
      const div = document.createElement("div");
      div.id = "d";
      div.setAttribute("data-gopay-widget", "");
      div.setAttribute("data-locale", "en");
      div.setAttribute("data-charge", JSON.stringify(charge));
      document.getElementById("other").append(div);
    },
    { ...qris, order_id: "locale-1" },
  );
  await page.locator("#w figure > svg").waitFor();
  await page.locator("#d figure > svg").waitFor();
  const idText = await widgetText(page, "#w");
  assert.match(idText, /Rp789\.000/);
  const enLabel = await page.locator("#d figure > svg").getAttribute("aria-label");
  await page.evaluate(() => document.getElementById("w").setAttribute("data-locale", "en"));
  await page.waitForFunction(() =>
    /IDR 789,000/.test(document.getElementById("w").shadowRoot.textContent),
  );
  const enText = await widgetText(page, "#w");
  assert.doesNotMatch(enText, /Rp789\.000/);
  assert.notEqual(enText, idText);
  assert.equal(await page.locator("#w figure > svg").getAttribute("aria-label"), enLabel);
  // The auto-mounted element follows its attribute too.
  await page.evaluate(() => document.getElementById("d").setAttribute("data-locale", "id"));
  await page.waitForFunction(() =>
    /Rp789\.000/.test(document.getElementById("d").shadowRoot.textContent),
  );
  assert.match(await widgetText(page, "#d"), /Rp789\.000/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("id and en are complete: no visible text or label of one appears in the other", async () => {
  const gopay = fresh(await fixture("gopay-charge-current-shape.json"));
  const { page, errors } = await open("/empty.html");
  await page.route("https://api.sandbox.midtrans.com/**", (route) =>
    route.fulfill({ status: 204 }),
  );
  await page.evaluate(
    ([charge, qrCharge]) => {
      for (const locale of ["id", "en"]) {
        // Every piece of both views: the app button part and the QR part with its buttons.
        for (const [name, c] of [
          ["g", charge],
          ["q", qrCharge],
        ]) {
          const el = document.createElement("gopay-widget");
          el.id = `${name}-${locale}`;
          el.setAttribute("data-locale", locale);
          el.setAttribute("data-mode", "qr");
          el.setAttribute("data-environment", "sandbox");
          el.setAttribute("data-charge", JSON.stringify(c));
          document.getElementById("box").append(el);
        }
      }
    },
    [gopay, qris],
  );
  for (const id of ["g-id", "g-en", "q-id", "q-en"]) await waitState(page, `#${id}`, "pending");
  const pieces = (id) =>
    page.evaluate((id) => {
      const root = document.getElementById(id).shadowRoot;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      const out = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode())
        if (n.data.trim()) out.push(n.data.trim());
      for (const el of root.querySelectorAll("[aria-label], [alt]"))
        out.push(el.getAttribute("aria-label") ?? el.getAttribute("alt"));
      return out;
    }, id);
  // Values, not words: the order ids, and what the QRIS code says of its merchant (its name,
  // city and NMID are the same in either language, and so is the "NMID" label).
  const values = new Set([
    gopay.order_id,
    qris.order_id,
    "Test",
    "BANDUNG",
    "NMID:",
    "AID060733612866",
  ]);
  const isValue = (t) => values.has(t) || /^[\d:]+$/.test(t);
  for (const name of ["g", "q"]) {
    const id = (await pieces(`${name}-id`)).filter((t) => !isValue(t));
    const en = (await pieces(`${name}-en`)).filter((t) => !isValue(t));
    assert.ok(id.length >= 10, `${name}: ${id.length} texts`);
    assert.equal(id.length, en.length, "the same pieces in both languages");
    const shared = id.filter((t) => en.includes(t));
    assert.deepEqual(shared, [], `${name}: untranslated`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
