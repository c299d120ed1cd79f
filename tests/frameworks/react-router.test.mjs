// React Router 7, framework mode with server rendering: a route's loader renders the first paint
// (renderFirstPaint) and the route shows <GopayWidget firstPaint=…> (gopay-widget/react); a
// client-only route takes the charge from a clientLoader. No react-router.config, and
// vite.config has only React Router's plugin. Built with `react-router build`, served with
// `react-router-serve`, driven in Chromium; `react-router typegen` and tsc check the types.
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

const FRAMEWORK = "React Router 7 (framework, SSR)";
const APP = path.join(APPS, "react-router-app");

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

test(`${FRAMEWORK}: builds, renders the first paint in a loader, and runs the handlers`, async (t) => {
  await clean(path.join(APP, "build"));
  await observe(FRAMEWORK, "builds", async () => {
    await assertNoConfigFor(APP, ["react-router.config.ts", "vite.config.ts"]);
    const build = await tool(APP, "react-router", ["build"]);
    assert.ok(build.ok, build.output);
    t.diagnostic(`react-router build: ${build.seconds.toFixed(1)} s`);
  });
  await t.test("no server wasm among the client assets", () =>
    assertNoServerWasm([path.join(APP, "build/client")]),
  );
  const app = await startApp(
    APP,
    path.join(APPS, "node_modules/.bin/react-router-serve"),
    () => ["build/server/index.js"],
    { env: { SHOP_API: api.url } },
  );
  try {
    await checkServerRenderingApp(t, browser, {
      framework: FRAMEWORK,
      origin: app.origin,
      api,
      orders: "rr",
      name: "react-router",
      clientOnly: "client-only route (clientLoader)",
    });
  } finally {
    await app.stop();
  }
});

test(`${FRAMEWORK}: react-router typegen and tsc pass on the app and its failing cases`, () =>
  observe(FRAMEWORK, "types", async () => {
    await clean(path.join(APP, ".react-router"));
    const typegen = await tool(APP, "react-router", ["typegen"]);
    assert.ok(typegen.ok, typegen.output);
    const tsc = await tool(APP, "tsc", ["--noEmit", "-p", "."]);
    assert.ok(tsc.ok, tsc.output);
  }));
