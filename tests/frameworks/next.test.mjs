// Next.js 16, App Router: a server component renders the first paint (renderFirstPaint) and a
// client component shows <GopayWidget> (gopay-widget/react), with no next.config at all. Built
// with Turbopack and with webpack, each started with `next start` and driven in Chromium.
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
  record,
  startApp,
  startShopApi,
  stopAll,
  tool,
} from "./harness.mjs";

const APP = path.join(APPS, "next-app");
const NEXT = path.join(APPS, "node_modules/.bin/next");
const VARIANTS = [
  ["Next.js 16 (Turbopack)", []],
  ["Next.js 16 (webpack)", ["--webpack"]],
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

for (const [framework, flags] of VARIANTS) {
  test(`${framework}: builds, renders the first paint on the server, and runs the handlers`, async (t) => {
    const id = flags.length ? "webpack" : "turbopack";
    await clean(path.join(APP, ".next"));
    await observe(framework, "builds", async () => {
      await assertNoConfigFor(APP, ["next.config.js", "next.config.mjs", "next.config.ts"]);
      const build = await tool(APP, "next", ["build", ...flags]);
      assert.ok(build.ok, build.output);
      t.diagnostic(`next build ${flags.join(" ")}: ${build.seconds.toFixed(1)} s`);
    });
    await t.test("no server wasm among the client assets", () =>
      assertNoServerWasm([path.join(APP, ".next/static")]),
    );
    const app = await startApp(
      APP,
      NEXT,
      (port) => ["start", "-p", String(port), "-H", "127.0.0.1"],
      {
        env: { SHOP_API: api.url },
      },
    );
    const order = (name) => `next-${id}-${name}`;
    try {
      await t.test("the QR is in the server's HTML (JavaScript off)", () =>
        observe(framework, "ssr", () =>
          checkServerFirstPaint(
            browser,
            `${app.origin}/checkout/${order("ssr")}`,
            api.chargeOf(order("ssr")),
            `next-${id}`,
          ),
        ),
      );
      await t.test("client-only page", () =>
        observe(framework, "clientOnly", () =>
          checkClientOnly(
            browser,
            `${app.origin}/client-only/${order("client")}`,
            api.chargeOf(order("client")),
            `next-${id}`,
          ),
        ),
      );
      await t.test("the success and failure handlers run on the hydrated page", () =>
        observe(framework, "success", () =>
          checkSuccessHandler(browser, (o) => `${app.origin}/checkout/${o}`, {
            order: order("paid"),
            failed: order("denied"),
            status: api.status,
          }),
        ),
      );
      await t.test("client navigation keeps the first paint, no dead template", () =>
        observe(framework, "navigation", () =>
          checkClientNavigation(
            browser,
            `${app.origin}/?order=${order("nav")}`,
            api.chargeOf(order("nav")),
            `next-${id}`,
            api.status,
          ),
        ),
      );
    } finally {
      await app.stop();
    }
  });
}

test("Next.js 16: tsc passes on the app and its failing cases", async () => {
  for (const [framework] of VARIANTS) record(framework, "types", false);
  const tsc = await tool(APP, "tsc", ["--noEmit", "-p", "."]);
  assert.ok(tsc.ok, tsc.output);
  for (const [framework] of VARIANTS) record(framework, "types", true);
});
