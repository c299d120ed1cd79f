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
  checkServerRenderingApp,
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
    await checkServerRenderingApp(t, browser, {
      framework: FRAMEWORK,
      origin: app.origin,
      api,
      orders: "nuxt",
      name: "nuxt",
    });
  } finally {
    await app.stop();
  }
});

test(`${FRAMEWORK}: vue-tsc (strictTemplates) passes on the app and its failing cases`, () =>
  observe(FRAMEWORK, "types", async () => {
    const check = await tool(APP, "nuxt", ["typecheck"]);
    assert.ok(check.ok, check.output);
  }));
