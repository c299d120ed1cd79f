// Vite + React, client only: the app fetches the charge from the shop's backend and shows
// <GopayWidget> (gopay-widget/react); vite.config has only React's plugin. Built with
// `vite build`, served with `vite preview`, driven in Chromium: with React 19 (vite-react) and
// the same code with React 18 (vite-react18, which points react at its own React 18).
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { launch } from "../browser/harness.mjs";
import {
  APPS,
  assertNoConfigFor,
  assertNoServerWasm,
  checkClientOnly,
  checkSuccessHandler,
  clean,
  observe,
  record,
  startApp,
  startShopApi,
  stopAll,
  tool,
  watchErrors,
} from "./harness.mjs";

const VITE = path.join(APPS, "node_modules/.bin/vite");
const APPS_BY_REACT = [
  ["Vite 8 + React 19", "vite-react"],
  ["Vite 8 + React 18", "vite-react18"],
];

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

for (const [FRAMEWORK, app] of APPS_BY_REACT) {
  test(`${FRAMEWORK}: builds and runs the handlers`, async (t) => {
    const APP = path.join(APPS, app);
    await clean(path.join(APP, "dist"));
    await observe(FRAMEWORK, "builds", async () => {
      await assertNoConfigFor(APP, ["vite.config.ts"]);
      const build = await tool(APP, "vite", ["build", "--logLevel", "warn"]);
      assert.ok(build.ok, build.output);
      t.diagnostic(`vite build: ${build.seconds.toFixed(1)} s`);
    });
    record(FRAMEWORK, "ssr", "n/a");
    record(FRAMEWORK, "navigation", "n/a");
    await t.test("no server wasm among the client assets", () =>
      assertNoServerWasm([path.join(APP, "dist")]),
    );
    const server = await startApp(APP, VITE, (port) => [
      "preview",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--strictPort",
    ]);
    const page = (order) => `${server.origin}/?api=${encodeURIComponent(api.url)}&order=${order}`;
    // Each app its own orders.
    const id = (order) => `${app}-${order}`;
    try {
      await t.test("the page shows the QR", () =>
        observe(FRAMEWORK, "clientOnly", () =>
          checkClientOnly(browser, page(id("client")), api.chargeOf(id("client")), app),
        ),
      );
      await t.test("the success and failure handlers run", () =>
        observe(FRAMEWORK, "success", () =>
          checkSuccessHandler(browser, page, {
            order: id("paid"),
            failed: id("denied"),
            status: api.status,
          }),
        ),
      );
      await t.test("a new charge as a prop: the element starts the new transaction", async () => {
        const tab = await browser.newPage();
        const errors = watchErrors(tab);
        await tab.goto(page(id("retry")));
        await tab.locator("gopay-widget figure[part=qr] > svg").waitFor();
        api.status.set(id("retry"), "expire");
        // "Get a new QR" asks the app for a new charge, which it passes to <GopayWidget>.
        await tab.locator("gopay-widget [part=retry-button]").click();
        await tab.waitForFunction(
          (order) =>
            document.querySelector("gopay-widget")?.shadowRoot?.querySelector("[part=order-id]")
              ?.textContent === order,
          `${id("retry")}-2`,
        );
        await tab.locator("gopay-widget figure[part=qr] > svg").waitFor();
        api.status.set(`${id("retry")}-2`, "settlement");
        await tab.waitForFunction(
          (text) => document.getElementById("result")?.textContent === text,
          `Paid: ${id("retry")}-2`,
        );
        assert.deepEqual(errors, []);
        await tab.close();
      });
    } finally {
      await server.stop();
    }
  });

  test(`${FRAMEWORK}: tsc passes on the app and its failing cases`, () =>
    observe(FRAMEWORK, "types", async () => {
      const tsc = await tool(path.join(APPS, app), "tsc", ["--noEmit", "-p", "."]);
      assert.ok(tsc.ok, tsc.output);
    }));
}
