// The element as frameworks use it, in headless Chromium: server HTML inserted with innerHTML
// (client-side navigation in Next.js, Nuxt and SvelteKit) leaves its declarative shadow root
// as a dead <template>, which the package turns into the painted view it takes over; the
// host's data-live; data-auto-open="false" on a phone; a sandbox charge shown without
// data-environment; and an error view that speaks to the shopper only.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
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

const { renderToString } = await import("../../pkg/server.js");

const STATUS_URL = "/status?order_id={order_id}";
const PHONE = {
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP = { viewport: { width: 1024, height: 900 } };

let server, browser, status, qris, gopay;
/** key -> HTML of the page `/page?k=<key>`. */
const pages = new Map();

function html(body, { lang = "en", script = false } = {}) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>element test</title></head>
<body>${body}${script ? '<script type="module" src="/pkg/index.js"></script>' : ""}</body></html>`;
}

before(async () => {
  status = statusEndpoint();
  qris = await fixture("qris-charge-docs-shape.json");
  gopay = await fixture("gopay-charge-current-shape.json");
  server = await startServer({
    "GET /status": status.route,
    // A status endpoint misconfigured to answer for another order.
    "GET /status-other": (_req, res) =>
      res
        .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify({ order_id: "someone-else", transaction_status: "pending" })),
    "GET /page": (_req, res, url) => sendHtml(res, pages.get(url.searchParams.get("k"))),
    // Stands in for the GoPay app the deeplink opens.
    "GET /app": (_req, res) => sendHtml(res, "<!doctype html><title>GoPay</title><p>GoPay app"),
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A new context and page at `pathname`, recording errors and every console message. */
async function open(pathname, device = DESKTOP) {
  const context = await browser.newContext(device);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const consoled = [];
  page.on("console", (m) => consoled.push({ type: m.type(), text: m.text() }));
  await answerMidtransHosts(page);
  await page.goto(server.url + pathname);
  return { context, page, errors, consoled };
}

const live = (page, selector = "gopay-widget") =>
  page.waitForFunction((s) => document.querySelector(s)?.hasAttribute("data-live"), selector);

/** The painted QR taken over: what the light DOM and the shadow root hold now. */
const takenOver = (page) =>
  page.evaluate(() => {
    const el = document.querySelector("gopay-widget");
    const svgs = el.shadowRoot?.querySelectorAll("figure[part=qr] > svg") ?? [];
    return {
      templates: el.querySelectorAll("template").length,
      lightChildren: el.children.length,
      shadowRoot: Boolean(el.shadowRoot),
      svgs: svgs.length,
      same: svgs[0] === window.__painted && svgs[0]?.__mark === "painted",
      live: el.getAttribute("data-live"),
    };
  });

async function decodesTo(page, file, payload) {
  const shot = path.join(ARTIFACTS, file);
  await page.locator("gopay-widget figure[part=qr] > svg").screenshot({ path: shot });
  assert.deepEqual(decodeQr(shot), [payload]);
}

/** No console error at all, and nothing logged as an error about declarative Shadow DOM. */
function assertNoDsdError(errors, consoled) {
  assert.deepEqual(errors, []);
  const dsd = consoled.filter((m) => /declarative Shadow DOM|shadowrootmode/i.test(m.text));
  assert.deepEqual(
    dsd.filter((m) => m.type === "error"),
    [],
  );
}

describe("server HTML inserted by a script", { concurrency: true }, () => {
  test("innerHTML into a page that has loaded the package: the dead <template> becomes the view taken over", async () => {
    const charge = fresh(qris, { minutes: 20 });
    charge.order_id = "fw-inner-1";
    const widget = renderToString({
      charge,
      locale: "en",
      statusUrl: STATUS_URL,
      stylesheet: "/pkg/gopay-widget.css",
    });
    const { context, page, errors, consoled } = await open("/");
    await page.addScriptTag({ type: "module", url: "/pkg/index.js" });
    await page.waitForFunction(() => customElements.get("gopay-widget") !== undefined);
    const before = status.hits("fw-inner-1");
    // As a client router inserts the server's HTML; the painted QR is marked before the
    // package (already defined, the element upgrades at once) gets to it.
    const inserted = await page.evaluate((markup) => {
      const main = document.createElement("main");
      document.body.append(main);
      main.innerHTML = markup;
      const el = main.querySelector("gopay-widget");
      const template = el.querySelector(":scope > template[shadowrootmode=open]");
      window.__painted = template?.content.querySelector("figure[part=qr] > svg");
      if (window.__painted) window.__painted.__mark = "painted";
      return {
        template: Boolean(template),
        shadowRoot: Boolean(el.shadowRoot),
        painted: Boolean(window.__painted),
      };
    }, widget);
    // Chromium did not parse it as a shadow root: that is what the package meets.
    assert.deepEqual(inserted, { template: true, shadowRoot: false, painted: true });
    await live(page);
    assert.deepEqual(await takenOver(page), {
      templates: 0,
      lightChildren: 0,
      shadowRoot: true,
      svgs: 1,
      same: true,
      live: "",
    });
    assert.equal(await page.getAttribute("gopay-widget", "data-state"), "pending");
    await decodesTo(page, "frameworks-innerhtml-qr.png", charge.qr_string);
    // The session runs: it polls, and the countdown ticks in the view it took over.
    for (let i = 0; i < 50 && status.hits("fw-inner-1") <= before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(status.hits("fw-inner-1") > before, "polls the status endpoint");
    assert.match(await page.locator("gopay-widget [part=countdown]").innerText(), /^\d+:\d\d$/);
    assertNoDsdError(errors, consoled);
    await context.close();
  });

  test("an element made with createElement and innerHTML before the package loads is taken over the same way", async () => {
    const charge = fresh(qris, { minutes: 20 });
    charge.order_id = "fw-inner-2";
    const widget = renderToString({ charge, locale: "id", statusUrl: STATUS_URL });
    const template = widget.match(/<template shadowrootmode="open">[\s\S]*<\/template>/)[0];
    const { context, page, errors, consoled } = await open("/");
    const before = await page.evaluate(
      ([markup, chargeJson, statusUrl]) => {
        const el = document.createElement("gopay-widget");
        el.setAttribute("data-charge", chargeJson);
        el.setAttribute("data-status-url", statusUrl);
        el.setAttribute("data-locale", "id");
        el.innerHTML = markup;
        document.body.append(el);
        window.__painted = el.querySelector("template").content.querySelector("svg");
        window.__painted.__mark = "painted";
        return {
          shadowRoot: Boolean(el.shadowRoot),
          defined: Boolean(customElements.get("gopay-widget")),
        };
      },
      [template, JSON.stringify(charge), STATUS_URL],
    );
    assert.deepEqual(before, { shadowRoot: false, defined: false });
    await page.addScriptTag({ type: "module", url: "/pkg/index.js" });
    await live(page);
    assert.deepEqual(await takenOver(page), {
      templates: 0,
      lightChildren: 0,
      shadowRoot: true,
      svgs: 1,
      same: true,
      live: "",
    });
    assert.match(await page.locator("gopay-widget [part=amount]").innerText(), /Rp789\.000/);
    await decodesTo(page, "frameworks-created-qr.png", charge.qr_string);
    assertNoDsdError(errors, consoled);
    await context.close();
  });
});

describe("data-live", { concurrency: true }, () => {
  test("a server paint has data-state and no data-live; the package sets it; removal clears it", async () => {
    const charge = fresh(qris, { minutes: 20 });
    charge.order_id = "fw-live-1";
    pages.set("live", html(renderToString({ charge, locale: "en", statusUrl: STATUS_URL })));
    const { context, page, errors } = await open("/page?k=live");
    const attrs = () =>
      page.evaluate(() => {
        const el = document.querySelector("gopay-widget");
        return { state: el.getAttribute("data-state"), live: el.getAttribute("data-live") };
      });
    // Painted, but nothing runs it yet.
    assert.deepEqual(await attrs(), { state: "pending", live: null });
    await page.addScriptTag({ type: "module", url: "/pkg/index.js" });
    await live(page);
    assert.deepEqual(await attrs(), { state: "pending", live: "" });
    // Removed from the page: destroyed, and no longer live.
    const after = await page.evaluate(async () => {
      const el = document.querySelector("gopay-widget");
      el.remove();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { state: el.getAttribute("data-state"), live: el.hasAttribute("data-live") };
    });
    assert.deepEqual(after, { state: null, live: false });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("mount() sets data-live, for the error view too; destroy() removes it", async () => {
    const { context, page, errors } = await open("/");
    const seen = await page.evaluate(async (charge) => {
      const { mount } = await import("/pkg/index.js");
      const host = document.createElement("div");
      document.body.append(host);
      const states = [];
      // What a listener of the first event already sees.
      host.addEventListener("gopay-status", () => states.push(host.hasAttribute("data-live")));
      host.addEventListener("gopay-error", () => states.push(host.hasAttribute("data-live")));
      const handle = await mount(host, {
        charge,
        locale: "en",
        statusUrl: "/status?order_id={order_id}",
      });
      const mounted = host.getAttribute("data-live");
      handle.destroy();
      const destroyed = host.hasAttribute("data-live");
      const bad = await mount(host, { charge: "{not json", locale: "en" });
      const failed = [host.getAttribute("data-state"), host.getAttribute("data-live")];
      bad.destroy();
      return { mounted, destroyed, failed, gone: host.hasAttribute("data-live"), states };
    }, fresh(qris));
    assert.deepEqual(seen, {
      mounted: "",
      destroyed: false,
      failed: ["error", ""],
      gone: false,
      states: [true, true],
    });
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe("data-auto-open on a phone", { concurrency: true }, () => {
  /** A phone's payment page for a GoPay charge whose deeplink is this server's /app. */
  function phonePage(key, attributes) {
    const charge = fresh(gopay, { minutes: 20 });
    charge.order_id = `fw-auto-${key}`;
    const deeplink = `${server.url}/app?order_id=${charge.order_id}`;
    charge.actions = [
      ...charge.actions.filter((a) => a.name !== "deeplink-redirect"),
      { name: "deeplink-redirect", method: "GET", url: deeplink },
    ];
    pages.set(
      key,
      html(
        `<gopay-widget data-charge="${escapeHtml(JSON.stringify(charge))}" data-status-url="${STATUS_URL}"
          data-locale="en" data-environment="sandbox" ${attributes}></gopay-widget>`,
        { script: true },
      ),
    );
    return { deeplink, order: charge.order_id, charge };
  }
  const appHits = (order) =>
    server.requests.filter((r) => r.path === "/app" && r.search.includes(order)).length;

  test('data-auto-open="false": nothing navigates, the Open GoPay link is shown', async () => {
    const { deeplink, order } = phonePage("off", 'data-auto-open="false"');
    const { context, page, errors } = await open("/page?k=off", PHONE);
    await live(page);
    await page.waitForFunction(() => document.readyState === "complete");
    // The automatic opening would go a task after the load: give it well over that.
    await page.waitForTimeout(2_500);
    assert.equal(new URL(page.url()).pathname, "/page");
    assert.equal(appHits(order), 0);
    const link = page.locator("gopay-widget [part=open-button]");
    assert.equal(await link.isVisible(), true);
    assert.equal(await link.getAttribute("href"), deeplink);
    assert.equal(await page.getAttribute("gopay-widget", "data-state"), "pending");
    // The button still opens the app.
    await link.click();
    await page.waitForURL((u) => u.pathname === "/app");
    assert.equal(appHits(order), 1);
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const [key, attributes] of [
    ["absent", ""],
    ["true", 'data-auto-open="true"'],
    ["other", 'data-auto-open="no"'],
  ]) {
    test(`data-auto-open ${key}: the app opens by itself once, as before`, async () => {
      const { order } = phonePage(key, attributes);
      const { context, page } = await open(`/page?k=${key}`, PHONE);
      await page.waitForURL((u) => u.pathname === "/app", { timeout: 10_000 });
      assert.equal(appHits(order), 1);
      await context.close();
    });
  }

  test("mount() with autoOpen: false does not open the app either", async () => {
    const { order, charge } = phonePage("mount-off", "");
    const { context, page, errors } = await open("/", PHONE);
    await page.evaluate(async (charge) => {
      const { mount } = await import("/pkg/index.js");
      const host = document.createElement("div");
      document.body.append(host);
      await mount(host, {
        charge,
        statusUrl: "/status?order_id={order_id}",
        environment: "sandbox",
        autoOpen: false,
      });
    }, charge);
    await page.waitForTimeout(2_500);
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(appHits(order), 0);
    assert.equal(await page.locator("[part=open-button]").isVisible(), true);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

/** The view's visible text and `lang`, and the error events, for a widget mounted with `options`. */
async function errorView(page, options) {
  return page.evaluate(async (options) => {
    const { mount } = await import("/pkg/index.js");
    const host = document.createElement("div");
    document.body.append(host);
    const errors = [];
    host.addEventListener("gopay-error", (e) => errors.push(e.detail));
    const handle = await mount(host, options);
    const end = Date.now() + 10_000;
    while (host.getAttribute("data-state") !== "error" && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const widget = host.shadowRoot.querySelector("[part=widget]");
    const result = {
      state: host.getAttribute("data-state"),
      text: widget.innerText,
      lang: widget.lang,
      langs: [...host.shadowRoot.querySelectorAll("[lang]")].map((el) => el.lang),
      errors,
    };
    handle.destroy();
    host.remove();
    return result;
  }, options);
}

/** Four-word runs of `message` that `text` shows. */
const sharedPhrases = (message, text) => {
  const words = message.split(/\s+/);
  const runs = [];
  for (let i = 0; i + 4 <= words.length; i++) runs.push(words.slice(i, i + 4).join(" "));
  return runs.filter((run) => text.includes(run));
};

const SHOPPER = {
  id: ["Pembayaran ini tidak bisa ditampilkan", "hubungi toko"],
  en: ["This payment cannot be shown", "contact the merchant"],
};

describe("environment and the error view", { concurrency: true }, () => {
  test("a sandbox GoPay charge without data-environment is shown; with production it is refused, the fix named for the developer only", async () => {
    const charge = fresh(gopay, { minutes: 20 });
    // Unset: the charge's URLs are all on Midtrans' sandbox hosts, so it is shown.
    pages.set(
      "env-unset",
      html(
        `<gopay-widget id="w" data-charge="${escapeHtml(JSON.stringify(charge))}"></gopay-widget>`,
        { lang: "id", script: true },
      ),
    );
    for (const device of [DESKTOP, PHONE]) {
      const { context, page, errors, consoled } = await open("/page?k=env-unset", device);
      await live(page);
      assert.equal(await page.getAttribute("#w", "data-state"), "pending");
      if (device === PHONE) {
        assert.match(
          await page.locator("#w [part=open-button]").getAttribute("href"),
          /^https:\/\/simulator\.sandbox\.midtrans\.com\//,
        );
      } else {
        assert.match(
          await page.locator("#w figure[part=qr] img").getAttribute("src"),
          /^https:\/\/api\.sandbox\.midtrans\.com\/v2\/qris\/7f1c1d2e/,
        );
      }
      assert.deepEqual(
        consoled.filter((m) => m.type === "warning"),
        [],
      );
      assert.deepEqual(errors, []);
      await context.close();
    }
    // Named production: refused, url_not_allowed; the message and one console.warn name
    // the fix; the shopper reads Indonesian words only.
    const { context, page, errors, consoled } = await open("/", PHONE);
    await page.evaluate(() => document.documentElement.setAttribute("lang", "id"));
    const view = await errorView(page, { charge, environment: "production" });
    assert.equal(view.state, "error");
    assert.deepEqual(
      view.errors.map((e) => e.code),
      ["url_not_allowed"],
    );
    const { message } = view.errors[0];
    assert.match(message, /data-environment="sandbox"/);
    assert.match(message, /environment: "sandbox"/);
    const warnings = consoled.filter((m) => m.type === "warning");
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.ok(warnings[0].text.includes(message), warnings[0].text);
    assert.equal(view.lang, "id");
    assert.deepEqual(view.langs, ["id"]);
    for (const words of SHOPPER.id) assert.ok(view.text.includes(words), view.text);
    assert.deepEqual(sharedPhrases(message, view.text), []);
    assert.doesNotMatch(view.text, /data-environment|sandbox|not allowed/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("every error the charge or the status endpoint can stop the widget with shows shopper words only, in id and en", async () => {
    const good = fresh(qris, { minutes: 20 });
    const qrisCharge = (qr_string) => ({ ...good, qr_string, actions: [] });
    const fields = (amount, extra = []) =>
      qrisFields("Test", "BANDUNG", amount).flatMap((f) => (f[0] === "54" ? [f, ...extra] : [f]));
    const payload = sealed(fields("789000"));
    const { qr_string: _, ...noQr } = good;
    const cases = [
      ["invalid_json", { charge: "{not json" }],
      ["duplicate_key", { charge: '{"a":1,"a":2}' }],
      ["input_too_large", { charge: " ".repeat(70 * 1024) }],
      ["missing_charge", {}],
      ["not_an_object", { charge: "[1,2,3]" }],
      ["missing_field", { charge: { ...good, order_id: undefined } }],
      ["wrong_type", { charge: { ...good, order_id: 12345 } }],
      ["invalid_field", { charge: { ...good, transaction_status: "pa id" } }],
      ["invalid_amount", { charge: { ...good, gross_amount: "0" } }],
      ["invalid_time", { charge: { ...good, expiry_time: good.transaction_time } }],
      ["unsupported_payment_type", { charge: { ...good, payment_type: "credit_card" } }],
      ["unsupported_currency", { charge: { ...good, currency: "USD" } }],
      ["no_payment_method", { charge: { ...noQr, actions: [] } }],
      [
        "url_not_allowed",
        {
          charge: {
            ...fresh(gopay),
            actions: [{ name: "deeplink-redirect", method: "GET", url: "javascript:alert(1)" }],
          },
        },
      ],
      ["url_not_allowed", { charge: fresh(gopay), environment: "production" }],
      ["charge_not_pending", { charge: { ...good, transaction_status: "settlement" } }],
      ["midtrans_error", { charge: await fixture("charge-error-401.json") }],
      ["qris_malformed", { charge: qrisCharge(payload.slice(0, 40) + payload.slice(-8)) }],
      [
        "qris_crc_mismatch",
        { charge: qrisCharge(payload.slice(0, -1) + (payload.at(-1) === "0" ? "1" : "0")) },
      ],
      [
        "qris_not_payment",
        {
          charge: qrisCharge(
            sealed([
              ["00", "01"],
              ["01", "12"],
              ["59", "X"],
              ["60", "Y"],
            ]),
          ),
        },
      ],
      ["qris_invalid_field", { charge: qrisCharge(sealed(fields("12.50"))) }],
      ["qris_tip_or_fee", { charge: qrisCharge(sealed(fields("789000", [["55", "01"]]))) }],
      ["qris_amount_mismatch", { charge: qrisCharge(sealed(fields("1000"))) }],
      // The status endpoint answers for another order: the payment view's own error state.
      ["order_mismatch", { charge: good, statusUrl: "/status-other?order_id={order_id}" }],
    ];
    const { context, page, errors } = await open("/");
    for (const locale of ["id", "en"]) {
      for (const [code, options] of cases) {
        // A transaction the widget stopped is remembered for the tab: one order per locale.
        const charge =
          code === "order_mismatch"
            ? { ...options.charge, order_id: `fw-mismatch-${locale}` }
            : options.charge;
        const view = await errorView(page, { ...options, charge, locale });
        assert.equal(view.state, "error", code);
        assert.deepEqual(
          view.errors.map((e) => e.code),
          [code],
        );
        const { message } = view.errors[0];
        assert.ok(message.length > 0, code);
        assert.ok(!view.text.includes(message), `${code} (${locale}) shows ${message}`);
        assert.deepEqual(sharedPhrases(message, view.text), [], `${code} (${locale})`);
        assert.ok(!view.text.includes(code), `${code} (${locale})`);
        assert.equal(view.lang, locale, code);
        assert.deepEqual(
          view.langs.filter((l) => l !== locale),
          [],
          `${code}: only ${locale} text`,
        );
        const [status] = SHOPPER[locale];
        if (code !== "order_mismatch")
          assert.ok(view.text.includes(status), `${code}: ${view.text}`);
      }
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
});
