// SvelteKit 2 (Svelte 5): a +page.server.ts load() renders the first paint (renderFirstPaint),
// the page writes <gopay-widget> with it ({@html}) and the gopayWidget action, with nothing in
// svelte.config or vite.config for the package. Built with adapter-node, started as the Node
// server it writes, driven in Chromium; svelte-check checks the app.
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

const FRAMEWORK = "SvelteKit 2 (Svelte 5)";
const APP = path.join(APPS, "sveltekit-app");

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
  await clean(path.join(APP, "build"));
  await observe(FRAMEWORK, "builds", async () => {
    await assertNoConfigFor(APP, ["svelte.config.js", "vite.config.ts"]);
    const sync = await tool(APP, "svelte-kit", ["sync"]);
    assert.ok(sync.ok, sync.output);
    const build = await tool(APP, "vite", ["build", "--logLevel", "warn"]);
    assert.ok(build.ok, build.output);
    t.diagnostic(`vite build (SvelteKit): ${build.seconds.toFixed(1)} s`);
  });
  await t.test("no server wasm among the client assets", () =>
    assertNoServerWasm([path.join(APP, "build/client")]),
  );
  const app = await startApp(APP, process.execPath, () => ["build/index.js"], {
    env: { SHOP_API: api.url },
  });
  try {
    await checkServerRenderingApp(t, browser, {
      framework: FRAMEWORK,
      origin: app.origin,
      api,
      orders: "svelte",
      name: "sveltekit",
    });
  } finally {
    await app.stop();
  }
});

test(`${FRAMEWORK}: svelte-check passes on the app and its failing cases`, () =>
  observe(FRAMEWORK, "types", async () => {
    const check = await tool(APP, "svelte-check", ["--tsconfig", "./tsconfig.json"]);
    assert.ok(check.ok, check.output);
  }));
