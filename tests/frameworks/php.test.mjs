// A plain PHP page (php -S): the backend puts the charge in data-charge
// (htmlspecialchars(json_encode($charge))) and the page loads the package's index.js; no
// build. Driven in Chromium.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { launch } from "../browser/harness.mjs";
import {
  APPS,
  checkClientOnly,
  checkSuccessHandler,
  observe,
  record,
  startApp,
  startShopApi,
  stopAll,
} from "./harness.mjs";

const FRAMEWORK = "PHP page (php -S)";
const APP = path.join(APPS, "php-app");

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

test(`${FRAMEWORK}: the charge from the backend, the widget from the browser`, async (t) => {
  // Nothing to build or configure; no server render (the renderer runs in Node).
  for (const column of ["builds", "ssr", "navigation", "types"]) record(FRAMEWORK, column, "n/a");
  t.diagnostic(execFileSync("php", ["--version"], { encoding: "utf8" }).split("\n")[0]);
  const app = await startApp(
    APP,
    "php",
    (port) => ["-S", `127.0.0.1:${port}`, "-t", APP, path.join(APP, "router.php")],
    { env: { SHOP_API: api.url }, probe: "/status.php?order_id=probe" },
  );
  try {
    await t.test("the page shows the QR", () =>
      observe(FRAMEWORK, "clientOnly", () =>
        checkClientOnly(
          browser,
          `${app.origin}/?order=php-client`,
          api.chargeOf("php-client"),
          "php",
        ),
      ),
    );
    await t.test("the success and failure handlers run", () =>
      observe(FRAMEWORK, "success", () =>
        checkSuccessHandler(browser, (o) => `${app.origin}/?order=${o}`, {
          order: "php-paid",
          failed: "php-denied",
          status: api.status,
        }),
      ),
    );
  } finally {
    await app.stop();
  }
});
