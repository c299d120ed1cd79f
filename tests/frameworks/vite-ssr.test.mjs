// Vite with no framework, server-rendered: `vite build` of the page and its client entry (which
// imports gopay-widget), `vite build --ssr` of src/entry-server.ts (renderToString), and the
// shop's own Node http server (server.js) putting each page's HTML in the client build's
// index.html. No vite.config; the server entry is also built whole (ssr.noExternal) and served
// from a folder with no node_modules, as a bundled deploy is. Driven in Chromium; tsc checks it.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { launch } from "../browser/harness.mjs";
import {
  APPS,
  assertNoConfigFor,
  assertNoServerWasm,
  checkClientOnly,
  checkServerFirstPaint,
  checkSuccessHandler,
  clean,
  observe,
  record,
  startApp,
  startShopApi,
  stopAll,
  tool,
} from "./harness.mjs";

const FRAMEWORK = "Vite 8 SSR (no framework)";
const APP = path.join(APPS, "vite-ssr");

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

/** Each `vite build` the shop's README recipe runs, in order. */
const BUILDS = [
  ["build", "--outDir", "dist/client"],
  ["build", "--ssr", "src/entry-server.ts", "--outDir", "dist/server"],
  ["build", "--ssr", "src/entry-server.ts", "-c", "vite.bundled.config.ts"],
];

test(`${FRAMEWORK}: builds, renders the page on the server, and runs the handlers`, async (t) => {
  await clean(path.join(APP, "dist"));
  await observe(FRAMEWORK, "builds", async () => {
    await assertNoConfigFor(APP, ["vite.config.ts", "vite.bundled.config.ts"]);
    for (const args of BUILDS) {
      const build = await tool(APP, "vite", [...args, "--logLevel", "warn"]);
      assert.ok(build.ok, build.output);
      t.diagnostic(`vite ${args.join(" ")}: ${build.seconds.toFixed(1)} s`);
    }
  });
  record(FRAMEWORK, "navigation", "n/a");
  await t.test("no server wasm in the client build", () =>
    assertNoServerWasm([path.join(APP, "dist/client")]),
  );
  const server = await startApp(APP, process.execPath, () => ["server.js"], {
    env: { SHOP_API: api.url },
  });
  // The server entry built whole, with server.js and the client build, where no node_modules is.
  const deploy = await fs.mkdtemp(path.join(os.tmpdir(), "gopay-vite-ssr-"));
  await fs.cp(path.join(APP, "server.js"), path.join(deploy, "server.js"));
  await fs.cp(path.join(APP, "dist/client"), path.join(deploy, "dist/client"), { recursive: true });
  await fs.cp(path.join(APP, "dist/server-bundled"), path.join(deploy, "dist/server"), {
    recursive: true,
  });
  try {
    await t.test("the QR is in the server's HTML (JavaScript off)", () =>
      observe(FRAMEWORK, "ssr", async () => {
        await checkServerFirstPaint(
          browser,
          `${server.origin}/checkout/vite-ssr`,
          api.chargeOf("vite-ssr"),
          "vite-ssr",
        );
        for (let dir = deploy; dir !== path.dirname(dir); dir = path.dirname(dir)) {
          await assert.rejects(fs.access(path.join(dir, "node_modules")), `${dir}/node_modules`);
        }
        const bundled = await startApp(deploy, process.execPath, () => ["server.js"], {
          env: { SHOP_API: api.url },
        });
        try {
          await checkServerFirstPaint(
            browser,
            `${bundled.origin}/checkout/vite-ssr-bundled`,
            api.chargeOf("vite-ssr-bundled"),
            "vite-ssr-bundled",
          );
        } finally {
          await bundled.stop();
        }
      }),
    );
    await t.test("client-only page", () =>
      observe(FRAMEWORK, "clientOnly", () =>
        checkClientOnly(
          browser,
          `${server.origin}/client-only/vite-ssr-client`,
          api.chargeOf("vite-ssr-client"),
          "vite-ssr",
        ),
      ),
    );
    await t.test("the success and failure handlers run on the page", () =>
      observe(FRAMEWORK, "success", () =>
        checkSuccessHandler(browser, (o) => `${server.origin}/checkout/${o}`, {
          order: "vite-ssr-paid",
          failed: "vite-ssr-denied",
          status: api.status,
        }),
      ),
    );
    await t.test("a malformed order in the path is a 404, not a server error", async () => {
      const response = await fetch(`${server.origin}/checkout/%E0%A4%A`);
      assert.equal(response.status, 404);
      const status = await fetch(`${server.origin}/api/orders/%E0%A4%A/status`);
      assert.equal(status.status, 404);
    });
  } finally {
    await server.stop();
    await fs.rm(deploy, { recursive: true, force: true });
  }
});

test(`${FRAMEWORK}: tsc passes on the app and its failing cases`, () =>
  observe(FRAMEWORK, "types", async () => {
    const tsc = await tool(APP, "tsc", ["--noEmit", "-p", "."]);
    assert.ok(tsc.ok, tsc.output);
  }));
