// Nuxt 4 (Vue 3.5) with server rendering: a server route renders the first paint
// (renderFirstPaint) and the page shows <GopayWidget> (gopay-widget/vue) with it, with no
// nuxt.config entry for the package (no isCustomElement). Built with `nuxt build`, started
// as the Node server it writes, driven in Chromium; vue-tsc checks the templates strictly.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { launch } from "../browser/harness.mjs";
import {
  APPS,
  assertNoConfigFor,
  assertNoServerWasm,
  checkClientNavigation,
  checkClientOnly,
  checkServerFirstPaint,
  checkSuccessHandler,
  clean,
  observe,
  startApp,
  startShopApi,
  stopAll,
  tool,
} from "./harness.mjs";

const FRAMEWORK = "Nuxt 4 (Vue 3.5)";
const APP = path.join(APPS, "nuxt-app");

let api, browser;
before(async () => {
  api = await startShopApi();
  browser = await launch();
});
after(async () => {
  await stopAll();
  await browser?.close();
  await api?.close();
});

test(`${FRAMEWORK}: builds, renders the first paint on the server, and runs the handlers`, async (t) => {
  await clean(path.join(APP, ".output"));
  await observe(FRAMEWORK, "builds", async () => {
    await assertNoConfigFor(APP, ["nuxt.config.ts"]);
    const build = await tool(APP, "nuxt", ["build"]);
    assert.ok(build.ok, build.output);
    t.diagnostic(`nuxt build: ${build.seconds.toFixed(1)} s`);
  });
  await t.test("no server wasm among the client assets", () =>
    assertNoServerWasm([path.join(APP, ".output/public")]),
  );
  const app = await startApp(APP, process.execPath, () => [".output/server/index.mjs"], {
    env: { SHOP_API: api.url },
  });
  try {
    await t.test("the QR is in the server's HTML (JavaScript off)", () =>
      observe(FRAMEWORK, "ssr", () =>
        checkServerFirstPaint(
          browser,
          `${app.origin}/checkout/nuxt-ssr`,
          api.chargeOf("nuxt-ssr"),
          "nuxt",
        ),
      ),
    );
    await t.test("client-only page", () =>
      observe(FRAMEWORK, "clientOnly", () =>
        checkClientOnly(
          browser,
          `${app.origin}/client-only/nuxt-client`,
          api.chargeOf("nuxt-client"),
          "nuxt",
        ),
      ),
    );
    await t.test("the success and failure handlers run on the hydrated page", () =>
      observe(FRAMEWORK, "success", () =>
        checkSuccessHandler(browser, (o) => `${app.origin}/checkout/${o}`, {
          order: "nuxt-paid",
          failed: "nuxt-denied",
          status: api.status,
        }),
      ),
    );
    await t.test("client navigation keeps the first paint, no dead template", () =>
      observe(FRAMEWORK, "navigation", () =>
        checkClientNavigation(
          browser,
          `${app.origin}/?order=nuxt-nav`,
          api.chargeOf("nuxt-nav"),
          "nuxt",
          api.status,
        ),
      ),
    );
  } finally {
    await app.stop();
  }
});

test(`${FRAMEWORK}: vue-tsc (strictTemplates) passes on the app and its failing cases`, () =>
  observe(FRAMEWORK, "types", async () => {
    const check = await tool(APP, "nuxt", ["typecheck"]);
    assert.ok(check.ok, check.output);
  }));
