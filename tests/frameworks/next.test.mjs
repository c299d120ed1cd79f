// Next.js 16, App Router: a server component renders the first paint (renderFirstPaint) and a
// client component shows <GopayWidget> (gopay-widget/react), with no next.config at all. Built
// with Turbopack and with webpack, each started with `next start` and driven in Chromium. The
// same build also holds, each a row of its own: a route handler answering a whole page made
// with renderToString; a page prerendered at `next build` for a fixed demo order; and the edge
// runtime, where the server entry throws its error and the widget is drawn in the browser.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { launch } from "../browser/harness.mjs";
import {
  APPS,
  assertNoConfigFor,
  assertNoInlinedWasm,
  assertNoServerWasm,
  checkClientNavigation,
  checkClientOnly,
  checkServerFirstPaint,
  checkServerRenderingApp,
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
/** The rows of one build: the App Router pages, and the three other ways to render. */
const rowsOf = (framework) => ({
  pages: framework,
  routeHandler: `${framework}: route handler`,
  prerendered: `${framework}: static prerender`,
  edge: `${framework}: edge runtime`,
});
/** The order app/demo/[order]/page.tsx prerenders (generateStaticParams). */
const DEMO_ORDER = "demo-order";
/** What the package's edge module says, in the response or the server's log. */
const NODE_ONLY =
  /gopay-widget\/server runs in Node\.js \(>= 20\).*export const runtime = "nodejs"/;

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

/** How many times the shop's backend was asked for `order`'s charge. */
const chargeRequests = (order) =>
  api.requests.filter((r) => r.path === "/charge" && r.search === `?order_id=${order}`).length;

for (const [framework, flags] of VARIANTS) {
  const rows = rowsOf(framework);
  test(`${framework}: builds, renders the first paint on the server, and runs the handlers`, async (t) => {
    const id = flags.length ? "webpack" : "turbopack";
    await clean(path.join(APP, ".next"));
    // The demo page is prerendered by the build, so the build asks the backend for its charge.
    await observe(Object.values(rows), "builds", async () => {
      await assertNoConfigFor(APP, ["next.config.js", "next.config.mjs", "next.config.ts"]);
      const build = await tool(APP, "next", ["build", ...flags], { SHOP_API: api.url });
      assert.ok(build.ok, build.output);
      t.diagnostic(`next build ${flags.join(" ")}: ${build.seconds.toFixed(1)} s`);
    });
    await t.test("no server wasm among the client assets", () =>
      assertNoServerWasm([path.join(APP, ".next/static")]),
    );
    await t.test("no server wasm in the edge runtime's bundles", async () => {
      const manifest = JSON.parse(
        await fs.readFile(path.join(APP, ".next/server/middleware-manifest.json"), "utf8"),
      );
      const edge = Object.entries(manifest.functions).filter(([page]) => page.startsWith("/edge/"));
      assert.equal(edge.length, 2, `the edge functions: ${Object.keys(manifest.functions)}`);
      await assertNoInlinedWasm(
        edge.flatMap(([, { files, wasm }]) => [
          ...files.map((file) => path.join(APP, ".next", file)),
          ...wasm.map(({ filePath }) => path.join(APP, ".next", filePath)),
        ]),
      );
    });
    const built = chargeRequests(DEMO_ORDER);
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
      await checkServerRenderingApp(t, browser, {
        framework,
        origin: app.origin,
        api,
        orders: `next-${id}`,
        name: `next-${id}`,
      });

      // A route handler's whole page: the element as renderToString wrote it. Next puts no
      // script on it, so nothing takes the widget over there.
      for (const column of ["clientOnly", "success", "navigation"]) {
        record(rows.routeHandler, column, "n/a");
      }
      await t.test("route handler: a whole page with the QR (JavaScript off)", () =>
        observe(rows.routeHandler, "ssr", async () => {
          const url = `${app.origin}/pay/${order("route")}`;
          const response = await fetch(url);
          assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
          const html = await response.text();
          assert.match(html, /^<!doctype html>/);
          assert.match(html, /<gopay-widget data-charge="[^"]+" data-status-url="[^"]+"/);
          await checkServerFirstPaint(
            browser,
            url,
            api.chargeOf(order("route")),
            `next-${id}-route`,
          );
        }),
      );

      // The prerendered demo: its charge was made once, by the build, and the file is served.
      record(rows.prerendered, "clientOnly", "n/a");
      const demo = api.chargeOf(DEMO_ORDER);
      await t.test("static prerender: the QR is in the HTML file written by next build", () =>
        observe(rows.prerendered, "ssr", async () => {
          const file = await fs.readFile(
            path.join(APP, `.next/server/app/demo/${DEMO_ORDER}.html`),
            "utf8",
          );
          assert.match(file, /<gopay-widget[^>]*><template shadowrootmode="open">/);
          assert.ok(file.includes(JSON.stringify(demo.order_id).slice(1, -1)));
          const response = await fetch(`${app.origin}/demo/${DEMO_ORDER}`);
          assert.match(response.headers.get("x-nextjs-prerender") ?? "", /^1\b/);
          assert.equal(await response.text(), file, "the served page is not the prerendered file");
          await checkServerFirstPaint(
            browser,
            `${app.origin}/demo/${DEMO_ORDER}`,
            demo,
            `next-${id}-static`,
          );
          assert.equal((await fetch(`${app.origin}/demo/another-order`)).status, 404);
        }),
      );
      await t.test("static prerender: the success handler runs on the hydrated page", () =>
        observe(rows.prerendered, "success", () => {
          api.status.set(DEMO_ORDER, "pending");
          return checkSuccessHandler(browser, (o) => `${app.origin}/demo/${o}`, {
            order: DEMO_ORDER,
            status: api.status,
          });
        }),
      );
      await t.test("static prerender: client navigation keeps the first paint", () =>
        observe(rows.prerendered, "navigation", async () => {
          api.status.set(DEMO_ORDER, "pending");
          await checkClientNavigation(
            browser,
            `${app.origin}/?order=${DEMO_ORDER}&to=demo`,
            demo,
            `next-${id}-static`,
            api.status,
          );
          assert.equal(chargeRequests(DEMO_ORDER), built, "the demo's charge was made again");
        }),
      );

      // The edge runtime: gopay-widget/server says it runs in Node.js; the widget without a
      // first paint works there.
      record(rows.edge, "navigation", "n/a");
      await t.test("edge runtime: the server entry's error reaches the developer", () =>
        observe(rows.edge, "ssr", async () => {
          const response = await fetch(`${app.origin}/edge/${order("edge-paint")}/first-paint`);
          assert.equal(response.status, 500);
          // next start logs the route's error; the log may trail the response a little.
          const deadline = Date.now() + 5000;
          while (!NODE_ONLY.test(app.output()) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
          }
          assert.match(app.output(), NODE_ONLY);
          return "refused, clear error";
        }),
      );
      await t.test("edge runtime: the widget drawn in the browser", () =>
        observe(rows.edge, "clientOnly", () =>
          checkClientOnly(
            browser,
            `${app.origin}/edge/${order("edge")}`,
            api.chargeOf(order("edge")),
            `next-${id}-edge`,
          ),
        ),
      );
      await t.test("edge runtime: the success and failure handlers run", () =>
        observe(rows.edge, "success", () =>
          checkSuccessHandler(browser, (o) => `${app.origin}/edge/${o}`, {
            order: order("edge-paid"),
            failed: order("edge-denied"),
            status: api.status,
          }),
        ),
      );
    } finally {
      await app.stop();
    }
  });
}

test("Next.js 16: tsc passes on the app and its failing cases", () =>
  observe(
    VARIANTS.flatMap(([framework]) => Object.values(rowsOf(framework))),
    "types",
    async () => {
      const tsc = await tool(APP, "tsc", ["--noEmit", "-p", "."]);
      assert.ok(tsc.ok, tsc.output);
    },
  ));
